"""The desk's parsers against a real backend: `fumidai demo --headless` (server, store, simulated
traffic with hijacks) answers every read the desk makes, and a suspend, release and notice.

The parsers are lenient by design (a missing key gets a neutral default, so an older backend never
crashes the desk); that would also hide a renamed key. So besides parsing, each answer must carry
every key the desk reads, except those the behaviour contract adds (CONTRACT_OPTIONAL), which a
backend may not have yet.
"""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fumidai.desk.api.client import ApiClient
from fumidai.desk.api.models import AccountDetail, AccountRow, AlertItem, CountryCount, Overview, Totals

pytestmark = pytest.mark.desk

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_OPTIONAL = {"risk", "permissions", "complaints", "client_address", "network", "asn",
                     "ackable", "audit_id", "notice", "suspension_id"}  # ackable: derived from acked_by's presence
ONLY_IN_SEARCH = {"contact", "owner_name", "language"}  # /accounts rows, not the overview's


def read_keys(cls) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)} - CONTRACT_OPTIONAL


@pytest.fixture(scope="module")
def demo():
    env = dict(os.environ, PYTHONPATH=str(ROOT / "app"))
    proc = subprocess.Popen([sys.executable, "-m", "fumidai.cli", "demo", "--headless", "--seed", "3",
                             "--time-scale", "60", "--history-days", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env)
    api = folder = None
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and (api is None or folder is None):
            line = proc.stdout.readline()
            if not line:
                break
            if m := re.search(r"API (http://\S+),", line):
                api = m.group(1)
            if m := re.search(r"demo folder \(removed at the end\): (.+)$", line.rstrip()):
                folder = Path(m.group(1))
        if api is None or folder is None:
            pytest.fail("fumidai demo did not start")
        client = ApiClient(api, (folder / "token").read_text().strip(), timeout=10)
        end = time.monotonic() + 90
        while time.monotonic() < end and not (client.overview(window=300).top and client.alerts().items):
            time.sleep(1)  # traffic, and a first stop or cap
        yield client
        client.close()
    finally:
        proc.send_signal(signal.SIGINT)  # the demo stops its children and removes its folder
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def busy_overview(demo) -> tuple[dict, Overview]:
    for _ in range(30):  # simulated traffic comes in bursts
        raw = demo._request("GET", "/overview", params={"window": 300, "limit": 50})
        overview = Overview.from_json(raw)
        if overview.top:
            return raw, overview
        time.sleep(1)
    pytest.fail("no account sent anything for 30 s")


def test_reads(demo):
    raw, overview = busy_overview(demo)
    assert overview.top and overview.time is not None
    assert read_keys(Totals) <= set(raw["totals"])
    for row in raw["top"]:
        assert read_keys(AccountRow) - ONLY_IN_SEARCH <= set(row), set(read_keys(AccountRow)) - set(row)
    page = demo._request("GET", "/accounts", params={"limit": 20, "status": "all", "sort": "-rate"})
    assert page["items"] and all(read_keys(AccountRow) <= set(r) for r in page["items"])
    countries = demo._request("GET", "/countries", params={"window": 3600})["items"]
    assert countries and all(read_keys(CountryCount) <= set(c) for c in countries)
    alerts = demo._request("GET", "/alerts", params={"after_id": 0})["items"]
    assert alerts and all(read_keys(AlertItem) <= set(a) for a in alerts)
    assert all(AlertItem.from_json(a) is not None for a in alerts)

    account = overview.top[0].account
    raw_detail = demo._request("GET", demo._account_path(account))
    assert read_keys(AccountDetail) <= set(raw_detail), read_keys(AccountDetail) - set(raw_detail)
    detail = AccountDetail.from_json(raw_detail)
    assert detail.account == account and detail.limits.get("account") and detail.usage.get("hour") is not None
    for key in ("minute", "hour", "day", "countries"):
        assert key in raw_detail["usage"], key
    series = demo.series(account, window=3600, step=60)
    assert series.points and series.step == 60
    assert demo.templates() and {"name", "languages"} <= set(demo.templates()[0])
    assert "days" in demo.trends(days=7)
    assert demo.health().get("status") == "ok"


def test_actions_round_trip(demo):
    page = demo.accounts(status="ok", sort="-rate", limit=200)
    account = next(r.account for r in page.items if r.contact)  # a notice needs the owner's address
    suspended = demo.suspend(account, "contract test", notice={"template": "suspended_staff", "language": "en"})
    assert suspended.status == "suspended" and suspended.suspension is not None
    assert suspended.suspension.by and suspended.audit_id is not None and suspended.suspension_id
    assert suspended.notice is not None and suspended.notice.get("status")
    preview = demo.preview_notice(account, "restored", "ja")
    assert preview.get("subject") and preview.get("body")
    released = demo.release(account, "contract test", suspension_id=suspended.suspension_id)
    assert released.status != "suspended"
    sent = demo.send_notice(account, "restored", "en", "contract-test-key")
    assert {"id", "template", "language", "status", "created_at"} <= set(sent)
    detail = demo.account(account)
    assert any(n.get("id") == sent["id"] for n in detail.notices)
    audit = demo.audit(account=account)
    assert {"suspend", "release"} <= {e["action"] for e in audit["items"]}  # what the History tab lists
    assert all({"id", "time", "actor", "action", "reason"} <= set(e) for e in audit["items"])


def test_acknowledgement_and_incidents_round_trip(demo):
    from tests.desk.fake_api import FakeApi

    alerts = demo.alerts().items
    assert alerts and all(a.ackable for a in alerts)  # the desk offers Acknowledge
    alert = alerts[-1]
    acked = AlertItem.from_json(demo.ack_alert(alert.id, "contract test"))
    assert acked is not None and acked.acked_by and acked.acked_at is not None
    again = next(a for a in demo.alerts(after_id=alert.id - 1).items if a.id == alert.id)
    assert again.acked_by == acked.acked_by

    with FakeApi(accounts=[]) as fake:  # every key the fake's incidents carry, the real ones carry too
        fake.set_account(alert.account)
        fake_keys = set(ApiClient(fake.url, fake.token("operator")).open_incident(alert.account, alert.id))
    opened = demo.open_incident(alert.account, alert.id)
    assert fake_keys <= set(opened), fake_keys - set(opened)
    claimed = demo.update_incident(opened["id"], owner=demo.me().name, status="investigating")
    noted = demo.update_incident(opened["id"], note="contract test")
    assert claimed["owner"] == demo.me().name and noted["notes"][-1]["text"] == "contract test"
    assert {"at", "by", "text"} <= set(noted["notes"][-1])
    listed = demo.incidents()
    assert any(i["id"] == opened["id"] and i["status"] == "investigating" for i in listed)
    closed = demo.update_incident(opened["id"], status="closed")
    assert closed["status"] == "closed"
    audit = {e["action"] for e in demo.audit(account=alert.account)["items"]}
    assert {"ack_alert", "incident_open", "incident_update"} <= audit
