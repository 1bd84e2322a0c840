"""The write-behind batch of the policy path, its writer (bad rows set aside, a bounded backlog),
and how the server keeps the collector off its heap."""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..policy import Suspension

log = logging.getLogger("fumidai.service")


@dataclass
class WriteBatch:
    """What the policy path produced since the last flush."""

    buckets: dict[tuple[str, int, str], list[int]] = field(default_factory=dict)
    seen: dict[str, float] = field(default_factory=dict)
    alerts: list[dict] = field(default_factory=list)
    suspensions: dict[str, Suspension] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.buckets or self.seen or self.alerts or self.suspensions)

    def merge(self, newer: WriteBatch) -> None:
        """Put a batch that failed to write back in front of what came since."""
        for key, cell in newer.buckets.items():
            old = self.buckets.setdefault(key, [0, 0, 0, 0])
            for i in range(4):
                old[i] += cell[i]
        for k, v in newer.seen.items():
            self.seen[k] = max(v, self.seen.get(k, 0.0))
        self.alerts.extend(newer.alerts)
        self.suspensions.update(newer.suspensions)


def freeze_heap(full: bool = False) -> None:
    """Keep the cyclic garbage collector off the accounts' state.

    The live state is a large, long-lived, acyclic heap: Python's automatic full
    collection walks all of it (0.5–0.8 s with 100,000 accounts active, stalling every
    policy answer) and frees nothing. So after each flush the young generations are
    collected (milliseconds) and the survivors frozen out of the collector's sight. A
    cycle that turns into garbage only after being frozen would stay; the full
    collection once an hour (``full``) takes care of those.
    """
    if full:
        gc.unfreeze()
        gc.collect()
    else:
        gc.collect(1)
    gc.freeze()


# --- writing the batch: bad rows set aside, a bounded backlog while the store is down ---------

SET_ASIDE_FILE = "set_aside.jsonl"
_LOGGED_PER_FLUSH = 20  # rows set aside named one by one in the log per flush; the rest summed up
# Single rows refused, none written yet: the store refuses everything (keep the batch, set none aside).
_REFUSED_BEFORE_GIVING_UP = 8


def set_aside_path(url: str) -> Path | None:
    """The JSON-lines file for rows the database refused: beside a SQLite file, else None (log only)."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):].split("?", 1)[0]
        if path and path != ":memory:":
            return Path(path).parent / SET_ASIDE_FILE
    return None


def backlog_size(p: WriteBatch) -> int:
    """Rows waiting for the store (last-seen times are per account and not counted)."""
    return len(p.buckets) + len(p.alerts) + len(p.suspensions)


@dataclass
class WriteOutcome:
    """What one flush could not write: ``unwritten`` (the store is down: keep it) and the rows set aside."""

    unwritten: WriteBatch | None = None
    error: str = ""
    set_aside: list[tuple[str, dict, str]] = field(default_factory=list)  # (kind, row, reason)


def _items(batch: WriteBatch) -> list[tuple[str, Any]]:
    return ([("suspension", kv) for kv in batch.suspensions.items()] + [("alert", a) for a in batch.alerts]
            + [("seen", kv) for kv in batch.seen.items()] + [("bucket", kv) for kv in batch.buckets.items()])


def _batch_of(items: list[tuple[str, Any]]) -> WriteBatch:
    p = WriteBatch()
    for kind, item in items:
        if kind == "bucket":
            p.buckets[item[0]] = item[1]
        elif kind == "seen":
            p.seen[item[0]] = item[1]
        elif kind == "alert":
            p.alerts.append(item)
        else:
            p.suspensions[item[0]] = item[1]
    return p


def _as_record(kind: str, item: Any) -> dict:
    """A refused row as plain JSON-able facts (for the set-aside file and the log)."""
    if kind == "bucket":
        (account, minute, country), cell = item
        return {"account": account, "minute": minute, "country": country, "accepted_messages": cell[0],
                "accepted_recipients": cell[1], "refused_messages": cell[2], "refused_recipients": cell[3]}
    if kind == "seen":
        return {"account": item[0], "last_seen": item[1]}
    if kind == "suspension":
        account, s = item
        return {"account": account, "by": s.by, "reason": s.reason, "since": s.since, "until": s.until}
    return dict(item)


def _one_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0] if text else ''}"[:500]


class StoreWriter:
    """Writes the write-behind batch so that one bad row never stops persistence.

    A batch the database refuses is halved until the refused rows stand alone (k bad rows
    out of n cost about 2·k·log2(n) transactions); the others are written, the refused ones
    set aside: logged with the reason and appended to ``set_aside_file`` (JSON lines)
    when there is one. A store that is *unavailable* (``is_unavailable(err)``: connection
    refused, read-only file) refuses every row alike: then nothing is set aside, the batch
    stays for the next flush, bounded by ``max_backlog`` rows (the oldest counts dropped
    first, then the oldest alerts but automatic stops; automatic suspensions never). So
    does a store that refused every row tried (the first ``_REFUSED_BEFORE_GIVING_UP``, or
    all: a schema the code does not match): rows are set aside only in a flush that wrote
    others, and a lone bad row waits for a flush with company.
    ``write`` runs in a thread; ``bound`` and ``watch`` on the loop, one flush at a time.
    """

    def __init__(self, write: Callable[[WriteBatch], None], is_unavailable: Callable[[BaseException], bool],
                 max_backlog: int, alert_at: int, set_aside_file: Path | None) -> None:
        self._write = write
        self._is_unavailable = is_unavailable
        self.max_backlog = max_backlog
        self.alert_at = alert_at
        self.set_aside_file = set_aside_file
        self.backlog = 0  # rows kept after the last flush (0 when it wrote)
        self.set_aside_total = 0
        self.dropped_total = 0
        self.over = False  # the backlog passed alert_at and the store has not caught up since

    # --- in a thread --------------------------------------------------------------------

    def write(self, batch: WriteBatch) -> WriteOutcome:
        try:
            self._write(batch)
            return WriteOutcome()
        except Exception as err:
            if self._is_unavailable(err):
                return WriteOutcome(batch, _one_line(err))
            first = _one_line(err)
        items = _items(batch)
        refused: list[tuple[str, Any, str]] = []
        left: list[tuple[str, Any]] = []
        written, error = self._bisect([items], refused, left, first)
        if not written and refused:
            # Not one row went in: the store refuses everything alike (a schema the code does not
            # match, say), not a few bad values. Keep the rows; set none aside.
            left.extend((kind, item) for kind, item, _ in refused)
            refused, error = [], error or f"every row refused: {first}"
        bad = [(kind, _as_record(kind, item), reason) for kind, item, reason in refused]
        self._set_aside(bad)
        return WriteOutcome(_batch_of(left) if left else None, error, bad)

    def _bisect(self, stack: list[list[tuple[str, Any]]], refused: list, left: list,
                first: str) -> tuple[bool, str]:
        """Write each part of ``stack`` (the first, whole, failed with ``first``), halving the
        refused ones down to single rows. Returns whether any row was written, and the error of an
        unavailable store (then the rest is in ``left``) or of a store refusing every row."""
        written = False
        while stack:
            part = stack.pop()
            if first:  # the whole batch: it failed already
                reason, first = first, ""
            else:
                try:
                    self._write(_batch_of(part))
                    written = True
                    continue
                except Exception as err:
                    if self._is_unavailable(err):
                        left.extend(part)
                        for rest in stack:
                            left.extend(rest)
                        return written, _one_line(err)
                    reason = _one_line(err)
            if len(part) == 1:
                refused.append((*part[0], reason))
                if not written and len(refused) >= _REFUSED_BEFORE_GIVING_UP:
                    for rest in stack:
                        left.extend(rest)
                    return False, f"every row tried was refused: {reason}"
            else:
                stack.append(part[len(part) // 2:])
                stack.append(part[:len(part) // 2])
        return written, ""

    def _set_aside(self, bad: list[tuple[str, dict, str]]) -> None:
        if not bad:
            return
        self.set_aside_total += len(bad)
        for kind, row, reason in bad[:_LOGGED_PER_FLUSH]:
            log.error("store refused a %s row, set aside: %s (%s)", kind, json.dumps(row, default=str)[:500], reason)
        if len(bad) > _LOGGED_PER_FLUSH:
            log.error("… and %d more rows set aside in this flush", len(bad) - _LOGGED_PER_FLUSH)
        if self.set_aside_file is None:
            return
        now = datetime.now(timezone.utc).isoformat()
        try:
            with open(self.set_aside_file, "a", encoding="utf-8") as f:
                for kind, row, reason in bad:
                    f.write(json.dumps({"at": now, "kind": kind, "row": row, "reason": reason}, default=str) + "\n")
        except OSError as err:
            log.error("could not append to %s (the rows are in the log above): %s", self.set_aside_file, err)

    # --- on the loop --------------------------------------------------------------------

    def bound(self, batch: WriteBatch) -> int:
        """Drop the oldest counts (then the oldest alerts but automatic stops) past max_backlog;
        returns how many rows were dropped."""
        excess = backlog_size(batch) - self.max_backlog
        if excess <= 0:
            return 0
        dropped = 0
        for key in sorted(batch.buckets, key=lambda k: k[1])[:excess]:  # k[1]: the minute
            del batch.buckets[key]
            dropped += 1
        if dropped < excess:
            keep, alerts = [], batch.alerts
            for a in alerts:
                if dropped < excess and a.get("kind") != "auto_suspend":
                    dropped += 1
                else:
                    keep.append(a)
            batch.alerts = keep
        self.dropped_total += dropped
        log.error("store backlog over [storage] max_backlog = %d: %d oldest rows dropped (%d in all)",
                  self.max_backlog, dropped, self.dropped_total)
        return dropped

    def watch(self, batch: WriteBatch, failed: bool, error: str) -> dict | None:
        """After each flush: the backlog figure, and the alert to queue when it passes ``alert_at``
        or when the store has caught up after that."""
        self.backlog = backlog_size(batch) if failed else 0
        if failed and not self.over and self.backlog >= self.alert_at:
            self.over = True
            log.error("store backlog at %d rows (alert at %d): the store is failing: %s",
                      self.backlog, self.alert_at, error)
            return {"kind": "store_backlog", "reason": "store_unavailable",
                    "detail": {"backlog": self.backlog, "alert_at": self.alert_at, "error": error}}
        if not failed and self.over:
            self.over = False
            log.warning("store backlog written: the store is back")
            return {"kind": "store_recovered", "reason": "store_available",
                    "detail": {"dropped": self.dropped_total}}
        return None
