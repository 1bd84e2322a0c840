"""`fumidai account show|suspend|release|limits|travel|trust|clear-probation|import`: a command-line
adapter over the application layer (actions.StaffActions). It writes the store; a running server
picks each change up from the audit log within a second.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import time
from datetime import datetime, timedelta, timezone
from typing import Callable

from ..errors import FumidaiError


def register(sub, config_arg: Callable) -> None:
    acc = sub.add_parser("account", help="show and act on accounts (takes effect on a running server within a second)")
    asub = acc.add_subparsers(dest="account_command", metavar="ACTION", required=True)
    p = asub.add_parser("show", help="status, limits and recent counts of one account")
    config_arg(p)
    p.add_argument("account")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_account_show)

    def staff_action(name: str, what: str, func: Callable):
        """A subcommand on one account, audited with a reason and who acted."""
        p = asub.add_parser(name, help=what)
        config_arg(p)
        p.add_argument("account")
        p.add_argument("--reason", required=True)
        p.add_argument("--actor", default=None, help="who acts (default: cli:$USER)")
        p.set_defaults(func=func)
        return p

    p = staff_action("suspend", "stop the account's sending", cmd_account_suspend)
    p.add_argument("--until", help="ISO time or a duration like 2h, 3d (default: until released)")

    staff_action("release", "let a suspended account send again", cmd_account_release)

    p = staff_action("limits", "give the account its own limits (or --clear them)", cmd_account_limits)
    p.add_argument("--set", action="append", default=[], metavar="KEY=N",
                   help="an account limit, e.g. messages_per_hour=300 (N may be 'unlimited')")
    p.add_argument("--abroad", action="append", default=[], metavar="KEY=N", help="an abroad cap, e.g. messages_per_day=50")
    p.add_argument("--country", action="append", default=[], metavar="CC:KEY=N", help="a country cap, e.g. CN:messages_per_day=0")
    p.add_argument("--home", metavar="CC[,CC]", help="home countries, e.g. JP,KR")
    p.add_argument("--expires", metavar="WHEN", help="ISO time or a duration like 48h (default: no expiry)")
    p.add_argument("--clear", action="store_true", help="remove the account's own limits")

    for kind, flag, what, example, func in (
        ("travel", "countries", "let the account send from some countries until a time (or --clear)",
         "ISO country codes, e.g. US,KR", cmd_account_travel),
        ("trust", "signals", "waive some behaviour signals for the account until a time (or --clear)",
         "signal codes, e.g. new_country,volume, or '*' for all", cmd_account_trust),
    ):
        p = staff_action(kind, what, func)
        p.add_argument(f"--{flag}", metavar="CODE[,CODE]", help=example)
        p.add_argument("--until", metavar="WHEN", help="ISO time or a duration like 7d (required, at most 90 days)")
        p.add_argument("--clear", action="store_true", help=f"end the {kind} permission now")

    staff_action("clear-probation", "end the account's probation (behaviour analysis)", cmd_account_clear_probation)

    p = asub.add_parser("import", help="import accounts from CSV: account,contact,name,language,home_countries")
    config_arg(p)
    p.add_argument("file")
    p.set_defaults(func=cmd_account_import)


def _open_store(args):
    from ..actions import open_store
    from ..config import load_settings

    settings = load_settings(args.config)
    return settings, open_store(settings.storage.url)


def _canonical_account(args) -> None:
    """The account as the policy path names it ([policy] account_names, strip_realms): `Alice`,
    `ＡＬＩＣＥ` and `alice@example.jp` are one account."""
    from ..config import load_settings
    from ..policy.names import account_namer

    policy = load_settings(args.config).policy
    name = account_namer(policy.account_names, policy.strip_realms)(args.account)
    if name is None:
        raise FumidaiError(f"{args.account!r} cannot be an account name (control characters, or too long)")
    args.account = name


def _act(args, action: str, *params):
    """Run one staff action (actions.StaffActions) on the configured store; a running server
    picks it up from the audit log. Returns (settings, what the action returned)."""
    from ..actions.staff import StaffActions

    settings, store = _open_store(args)
    try:
        return settings, asyncio.run(getattr(StaffActions(store), action)(*params))
    finally:
        store.dispose()


def _actor(args) -> str:
    return args.actor or f"cli:{os.environ.get('USER') or os.environ.get('USERNAME') or 'unknown'}"


def parse_when(text: str | None, now: datetime | None = None) -> datetime | None:
    """An ISO time, or a duration from now such as 90m, 48h, 7d."""
    if not text:
        return None
    now = now or datetime.now(timezone.utc)
    units = {"m": 60, "h": 3600, "d": 86400}
    if text[-1:] in units and text[:-1].isdigit():
        return now + timedelta(seconds=int(text[:-1]) * units[text[-1]])
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise FumidaiError(f"{text!r} is neither an ISO time nor a duration like 48h") from None
    if dt.tzinfo is None:
        dt = dt.astimezone()  # a local time, as the operator typed it
    if dt <= now:
        raise FumidaiError(f"{text} is in the past")
    return dt.astimezone(timezone.utc)


def _limit_value(text: str, what: str) -> int | None:
    if text.strip().lower() == "unlimited":
        return None
    try:
        n = int(text)
    except ValueError:
        raise FumidaiError(f"{what}: {text!r} is not a whole number or 'unlimited'") from None
    if n < 0:
        raise FumidaiError(f"{what}: limits cannot be negative")
    return n


def _key_values(items: list[str], what: str) -> dict[str, int | None]:
    from ..policy import QUOTA_KEYS

    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or key not in QUOTA_KEYS:
            raise FumidaiError(f"{what} {item!r}: expected KEY=N with KEY one of {', '.join(QUOTA_KEYS)}")
        out[key] = _limit_value(value, f"{what} {key}")
    return out


def _countries(text: str) -> frozenset[str]:
    from ..geo.countries import is_country_code

    codes = frozenset(c.strip().upper() for c in text.split(",") if c.strip())
    bad = sorted(c for c in codes if not is_country_code(c))
    if bad or not codes:
        raise FumidaiError(f"--home {text!r}: {', '.join(bad) or 'nothing'} is not an ISO country code")
    return codes


def _wait_for_server(settings, audit_id: int) -> None:
    """Say whether a running server has applied the change (it reads the audit log twice a second)."""
    import urllib.request

    host, _, port = settings.api.listen.rpartition(":")
    scheme = "https" if settings.api.tls_cert else "http"
    url = f"{scheme}://{host}:{port}/api/v1/health"
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        try:
            import ssl

            ctx = ssl._create_unverified_context() if scheme == "https" else None  # loopback health check only
            with urllib.request.urlopen(url, timeout=1.0, context=ctx) as r:
                synced = json.loads(r.read()).get("synced_audit_id", 0)
        except Exception:
            print("no running server answered; the change takes effect when it starts")
            return
        if synced >= audit_id:
            print("the running server has applied it")
            return
        time.sleep(0.1)
    print("the running server has not confirmed yet; it applies changes within a second or two")


def cmd_account_show(args) -> int:
    _canonical_account(args)
    from ..actions.reads import StoreReads
    from .clock import to_datetime

    settings, store = _open_store(args)
    now = time.time()
    minute = int(now // 60)
    try:
        reads = StoreReads(store)
        record = reads.account_now(args.account, notices=0)
        susp, over = reads.stored_state_now(args.account, now)
        rows = reads.series_now(args.account, minute - 1440, minute + 1)  # the current minute too
    finally:
        store.dispose()

    def when(epoch):
        return to_datetime(epoch).isoformat() if epoch is not None else None

    info = {
        "account": args.account,
        "known": record.known,
        **record.contact,
        "home_countries": record.home_countries or settings.geoip.home_countries,
        "status": "suspended" if susp else "ok",
        "suspension": {"by": susp.by, "reason": susp.reason, "since": when(susp.since),
                       "until": when(susp.until)} if susp else None,
        "override": {"limits": dict(over.limits),
                     "home_countries": sorted(over.home_countries) if over.home_countries is not None else None,
                     "abroad": over.abroad, "countries": over.countries, "expires_at": when(over.expires_at),
                     "set_by": over.set_by, "reason": over.reason} if over else None,
        "last_hour": _sum(rows, minute - 60),
        "last_day": _sum(rows, minute - 1440),
    }
    if args.json:
        print(json.dumps(info, indent=2, ensure_ascii=False))
        return 0
    for key, value in info.items():
        print(f"{key:15} {json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value}")
    return 0


def _sum(rows, after_minute: int) -> dict:
    out = {"messages": 0, "recipients": 0, "refused_messages": 0}
    for r in rows:
        if r.minute > after_minute:
            out["messages"] += r.accepted_messages
            out["recipients"] += r.accepted_recipients
            out["refused_messages"] += r.refused_messages
    return out


def cmd_account_suspend(args) -> int:
    _canonical_account(args)
    until = parse_when(args.until)
    settings, audit_id = _act(args, "suspend", args.account, _actor(args), args.reason,
                              until.timestamp() if until else None)
    print(f"{args.account}: sending suspended" + (f" until {until.isoformat()}" if until else ""))
    _wait_for_server(settings, audit_id)
    return 0


def cmd_account_release(args) -> int:
    _canonical_account(args)
    settings, audit_id = _act(args, "release", args.account, _actor(args), args.reason)
    print(f"{args.account}: sending released")
    _wait_for_server(settings, audit_id)
    return 0


def cmd_account_limits(args) -> int:
    _canonical_account(args)
    from ..policy import Override

    if args.clear:
        settings, audit_id = _act(args, "clear_override", args.account, _actor(args), args.reason)
        message = f"{args.account}: back to the default limits"
    else:
        countries = {}
        for item in args.country:
            code, sep, kv = item.partition(":")
            if not sep:
                raise FumidaiError(f"--country {item!r}: expected CC:KEY=N")
            code = next(iter(_countries(code)))
            countries.setdefault(code, {}).update(_key_values([kv], f"--country {code}"))
        expires = parse_when(args.expires)
        o = Override(
            limits=_key_values(args.set, "--set"),
            home_countries=_countries(args.home) if args.home else None,
            abroad=_key_values(args.abroad, "--abroad") if args.abroad else None,
            countries=countries or None,
            expires_at=expires.timestamp() if expires else None,
            set_by=_actor(args),
            reason=args.reason,
        )
        if not (o.limits or o.home_countries or o.abroad or o.countries):
            raise FumidaiError("nothing to set: give --set, --abroad, --country or --home (or --clear)")
        settings, audit_id = _act(args, "set_override", args.account, _actor(args), o, args.reason)
        message = f"{args.account}: own limits set" + (f" until {expires.isoformat()}" if expires else "")
    print(message)
    _wait_for_server(settings, audit_id)
    return 0


def _permission(args, kind: str, items_flag: str) -> int:
    """`account travel` and `account trust`: set (items and --until required) or --clear."""
    items_text = getattr(args, items_flag)
    if args.clear:
        if items_text or args.until:
            raise FumidaiError(f"--clear takes no --{items_flag} or --until")
        settings, audit_id = _act(args, f"clear_{kind}", args.account, _actor(args), args.reason)
        print(f"{args.account}: {kind} permission ended")
    else:
        if not items_text or not args.until:
            raise FumidaiError(f"give --{items_flag} and --until (or --clear)")
        until = parse_when(args.until)
        items = sorted({c.strip().upper() if kind == "travel" else c.strip() for c in items_text.split(",") if c.strip()})
        settings, audit_id = _act(args, f"set_{kind}", args.account, items, until.timestamp(), _actor(args),
                                  args.reason)
        print(f"{args.account}: {kind} {','.join(items)} until {until.isoformat()}")
    _wait_for_server(settings, audit_id)
    return 0


def cmd_account_travel(args) -> int:
    _canonical_account(args)
    return _permission(args, "travel", "countries")


def cmd_account_trust(args) -> int:
    _canonical_account(args)
    return _permission(args, "trust", "signals")


def cmd_account_clear_probation(args) -> int:
    _canonical_account(args)
    settings, audit_id = _act(args, "clear_probation", args.account, _actor(args), args.reason)
    print(f"{args.account}: probation cleared")
    _wait_for_server(settings, audit_id)
    return 0


def cmd_account_import(args) -> int:
    from ..geo.countries import is_country_code

    rows = []
    try:
        with open(args.file, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            expected = ["account", "contact", "name", "language", "home_countries"]
            if reader.fieldnames is None or [h.strip() for h in reader.fieldnames] != expected:
                raise FumidaiError(f"{args.file}: the header must be {','.join(expected)}")
            for line, rec in enumerate(reader, start=2):
                account = (rec["account"] or "").strip()
                language = (rec["language"] or "").strip().lower() or "ja"
                homes = (rec["home_countries"] or "").split()
                if not account or len(account) > 320:
                    raise FumidaiError(f"{args.file}:{line}: account is empty or longer than 320 characters")
                if language not in ("ja", "en"):
                    raise FumidaiError(f"{args.file}:{line}: language must be ja or en, not {language!r}")
                bad = [h for h in homes if not is_country_code(h.upper())]
                if bad:
                    raise FumidaiError(f"{args.file}:{line}: {bad[0]!r} is not an ISO country code")
                contact = (rec["contact"] or "").strip()
                if any(c in contact + (rec["name"] or "") for c in "\r\n\0"):
                    raise FumidaiError(f"{args.file}:{line}: line breaks are not allowed in contact or name")
                rows.append({"account": account, "contact": contact, "name": (rec["name"] or "").strip(),
                             "language": language, "home_countries": [h.upper() for h in homes] or None})
    except OSError as err:
        raise FumidaiError(f"{args.file}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise FumidaiError(f"{args.file}: not UTF-8 text") from None
    _, n = _act(args, "import_accounts", rows, "cli")
    print(f"imported {n} accounts")
    return 0
