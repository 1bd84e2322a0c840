"""A real policy server (Service + PolicyServer) on loopback, with a clock the test moves."""

from __future__ import annotations

import pytest

from fumidai.config import settings_from_dict
from fumidai.geo.build import build_from_ranges

from tests.harness import ServerThread

# Source addresses by country, as a test GeoIP database places them.
JP, US, CN, FR = "192.0.2.10", "198.51.100.10", "203.0.113.10", "100.64.0.10"


class Clock:
    def __init__(self, t: float = 1_800_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class Running(ServerThread):
    """The service and its policy server (tests.harness), started at once, with helpers for messages."""

    def __init__(self, settings, clock, geo_path):
        super().__init__(settings, clock)
        self.start()

    def message(self, account: str, ip: str = JP, recipients: int = 1, instance: str | None = None) -> str:
        """One message as Postfix asks about it: RCPT per recipient, then DATA and END-OF-MESSAGE."""
        self._n += 1
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
