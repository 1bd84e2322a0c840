"""`fumidai complaints import|keygen|resolve`: complaint intake, trace keys, and a token lookup.

``import`` is also the pipe of a Postfix alias (``abuse-fbl: "|/usr/bin/fumidai complaints
import --config /etc/fumidai/fumidai.toml"``). Its exit codes follow sysexits.h as
Postfix's pipe and local delivery read them:

- 0  every report was recorded, recognised as a duplicate, ignored on purpose (no
     trace header, forged token, not a complaint) or kept aside (unreadable);
- 75 EX_TEMPFAIL: nothing can be recorded now (the store is unavailable, the
     configuration or the key file is broken): Postfix keeps the report and retries, so
     a report is never dropped on the floor because of a problem on our side;
- 2  a usage error at the command line (a file or folder that does not exist).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import TYPE_CHECKING

from ..errors import FumidaiError

if TYPE_CHECKING:
    from ..config import Settings
    from ..store.db import Store
    from .reports import Outcome
    from .strikes import StrikeDecision

log = logging.getLogger(__name__)

EX_OK = 0
EX_USAGE = 2
EX_TEMPFAIL = 75
DEFAULT_TRACE_HEADER = "X-Fumidai-Trace"


def register(subparsers: argparse._SubParsersAction) -> None:
    complaints = subparsers.add_parser(
        "complaints", help="abuse reports traced to accounts; trace keys",
        description="Complaint intake (feedback loops, SpamCop, forwarded reports) and the trace header's keys.")
    sub = complaints.add_subparsers(dest="complaints_command", metavar="ACTION", required=True)

    imp = sub.add_parser(
        "import", help="read abuse reports and record the complaints traced to accounts",
        description="Read ARF / feedback-loop reports, SpamCop-style reports and forwarded messages from files, "
                    "maildirs, mbox files or standard input ('-', the default: a Postfix alias pipe). "
                    "Exit 75 when the store is unavailable, so Postfix retries.")
    imp.add_argument("--config", metavar="FILE", help="configuration file (else $FUMIDAI_CONFIG)")
    imp.add_argument("sources", metavar="FILE|MAILDIR|MBOX|-", nargs="*", help="where to read reports (default: -)")
    imp.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    imp.set_defaults(func=_import)

    keygen = sub.add_parser(
        "keygen", help="make the trace key file, or add a new key to it (rotation)",
        description="Write [complaints] secret_file with a new key (mode 0600), or put a new key at the top of it. "
                    "Older keys keep resolving tokens for key_retention_days; keys past that are dropped. "
                    "Restart fumidai serve to make tokens with the new key.")
    keygen.add_argument("--config", metavar="FILE", help="configuration file (else $FUMIDAI_CONFIG)")
    keygen.set_defaults(func=_keygen)

    resolve = sub.add_parser("resolve", help="print the account a trace token was made for",
                             description="Print the account of X-Fumidai-Trace tokens, one per line.")
    resolve.add_argument("--config", metavar="FILE", help="configuration file (else $FUMIDAI_CONFIG)")
    resolve.add_argument("tokens", metavar="TOKEN", nargs="+")
    resolve.set_defaults(func=_resolve)


# --- import ---------------------------------------------------------------------------------


def _import(args: argparse.Namespace) -> int:
    from ..config import load_settings
    from .reports import read_sources

    try:
        settings = load_settings(args.config)
        codec = _codec(settings)
        store = _open_store(settings)
    except FumidaiError as err:
        print(f"fumidai: error: {err}; the reports were not read (exit {EX_TEMPFAIL}: try again later)", file=sys.stderr)
        return EX_TEMPFAIL
    try:
        # Every path is checked before anything is read: a typo is a usage error, not a half import.
        sources = read_sources(args.sources)
        return _import_all(settings, codec, store, sources, quiet=args.quiet)
    except FumidaiError as err:
        print(f"fumidai: error: {err}", file=sys.stderr)
        return EX_USAGE
    finally:
        store.dispose()


def _codec(settings: Settings):
    from .trace import load_codec

    return load_codec(settings.complaints.secret_file, settings.complaints.key_retention)


def _open_store(settings: Settings) -> Store:
    from ..store.db import Store

    store = Store(settings.storage.url)
    try:
        store.ensure_schema()
    except Exception:
        store.dispose()
        raise
    return store


class _Tally:
    def __init__(self) -> None:
        self.recorded = self.duplicates = self.ignored = self.kept_aside = 0

    def line(self) -> str:
        return (f"{self.recorded} recorded, {self.duplicates} already recorded, "
                f"{self.ignored} ignored, {self.kept_aside} kept aside")


def _import_all(settings: Settings, codec, store: Store, sources, quiet: bool = False) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from ..store.db import _first_line
    from .reports import read_report

    header = settings.complaints.trace_header or DEFAULT_TRACE_HEADER
    tally = _Tally()
    struck: set[str] = set()
    say = (lambda text: None) if quiet else (lambda text: print(text))
    reports = iter(sources)
    while True:
        try:
            raw = next(reports, None)
        except OSError as err:
            print(f"fumidai: error: cannot read {getattr(err, 'filename', None) or 'a report'}: {err.strerror or err} "
                  f"({tally.line()} before it; exit {EX_TEMPFAIL})", file=sys.stderr)
            return EX_TEMPFAIL
        if raw is None:
            break
        outcome = read_report(raw, codec, header, raw.origin)
        try:
            verdict = record_outcome(store, outcome)
        except SQLAlchemyError as err:
            print(f"fumidai: error: the store failed while recording {raw.origin}: {_first_line(err)} "
                  f"({tally.line()} before it; exit {EX_TEMPFAIL}: try again, duplicates are not recorded twice)",
                  file=sys.stderr)
            return EX_TEMPFAIL
        kind = type(outcome).__name__
        if kind == "Complaint":
            if verdict:
                tally.recorded += 1
                struck.add(outcome.account)
                say(f"recorded {outcome.account} {outcome.origin} {outcome.report_message_id}")
            else:
                tally.duplicates += 1
                say(f"already recorded {outcome.account} {outcome.origin} {outcome.report_message_id}")
        elif kind == "Ignored":
            tally.ignored += 1
            say(f"ignored {outcome.origin}: {outcome.reason}")
        else:
            tally.kept_aside += 1
            say(f"kept aside {outcome.origin}: {outcome.reason}")
    if struck:
        try:
            apply_strikes(settings, store, sorted(struck))
        except SQLAlchemyError as err:
            # The complaints are recorded; the next import (or the service) weighs them again.
            print(f"fumidai: error: strikes not applied: {_first_line(err)}", file=sys.stderr)
    print(tally.line(), file=sys.stderr if quiet else sys.stdout)
    return EX_OK


def record_outcome(store: Store, outcome: Outcome) -> bool:
    """Write one parsed report (reports.read_report's result), each in its own transaction.

    A Complaint is recorded once, a KeptAside kept once; an Ignored writes nothing.
    Returns True when a row was added (False for a duplicate or an Ignored). Raises
    SQLAlchemyError when the store fails (the caller answers "try again": exit 75, HTTP 503).
    The HTTP route ``POST /api/v1/complaints`` needs exactly this, then ``apply_strikes``.
    """
    from sqlalchemy.exc import IntegrityError

    from ..store import complaints as repo
    from .reports import Complaint, KeptAside

    if not isinstance(outcome, Complaint | KeptAside):
        return False
    write = repo.record_complaint if isinstance(outcome, Complaint) else repo.keep_aside
    for attempt in (1, 2):
        try:
            with store.session() as s:
                return write(s, outcome)[1]
        except IntegrityError:
            if attempt == 2:
                raise
            # Another import recorded the same report between our check and our insert.
    return False


def apply_strikes(settings: Settings, store: Store, accounts: list[str], now: float | None = None) -> list[StrikeDecision]:
    """Weigh the recent complaints of ``accounts`` (each just got a new one) and act.

    What it must do once the application layer exists: for a SUSPEND verdict, suspend the
    account through the application layer (actor "auto", reason "complaints", the
    complaint ids in the audit entry, one transaction), which also tells the running
    policy server(s) so the very next message is refused, and skip an account already
    suspended; for an ALERT verdict, record a "complaint" alert (as now).

    What it does today, through store/complaints.py only: an ALERT verdict records an
    alert of kind "complaint"; a SUSPEND verdict records the same kind of alert whose
    reason says the threshold is reached, and logs a warning that the account is NOT
    suspended yet. Returns the decisions, one per account, in order.
    """
    from datetime import UTC, datetime

    from ..store import complaints as repo
    from .strikes import Verdict, decide

    now = time.time() if now is None else now
    cfg = settings.complaints
    since = datetime.fromtimestamp(max(0.0, now - cfg.window), UTC)
    decisions = []
    with store.session() as s:
        for account in accounts:
            decision = decide(repo.complaint_times(s, account, since), now, cfg.suspend_after, cfg.window)
            decisions.append(decision)
            if decision.verdict is Verdict.NOTHING:
                continue
            reason = decision.reason
            if decision.verdict is Verdict.SUSPEND:
                reason = (f"{len(decision.complaint_ids)} complaints within {cfg.window:g} s: suspension threshold "
                          f"({cfg.suspend_after}) reached")
                log.warning("%s: %s; not suspended: suspension from complaints is not wired yet", account, reason)
            repo.add_complaint_alert(s, account, reason, decision.complaint_ids, cfg.suspend_after, cfg.window,
                                     datetime.fromtimestamp(now, UTC))
    return decisions


# --- keygen, resolve ------------------------------------------------------------------------


def _keygen(args: argparse.Namespace) -> int:
    from ..config import load_settings
    from .trace import add_key

    cfg = load_settings(args.config).complaints
    key, dropped = add_key(cfg.secret_file, cfg.key_retention)
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(key.created))
    print(f"{cfg.secret_file}: new trace key made {when}" + (f"; {dropped} expired key(s) removed" if dropped else ""))
    print("restart fumidai serve to make tokens with it; older keys still resolve complaints "
          f"for {cfg.key_retention_days:g} days")
    return EX_OK


def _resolve(args: argparse.Namespace) -> int:
    from ..config import load_settings
    from .trace import TokenRejected

    codec = _codec(load_settings(args.config))
    status = EX_OK
    for token in args.tokens:
        try:
            print(f"{token} {codec.resolve(token)}")
        except TokenRejected as err:
            print(f"{token} -: {err.reason}")
            status = 1
    return status
