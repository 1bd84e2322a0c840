"""Opening databases and migrating them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import StatementError

from fumidai.cli import main
from fumidai.errors import FumidaiError
from fumidai.store.db import Store
from fumidai.store.models import Base, Suspension


def test_upgrade_from_empty_creates_every_table_matching_the_models(store_url):
    store = Store(store_url)
    try:
        assert store.current() is None
        store.ensure_schema()  # empty: created on both backends
        assert store.current() == store.head()
        tables = set(inspect(store.engine).get_table_names())
        assert {"accounts", "overrides", "suspensions", "buckets", "alerts", "audit", "staff", "notices"} <= tables
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == []
        store.ensure_schema()  # at head: nothing to do
    finally:
        store.dispose()


def test_sqlite_pragmas_and_missing_parent_folder(tmp_path):
    path = tmp_path / "a" / "b" / "fumidai.db"
    store = Store(f"sqlite:///{path}")
    try:
        assert path.parent.is_dir()
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    finally:
        store.dispose()


def test_postgresql_behind_head_is_refused_with_the_command_to_run(pg_url):
    store = Store(pg_url)
    try:
        store.upgrade()
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = 'older'"))
        with pytest.raises(FumidaiError, match="run fumidai db upgrade"):
            store.ensure_schema()
    finally:
        store.dispose()


def test_postgresql_with_foreign_tables_is_not_migrated_behind_the_operators_back(pg_url):
    store = Store(pg_url)
    try:
        with store.engine.begin() as conn:
            conn.execute(text("CREATE TABLE something_else (id int)"))
        with pytest.raises(FumidaiError, match="schema none"):
            store.ensure_schema()
        assert "accounts" not in inspect(store.engine).get_table_names()
    finally:
        store.dispose()


@pytest.mark.parametrize(
    "url, message",
    [
        ("not a url", "not a database URL"),
        ("mysql://x@localhost/db", "only sqlite and postgresql"),
        ("postgresql://nobody@127.0.0.1:1/none", "cannot open the database postgresql\\+psycopg://nobody@127.0.0.1:1/none"),
        ("postgresql://nobody:secret@127.0.0.1:1/none", "\\*\\*\\*"),
    ],
)
def test_broken_urls_give_one_clear_error(url, message):
    with pytest.raises(FumidaiError, match=message) as info:
        Store(url)
    assert "secret" not in str(info.value)


def test_sqlite_file_that_cannot_be_opened(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(FumidaiError, match="cannot create the folder"):
        Store(f"sqlite:///{tmp_path}/file/sub/fumidai.db")
    (tmp_path / "garbage.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(FumidaiError, match="cannot open the database"):
        Store(f"sqlite:///{tmp_path}/garbage.db")


def test_session_commits_on_success_and_rolls_back_on_error(store):
    now = datetime.now(UTC)
    with store.session() as s:
        s.add(Suspension(account="kept", by="bob", reason="", since=now))
    with pytest.raises(RuntimeError):
        with store.session() as s:
            s.add(Suspension(account="dropped", by="bob", reason="", since=now))
            s.flush()
            raise RuntimeError("boom")
    with store.session() as s:
        assert list(s.scalars(select(Suspension.account))) == ["kept"]


def test_timestamps_come_back_aware_utc(store):
    tokyo = timezone(timedelta(hours=9))
    since = datetime(2026, 11, 28, 6, 30, 15, 123456, tzinfo=tokyo)
    with store.session() as s:
        s.add(Suspension(account="alice", by="bob", reason="", since=since))
    with store.session() as s:
        row = s.scalar(select(Suspension))
        assert row.since == since
        assert row.since.utcoffset() == timedelta(0)
        assert row.since.hour == 21 and row.since.day == 27 and row.since.microsecond == 123456
        # Comparisons in SQL see the same instant whatever zone the parameter had.
        assert s.scalar(select(Suspension.id).where(Suspension.since < since + timedelta(microseconds=1)))
        assert s.scalar(select(Suspension.id).where(Suspension.since > since)) is None


def test_naive_datetimes_are_refused(store):
    with pytest.raises(StatementError, match="naive datetime"):
        with store.session() as s:
            s.add(Suspension(account="alice", by="bob", reason="", since=datetime(2026, 1, 1)))
            s.flush()


def test_db_upgrade_command_on_a_fresh_sqlite_file(tmp_path, capsys):
    path = tmp_path / "var" / "fumidai.db"
    config = tmp_path / "fumidai.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{path}"\n', encoding="utf-8")
    assert main(["db", "current", "--config", str(config)]) == 1
    assert "schema none (needs fumidai db upgrade" in capsys.readouterr().out
    head = Store(f"sqlite:///{path}").head()
    assert main(["db", "upgrade", "--config", str(config)]) == 0
    assert f"upgraded from empty to {head}" in capsys.readouterr().out
    assert main(["db", "upgrade", "--config", str(config)]) == 0
    assert f"already at {head}" in capsys.readouterr().out
    assert main(["db", "current", "--config", str(config)]) == 0
    assert f"schema {head} (up to date)" in capsys.readouterr().out
    store = Store(f"sqlite:///{path}")
    try:
        assert "buckets" in inspect(store.engine).get_table_names()
    finally:
        store.dispose()


def test_db_upgrade_command_reports_a_broken_url(tmp_path, capsys):
    config = tmp_path / "fumidai.toml"
    config.write_text('[storage]\nurl = "postgresql+psycopg://nobody@127.0.0.1:1/none"\n', encoding="utf-8")
    assert main(["db", "upgrade", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fumidai: error: cannot open the database") and err.count("\n") == 1
