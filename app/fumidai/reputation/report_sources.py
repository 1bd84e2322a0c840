"""Where abuse reports come from: one file, a maildir, an mbox, or standard input, each report bounded.

Used by `fumidai complaints import` (reputation/commands.py); each report becomes a ``RawReport``
for reports.read_report. A report over MAX_REPORT_BYTES is counted, not kept (and then kept aside
unread); an mbox is split line by line so no message is held beyond the bound.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import FumidaiError

MAX_REPORT_BYTES = 20 * 1024 * 1024  # bigger reports are kept aside unread


@dataclass(frozen=True)
class RawReport:
    """One report as read: ``data`` is at most MAX_REPORT_BYTES + 1 bytes; ``size`` its full size if known."""

    origin: str
    data: bytes
    size: int


def read_bounded(stream: BinaryIO, origin: str, limit: int = MAX_REPORT_BYTES) -> RawReport:
    """At most ``limit`` + 1 bytes of a stream; the rest is counted, not kept."""
    data = stream.read(limit + 1)
    size = len(data)
    if size > limit:
        while chunk := stream.read(1024 * 1024):
            size += len(chunk)
    return RawReport(origin, data, size)


def is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def is_mbox(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(5) == b"From "
    except OSError:
        return False


def read_maildir(path: Path, limit: int = MAX_REPORT_BYTES) -> Iterator[RawReport]:
    for sub in ("new", "cur"):
        for entry in sorted((path / sub).iterdir()):
            if entry.is_file() and not entry.name.startswith("."):
                with entry.open("rb") as f:
                    yield read_bounded(f, str(entry), limit)


def read_mbox(path: Path, limit: int = MAX_REPORT_BYTES) -> Iterator[RawReport]:
    """Messages of an mbox (mboxrd ``>From`` unquoted), read line by line so none is held beyond ``limit``."""
    with path.open("rb") as f:
        yield from split_mbox(f, str(path), limit)


def split_mbox(stream: BinaryIO, name: str, limit: int = MAX_REPORT_BYTES) -> Iterator[RawReport]:
    chunks: list[bytes] = []
    held = size = 0
    number = 0
    previous_blank = True
    started = False
    for line in stream:
        if line.startswith(b"From ") and previous_blank:
            if started:
                number += 1
                yield RawReport(f"{name}#{number}", b"".join(chunks), size)
            chunks, held, size, started = [], 0, 0, True
            previous_blank = False
            continue
        previous_blank = line in (b"\n", b"\r\n")
        if not started:
            continue
        if re.match(rb">+From ", line):
            line = line[1:]
        size += len(line)
        if held <= limit:
            chunks.append(line)
            held += len(line)
    if started:
        number += 1
        yield RawReport(f"{name}#{number}", b"".join(chunks), size)


def read_sources(names: Iterable[str], stdin: BinaryIO | None = None, limit: int = MAX_REPORT_BYTES) -> Iterator[RawReport]:
    """Reports from each name: ``-`` (standard input), a maildir, an mbox or one message file.

    Every name is checked before any is read, so a typo stops the run before anything is recorded.
    """
    names = list(names) or ["-"]
    paths = []
    for name in names:
        if name == "-":
            paths.append(None)
            continue
        p = Path(name)
        if not p.exists():
            raise FumidaiError(f"{name}: no such file or folder")
        if p.is_dir() and not is_maildir(p):
            raise FumidaiError(f"{name}: a folder that is not a maildir (no cur/ and new/)")
        if not os.access(p, os.R_OK):
            raise FumidaiError(f"{name}: not readable")
        paths.append(p)
    for p in paths:
        if p is None:
            yield read_bounded(stdin or sys.stdin.buffer, "-", limit)
        elif p.is_dir():
            yield from read_maildir(p, limit)
        elif is_mbox(p):
            yield from read_mbox(p, limit)
        else:
            with p.open("rb") as f:
                yield read_bounded(f, str(p), limit)
