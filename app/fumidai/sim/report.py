"""The containment report: how much spam got out before each hijack was stopped, and what
honest users paid for it (messages deferred or rejected).

Spam "got out" when it was accepted or filtered (FILTER still delivers, through another
relay); held and refused spam is contained. A hijack is stopped at the first contained
spam message after which none of its spam got out.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Iterable

from .client import OUTCOMES, REFUSALS, MessageResult

ESCAPED = frozenset({"accepted", "filtered"})
OWNER_KIND = "owner"  # the real owners' mail from accounts that were hijacked


def build_report(results: Iterable[MessageResult], *, wall_seconds: float | None = None,
                 duration: float | None = None) -> dict:
    """The report as a dict (what ``--report json`` prints)."""
    results = list(results)
    hijacked = {r.account for r in results if r.submission.spam}
    spam: dict[str, list[MessageResult]] = defaultdict(list)
    honest: dict[str, list[MessageResult]] = defaultdict(list)
    for r in results:
        if r.submission.spam:
            spam[r.account].append(r)
        else:
            honest[OWNER_KIND if r.account in hijacked else r.kind].append(r)

    hijacks = [_hijack(account, sorted(rs, key=lambda r: (r.sent_at, r.submission.seq)), honest.get(OWNER_KIND, []))
               for account, rs in sorted(spam.items())]
    kinds = {kind: _honest(rs) for kind, rs in sorted(honest.items())}
    fair = [r for kind, rs in honest.items() if kind != OWNER_KIND for r in rs]
    refused = sum(r.outcome in REFUSALS for r in fair)
    latencies = sorted(t for r in results for t in r.request_latencies)
    stop_times = [h["stopped_after_minutes"] for h in hijacks if h["stopped"]]
    totals = {
        "messages": len(results),
        "requests": sum(r.requests for r in results),
        "outcomes": {o: sum(r.outcome == o for r in results) for o in OUTCOMES},
        "hijacks": len(hijacks),
        "hijacks_stopped": sum(h["stopped"] for h in hijacks),
        "spam_messages": sum(h["spam_messages"] for h in hijacks),
        "spam_escaped_messages": sum(h["escaped_messages"] for h in hijacks),
        "spam_escaped_recipients": sum(h["escaped_recipients"] for h in hijacks),
        "longest_stop_minutes": max(stop_times) if stop_times else None,
        "honest_messages": len(fair),
        "honest_refused": refused,
        "false_positive_rate": round(refused / len(fair), 6) if fair else 0.0,
        "latency_ms": {
            "p50": _ms(_quantile(latencies, 0.5)),
            "p99": _ms(_quantile(latencies, 0.99)),
            "max": _ms(latencies[-1] if latencies else None),
        },
    }
    if wall_seconds is not None:
        totals["wall_seconds"] = round(wall_seconds, 3)
        totals["requests_per_second"] = round(totals["requests"] / wall_seconds, 1) if wall_seconds > 0 else None
    if duration is not None:
        totals["simulated_minutes"] = round(duration / 60, 2)
    return {"hijacks": hijacks, "honest": kinds, "totals": totals}


def _hijack(account: str, rs: list[MessageResult], owner_mail: list[MessageResult]) -> dict:
    last_out = max((i for i, r in enumerate(rs) if r.outcome in ESCAPED), default=-1)
    stop = rs[last_out + 1] if last_out + 1 < len(rs) else None
    escaped = [r for r in rs if r.outcome in ESCAPED]
    owner = [r for r in owner_mail if r.account == account]
    return {
        "account": account,
        "kind": rs[0].kind,
        "countries": sorted({r.submission.country for r in rs}),
        "spam_messages": len(rs),
        "spam_recipients": sum(len(r.submission.recipients) for r in rs),
        "escaped_messages": len(escaped),
        "escaped_recipients": sum(r.accepted_recipients for r in escaped),
        "filtered_messages": sum(r.outcome == "filtered" for r in rs),
        "held_messages": sum(r.outcome == "held" for r in rs),
        "refused_messages": sum(r.outcome in REFUSALS for r in rs),
        "stopped": stop is not None,
        "started_at": round(rs[0].sent_at, 3),
        "stopped_at": round(stop.sent_at, 3) if stop else None,
        "stopped_after_minutes": round((stop.sent_at - rs[0].sent_at) / 60, 2) if stop else None,
        "stop_action": stop.action if stop else None,
        "owner_messages": len(owner),
        "owner_refused": sum(r.outcome in REFUSALS for r in owner),
    }


def _honest(rs: list[MessageResult]) -> dict:
    refused = sum(r.outcome in REFUSALS for r in rs)
    row = {"accounts": len({r.account for r in rs}), "messages": len(rs)}
    row.update({o: sum(r.outcome == o for r in rs) for o in OUTCOMES})
    row["accounts_refused"] = len({r.account for r in rs if r.outcome in REFUSALS})
    row["false_positive_rate"] = round(refused / len(rs), 6) if rs else 0.0
    return row


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return values[min(len(values) - 1, int(q * len(values)))]


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 3)


def render(report: dict, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    t = report["totals"]
    lines = ["Containment of hijacked accounts", ""]
    if report["hijacks"]:
        lines.append(f"{'account':<28} {'kind':<6} {'from':<14} {'spam':>6} {'got out':>8} {'rcpts out':>9} "
                     f"{'stopped after':>13}  answer")
        for h in report["hijacks"]:
            stopped = f"{h['stopped_after_minutes']:.1f} min" if h["stopped"] else "NOT STOPPED"
            countries = ",".join(h["countries"])
            countries = countries if len(countries) <= 14 else countries[:11] + "..."
            lines.append(f"{h['account']:<28} {h['kind']:<6} {countries:<14} {h['spam_messages']:>6} "
                         f"{h['escaped_messages']:>8} {h['escaped_recipients']:>9} {stopped:>13}  {h['stop_action'] or ''}")
    else:
        lines.append("(no hijacked accounts in this run)")
    lines += ["", "Honest mail (deferred or rejected = false positives)", ""]
    lines.append(f"{'kind':<10} {'accounts':>8} {'messages':>9} {'accepted':>9} {'held':>6} {'filtered':>8} "
                 f"{'deferred':>8} {'rejected':>8}")
    for kind, row in report["honest"].items():
        label = "owners*" if kind == OWNER_KIND else kind
        lines.append(f"{label:<10} {row['accounts']:>8} {row['messages']:>9} {row['accepted']:>9} {row['held']:>6} "
                     f"{row['filtered']:>8} {row['deferred']:>8} {row['rejected']:>8}")
    if OWNER_KIND in report["honest"]:
        lines.append("* the owners' own mail from hijacked accounts: refused once sending is suspended")
    lat = t["latency_ms"]
    longest = f"{t['longest_stop_minutes']:.1f} min" if t["longest_stop_minutes"] is not None else "-"
    lines += [
        "",
        f"hijacks stopped: {t['hijacks_stopped']}/{t['hijacks']}, longest until stopped: {longest}; "
        f"spam got out: {t['spam_escaped_messages']} of {t['spam_messages']} messages, "
        f"{t['spam_escaped_recipients']} recipients",
        f"honest messages refused: {t['honest_refused']} of {t['honest_messages']} "
        f"({t['false_positive_rate'] * 100:.3f} %)",
        f"messages: {t['messages']}, policy requests: {t['requests']}, latency per request: "
        f"p50 {_fmt(lat['p50'])} ms, p99 {_fmt(lat['p99'])} ms, max {_fmt(lat['max'])} ms",
    ]
    if "wall_seconds" in t:
        lines.append(f"wall time: {t['wall_seconds']:.1f} s, {t['requests_per_second'] or 0:.0f} requests/s")
    return "\n".join(lines) + "\n"


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
