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
import asyncio
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import FumidaiError
from .strikes import Verdict

if TYPE_CHECKING:
    from ..actions.complaints import ComplaintActions
    from ..config import Settings

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
    from .report_sources import read_sources

    try:
        settings = load_settings(args.config)
        codec = _codec(settings)
        actions = _open_actions(settings)
    except FumidaiError as err:
        print(f"fumidai: error: {err}; the reports were not read (exit {EX_TEMPFAIL}: try again later)", file=sys.stderr)
        return EX_TEMPFAIL
    except Exception as err:  # the store cannot be opened (SQLAlchemy's errors, a folder that is a file)
        print(f"fumidai: error: the store cannot be opened: {_first_line(err)}; the reports were not read "
              f"(exit {EX_TEMPFAIL}: try again later)", file=sys.stderr)
        return EX_TEMPFAIL
    try:
        # Every path is checked before anything is read: a typo is a usage error, not a half import.
        sources = read_sources(args.sources)
        return asyncio.run(_import_all(settings, codec, actions, sources, quiet=args.quiet))
    except FumidaiError as err:
        print(f"fumidai: error: {err}", file=sys.stderr)
        return EX_USAGE
    finally:
        actions.store.dispose()


def _codec(settings: Settings):
    from .trace import load_codec

    return load_codec(trace_key_file(settings), settings.complaints.key_retention)


def trace_key_file(settings: Settings) -> Path:
    """Where the trace keys are: ``[complaints] secret_file``, else trace.key in the state folder."""
    from ..config import trace_key_file as resolve

    return resolve(settings)


def _open_actions(settings: Settings) -> ComplaintActions:
    from ..actions import open_store
    from ..actions.complaints import ComplaintActions

    return ComplaintActions(open_store(settings.storage.url), settings.complaints)


def _first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0][:300]


class _Tally:
    def __init__(self) -> None:
        self.recorded = self.duplicates = self.ignored = self.kept_aside = 0

    def line(self) -> str:
        return (f"{self.recorded} recorded, {self.duplicates} already recorded, "
                f"{self.ignored} ignored, {self.kept_aside} kept aside")


async def _import_all(settings: Settings, codec, actions: ComplaintActions, sources, quiet: bool = False) -> int:
    from ..actions.complaints import StoreUnavailable
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
            added = await actions.record(outcome)
        except StoreUnavailable as err:
            print(f"fumidai: error: the store failed while recording {raw.origin}: {_first_line(err)} "
                  f"({tally.line()} before it; exit {EX_TEMPFAIL}: try again, duplicates are not recorded twice)",
                  file=sys.stderr)
            return EX_TEMPFAIL
        kind = type(outcome).__name__
        if kind == "Complaint":
            if added:
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
            for account, decision in zip(sorted(struck), await actions.apply_strikes(sorted(struck))):
                if decision.verdict is Verdict.SUSPEND:
                    say(f"suspended {account}: {len(decision.complaint_ids)} complaints within {decision.window:g} s")
        except StoreUnavailable as err:
            # The complaints are recorded; the next import weighs them again.
            print(f"fumidai: error: strikes not applied: {_first_line(err)}", file=sys.stderr)
    print(tally.line(), file=sys.stderr if quiet else sys.stdout)
    return EX_OK


# --- keygen, resolve ------------------------------------------------------------------------


def _keygen(args: argparse.Namespace) -> int:
    from ..config import load_settings
    from .trace import add_key

    settings = load_settings(args.config)
    cfg, path = settings.complaints, trace_key_file(settings)
    key, dropped = add_key(path, cfg.key_retention)
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(key.created))
    print(f"{path}: new trace key made {when}" + (f"; {dropped} expired key(s) removed" if dropped else ""))
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
