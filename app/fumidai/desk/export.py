"""An account's sending history per hour and country as CSV (no Qt, no HTTP).

Prefer the backend's own ``history.csv``: it splits refusals by country. When only
``/series`` is available, ``rows_from_series`` builds the same columns from per-minute points,
which carry a country split for accepted messages only; the rest goes to country ``""``.
Rows are re-validated before writing: the file is opened in spreadsheets, and a cell that
starts with ``=`` or ``+`` would run as a formula there.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any, Iterable

from ..errors import FumidaiError

HEADER = ("hour", "country", "accepted_messages", "accepted_recipients", "refused_messages", "refused_recipients")
_HOUR = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(Z|[+-]\d\d:?\d\d)?")
_COUNTRY = re.compile(r"[A-Z]{2}|")


@dataclass(frozen=True, order=True)
class HistoryRow:
    hour: str  # ISO 8601, UTC, the start of the hour
    country: str  # ISO alpha-2, or "" when unknown
    accepted_messages: int = 0
    accepted_recipients: int = 0
    refused_messages: int = 0
    refused_recipients: int = 0


def _checked(row: HistoryRow) -> HistoryRow:
    if not _HOUR.fullmatch(row.hour):
        raise FumidaiError(f"history: {row.hour!r} is not an ISO 8601 hour")
    if not _COUNTRY.fullmatch(row.country):
        raise FumidaiError(f"history: {row.country!r} is not a country code")
    for name in HEADER[2:]:
        if getattr(row, name) < 0:
            raise FumidaiError(f"history: negative {name} at {row.hour}")
    return row


def rows_from_csv(text: str) -> list[HistoryRow]:
    """Parse the backend's history.csv, refusing anything that is not plain counts."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != HEADER:
        raise FumidaiError(f"history: unexpected header {header!r}; expected {','.join(HEADER)}")
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not cells:
            continue
        if len(cells) != len(HEADER):
            raise FumidaiError(f"history line {number}: {len(cells)} fields, expected {len(HEADER)}")
        try:
            counts = [int(c) for c in cells[2:]]
        except ValueError:
            raise FumidaiError(f"history line {number}: counts must be whole numbers") from None
        rows.append(_checked(HistoryRow(cells[0].strip(), cells[1].strip().upper(), *counts)))
    return rows


def _hour_of(t: float) -> str:
    start = int(t // 3600) * 3600
    return dt.datetime.fromtimestamp(start, dt.UTC).strftime("%Y-%m-%dT%H:00:00Z")


def rows_from_series(points: Iterable[Any]) -> list[HistoryRow]:
    """Hourly rows from /series points (objects with time, messages, recipients, refused, by_country).

    ``messages`` counts accepted messages; ``by_country`` splits them. Recipients and
    refusals have no country split in /series, so they go to the row with country "".
    """
    acc: dict[tuple[str, str], list[int]] = {}
    for p in points:
        hour = _hour_of(p.time)
        split = 0
        for country, n in sorted(p.by_country.items()):
            code = country.upper() if re.fullmatch(r"[A-Za-z]{2}", country) else ""
            acc.setdefault((hour, code), [0, 0, 0, 0])[0] += n
            split += n
        rest = acc.setdefault((hour, ""), [0, 0, 0, 0])
        rest[0] += max(0, p.messages - split)
        rest[1] += p.recipients
        rest[2] += p.refused
    rows = [HistoryRow(h, c, *counts) for (h, c), counts in acc.items() if any(counts)]
    return sorted(rows)


def write_history_csv(path: str | Path, rows: Iterable[HistoryRow]) -> int:
    """Write the rows (UTF-8, header first); returns how many were written."""
    rows = sorted(_checked(r) for r in rows)
    try:
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(HEADER)
            writer.writerows(astuple(r) for r in rows)
    except OSError as err:
        raise FumidaiError(f"cannot write {path}: {err.strerror or err}") from None
    return len(rows)
