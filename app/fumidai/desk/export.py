"""An account's sending history per hour and country as CSV (no Qt, no HTTP).

The columns are those of the backend's own ``/accounts/{a}/history.csv`` (``HEADER``), which the
desk prefers: it splits every count, refusals included, by country (``ZZ``: an address GeoIP
could not place). When only ``/series`` is available, ``rows_from_series`` builds the same
columns from its points, which split accepted messages and (from newer backends) accepted
recipients by country, but not refusals: those go to a row with country ``""``, which always
means "all countries, not split" and never appears in the backend's file. The format has no
comment line (a spreadsheet or script reads it like the backend's file), so that meaning is
documented here and in ``rows_from_series``.
Rows are re-validated before writing: the file is opened in spreadsheets, and a cell that
starts with ``=``, ``+``, ``-`` or ``@`` would run as a formula there. Only ISO hours, two-letter
codes (or ``""``) and non-negative whole numbers get through, so no cell can start so.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from ..errors import FumidaiError

if TYPE_CHECKING:
    from .api.models import Series, SeriesPoint

HEADER = ("hour", "country", "accepted_messages", "accepted_recipients", "refused_messages", "refused_recipients")
_HOUR = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(Z|[+-]\d\d:?\d\d)?")
_COUNTRY = re.compile(r"[A-Z]{2}|")
_CODE = re.compile(r"[A-Za-z]{2}")  # a country key of /series, before upper-casing


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


def _spread(acc: dict[tuple[str, str], list[int]], hour: str, by_country: dict[str, int], total: int,
            column: int) -> None:
    """Add one point's count to its countries' rows; what the split leaves over goes to country ""."""
    split = 0
    for country, n in sorted(by_country.items()):
        code = country.upper() if _CODE.fullmatch(country) else ""  # anything else is not a country: ""
        acc.setdefault((hour, code), [0, 0, 0, 0])[column] += n
        split += n
    acc.setdefault((hour, ""), [0, 0, 0, 0])[column] += max(0, total - split)


def rows_from_series(series: Series | Iterable[SeriesPoint], *,
                     recipient_detail: bool | None = None) -> list[HistoryRow]:
    """Hourly rows from a ``Series`` from /series, or from its points.

    Each (hour, country) row has that country's accepted messages (``by_country``) and accepted
    recipients (``recipients_by_country``). /series has no refusals per country: each hour's
    refused messages and the recipients they named (``refused``, ``refused_recipients``) go to
    the hour's row with country ``""``, for all countries together, as does any accepted count
    the per-country split leaves over. A point counts in the hour it starts in (exact when the
    step divides an hour, as the desk asks for).

    An older backend sends neither ``recipients_by_country`` nor ``refused_recipients``: its
    ``Series`` says so (``recipient_detail`` False) and the rows are as before those fields,
    every accepted recipient in the row with country ``""`` and 0 refused recipients (not known).
    Points alone carry no such flag: they are read as they are, which comes to the same rows,
    since an older backend's points hold ``{}`` and 0 there; ``recipient_detail=False`` forces
    the older rows whatever the points hold.
    """
    points = getattr(series, "points", series)
    if recipient_detail is None:
        recipient_detail = getattr(series, "recipient_detail", True)
    acc: dict[tuple[str, str], list[int]] = {}
    for p in points:
        hour = _hour_of(p.time)
        _spread(acc, hour, p.by_country, p.messages, 0)
        rest = acc[(hour, "")]  # made by _spread
        rest[2] += p.refused
        if recipient_detail:
            _spread(acc, hour, p.recipients_by_country, p.recipients, 1)
            rest[3] += p.refused_recipients
        else:
            rest[1] += p.recipients
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
