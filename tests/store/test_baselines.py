"""Baselines and permissions in the store, on SQLite and PostgreSQL (store fixture)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from fumidai.behaviour import Baseline, RecipientHasher, network_of
from fumidai.errors import FumidaiError
from fumidai.store import baselines as repo_b
from fumidai.store.models import Audit
from fumidai.store.repo import Conflict, NotFound

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _blob(n: int) -> bytes:
    h = RecipientHasher(b"k" * 32)
    b = Baseline()
    for day in range(n % 5 + 1):
        b.learn(T0.timestamp() + day * 86400, network_of("203.0.113.9"), "JP", None, [h(f"x{n}@example.jp")])
    return b.to_bytes()


def test_upsert_in_bulk_then_load_all_and_changed_since(store):
    blobs = {f"user{i}@isp.example": _blob(i) for i in range(500)}
    with store.session() as s:
        assert repo_b.upsert_baselines(s, blobs, now=T0) == 500
    later = T0 + timedelta(minutes=5)
    changed = {"user7@isp.example": _blob(8), "new@isp.example": _blob(1)}
    with store.session() as s:
        repo_b.upsert_baselines(s, changed, now=later)  # replaces one, adds one
    with store.session() as s:
        everything = {r.account: r for r in repo_b.load_baselines(s)}
        since = {r.account: r.blob for r in repo_b.load_baselines(s, since=T0)}
        assert repo_b.newest_baseline_at(s) == later
    assert len(everything) == 501
    assert since == changed
    assert everything["user3@isp.example"].blob == blobs["user3@isp.example"]
    assert everything["user3@isp.example"].updated_at == T0
    assert Baseline.from_bytes(everything["user7@isp.example"].blob) == Baseline.from_bytes(changed["user7@isp.example"])


def test_a_servers_own_save_replaces_the_blob_but_keeps_the_stamp_an_import_reader_goes_by(store):
    with store.session() as s:
        repo_b.upsert_baselines(s, {"a": _blob(1), "b": _blob(2)}, now=T0)  # an import
    later = T0 + timedelta(minutes=5)
    with store.session() as s:  # the server saves what it learned: one known account, one new
        repo_b.upsert_baselines(s, {"a": _blob(3), "c": _blob(4)}, now=later, restamp=False)
    with store.session() as s:
        rows = {r.account: r for r in repo_b.load_baselines(s)}
        since = {r.account for r in repo_b.load_baselines(s, since=T0)}
    assert rows["a"].blob == _blob(3) and rows["a"].updated_at == T0  # replaced, stamp kept
    assert rows["b"].blob == _blob(2)
    assert rows["c"].blob == _blob(4) and rows["c"].updated_at == later  # a new row is stamped
    assert since == {"c"}


def test_upsert_refuses_what_is_not_a_blob_and_naive_times(store):
    with store.session() as s:
        with pytest.raises(FumidaiError, match="not a baseline blob"):
            repo_b.upsert_baselines(s, {"a": b""})
        with pytest.raises(ValueError, match="naive"):
            repo_b.upsert_baselines(s, {"a": _blob(1)}, now=datetime(2026, 1, 1))


def test_delete_baseline(store):
    with store.session() as s:
        repo_b.upsert_baselines(s, {"a": _blob(1)})
    with store.session() as s:
        assert repo_b.delete_baseline(s, "a")
        assert not repo_b.delete_baseline(s, "a")
        assert list(repo_b.load_baselines(s)) == []


def test_permissions_set_replace_list_active_clear_each_audited(store):
    week = T0 + timedelta(days=7)
    with store.session() as s:
        a1 = repo_b.set_permission(s, "alice", "travel", ["FR", "IT", "FR"], week, "portal", "holiday", now=T0)
        repo_b.set_permission(s, "bob", "trust", ["new_network"], T0 + timedelta(hours=1), "carol", "office move", now=T0)
    with store.session() as s:
        a2 = repo_b.set_permission(s, "alice", "travel", ["DE"], week, "carol", "changed plans", now=T0)
        rows = repo_b.get_permissions(s, "alice")
        assert [(r.kind, r.items) for r in rows] == [("travel", ["DE"])]
        active = repo_b.active_permissions(s, T0 + timedelta(hours=2))
        assert [(r.account, r.kind) for r in active] == [("alice", "travel")]
        perms = repo_b.as_permissions(active)
        assert perms["alice"].allows_travel("DE", T0.timestamp() + 3600)
        assert not perms["alice"].allows_travel("FR", T0.timestamp() + 3600)
        assert not perms["alice"].allows_travel("DE", week.timestamp())
        audit = {r.id: r for r in s.scalars(select(Audit))}
        assert audit[a1].action == "set_travel" and audit[a1].before is None
        assert audit[a1].after["items"] == ["FR", "IT"]
        assert audit[a2].before["items"] == ["FR", "IT"] and audit[a2].after["items"] == ["DE"]
        a3 = repo_b.clear_permission(s, "alice", "travel", "carol", "back home", now=T0)
        assert s.get(Audit, a3).action == "clear_travel"
        with pytest.raises(NotFound):
            repo_b.clear_permission(s, "alice", "travel", "carol", "again")


@pytest.mark.parametrize("kind, items, expires, match", [
    ("holiday", ["FR"], timedelta(days=1), "kind"),
    ("travel", ["FR"], timedelta(0), "not in the future"),
    ("travel", [], timedelta(days=1), "at least one"),
])
def test_bad_permissions_are_refused(store, kind, items, expires, match):
    with store.session() as s:
        with pytest.raises(Conflict, match=match):
            repo_b.set_permission(s, "alice", kind, items, T0 + expires, "carol", "x", now=T0)


def test_migration_0003_upgrades_from_0002_and_downgrades(store_url):
    from alembic import command
    from sqlalchemy import inspect

    from fumidai.store.db import Store

    st = Store(store_url)
    try:
        st.upgrade("0002")
        assert "baselines" not in inspect(st.engine).get_table_names()
        st.upgrade("0003")
        assert st.current() == "0003"
        assert {"baselines", "permissions"} <= set(inspect(st.engine).get_table_names())
        with st.engine.begin() as conn:
            command.downgrade(st._alembic_config(conn), "0002")
        tables = set(inspect(st.engine).get_table_names())
        assert "baselines" not in tables and "permissions" not in tables and "notices" in tables
    finally:
        st.dispose()
