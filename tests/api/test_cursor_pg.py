"""Out-of-order commits on PostgreSQL against the real service and API (the brief's scenario).

Node A's staff suspension and alert take their ids first and commit last; node B's commit in
between. This node must still apply A's suspension (the audit sync) and show A's alert (the
API's next_after_id), each once.
"""

from __future__ import annotations

import time

from fumidai.config import settings_from_dict
from fumidai.store import repo
from fumidai.store.db import Store
from tests.conftest import free_port
from tests.store.test_cursor import _alert, open_tx

from .conftest import LiveServer


def wait_for(predicate, what: str, timeout: float = 30.0) -> None:
    """Readiness, not speed: the sync reads twice a second; a loaded machine may take longer."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.05)


def test_a_suspension_and_an_alert_committed_late_are_applied_and_shown(pg_url, config_data):
    store = Store(pg_url)
    store.upgrade()
    settings = settings_from_dict({**config_data, "storage": {"url": pg_url, "flush_interval": 0.2},
                                   # ports of its own: the session's server holds config_data's
                                   "policy": {"listen": f"127.0.0.1:{free_port()}"},
                                   "api": {"listen": f"127.0.0.1:{free_port()}"}})
    try:
        with LiveServer(settings) as server:
            token = server.add_staff("viewer-bob", "viewer")

            def status(account: str) -> str:
                return server.call(lambda: server.service.account_status(account, time.time())[0])

            def synced() -> int:
                return server.call(lambda: server.service.synced_audit_id)

            with server.client(token) as c, open_tx(store) as (s1, end1):
                n = repo.suspend(s1, "slow-node", "staff-a", "held open on node A")
                slow_alert = _alert(s1, "slow-node")
                with store.session() as s2:
                    m = repo.suspend(s2, "fast-node", "staff-b", "committed first on node B")
                    fast_alert = _alert(s2, "fast-node")
                wait_for(lambda: status("fast-node") == "suspended", "node B's suspension applied")
                assert synced() == n - 1  # not past A's entry
                body = c.get("/api/v1/alerts", params={"after_id": 0}).json()
                assert [a["id"] for a in body["items"]] == [fast_alert]
                assert body["next_after_id"] == slow_alert - 1 and body["newest_id"] == fast_alert
                end1(True)
                cursor = body["next_after_id"]
            wait_for(lambda: status("slow-node") == "suspended", "node A's late suspension applied")
            wait_for(lambda: synced() >= m, "the sync's place past both entries")
            with server.client(token) as c:
                body = c.get("/api/v1/alerts", params={"after_id": cursor}).json()
            assert [a["id"] for a in body["items"]] == [slow_alert, fast_alert]
            assert body["next_after_id"] == fast_alert
    finally:
        store.dispose()
