"""The desk's acknowledgement and incidents against the real backend (tests.harness: the service,
the store, the API), not the fake: the parsers see the real answers, and two desks see each
other's work through the store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from fumidai.config import settings_from_dict  # noqa: E402
from fumidai.desk.actions import ActionRunner  # noqa: E402
from fumidai.desk.api.client import ApiClient  # noqa: E402
from fumidai.desk.api.models import AlertItem  # noqa: E402
from fumidai.desk.incidents import IncidentsPanel, _incidents_or_none  # noqa: E402

from tests.conftest import free_port  # noqa: E402
from tests.harness import ServerThread  # noqa: E402

pytestmark = pytest.mark.desk


@pytest.fixture(scope="module")
def backend(tmp_path_factory, mmdb_path):
    folder = tmp_path_factory.mktemp("workflow")
    settings = settings_from_dict({
        "api": {"listen": f"127.0.0.1:{free_port()}"},
        "storage": {"url": f"sqlite:///{folder}/fumidai.db", "flush_interval": 0.2},
        "geoip": {"database": str(mmdb_path), "home_countries": ["JP"]},
    })
    server = ServerThread(settings, policy=False, api=True)
    try:
        server.start()
        server.tokens = {name: server.call(server.actions.add_staff, name, "operator", "test")
                         for name in ("bob", "amy")}
        server.tokens["vic"] = server.call(server.actions.add_staff, "vic", "viewer", "test")
        server.call(server.actions.import_accounts, [
            {"account": name, "contact": f"{name}@example.jp", "name": "Owner", "language": "ja",
             "home_countries": None} for name in ("mallory", "trent")], "test")
        yield server
    finally:
        server.close()


def _alert(backend, account: str) -> int:
    from fumidai.store import repo

    with backend.service.store.session() as s:
        return repo.add_alerts(s, [{"account": account, "kind": "auto_suspend", "reason": "quota:messages_per_hour",
                                    "country": "CN", "detail": {"limit": 100, "value": 150}}])[0]


@pytest.fixture
def clients(backend):
    made = {name: ApiClient(backend.url, token, timeout=10) for name, token in backend.tokens.items()}
    yield made
    for c in made.values():
        c.close()


def test_acknowledgement_through_the_desks_client(backend, clients):
    alert_id = _alert(backend, "mallory")
    [fresh] = [a for a in clients["bob"].alerts(after_id=alert_id - 1).items if a.id == alert_id]
    assert fresh.ackable and fresh.acked_by == "" and fresh.acked_at is None  # the desk offers Acknowledge
    answer = clients["bob"].ack_alert(alert_id)
    assert AlertItem.from_json(answer).acked_by == "bob"
    clients["amy"].ack_alert(alert_id, "me too")  # a second desk: the first acknowledgement stays
    [seen] = [a for a in clients["amy"].alerts(after_id=alert_id - 1).items if a.id == alert_id]
    assert seen.acked_by == "bob" and seen.acked_at is not None
    from fumidai.desk.api.client import Forbidden

    with pytest.raises(Forbidden):
        clients["vic"].ack_alert(alert_id)
    entries = clients["vic"].audit(account="mallory")["items"]
    assert [(e["action"], e["actor"]) for e in entries if e["action"] == "ack_alert"] == [("ack_alert", "bob")]


def test_incidents_through_the_desks_client(backend, clients):
    alert_id = _alert(backend, "trent")
    opened = clients["bob"].open_incident("trent", alert_id)
    assert opened["status"] == "open" and opened["alert_id"] == alert_id
    assert clients["amy"].open_incident("trent")["id"] == opened["id"]  # one per account
    claimed = clients["bob"].update_incident(opened["id"], owner="bob", status="investigating")
    noted = clients["amy"].update_incident(opened["id"], note="customer called back")
    assert claimed["owner"] == "bob" and noted["notes"][-1]["by"] == "amy"
    listed = _incidents_or_none(clients["vic"])
    assert listed is not None and any(i["id"] == opened["id"] and i["owner"] == "bob" for i in listed)
    closed = clients["bob"].update_incident(opened["id"], status="closed")
    assert closed["status"] == "closed"
    assert opened["id"] in [i["id"] for i in clients["vic"].incidents("closed")]
    assert opened["id"] not in [i["id"] for i in clients["vic"].incidents("open")]


def test_two_panels_share_one_incident(qtbot, backend):
    runners = [ActionRunner(ApiClient(backend.url, backend.tokens[name], timeout=10), role="operator")
               for name in ("bob", "amy")]
    try:
        bob = IncidentsPanel(runners[0], "bob", refresh_s=0.2)
        amy = IncidentsPanel(runners[1], "amy", refresh_s=0.2)
        for panel in (bob, amy):
            qtbot.addWidget(panel)
        with qtbot.waitSignal(bob.supportedChanged, timeout=5000) as shown:
            bob.start()
        assert shown.args == [True]  # the real backend keeps incidents: the panel shows
        amy.start()
        alert_id = _alert(backend, "mallory")
        bob.open_for("mallory", alert_id)
        qtbot.waitUntil(lambda: any(i.get("account") == "mallory" and i.get("status") != "closed"
                                    for i in amy.items), timeout=5000)
        row = next(r for r, i in enumerate(bob.items) if i.get("account") == "mallory" and i["status"] != "closed")
        bob.table.selectRow(row)
        bob.claim_button.click()
        qtbot.waitUntil(lambda: any(i.get("account") == "mallory" and i.get("owner") == "bob" for i in amy.items),
                        timeout=5000)
        mine = next(i for i in amy.items if i.get("account") == "mallory" and i.get("owner") == "bob")
        assert mine["status"] == "investigating"  # claiming an open one starts it
        bob.stop()
        amy.stop()
    finally:
        for r in runners:
            r.close()
