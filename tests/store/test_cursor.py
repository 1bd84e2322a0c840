"""Cursors that cannot skip: real interleaved transactions on PostgreSQL.

tx1 takes id n, tx2 takes n+1 and commits: a read sees n+1 and not n. The alerts and
complaints reads (what the API answers) must not move a client's cursor past n, and the
audit sync must apply n when tx1 commits; a rolled-back id must not stall them forever.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

import pytest

from fumidai.actions.complaints import ComplaintActions
from fumidai.actions.reads import StoreReads
from fumidai.config import settings_from_dict
from fumidai.service.sync import AuditSync
from fumidai.store import repo
from fumidai.store.cursor import SETTLE_S, FirstSeen, GapCursor
from fumidai.store.db import Store
from fumidai.store.live_store import LiveStore
from fumidai.store.models import Complaint


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def pg(pg_url):
    st = Store(pg_url)
    st.upgrade()
    try:
        yield st
    finally:
        st.dispose()


@contextlib.contextmanager
def open_tx(store: Store):
    """A transaction the test ends itself: yields (session, end) with end(commit: bool)."""
    conn = store.engine.connect()
    tx = conn.begin()
    from sqlalchemy.orm import Session

    s = Session(bind=conn)

    def end(commit: bool) -> None:
        s.flush()
        tx.commit() if commit else tx.rollback()

    try:
        yield s, end
    finally:
        s.close()
        if tx.is_active:
            tx.rollback()
        conn.close()


def _alert(s, account: str) -> int:
    return repo.add_alerts(s, [{"account": account, "kind": "cap", "reason": "test"}])[0]


def _complaint(s, account: str) -> int:
    row = Complaint(account=account, kind="arf", feedback_type="abuse", report_message_id=f"<{account}@r>",
                    report_key=f"k-{account}", origin="test")
    s.add(row)
    s.flush()
    return row.id


# --- the pure rule -----------------------------------------------------------------------------

def test_first_seen_moves_over_contiguous_ids_and_stops_below_a_young_gap():
    clock = Clock()
    seen = FirstSeen(clock=clock)
    assert seen.safe_through(0, [1, 2, 3]) == 3
    assert seen.safe_through(3, [5, 6]) == 3  # 4 may still commit
    clock.t += SETTLE_S - 1
    assert seen.safe_through(3, [5, 6]) == 3
    clock.t += 1
    assert seen.safe_through(3, [5, 6]) == 6  # 5 seen for SETTLE_S: 4 rolled back


def test_gap_cursor_delivers_each_id_once_and_pruning_keeps_old_gaps_settled():
    clock = Clock()
    cur = GapCursor(clock=clock)
    assert cur.fresh([1, 3]) == [1, 3]
    cur.delivered([1, 3])
    assert (cur.position, cur.high) == (1, 3)
    assert cur.fresh([2, 3, 4]) == [2, 4]
    cur.delivered([2, 4])
    assert cur.position == 4
    seen = FirstSeen(clock=clock)
    for k in range(100):  # many gaps, each seen once, then long ago
        seen.safe_through(3 * k, [3 * k + 2])
    clock.t += 3 * SETTLE_S
    seen.safe_through(1000, [1002])  # prunes: the old ones only say "settled"
    assert len(seen._seen) < 10
    assert seen.safe_through(0, [2]) == 2


# --- the API's reads on PostgreSQL ------------------------------------------------------------

def test_alerts_read_does_not_pass_an_alert_still_in_flight(pg):
    reads = StoreReads(pg)
    clock = Clock()
    reads.alerts_seen = FirstSeen(clock=clock)
    with pg.session() as s:
        first = _alert(s, "before")
    with open_tx(pg) as (s1, end1):
        n = _alert(s1, "slow")  # tx1: id n, not committed
        with pg.session() as s2:
            m = _alert(s2, "fast")  # tx2: id n+1, committed
        assert m == n + 1
        items, newest, next_after = asyncio.run(reads.alerts_after(first, 200))
        assert [a["id"] for a in items] == [m]
        assert newest == m
        assert next_after == first  # not past n
        end1(True)
    items, newest, next_after = asyncio.run(reads.alerts_after(next_after, 200))
    assert [a["id"] for a in items] == [n, m]  # n now, m again (the client dedupes by id)
    assert next_after == m


def test_a_rolled_back_alert_stalls_the_cursor_only_until_the_gap_settles(pg):
    reads = StoreReads(pg)
    clock = Clock()
    reads.alerts_seen = FirstSeen(clock=clock)
    with open_tx(pg) as (s1, end1):
        n = _alert(s1, "rolled-back")
        with pg.session() as s2:
            m = _alert(s2, "kept")
        end1(False)
    assert asyncio.run(reads.alerts_after(0, 200))[2] == n - 1
    clock.t += SETTLE_S / 2
    assert asyncio.run(reads.alerts_after(n - 1, 200))[2] == n - 1
    clock.t += SETTLE_S / 2
    items, _, next_after = asyncio.run(reads.alerts_after(n - 1, 200))
    assert [a["id"] for a in items] == [m] and next_after == m


def test_complaints_read_does_not_pass_a_complaint_still_in_flight(pg):
    settings = settings_from_dict({}).complaints
    actions = ComplaintActions(pg, settings)
    clock = Clock()
    actions.complaints_seen = FirstSeen(clock=clock)
    with open_tx(pg) as (s1, end1):
        n = _complaint(s1, "slow")
        with pg.session() as s2:
            m = _complaint(s2, "fast")
        body = asyncio.run(actions.complaints_after(0, 200))
        assert [c["id"] for c in body["items"]] == [m]
        assert body["newest_id"] == m and body["next_after_id"] == n - 1
        end1(True)
    body = asyncio.run(actions.complaints_after(body["next_after_id"], 200))
    assert [c["id"] for c in body["items"]] == [n, m] and body["next_after_id"] == m


# --- the audit sync on PostgreSQL -------------------------------------------------------------

class Recorder:
    """The live state as the sync sees it (service.sync.SyncedState), recording what is applied."""

    def __init__(self, store: Store, clock) -> None:
        self.stored = LiveStore(store)
        self.metrics = None
        self.clock = clock
        self.settings = settings_from_dict({})
        self.applied: list[tuple[str, bool]] = []  # (account, suspended as stored)
        self.released: list[str] = []

    def apply_stored(self, account, suspension, override, now) -> None:
        self.applied.append((account, suspension is not None))

    def start_afresh(self, account, release_id=None) -> None:
        self.released.append(account)

    def apply_complaints(self, account, count) -> None: ...

    def set_homes(self, stored) -> None: ...

    def apply_permissions(self, account, permissions) -> None: ...

    def clear_probation(self, account) -> None: ...

    def apply_baselines(self, blobs) -> None: ...


def _suspend(s, account: str) -> int:
    return repo.suspend(s, account, "staff", "test", now=datetime.now(UTC))


def test_audit_sync_applies_a_suspension_committed_after_a_later_one(pg):
    clock = Clock()
    live = Recorder(pg, lambda: 1.9e9)
    sync = AuditSync(live, GapCursor(clock=clock))
    sync.start_at(0, ())
    with open_tx(pg) as (s1, end1):
        n = _suspend(s1, "node-a")  # a staff action on node A, still in its transaction
        with pg.session() as s2:
            m = _suspend(s2, "node-b")  # node B's, committed first
        asyncio.run(sync.sync())
        assert live.applied == [("node-b", True)]
        assert sync.synced_id == n - 1  # health does not claim n
        end1(True)
    asyncio.run(sync.sync())
    assert live.applied == [("node-b", True), ("node-a", True)]  # n applied, m not again
    assert sync.synced_id == m
    asyncio.run(sync.sync())
    assert len(live.applied) == 2


def test_audit_sync_passes_a_rolled_back_entry_after_the_bound_and_applies_later_ones(pg):
    clock = Clock()
    live = Recorder(pg, lambda: 1.9e9)
    sync = AuditSync(live, GapCursor(clock=clock))
    with open_tx(pg) as (s1, end1):
        n = _suspend(s1, "never")
        with pg.session() as s2:
            m = _suspend(s2, "kept")
        end1(False)
    asyncio.run(sync.sync())
    assert sync.synced_id == n - 1
    clock.t += SETTLE_S
    with pg.session() as s:
        later = repo.release(s, "kept", "staff", "owner called")
    asyncio.run(sync.sync())
    assert sync.synced_id == later
    assert live.applied == [("kept", True), ("kept", False)] and live.released == ["kept"]
    assert m < later


def test_audit_sync_at_start_leaves_an_entry_in_flight_to_be_applied(pg):
    """The state is loaded while node A's staff action is still open: the sync must apply it."""
    with pg.session() as s:
        _suspend(s, "old")
    with open_tx(pg) as (s1, end1):
        n = _suspend(s1, "in-flight")
        with pg.session() as s2:
            _suspend(s2, "done")
        loaded = LiveStore(pg).load(1.9e9, 0, lambda rows: 0)
        end1(True)
    live = Recorder(pg, lambda: 1.9e9)
    sync = AuditSync(live, GapCursor(clock=Clock()))
    sync.start_at(loaded.newest_audit_id, loaded.recent_audit_ids)
    asyncio.run(sync.sync())
    assert live.applied == [("in-flight", True)]  # "old" and "done" were in the loaded state
    assert sync.synced_id == loaded.newest_audit_id and n < loaded.newest_audit_id


def test_audit_read_of_one_account_does_not_pass_another_accounts_entry_in_flight(pg):
    reads = StoreReads(pg)
    reads.audit_seen = FirstSeen(clock=Clock())
    with open_tx(pg) as (s1, end1):
        n = _suspend(s1, "other")
        with pg.session() as s2:
            m = _suspend(s2, "mine")
        items, next_after = asyncio.run(reads.audit_page("mine", 0, 200))
        assert [e["id"] for e in items] == [m] and next_after == n - 1
        items, next_after = asyncio.run(reads.audit_page(None, 0, 200))
        assert [e["id"] for e in items] == [m] and next_after == n - 1
        end1(True)
    items, next_after = asyncio.run(reads.audit_page("mine", n - 1, 200))
    assert [e["id"] for e in items] == [m] and next_after == m
    with pg.session() as s:
        later = [_suspend(s, "mine") for _ in range(2)]
    items, next_after = asyncio.run(reads.audit_page("mine", m, 1))  # a full page: no further than it
    assert [e["id"] for e in items] == [later[0]] and next_after == later[0]
