"""Acknowledgements and incidents in the store, on SQLite and PostgreSQL alike: the first
acknowledgement stays, one incident not closed per account (also when two desks race), each
change with its audit row in its transaction, and migration 0005 up and down."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from fumidai.errors import Conflict, NotFound
from fumidai.store import repo
from fumidai.store.models import AlertAck, Audit, Incident, IncidentNote

NOW = datetime(2026, 12, 7, 22, 0, tzinfo=UTC)


def _alert(store, account: str = "mallory") -> int:
    with store.session() as s:
        return repo.add_alerts(s, [{"at": NOW, "account": account, "kind": "auto_suspend", "reason": "quota"}])[0]


def _audits(store) -> list[tuple[str, str, str | None]]:
    with store.session() as s:
        return [(a.action, a.actor, a.account) for a in s.scalars(select(Audit).order_by(Audit.id))]


def test_the_first_acknowledgement_stays(store):
    alert_id = _alert(store)
    with store.session() as s:
        alert, ack, audit_id = repo.ack_alert(s, alert_id, "bob", "seen", NOW)
        assert alert.account == "mallory" and ack.by == "bob" and audit_id is not None
    with store.session() as s:
        _, ack, audit_id = repo.ack_alert(s, alert_id, "carol", "me too", NOW + timedelta(minutes=1))
        assert (ack.by, ack.at, ack.note, audit_id) == ("bob", NOW, "seen", None)
    with store.session() as s:
        [(alert, ack)] = repo.alerts_with_acks_after(s, alert_id - 1)
        assert alert.id == alert_id and ack.by == "bob"
        with pytest.raises(NotFound):
            repo.ack_alert(s, alert_id + 1000, "bob", None, NOW)
    assert _audits(store) == [("ack_alert", "bob", "mallory")]


def test_a_failed_action_leaves_neither_the_change_nor_its_audit_row(store):
    alert_id = _alert(store)
    with pytest.raises(RuntimeError):
        with store.session() as s:
            repo.ack_alert(s, alert_id, "bob", None, NOW)
            raise RuntimeError("the transaction fails after the change")
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(AlertAck)) == 0
    assert _audits(store) == []


def test_one_incident_not_closed_per_account(store):
    alert_id = _alert(store)
    with store.session() as s:
        first, audit_id = repo.open_incident(s, "mallory", "bob", alert_id, NOW)
        assert audit_id is not None and first.status == "open" and first.alert_id == alert_id
    with store.session() as s:
        again, audit_id = repo.open_incident(s, "mallory", "carol", None, NOW)
        assert again.id == first.id and audit_id is None
        with pytest.raises(Conflict, match="is about"):
            repo.open_incident(s, "trent", "bob", alert_id, NOW)
    with store.session() as s:
        repo.update_incident(s, first.id, "bob", status="closed", now=NOW)
    with store.session() as s:
        second, audit_id = repo.open_incident(s, "mallory", "bob", None, NOW)
        assert second.id != first.id and audit_id is not None
    with store.session() as s:
        with pytest.raises(Conflict, match=f"incident {second.id}"):
            repo.update_incident(s, first.id, "bob", status="investigating", now=NOW)
    with store.session() as s:  # the index holds it even for a writer that skips the check
        s.add(Incident(account="mallory", status="investigating", opened_by="x", opened_at=NOW, updated_at=NOW))
        with pytest.raises(IntegrityError):
            s.flush()
        s.rollback()
    assert [a[0] for a in _audits(store)] == ["incident_open", "incident_update", "incident_open"]


def test_notes_and_changes_are_one_audit_entry_each(store):
    with store.session() as s:
        repo.add_staff(s, "bob", "operator", "root", NOW)
        row, _ = repo.open_incident(s, "mallory", "bob", None, NOW)
    with store.session() as s:
        _, audit_id = repo.update_incident(s, row.id, "bob", owner="bob", status="investigating", note="on it",
                                           now=NOW + timedelta(minutes=5))
        assert audit_id is not None
    with store.session() as s:
        _, nothing = repo.update_incident(s, row.id, "bob", owner="bob", status="investigating", now=NOW)
        assert nothing is None
        with pytest.raises(Conflict, match="not an active operator or admin"):
            repo.update_incident(s, row.id, "bob", owner="eve", now=NOW)
        with pytest.raises(NotFound):
            repo.update_incident(s, row.id + 1000, "bob", note="x", now=NOW)
    with store.session() as s:
        [shown] = [repo.incident_dict(r, repo.incident_notes(s, [r.id])[r.id]) for r in repo.list_incidents(s)]
        assert shown["owner"] == "bob" and shown["status"] == "investigating"
        assert shown["notes"] == [{"at": "2026-12-07T22:05:00Z", "by": "bob", "text": "on it"}]
        assert shown["updated_at"] == "2026-12-07T22:05:00Z" and shown["opened_at"] == "2026-12-07T22:00:00Z"
        assert s.scalar(select(func.count()).select_from(IncidentNote)) == 1
    assert [a[0] for a in _audits(store)] == ["staff_add", "incident_open", "incident_update"]


def test_two_desks_opening_at_once_get_the_same_incident(store):
    first_open = threading.Event()
    results: dict[str, tuple[int, int | None]] = {}

    def desk_a():
        with store.session() as s:
            row, audit_id = repo.open_incident(s, "mallory", "bob", None, NOW)
            results["a"] = (row.id, audit_id)
            first_open.set()
            threading.Event().wait(0.5)  # B tries while A's transaction is still open

    def desk_b():
        first_open.wait(10)
        with store.session() as s:
            row, audit_id = repo.open_incident(s, "mallory", "carol", None, NOW)
            results["b"] = (row.id, audit_id)

    # Daemons: one stuck on a lock fails this test instead of holding the worker's exit.
    threads = [threading.Thread(target=desk_a, daemon=True), threading.Thread(target=desk_b, daemon=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads), "a desk's transaction was still waiting after 30 s"
    assert set(results) == {"a", "b"}, f"a desk failed: {results}"
    assert results["a"][1] is not None and results["b"] == (results["a"][0], None)
    assert [a[0] for a in _audits(store)] == ["incident_open"]


def test_migration_0005_upgrades_from_0004_and_downgrades(store_url):
    from alembic import command

    from fumidai.store.db import Store

    st = Store(store_url)
    try:
        st.upgrade("0004")
        assert "incidents" not in inspect(st.engine).get_table_names()
        st.upgrade("0005")
        assert st.current() == "0005"
        tables = set(inspect(st.engine).get_table_names())
        assert {"alert_acks", "incidents", "incident_notes"} <= tables
        with st.session() as s:  # usable at once
            alert_id = repo.add_alerts(s, [{"at": NOW, "account": "mallory", "kind": "cap"}])[0]
            repo.ack_alert(s, alert_id, "bob", None, NOW)
            row, _ = repo.open_incident(s, "mallory", "bob", alert_id, NOW)
            repo.update_incident(s, row.id, "bob", note="x", now=NOW)
        with st.engine.begin() as conn:
            command.downgrade(st._alembic_config(conn), "0004")
        tables = set(inspect(st.engine).get_table_names())
        assert not {"alert_acks", "incidents", "incident_notes"} & tables and "alerts" in tables
        st.upgrade()  # and up again
        assert {"alert_acks", "incidents", "incident_notes"} <= set(inspect(st.engine).get_table_names())
    finally:
        st.dispose()
