"""A real policy server (Service + PolicyServer) on loopback, with a clock the test moves."""

from __future__ import annotations

import asyncio
import socket
import threading

import pytest

from fumidai.actions.staff import StaffActions
from fumidai.config import settings_from_dict
from fumidai.geo.build import build_from_ranges
from fumidai.postfix.server import PolicyServer
from fumidai.service import Service

from tests.fixtures import postfix_attrs

# Source addresses by country, as a test GeoIP database places them.
JP, US, CN, FR = "192.0.2.10", "198.51.100.10", "203.0.113.10", "100.64.0.10"


class Clock:
    def __init__(self, t: float = 1_800_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class Running:
    """Runs the service and its policy server on an event loop in a background thread."""

    def __init__(self, settings, clock, geo_path):
        self.settings, self.clock, self.geo_path = settings, clock, geo_path
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.start()

    def call(self, coro, timeout=20):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self):
        async def go():
            svc = Service(self.settings, clock=self.clock)
            await svc.start()
            srv = PolicyServer(svc.handle, "127.0.0.1:0", attributes=Service.ATTRIBUTES)  # as `fumidai serve`
            await srv.start()
            return svc, srv

        self.service, self.server = self.call(go())
        # Staff actions as the API and the command line make them, applied to this live state.
        self.actions = StaffActions(self.service.store, self.clock, live=self.service)
        host, port = self.server.address.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)))
        self.file = self.sock.makefile("rb")

    def stop(self):
        self.sock.close()

        async def down():
            await self.server.stop()
            await self.service.stop()
            self.service.store.dispose()

        self.call(down())

    def restart(self):
        self.stop()
        self.start()

    def close(self):
        self.stop()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    def ask(self, stage: str, **attrs) -> str:
        """Send Postfix's request bytes for ``stage`` (with changes) and return the action."""
        req = postfix_attrs(stage, **attrs)
        self.sock.sendall("".join(f"{k}={v}\n" for k, v in req.items()).encode() + b"\n")
        reply = b""
        while not reply.endswith(b"\n\n"):
            chunk = self.file.readline()
            if not chunk:
                raise ConnectionError("policy server closed the connection")
            reply += chunk
        assert reply.startswith(b"action=")
        return reply[len(b"action="):-2].decode()

    def message(self, account: str, ip: str = JP, recipients: int = 1, instance: str | None = None) -> str:
        """One message as Postfix asks about it: RCPT per recipient, then DATA and END-OF-MESSAGE."""
        self._n = getattr(self, "_n", 0) + 1
        inst = instance or f"{self._n:x}.test.0"
        common = dict(sasl_username=account, client_address=ip, instance=inst)
        for i in range(recipients):
            action = self.ask("RCPT", recipient=f"rcpt{i}@example.net", **common)
            if action != "DUNNO":
                return action
        action = self.ask("DATA", recipient_count=str(recipients), **common)
        if action.startswith(("REJECT", "DEFER", "4", "5")):
            return action
        eom = self.ask("END-OF-MESSAGE", recipient_count=str(recipients), **common)
        assert eom == action  # the later stage gets the same answer
        return action

    def flush(self):
        self.call(self.service.flush())


@pytest.fixture(scope="session")
def geo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("geo") / "test.mmdb"
    build_from_ranges([("192.0.2.0/24", "JP"), ("198.51.100.0/24", "US"), ("203.0.113.0/24", "CN"),
                       ("100.64.0.0/24", "FR")], path)
    return path


@pytest.fixture
def make_running(tmp_path, geo_db):
    """make_running(**config sections) -> Running; everything is stopped at the end."""
    started = []

    def make(url: str | None = None, clock: Clock | None = None, **sections):
        data = {
            "storage": {"url": url or f"sqlite:///{tmp_path}/fumidai.db", "flush_interval": 0.2},
            "geoip": {"database": str(geo_db), "home_countries": ["JP"]},
        }
        for key, value in sections.items():
            data.setdefault(key, {}).update(value)
        r = Running(settings_from_dict(data), clock or Clock(), geo_db)
        started.append(r)
        return r

    yield make
    for r in started:
        try:
            r.close()
        except Exception:
            pass
