"""The containment report: how much spam got out before each hijack was stopped, and what
honest users paid for it (messages refused, deferred or held).

Spam "got out" when it was accepted. A message answered HOLD or FILTER (REDIRECT,
DISCARD) went to quarantine: counted apart, as quarantined, neither accepted nor refused.
A hijack is stopped at the first spam message that did not get out after which none of
its spam got out. A cohort (one client address logged in as several accounts) is one
hijack. Honest mail from a hijacked account (its owner's) is honest mail, reported apart
(``owner``) and not counted against the policy: the account was stopped, not the owner.

Several seeds: ``aggregate(reports)`` gives per kind the median and the worst, and the
goal of issue 11 as PASS/FAIL lines (``GOAL``).
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from typing import Iterable, Mapping

from .client import OUTCOMES, REFUSALS, MessageResult
from .kinds import HIJACK_KINDS, HONEST_KINDS

ESCAPED = frozenset({"accepted"})
QUARANTINED = frozenset({"held", "filtered"})
OWNER_KIND = "owner"  # the real owners' mail from accounts that were hijacked
# Bulk senders left on the default limits: over the quota by design (they show why staff
# give overrides), so not in the goal; the demo's and simulate's own-limits ones are.
OVER_QUOTA_BY_DESIGN = ("heavy",)
GOAL = {"median_messages": 5, "median_recipients": 50, "worst_messages": 20, "honest_harmed": 0}


def build_report(results: Iterable[MessageResult], *, wall_seconds: float | None = None,
                 duration: float | None = None) -> dict:
    """The report as a dict (what ``--report json`` prints)."""
    results = list(results)
    hijacked = {r.account for r in results if r.submission.spam}
    spam: dict[str, list[MessageResult]] = defaultdict(list)
    honest: dict[str, list[MessageResult]] = {kind: [] for kind in HONEST_KINDS}
    for r in results:
        if r.submission.spam:
            spam[r.submission.hijack or r.account].append(r)
        else:
            honest.setdefault(OWNER_KIND if r.account in hijacked else r.kind, []).append(r)
    owners = honest.pop(OWNER_KIND, [])

    hijacks = [_hijack(hid, sorted(rs, key=lambda r: (r.sent_at, r.submission.seq)), owners)
               for hid, rs in sorted(spam.items())]
    kinds = {kind: _honest(rs) for kind, rs in honest.items()}
    if owners:
        kinds[OWNER_KIND] = _honest(owners)
    fair = [r for rs in honest.values() for r in rs]
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
        "spam_quarantined_messages": sum(h["quarantined_messages"] for h in hijacks),
        "longest_stop_minutes": max(stop_times) if stop_times else None,
        "honest_messages": len(fair),
        "honest_refused": refused,
        "honest_held": sum(r.outcome in QUARANTINED for r in fair),
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


def _hijack(hijack_id: str, rs: list[MessageResult], owner_mail: list[MessageResult]) -> dict:
    last_out = max((i for i, r in enumerate(rs) if r.outcome in ESCAPED), default=-1)
    stop = rs[last_out + 1] if last_out + 1 < len(rs) else None
    escaped = [r for r in rs if r.outcome in ESCAPED]
    quarantined = [r for r in rs if r.outcome in QUARANTINED]
    accounts = sorted({r.account for r in rs})
    owner = [r for r in owner_mail if r.account in accounts]
    return {
        "account": hijack_id,  # the hijacked account; a cohort's id for a cohort
        "accounts": accounts,
        "kind": rs[0].kind,
        "countries": sorted({r.submission.country for r in rs}),
        "client_addresses": len({r.submission.client_address for r in rs}),
        "spam_messages": len(rs),
        "spam_recipients": sum(len(r.submission.recipients) for r in rs),
        "escaped_messages": len(escaped),
        "escaped_recipients": sum(r.accepted_recipients for r in escaped),
        "quarantined_messages": len(quarantined),
        "quarantined_recipients": sum(r.accepted_recipients for r in quarantined),
        "filtered_messages": sum(r.outcome == "filtered" for r in rs),
        "held_messages": sum(r.outcome == "held" for r in rs),
        "refused_messages": sum(r.outcome in REFUSALS for r in rs),
        "stopped": stop is not None,
        "started_at": round(rs[0].sent_at, 3),
        "stopped_at": round(stop.sent_at, 3) if stop else None,
        "stopped_after_minutes": round((stop.sent_at - rs[0].sent_at) / 60, 2) if stop else None,
        "stop_action": stop.action if stop else None,
        "stopped_by": stop.outcome if stop else None,  # rejected | deferred | held | filtered
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


def honest_harmed(row: Mapping) -> int:
    """Honest messages refused, deferred or held (quarantined) in one honest kind's row."""
    return row["deferred"] + row["rejected"] + row["held"] + row["filtered"]


def aggregate(reports: Mapping[int, dict]) -> dict:
    """Several seeds' reports: per hijack kind the median and worst, per honest kind the sums, the goal."""
    hijacks = [h for report in reports.values() for h in report["hijacks"]]
    kinds = {}
    for kind in [*HIJACK_KINDS, *sorted({h["kind"] for h in hijacks} - set(HIJACK_KINDS))]:
        hs = [h for h in hijacks if h["kind"] == kind]
        if not hs:
            continue
        stops = [h["stopped_after_minutes"] for h in hs if h["stopped"]]
        kinds[kind] = {
            "hijacks": len(hs),
            "stopped": sum(h["stopped"] for h in hs),
            **_spread("escaped_messages", hs),
            **_spread("escaped_recipients", hs),
            **_spread("quarantined_messages", hs),
            "median_stop_minutes": statistics.median(stops) if stops else None,
            "worst_stop_minutes": max(stops) if len(stops) == len(hs) else None,  # None: one was never stopped
            "stopped_by": sorted({h["stop_action"] for h in hs if h["stop_action"]}),
        }
    honest: dict[str, dict] = {}
    for report in reports.values():
        for kind, row in report["honest"].items():
            into = honest.setdefault(kind, {"messages": 0, "refused": 0, "deferred": 0, "rejected": 0, "held": 0})
            into["messages"] += row["messages"]
            into["deferred"] += row["deferred"]
            into["rejected"] += row["rejected"]
            into["refused"] += row["deferred"] + row["rejected"]
            into["held"] += row["held"] + row["filtered"]
    escaped = [h["escaped_messages"] for h in hijacks]
    recipients = [h["escaped_recipients"] for h in hijacks]
    harmed = sum(row["refused"] + row["held"] for kind, row in honest.items()
                 if kind not in (OWNER_KIND, *OVER_QUOTA_BY_DESIGN))
    goal = {
        "median_messages": statistics.median(escaped) if escaped else 0,
        "median_recipients": statistics.median(recipients) if recipients else 0,
        "worst_messages": max(escaped, default=0),
        "honest_harmed": harmed,
    }
    checks = [
        (f"median spam accepted per hijack <= {GOAL['median_messages']} messages",
         goal["median_messages"] <= GOAL["median_messages"], f"{goal['median_messages']:g}"),
        (f"median spam accepted per hijack <= {GOAL['median_recipients']} recipients",
         goal["median_recipients"] <= GOAL["median_recipients"], f"{goal['median_recipients']:g}"),
        (f"worst hijack <= {GOAL['worst_messages']} messages accepted",
         goal["worst_messages"] <= GOAL["worst_messages"], f"{goal['worst_messages']}"),
        ("honest messages refused, deferred or held: 0", harmed <= GOAL["honest_harmed"], f"{harmed}"),
    ]
    return {"seeds": sorted(reports), "hijack_kinds": kinds, "honest": honest, "goal": goal,
            "checks": [{"check": text, "passed": ok, "value": value} for text, ok, value in checks],
            "passed": all(ok for _, ok, _ in checks)}


def _spread(key: str, hs: list[dict]) -> dict:
    values = [h[key] for h in hs]
    return {f"median_{key}": statistics.median(values), f"worst_{key}": max(values)}


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
        lines.append(f"{'account':<32} {'kind':<6} {'from':<14} {'spam':>6} {'got out':>8} {'rcpts out':>9} "
                     f"{'quarant.':>8} {'stopped after':>13}  answer")
        for h in report["hijacks"]:
            stopped = f"{h['stopped_after_minutes']:.1f} min" if h["stopped"] else "NOT STOPPED"
            countries = ",".join(h["countries"])
            countries = countries if len(countries) <= 14 else countries[:11] + "..."
            who = h["account"] if len(h["accounts"]) == 1 else f"{h['account']} ({len(h['accounts'])} accounts)"
            lines.append(f"{who:<32} {h['kind']:<6} {countries:<14} {h['spam_messages']:>6} "
                         f"{h['escaped_messages']:>8} {h['escaped_recipients']:>9} {h['quarantined_messages']:>8} "
                         f"{stopped:>13}  {h['stop_action'] or ''}")
    else:
        lines.append("(no hijacked accounts in this run)")
    lines += ["", "Honest mail (deferred, rejected or held = false positives)", ""]
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
        f"{t['spam_escaped_recipients']} recipients; quarantined: {t['spam_quarantined_messages']} messages",
        f"honest messages refused: {t['honest_refused']} of {t['honest_messages']} "
        f"({t['false_positive_rate'] * 100:.3f} %), held: {t['honest_held']}",
        f"messages: {t['messages']}, policy requests: {t['requests']}, latency per request: "
        f"p50 {_fmt(lat['p50'])} ms, p99 {_fmt(lat['p99'])} ms, max {_fmt(lat['max'])} ms",
    ]
    if "wall_seconds" in t:
        lines.append(f"wall time: {t['wall_seconds']:.1f} s, {t['requests_per_second'] or 0:.0f} requests/s")
    return "\n".join(lines) + "\n"


def render_summary(summary: dict) -> str:
    """The several-seed table and the goal's PASS/FAIL lines."""
    seeds = ",".join(str(s) for s in summary["seeds"])
    lines = [f"Containment over seeds {seeds}: spam accepted per hijack, median / worst", ""]
    lines.append(f"{'kind':<8} {'hijacks':>7} {'msgs out':>11} {'rcpts out':>11} {'quarantined':>11} "
                 f"{'stop min':>13}  stopped by")
    for kind, k in summary["hijack_kinds"].items():
        stop = "-" if k["median_stop_minutes"] is None else f"{k['median_stop_minutes']:.1f}"
        worst = "never" if k["worst_stop_minutes"] is None else f"{k['worst_stop_minutes']:.1f}"
        by = "; ".join(a[:40] for a in k["stopped_by"]) or "-"
        lines.append(f"{kind:<8} {k['hijacks']:>4} ({k['stopped']}) "
                     f"{k['median_escaped_messages']:>5g} / {k['worst_escaped_messages']:<3} "
                     f"{k['median_escaped_recipients']:>5g} / {k['worst_escaped_recipients']:<4} "
                     f"{k['median_quarantined_messages']:>4g} / {k['worst_quarantined_messages']:<4} "
                     f"{stop:>5} / {worst:<6}  {by}")
    lines += ["", "Honest mail, all seeds", "",
              f"{'kind':<11} {'messages':>8} {'refused':>8} {'deferred':>8} {'rejected':>8} {'held':>6}"]
    for kind, row in summary["honest"].items():
        note = "  (owners of hijacked accounts)" if kind == OWNER_KIND else \
            "  (bulk senders on the default limits: over the quota by design)" if kind in OVER_QUOTA_BY_DESIGN else ""
        lines.append(f"{kind:<11} {row['messages']:>8} {row['refused']:>8} {row['deferred']:>8} {row['rejected']:>8} "
                     f"{row['held']:>6}{note}")
    lines.append("")
    for check in summary["checks"]:
        lines.append(f"{'PASS' if check['passed'] else 'FAIL'}  {check['check']}  (measured: {check['value']})")
    return "\n".join(lines) + "\n"


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
