"""The write-behind under faults (issue 15): a row the database refuses is set aside and the rest
written; a store that is down keeps the batch, bounded, and writes it when back; /metrics shows it.

Real SQLite files and a real PostgreSQL (reached through a TCP relay the test closes: the
store's port then refuses connections, as a stopped server's does).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from fumidai.api.metrics import Metrics
from fumidai.config import settings_from_dict
from fumidai.policy import Suspension
from fumidai.service.core import Service
from fumidai.service.writebehind import SET_ASIDE_FILE
from fumidai.store import repo
from fumidai.store.records import to_datetime

NOW = 1_800_000_000.0
MINUTE = int(NOW // 60)
TOO_BIG = 2**70  # no INTEGER column of SQLite or PostgreSQL holds it


class Relay:
    """A TCP relay to PostgreSQL that the test can close (connection refused) and open again."""

    def __init__(self, target=("127.0.0.1", 5432)):
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._listener = None
        self._conns: list[socket.socket] = []
        self.open()

    def open(self) -> None:
        lst = socket.socket()
        lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lst.bind(("127.0.0.1", self.port))
        lst.listen(16)
        self._listener = lst
        threading.Thread(target=self._accept, args=(lst,), daemon=True).start()

    def close(self) -> None:
        """Stop listening and cut every relayed connection."""
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept (a bare close would not)
        except OSError:
            pass
        self._listener.close()
        for c in self._conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()
        self._conns = []

    def _accept(self, lst: socket.socket) -> None:
        while True:
            try:
                client, _ = lst.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self._conns += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def make_service(url: str, **storage) -> Service:
    settings = settings_from_dict({"storage": {"url": url, **storage}, "behaviour": {"enabled": False}})
    service = Service(settings, clock=lambda: NOW, geo=object())
    service.open_resources()
    service.metrics = Metrics()
    service.metrics.watch_store_writer(service)
    return service


def queue_counts(service: Service, accounts, minute: int = MINUTE, messages: int = 1) -> None:
    for a in accounts:
        service.unflushed.buckets[(a, minute, "JP")] = [messages, messages, 0, 0]
        service.unflushed.seen[a] = NOW


def queue_auto_suspension(service: Service, account: str) -> None:
    service.unflushed.suspensions[account] = Suspension("auto", "quota:messages_per_hour", NOW)
    service.suspended_index.add(account)
    service.unflushed.alerts.append({"at": to_datetime(NOW), "account": account, "kind": "auto_suspend",
                                   "reason": "quota:messages_per_hour", "country": "JP", "detail": None})


def stored_counts(service: Service) -> dict[tuple[str, int], int]:
    with service.store.session() as s:
        return {(b.account, b.minute): b.accepted_messages for b in repo.recent_buckets(s, 0)}


def metric(service: Service, name: str) -> float:
    for line in service.metrics.render().decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/fumidai.db"
    return request.getfixturevalue("pg_url")


def test_a_poisoned_row_is_set_aside_and_the_rest_written(store_url, tmp_path):
    service = make_service(store_url)
    good = [f"user{i:03d}" for i in range(200)]
    queue_counts(service, good)
    service.unflushed.buckets[("poisoner", MINUTE, "CN")] = [TOO_BIG, 1, 0, 0]
    queue_auto_suspension(service, "hijacked")
    asyncio.run(service.flush())

    written = stored_counts(service)
    assert all(written[(a, MINUTE)] == 1 for a in good)
    assert ("poisoner", MINUTE) not in written
    with service.store.session() as s:
        assert repo.active_suspension(s, "hijacked", to_datetime(NOW)) is not None
        assert [a.kind for a in repo.alerts_after(s, 0)] == ["auto_suspend"]
    assert not service.unflushed  # nothing kept for a retry that would fail for ever
    assert service.writer.set_aside_total == 1 and service.writer.backlog == 0
    assert metric(service, "fumidai_store_rows_set_aside_total") == 1
    aside = tmp_path / SET_ASIDE_FILE
    if store_url.startswith("sqlite"):
        [line] = aside.read_text().splitlines()
        record = json.loads(line)
        assert record["kind"] == "bucket" and record["row"]["account"] == "poisoner"
        assert record["row"]["accepted_messages"] == TOO_BIG and record["reason"]
    else:
        assert not aside.exists()  # no state folder beside a PostgreSQL store: the log only

    # Persistence goes on: the next flush writes as usual.
    queue_counts(service, good[:10], minute=MINUTE + 1)
    asyncio.run(service.flush())
    assert stored_counts(service)[(good[0], MINUTE + 1)] == 1
    assert service.writer.set_aside_total == 1
    service.store.dispose()


def test_several_poisoned_rows_among_many(tmp_path):
    service = make_service(f"sqlite:///{tmp_path}/fumidai.db")
    accounts = [f"user{i:04d}" for i in range(2000)]
    queue_counts(service, accounts)
    for i in (0, 777, 1999):
        service.unflushed.buckets[(accounts[i], MINUTE, "JP")][3] = -TOO_BIG
    asyncio.run(service.flush())
    written = stored_counts(service)
    assert len(written) == 1997 and (accounts[777], MINUTE) not in written
    assert service.writer.set_aside_total == 3
    assert len((tmp_path / SET_ASIDE_FILE).read_text().splitlines()) == 3
    service.store.dispose()


def test_postgresql_down_keeps_the_batch_bounded_and_writes_it_when_back(pg_url):
    relay = Relay()
    url = pg_url.replace(":5432/", f":{relay.port}/")
    assert url != pg_url
    service = make_service(url, max_backlog=100, backlog_alert=50)
    try:
        queue_counts(service, ["warmup"])
        asyncio.run(service.flush())  # the pool holds a live connection, which the close cuts
        relay.close()

        queue_auto_suspension(service, "hijacked")
        queue_counts(service, [f"old{i:02d}" for i in range(60)], minute=MINUTE)
        asyncio.run(service.flush())
        assert service.flush_errors == 1 and service.writer.set_aside_total == 0
        assert service.writer.backlog == 62  # 60 buckets, the suspension and its alert
        assert metric(service, "fumidai_store_backlog") == 62
        assert service.writer.over  # past backlog_alert: logged, and an alert queued
        assert service.unflushed.suspensions.keys() == {"hijacked"}

        queue_counts(service, [f"new{i:02d}" for i in range(60)], minute=MINUTE + 1)
        asyncio.run(service.flush())
        # 60 + 60 buckets, 2 alerts, 1 suspension = 123 rows: the 23 oldest counts go.
        assert service.writer.dropped_total == 23
        assert metric(service, "fumidai_store_rows_dropped_total") == 23
        assert metric(service, "fumidai_store_backlog") == 100
        assert "hijacked" in service.unflushed.suspensions
        assert [a["kind"] for a in service.unflushed.alerts] == ["auto_suspend", "store_backlog"]

        relay.open()
        asyncio.run(service.flush())
        assert service.writer.backlog == 0 and not service.writer.over
        asyncio.run(service.flush())  # the "recovered" alert queued by the flush that caught up
        written = stored_counts(service)
        assert sum(1 for a, _ in written if a.startswith("new")) == 60
        assert sum(1 for a, _ in written if a.startswith("old")) == 60 - 23
        with service.store.session() as s:
            assert repo.active_suspension(s, "hijacked", to_datetime(NOW)) is not None
            kinds = [a.kind for a in repo.alerts_after(s, 0)]
        assert kinds == ["auto_suspend", "store_backlog", "store_recovered"]
        assert metric(service, "fumidai_store_backlog") == 0
    finally:
        service.store.dispose()
        relay.close()


def test_sqlite_folder_gone_keeps_the_batch_and_writes_it_when_back(tmp_path):
    folder = tmp_path / "state"
    service = make_service(f"sqlite:///{folder}/fumidai.db")
    service.store.engine.dispose()
    moved = tmp_path / "elsewhere"
    folder.rename(moved)  # the file cannot be opened (as root, chmod would not stop a write)
    try:
        queue_auto_suspension(service, "hijacked")
        queue_counts(service, ["alice", "bob"])
        asyncio.run(service.flush())
        assert service.flush_errors == 1 and service.writer.backlog == 4
        assert service.writer.set_aside_total == 0
    finally:
        moved.rename(folder)
    asyncio.run(service.flush())
    assert service.writer.backlog == 0 and not service.unflushed
    assert stored_counts(service) == {("alice", MINUTE): 1, ("bob", MINUTE): 1}
    with service.store.session() as s:
        assert repo.active_suspension(s, "hijacked", to_datetime(NOW)) is not None
    service.store.dispose()


def test_set_aside_file_only_beside_a_sqlite_file():
    from fumidai.service.writebehind import set_aside_path

    assert set_aside_path("sqlite:////var/lib/x/f.db") == Path("/var/lib/x") / SET_ASIDE_FILE
    assert set_aside_path("sqlite:///:memory:") is None
    assert set_aside_path("postgresql+psycopg://u@h/db") is None


def test_a_lone_poisoned_row_waits_for_company_then_is_set_aside(tmp_path):
    service = make_service(f"sqlite:///{tmp_path}/fumidai.db")
    service.unflushed.buckets[("poisoner", MINUTE, "CN")] = [TOO_BIG, 1, 0, 0]
    asyncio.run(service.flush())
    # Alone, it cannot be told from a store refusing everything: kept, nothing set aside.
    assert service.writer.set_aside_total == 0 and ("poisoner", MINUTE, "CN") in service.unflushed.buckets
    queue_counts(service, ["alice", "bob", "carol"])
    asyncio.run(service.flush())
    assert service.writer.set_aside_total == 1 and not service.unflushed
    assert stored_counts(service) == {("alice", MINUTE): 1, ("bob", MINUTE): 1, ("carol", MINUTE): 1}
    service.store.dispose()


def test_a_store_refusing_every_row_keeps_them_all(pg_url):
    """A schema the code does not match (here: the buckets table renamed) refuses every count:
    that is the store failing, not bad rows: nothing is set aside, and all is written once fixed."""
    service = make_service(pg_url)
    with service.store.session() as s:
        s.execute(text("ALTER TABLE buckets RENAME TO buckets_away"))
    accounts = [f"user{i:03d}" for i in range(300)]
    for a in accounts:
        service.unflushed.buckets[(a, MINUTE, "JP")] = [1, 1, 0, 0]
    asyncio.run(service.flush())
    assert service.flush_errors == 1 and service.writer.set_aside_total == 0
    assert len(service.unflushed.buckets) == 300 and service.writer.backlog == 300
    with service.store.session() as s:
        s.execute(text("ALTER TABLE buckets_away RENAME TO buckets"))
    asyncio.run(service.flush())
    assert len(stored_counts(service)) == 300 and service.writer.backlog == 0
    service.store.dispose()
