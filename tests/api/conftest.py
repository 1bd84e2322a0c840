"""A real service + API (uvicorn on a free port) on one loop in a background thread."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from fumidai.config import settings_from_dict

from tests.conftest import free_port
from tests.harness import ServerThread






def policy_request(account: str, stage: str, client: str, instance: str, recipients: int = 1) -> dict[str, str]:
    """Postfix's attributes for one request (names and shapes as captured from Postfix 3.7)."""
    return {
        "request": "smtpd_access_policy", "protocol_state": stage, "protocol_name": "ESMTP",
        "client_address": client, "client_name": "unknown", "client_port": "51145",
        "reverse_client_name": "unknown", "server_address": "127.0.0.1", "server_port": "587",
        "helo_name": "client.test", "sender": f"{account}@example.test",
        "recipient": "rcpt@example.net" if stage == "RCPT" else "",
        "recipient_count": "0" if stage == "RCPT" else str(recipients),
        "queue_id": "", "instance": instance, "size": "311", "etrn_domain": "", "stress": "",
        "sasl_method": "PLAIN", "sasl_username": account, "sasl_sender": "",
        "encryption_protocol": "", "encryption_cipher": "", "encryption_keysize": "0",
        "policy_context": "submission",
    }


class LiveServer(ServerThread):
    """Service and API (tests.harness, no policy socket); tests talk HTTP and run calls on its loop."""

    def __init__(self, settings) -> None:
        super().__init__(settings, policy=False, api=True)

    @property
    def svc(self):
        return self.service

    def send(self, account: str, client: str, instance: str, recipients: int = 1) -> str:
        """One message the way Postfix asks: RCPT per recipient, then DATA; DATA's answer."""
        for _ in range(recipients):
            self.handle(policy_request(account, "RCPT", client, instance))
        return self.handle(policy_request(account, "DATA", client, instance, recipients))

    def add_staff(self, name: str, role: str) -> str:
        return self.call(self.actions.add_staff, name, role, "test")

    def client(self, token: str | None = None, **kw) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10, **kw)


@pytest.fixture(scope="session")
def mmdb(tmp_path_factory) -> Path:
    from fumidai.geo.build import build_demo

    path = tmp_path_factory.mktemp("geo") / "demo.mmdb"
    build_demo(path)
    return path


@pytest.fixture(scope="session")
def config_data(tmp_path_factory, mmdb):
    db = tmp_path_factory.mktemp("db") / "fumidai.db"
    return {
        "policy": {"listen": f"127.0.0.1:{free_port()}"},
        "api": {"listen": f"127.0.0.1:{free_port()}"},
        "storage": {"url": f"sqlite:///{db}", "flush_interval": 0.2},
        "geoip": {"database": str(mmdb), "home_countries": ["JP"]},
        "limits": {"messages_per_hour": 5},
    }


@pytest.fixture(scope="session")
def live(config_data):
    server = LiveServer(settings_from_dict(config_data))
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def tokens(live) -> dict[str, str]:
    return {role: live.add_staff(f"{role}-1", role) for role in ("viewer", "operator", "admin")}


@pytest.fixture
def jp_address() -> str:
    from fumidai.geo.build import demo_address

    return demo_address("JP")
