"""`fumidai baseline import`: learn per-account baselines from Postfix maillog files."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from ..errors import FumidaiError

if TYPE_CHECKING:
    from ..config import Settings
    from .maillog import Stats, Submission


def register(subparsers: argparse._SubParsersAction) -> None:
    baseline = subparsers.add_parser("baseline", help="per-account sending baselines")
    sub = baseline.add_subparsers(dest="baseline_command", metavar="ACTION", required=True)
    imp = sub.add_parser(
        "import",
        help="learn baselines from Postfix maillog files (plain, .gz, - for standard input)",
        description="Read Postfix's log lines (maillog_file, syslog, rsyslog RFC 3339 or journalctl "
                    "-o short-iso) and learn what each SASL account sent. Files may be rotated, in "
                    "any order; importing the same lines again changes nothing.",
    )
    imp.add_argument("--config", metavar="FILE", help="configuration file (else $FUMIDAI_CONFIG)")
    imp.add_argument("--timezone", metavar="TZ",
                     help="zone of timestamps without an offset, e.g. Asia/Tokyo (default: this machine's)")
    imp.add_argument("files", metavar="FILE", nargs="+", help="a maillog file, .gz, or - for standard input")
    imp.set_defaults(func=_import)


def store_sink(settings: Settings, store: Any, geo: Any = None, clock: Callable[[], float] = time.time) -> Any:
    """Where imported submissions go: an ``actions.baselines.BaselineImport`` learning into the
    store's baselines (the one place that hands the records on); ``commit(actor)`` writes them."""
    from ..actions.baselines import BaselineImport

    return BaselineImport(store, settings, clock, geo)


def parse_timezone(name: str | None) -> tzinfo | None:
    """A zone name as ``--timezone`` takes it; None for this machine's local time."""
    if not name:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise FumidaiError(f"unknown time zone {name!r} (an IANA name such as Asia/Tokyo or UTC)") from err


def run_import(
    paths: Sequence[str],
    *,
    timezone: tzinfo | None,
    now: float,
    sink: Callable[[Submission], None],
    stdin: BinaryIO | None = None,
    progress: TextIO | None = None,
) -> Stats:
    """Read every file (``-`` = ``stdin``) and give each submission to ``sink``; return the stats.

    Every path is checked before any is read, so a typo costs nothing. With ``progress``
    (a terminal), a progress bar is drawn there.
    """
    from .maillog import MaillogReader, open_maillog

    for path in paths:
        if path != "-" and not os.path.isfile(path):
            raise FumidaiError(f"{path}: no such file")
    if paths.count("-") > 1:
        raise FumidaiError("standard input (-) can be read only once")
    reader = MaillogReader(timezone=timezone, now=now)
    bar = _ProgressBar(progress, paths) if progress is not None else None
    for path in paths:
        try:
            with open_maillog(path, stdin) as (stream, raw):
                tick = bar.follow(path, raw, reader.stats) if bar else None
                for submission in reader.read(stream, tick):
                    sink(submission)
                if bar:
                    bar.done(path)
        except OSError as err:  # unreadable (permissions, a folder): say which, stop
            raise FumidaiError(f"{path}: {err.strerror or err}") from err
    for submission in reader.finish():
        sink(submission)
    if bar:
        bar.close()
    return reader.stats


class _ProgressBar:
    """``[#####     ]  48%  1,234,567 lines`` on a terminal, by bytes of the files read."""

    def __init__(self, out: TextIO, paths: Sequence[str]) -> None:
        self.out = out
        self.total = 0 if "-" in paths else sum(os.path.getsize(p) for p in paths)
        self.finished = 0  # bytes of the files already read
        self.last = 0.0
        self.path, self.raw, self.stats = "", None, None

    def follow(self, path: str, raw: BinaryIO, stats: Stats) -> Callable[[], None]:
        self.path, self.raw, self.stats = path, raw, stats
        return self.draw

    def draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if now - self.last < 0.2 and not force:
            return
        self.last = now
        try:
            pos = self.finished + self.raw.tell()
        except (OSError, ValueError):  # a pipe has no position; a closed file none either
            pos = 0
        text = f"{self.stats.lines:>12,} lines"
        if self.total:
            share = min(pos / self.total, 1.0)
            filled = int(share * 30)
            text = f"[{'#' * filled}{' ' * (30 - filled)}] {share:4.0%} {text}"
        self.out.write(f"\r{text}  {os.path.basename(self.path)[:30]}")
        self.out.flush()

    def done(self, path: str) -> None:
        self.draw(force=True)
        if path != "-":
            self.finished += os.path.getsize(path)

    def close(self) -> None:
        self.out.write("\r\033[K")
        self.out.flush()


def _import(args: argparse.Namespace) -> int:
    from ..actions import open_store
    from ..config import load_settings

    timezone = parse_timezone(args.timezone)
    settings = load_settings(args.config)
    for path in args.files:  # before the store is opened or made: a typo costs nothing
        if path != "-" and not os.path.isfile(path):
            raise FumidaiError(f"{path}: no such file")
    from ..geo.lookup import GeoLookup

    g = settings.geoip  # opened first: a wrong path must not leave a new store behind
    geo = GeoLookup(g.database, g.cache_size, g.internal_networks)
    store = open_store(settings.storage.url)
    try:
        sink = store_sink(settings, store, geo)
        stats = run_import(args.files, timezone=timezone, now=time.time(), sink=sink,
                           progress=sys.stderr if sys.stderr.isatty() else None)
        done = sink.commit(actor="import", reason="fumidai baseline import")
    finally:
        store.dispose()
        geo.close()
    print(f"{stats.lines:,} lines, {stats.submissions:,} submissions, {stats.accounts:,} accounts, "
          f"{stats.skipped:,} skipped (malformed); learned {done['submissions']:,} new submissions of "
          f"{done['accounts']:,} accounts ({done['duplicates']:,} imported before)")
    return 0

