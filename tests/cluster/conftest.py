"""Three policy servers on loopback sharing one Redis (database 15, a key prefix of the test's
own) and one store: what several MTA nodes see."""

from __future__ import annotations

import socket
import threading
import uuid

import pytest

from fumidai.config import settings_from_dict

from tests.conftest import REDIS_URL
from tests.fixtures import postfix_attrs
from tests.harness import ServerThread
from tests.service.conftest import Clock

JP, US, CN = "192.0.2.10", "198.51.100.10", "203.0.113.10"


def redis_client(url: str = REDIS_URL):
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=1)


@pytest.fixture
def redis_url():
    client = redis_client()
    try:
        client.ping()
    except Exception as err:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {err}")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def prefix():
    """A key prefix of this test's own; its keys are deleted afterwards (never FLUSHDB)."""
    name = f"fumidai-test-{uuid.uuid4().hex[:10]}"
    yield name
    client = redis_client()
    try:
        keys = list(client.scan_iter(f"{name}:*"))
        if keys:
            client.delete(*keys)
    except Exception:
        pass
    finally:
        client.close()


_BASE: dict[str, dict[str, str]] = {}  # Postfix's real request per stage (tests/fixtures.py)


class Conversation:
    """One policy connection (as one smtpd process keeps): whole messages, RCPT to END-OF-MESSAGE."""

    def __init__(self, address: str) -> None:
        host, port = address.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        self.file = self.sock.makefile("rb")
        self.n = 0

    def ask(self, stage: str, **attrs) -> str:
        base = _BASE.get(stage)
        if base is None:
            base = _BASE[stage] = postfix_attrs(stage)
        req = {**base, **attrs}
        self.sock.sendall("".join(f"{k}={v}\n" for k, v in req.items()).encode() + b"\n")
        reply = b""
        while not reply.endswith(b"\n\n"):
            line = self.file.readline()
            if not line:
                raise ConnectionError("policy server closed the connection")
            reply += line
        return reply[len(b"action="):-2].decode()

    def message(self, account: str, ip: str = JP, recipients: int = 1) -> str:
        """The answer at DATA (the stage where the message is counted)."""
        self.n += 1
        common = dict(sasl_username=account, client_address=ip, instance=f"{uuid.uuid4().hex[:12]}.{self.n}")
        for i in range(recipients):
            action = self.ask("RCPT", recipient=f"r{i}@example.net", **common)
            if action != "DUNNO":
                return action
        action = self.ask("DATA", recipient_count=str(recipients), **common)
        if action.startswith(("REJECT", "DEFER")):
            return action
        # Normally the same answer; a suspension made meanwhile (by another message) refuses here.
        self.last_eom = self.ask("END-OF-MESSAGE", recipient_count=str(recipients), **common)
        return action

    def mail(self, account: str, ip: str = JP) -> str:
        """MAIL FROM of a new message (refused there when the account is suspended)."""
        return self.ask("RCPT", protocol_state="MAIL", recipient="", sasl_username=account, client_address=ip,
                        instance=uuid.uuid4().hex[:12])

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def at_once(work, jobs) -> list:
    """Run work(*job) for every job in its own thread, all released together; results in order."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        barrier.wait()
        try:
            results[i] = work(*job)
        except Exception as err:  # shown in the assertion that follows
            results[i] = err

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.fixture
def cluster(tmp_path, geo_db, redis_url, prefix):
    """cluster(n=3, **sections) -> [ServerThread]: nodes sharing a store, a Redis prefix and a clock."""
    started = []

    def make(n: int = 3, clock=None, **sections):
        clock = clock or Clock()
        data = {
            "storage": {"url": f"sqlite:///{tmp_path}/fumidai.db", "flush_interval": 0.2},
            "geoip": {"database": str(geo_db), "home_countries": ["JP"]},
            "counters": {"backend": "redis", "redis_url": redis_url, "redis_prefix": prefix,
                         "script_timeout": 2.0},  # a loaded 2-core machine: no degradation by accident
        }
        for key, value in sections.items():
            data.setdefault(key, {}).update(value)
        settings = settings_from_dict(data)
        nodes = []
        for _ in range(n):
            node = ServerThread(settings, clock)
            started.append(node)
            node.start()
            nodes.append(node)
        return nodes

    yield make
    for node in started:
        try:
            node.close()
        except Exception:
            pass


@pytest.fixture(scope="session")
def geo_db(tmp_path_factory):
    from fumidai.geo.build import build_from_ranges

    path = tmp_path_factory.mktemp("geo") / "test.mmdb"
    build_from_ranges([("192.0.2.0/24", "JP"), ("198.51.100.0/24", "US"), ("203.0.113.0/24", "CN")], path)
    return path
