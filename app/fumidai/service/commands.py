"""`fumidai serve`, `fumidai check-config` and `fumidai account …`."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import logging
import os
import signal
import socket
import sys
import time
from datetime import datetime, timedelta, timezone

from ..errors import FumidaiError

log = logging.getLogger("fumidai.serve")


def _config_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="TOML configuration (default: $FUMIDAI_CONFIG, else built-in defaults)")


def register(sub) -> None:
    p = sub.add_parser("serve", help="run the policy server and the HTTP API")
    _config_arg(p)
    p.add_argument("--time-scale", type=float, default=None, metavar="N",
                   help="run the clock N times faster (simulations and training only)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("check-config", help="check the configuration and the files it names")
    _config_arg(p)
    p.add_argument("--show", action="store_true", help="print the effective configuration as JSON")
    p.set_defaults(func=cmd_check_config)

    acc = sub.add_parser("account", help="show and act on accounts (takes effect on a running server within a second)")
    asub = acc.add_subparsers(dest="account_command", metavar="ACTION", required=True)
    p = asub.add_parser("show", help="status, limits and recent counts of one account")
    _config_arg(p)
    p.add_argument("account")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_account_show)

    p = asub.add_parser("suspend", help="stop the account's sending")
    _config_arg(p)
    p.add_argument("account")
    p.add_argument("--reason", required=True)
    p.add_argument("--until", help="ISO time or a duration like 2h, 3d (default: until released)")
    p.add_argument("--actor", default=None, help="who acts (default: cli:$USER)")
    p.set_defaults(func=cmd_account_suspend)

    p = asub.add_parser("release", help="let a suspended account send again")
    _config_arg(p)
    p.add_argument("account")
    p.add_argument("--reason", required=True)
    p.add_argument("--actor", default=None)
    p.set_defaults(func=cmd_account_release)

    p = asub.add_parser("limits", help="give the account its own limits (or --clear them)")
    _config_arg(p)
    p.add_argument("account")
    p.add_argument("--set", action="append", default=[], metavar="KEY=N",
                   help="an account limit, e.g. messages_per_hour=300 (N may be 'unlimited')")
    p.add_argument("--abroad", action="append", default=[], metavar="KEY=N", help="an abroad cap, e.g. messages_per_day=50")
    p.add_argument("--country", action="append", default=[], metavar="CC:KEY=N", help="a country cap, e.g. CN:messages_per_day=0")
    p.add_argument("--home", metavar="CC[,CC]", help="home countries, e.g. JP,KR")
    p.add_argument("--expires", metavar="WHEN", help="ISO time or a duration like 48h (default: no expiry)")
    p.add_argument("--clear", action="store_true", help="remove the account's own limits")
    p.add_argument("--reason", required=True)
    p.add_argument("--actor", default=None)
    p.set_defaults(func=cmd_account_limits)

    p = asub.add_parser("import", help="import accounts from CSV: account,contact,name,language,home_countries")
    _config_arg(p)
    p.add_argument("file")
    p.set_defaults(func=cmd_account_import)


# --- serve -----------------------------------------------------------------------------------


def cmd_serve(args) -> int:
    from ..config import load_settings

    settings = load_settings(args.config)
    if args.time_scale is not None and args.time_scale <= 0:
        raise FumidaiError("--time-scale must be positive")
    # The flusher and the API's store reads run in threads; a short GIL switch interval
    # keeps them from holding up a policy answer for the default 5 ms.
    sys.setswitchinterval(0.0005)
    # The service freezes its long-lived state out of the collector after every flush
    # (service/core.py, _freeze_heap): automatic full collections have little left to do.
    import gc

    gc.set_threshold(700, 10, 1000)
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # Windows, or a minimal install
        runner = asyncio.run
    rc = runner(_serve(settings, args.time_scale))
    # Everything is flushed and closed by now. Freeing a heap of a hundred thousand
    # accounts object by object at interpreter exit takes seconds and only delays a
    # restart, so leave at once.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(rc)


def _sd_notify(message: str) -> None:
    """Tell systemd (Type=notify) we are ready; a no-op outside systemd."""
    path = os.environ.get("NOTIFY_SOCKET")
    if not path:
        return
    if path.startswith("@"):
        path = "\0" + path[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.connect(path)
        s.sendall(message.encode())


async def _serve(settings, time_scale: float | None) -> int:
    from ..postfix.server import PolicyServer
    from . import Service
    from .clock import ScaledClock

    # Signals are handled from the start: one that arrives while we start must stop us cleanly.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except NotImplementedError:  # Windows
            pass
    clock = ScaledClock(time_scale) if time_scale else None
    if clock:
        log.warning("clock runs %g times faster than real time: for simulations only", time_scale)
    # Database writes run in threads; a thread holding the GIL keeps the policy loop
    # waiting up to the switch interval (5 ms by default), which was the p99 of answers.
    sys.setswitchinterval(0.0005)
    svc = Service(settings, clock=clock, manage_gc=True)
    svc.open_resources()
    await svc.start()
    policy = PolicyServer(svc.handle, settings.policy.listen, settings.policy.read_timeout, settings.policy.max_connections,
                          attributes=Service.ATTRIBUTES)
    api = None
    try:
        try:
            await policy.start()
        except OSError as err:
            raise FumidaiError(f"[policy] listen {settings.policy.listen}: {err.strerror or err}") from None
        try:
            from ..api.server import serve_api
        except ImportError:
            serve_api = None
        if serve_api is not None:
            try:
                api = await serve_api(svc, settings)
            except OSError as err:
                raise FumidaiError(f"[api] listen {settings.api.listen}: {err.strerror or err}") from None
        api_addr = getattr(api, "address", settings.api.listen) if api else "off"
        print(f"fumidai: policy server on {policy.address}, API on {api_addr}", flush=True)
        _sd_notify("READY=1")
        await stop.wait()
        log.info("stopping")
        _sd_notify("STOPPING=1")
    finally:
        await policy.stop()
        if api is not None:
            await api.stop()
        await svc.stop()
        if svc.store is not None:
            svc.store.dispose()
    return 0


# --- check-config ------------------------------------------------------------------------------


def cmd_check_config(args) -> int:
    from ..config import load_settings
    from . import Service

    settings = load_settings(args.config)
    svc = Service(settings)
    svc.open_resources()  # the GeoIP database and the store must open
    svc.store.dispose()
    if args.show:
        print(json.dumps(settings.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        print(f"configuration OK: policy {settings.policy.listen}, API {settings.api.listen}, "
              f"store {settings.storage.url.split('://')[0]}, counters {settings.counters.backend}")
    return 0


# --- account -----------------------------------------------------------------------------------


def _open_store(args):
    from ..config import load_settings
    from ..store import Store

    settings = load_settings(args.config)
    store = Store(settings.storage.url)
    store.ensure_schema()
    return settings, store


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
    from ..store import repo

    settings, store = _open_store(args)
    now = datetime.now(timezone.utc)
    minute = int(now.timestamp() // 60)
    with store.session() as s:
        acc = repo.get_account(s, args.account)
        susp = repo.active_suspension(s, args.account, now)
        over = repo.get_override(s, args.account)
        rows = repo.series(s, args.account, minute - 1440, minute)
        info = {
            "account": args.account,
            "known": acc is not None,
            "contact": acc.contact if acc else None,
            "owner_name": acc.owner_name if acc else None,
            "language": acc.language if acc else None,
            "home_countries": (acc.home_countries if acc and acc.home_countries else settings.geoip.home_countries),
            "status": "suspended" if susp else "ok",
            "suspension": {"by": susp.by, "reason": susp.reason, "since": susp.since.isoformat(),
                           "until": susp.until.isoformat() if susp.until else None} if susp else None,
            "override": {"limits": over.limits, "home_countries": over.home_countries, "abroad": over.abroad,
                         "countries": over.countries, "expires_at": over.expires_at.isoformat() if over.expires_at else None,
                         "set_by": over.set_by, "reason": over.reason} if over else None,
            "last_hour": _sum(rows, minute - 60),
            "last_day": _sum(rows, minute - 1440),
        }
    store.dispose()
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
    from ..store import repo

    settings, store = _open_store(args)
    until = parse_when(args.until)
    with store.session() as s:
        audit_id = repo.suspend(s, args.account, _actor(args), args.reason, until)
    store.dispose()
    print(f"{args.account}: sending suspended" + (f" until {until.isoformat()}" if until else ""))
    _wait_for_server(settings, audit_id)
    return 0


def cmd_account_release(args) -> int:
    from ..store import repo

    settings, store = _open_store(args)
    with store.session() as s:
        audit_id = repo.release(s, args.account, _actor(args), args.reason)
    store.dispose()
    print(f"{args.account}: sending released")
    _wait_for_server(settings, audit_id)
    return 0


def cmd_account_limits(args) -> int:
    from ..policy import Override
    from ..store import repo

    settings, store = _open_store(args)
    now = datetime.now(timezone.utc)
    with store.session() as s:
        if args.clear:
            audit_id = repo.clear_override(s, args.account, _actor(args), args.reason, now)
            message = f"{args.account}: back to the default limits"
        else:
            countries = {}
            for item in args.country:
                code, sep, kv = item.partition(":")
                if not sep:
                    raise FumidaiError(f"--country {item!r}: expected CC:KEY=N")
                code = next(iter(_countries(code)))
                countries.setdefault(code, {}).update(_key_values([kv], f"--country {code}"))
            expires = parse_when(args.expires, now)
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
            audit_id = repo.set_override(
                s, args.account, _actor(args), args.reason,
                limits=o.limits, home_countries=sorted(o.home_countries) if o.home_countries else None,
                abroad=o.abroad, countries=o.countries, expires_at=expires, now=now,
            )
            message = f"{args.account}: own limits set" + (f" until {expires.isoformat()}" if expires else "")
    store.dispose()
    print(message)
    _wait_for_server(settings, audit_id)
    return 0


def cmd_account_import(args) -> int:
    from ..geo.countries import is_country_code
    from ..store import repo

    settings, store = _open_store(args)
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
    with store.session() as s:
        n = repo.upsert_accounts(s, rows)
    store.dispose()
    print(f"imported {n} accounts")
    return 0
