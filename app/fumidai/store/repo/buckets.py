"""Per-minute send buckets: the write-behind upsert, the restart replay, history and trends."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..models import Bucket, Suspension
from ._common import AUTO


class BucketRow(NamedTuple):
    account: str
    minute: int
    country: str
    accepted_messages: int
    accepted_recipients: int
    refused_messages: int
    refused_recipients: int


_BUCKET_COLUMNS = (
    Bucket.account,
    Bucket.minute,
    Bucket.country,
    Bucket.accepted_messages,
    Bucket.accepted_recipients,
    Bucket.refused_messages,
    Bucket.refused_recipients,
)


def recent_buckets(s: Session, since_minute: int) -> Iterator[BucketRow]:
    """Every bucket from ``since_minute`` on, streamed (a server-side cursor on PostgreSQL).

    Consume it inside the session: it rebuilds the counters of every account at start.
    """
    result = s.execute(
        select(*_BUCKET_COLUMNS).where(Bucket.minute >= since_minute).execution_options(yield_per=5000)
    )
    for row in result:
        yield BucketRow(*row)


_COUNT_NAMES = ("accepted_messages", "accepted_recipients", "refused_messages", "refused_recipients")


_ADD_COUNTS = ", ".join(f"{n} = buckets.{n} + excluded.{n}" for n in _COUNT_NAMES)


# The flusher's statements are written by hand: SQLAlchemy's per-row parameter handling
# cost more than the database's own work at tens of thousands of rows a second.
# SQLite: executemany, whose loop runs in C. PostgreSQL: COPY into a temporary table,
# then one INSERT ... SELECT (a row at a time costs a round trip; arrays as parameters
# are formatted in Python, which cost more than the COPY itself).
_BUCKET_UPSERT_SQLITE = (
    f"INSERT INTO buckets (account, minute, country, {', '.join(_COUNT_NAMES)}) VALUES (?, ?, ?, ?, ?, ?, ?) "
    f"ON CONFLICT (account, minute, country) DO UPDATE SET {_ADD_COUNTS}"
)


# ORDER BY: two servers flushing the same keys lock them in one order instead of deadlocking.
_BUCKET_UPSERT_PG = (
    "INSERT INTO buckets SELECT * FROM {temp} ORDER BY account, minute, country "
    f"ON CONFLICT (account, minute, country) DO UPDATE SET {_ADD_COUNTS}"
)


def _pg_copy_upsert(s: Session, temp: str, columns: str, upsert: str, rows: Iterable[Sequence[Any]]) -> None:
    """COPY ``rows`` into the temporary table ``temp`` (made if needed), then run ``upsert``
    (which reads ``{temp}``), in the session's transaction."""
    raw = s.connection().connection.driver_connection  # psycopg
    with raw.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {temp} ({columns}) ON COMMIT DELETE ROWS")
        # ON COMMIT empties it, but one transaction may flush twice.
        cur.execute(f"TRUNCATE {temp}")
        with cur.copy(f"COPY {temp} FROM STDIN") as pipe:
            for row in rows:
                pipe.write_row(row)
        cur.execute(upsert.format(temp=temp))


def add_buckets(s: Session, rows: Iterable[Sequence[Any]]) -> int:
    """Add counts to buckets, creating them as needed; returns the number of buckets written.

    ``rows`` are (account, minute, country, accepted_messages, accepted_recipients,
    refused_messages, refused_recipients). Rows with the same key are summed first: one
    statement may not update the same row twice on PostgreSQL.
    """
    merged: dict[tuple[str, int, str], list[int]] = {}
    for account, minute, country, am, ar, rm, rr in rows:
        key = (account, minute, country)
        counts = merged.get(key)
        if counts is None:
            merged[key] = [am, ar, rm, rr]
        else:
            counts[0] += am
            counts[1] += ar
            counts[2] += rm
            counts[3] += rr
    if not merged:
        return 0
    if s.get_bind().dialect.name == "postgresql":
        rows_in = ((*k, *c) for k, c in merged.items())
        _pg_copy_upsert(s, "fumidai_buckets_in", "LIKE buckets", _BUCKET_UPSERT_PG, rows_in)
    else:
        # Sorted keys: the B-tree is filled in order.
        s.connection().exec_driver_sql(_BUCKET_UPSERT_SQLITE, [(*k, *merged[k]) for k in sorted(merged)])
    return len(merged)


def delete_buckets_before(s: Session, minute: int) -> int:
    """Drop history older than ``minute`` (retention); returns the number of buckets removed."""
    return s.execute(delete(Bucket).where(Bucket.minute < minute)).rowcount


_SUMS = (
    func.sum(Bucket.accepted_messages),
    func.sum(Bucket.accepted_recipients),
    func.sum(Bucket.refused_messages),
    func.sum(Bucket.refused_recipients),
)


class SeriesRow(NamedTuple):
    minute: int
    country: str
    accepted_messages: int
    accepted_recipients: int
    refused_messages: int
    refused_recipients: int


def series(s: Session, account: str, from_minute: int, to_minute: int) -> list[SeriesRow]:
    """One account's buckets in [from_minute, to_minute), by minute then country."""
    rows = s.execute(
        select(*_BUCKET_COLUMNS[1:])
        .where(Bucket.account == account, Bucket.minute >= from_minute, Bucket.minute < to_minute)
        .order_by(Bucket.minute, Bucket.country)
    )
    return [SeriesRow(*row) for row in rows]


def hourly_history(s: Session, account: str, since_minute: int) -> list[SeriesRow]:
    """One account's counts per UTC hour and country; ``minute`` is the hour's first minute."""
    hour = (Bucket.minute // 60) * 60
    rows = s.execute(
        select(hour.label("hour"), Bucket.country, *_SUMS)
        .where(Bucket.account == account, Bucket.minute >= since_minute)
        .group_by(hour, Bucket.country)
        .order_by(hour, Bucket.country)
    )
    return [SeriesRow(int(h), c, int(am), int(ar), int(rm), int(rr)) for h, c, am, ar, rm, rr in rows]


class SenderTotal(NamedTuple):
    account: str
    messages: int  # accepted
    recipients: int  # accepted
    refused: int  # messages


def top_senders(s: Session, from_minute: int, to_minute: int, limit: int) -> list[SenderTotal]:
    """The accounts that had the most messages accepted in [from_minute, to_minute), most first."""
    accepted = func.sum(Bucket.accepted_messages)
    rows = s.execute(
        select(Bucket.account, accepted, func.sum(Bucket.accepted_recipients), func.sum(Bucket.refused_messages))
        .where(Bucket.minute >= from_minute, Bucket.minute < to_minute)
        .group_by(Bucket.account)
        .having(accepted > 0)
        .order_by(accepted.desc(), Bucket.account)
        .limit(limit)
    )
    return [SenderTotal(a, int(m), int(r), int(f)) for a, m, r, f in rows]


class CountryTotal(NamedTuple):
    country: str
    messages: int  # accepted
    recipients: int  # accepted
    refused: int  # messages
    accounts: int


def country_totals(s: Session, since_minute: int) -> list[CountryTotal]:
    """Per country since ``since_minute``: accepted messages and recipients, refusals, senders."""
    rows = s.execute(
        select(
            Bucket.country,
            func.sum(Bucket.accepted_messages),
            func.sum(Bucket.accepted_recipients),
            func.sum(Bucket.refused_messages),
            func.count(Bucket.account.distinct()),
        )
        .where(Bucket.minute >= since_minute)
        .group_by(Bucket.country)
    )
    totals = [CountryTotal(c, int(m), int(r), int(f), int(a)) for c, m, r, f, a in rows]
    return sorted(totals, key=lambda t: (-t.messages, t.country))


class DayTrend(NamedTuple):
    day: date  # UTC
    accepted: int  # messages
    refused: int  # messages
    auto_suspensions: int
    top_countries: list[tuple[str, int]]  # (country, accepted messages), most first


def daily_trends(s: Session, since_minute: int, top: int = 5) -> list[DayTrend]:
    """Per UTC day since ``since_minute``: messages accepted and refused, automatic
    suspensions, and the countries that sent most; oldest day first, days without
    traffic or suspensions left out."""
    day = Bucket.minute // 1440
    accepted: dict[int, int] = defaultdict(int)
    refused: dict[int, int] = defaultdict(int)
    by_country: dict[int, list[tuple[str, int]]] = defaultdict(list)
    rows = s.execute(
        select(day, Bucket.country, func.sum(Bucket.accepted_messages), func.sum(Bucket.refused_messages))
        .where(Bucket.minute >= since_minute)
        .group_by(day, Bucket.country)
    )
    for d, country, acc, ref in rows:
        accepted[int(d)] += int(acc)
        refused[int(d)] += int(ref)
        if acc:
            by_country[int(d)].append((country, int(acc)))
    # Few rows: counted here rather than with each dialect's date functions.
    since = datetime.fromtimestamp(since_minute * 60, tz=UTC)
    suspensions: dict[int, int] = defaultdict(int)
    for at in s.scalars(select(Suspension.since).where(Suspension.by == AUTO, Suspension.since >= since)):
        suspensions[int(at.timestamp() // 86400)] += 1
    epoch = date(1970, 1, 1)
    return [
        DayTrend(
            day=epoch + timedelta(days=d),
            accepted=accepted.get(d, 0),
            refused=refused.get(d, 0),
            auto_suspensions=suspensions.get(d, 0),
            top_countries=sorted(by_country.get(d, []), key=lambda t: (-t[1], t[0]))[:top],
        )
        for d in sorted(set(accepted) | set(suspensions))
    ]
