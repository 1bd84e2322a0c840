"""Alert acknowledgements and incidents through the real API (issue 14): what the desk's
contract (tests/desk/fake_api.py) promises, checked on the real service and store, with one
audit entry per change in the transaction of the change, and hostile input refused."""

from __future__ import annotations

import time

import pytest

from tests.transactions import recording


def _alert(live, account: str, kind: str = "auto_suspend") -> int:
    from fumidai.store import repo

    with live.svc.store.session() as s:
        return repo.add_alerts(s, [{"account": account, "kind": kind, "reason": "quota:messages_per_hour",
                                    "country": "CN", "detail": {"limit": 5, "value": 6}}])[0]


def _account(live, prefix: str) -> str:
    """A fresh account the store knows (imported)."""
    from fumidai.actions.staff import StaffActions

    account = f"{prefix}-{time.time_ns()}"
    live.call(StaffActions(live.svc.store).import_accounts,
              [{"account": account, "contact": f"{account}@example.jp", "name": "Owner", "language": "en",
                "home_countries": None}], "test")
    return account


def _audit(c, account: str) -> list[dict]:
    return c.get("/api/v1/audit", params={"account": account}).json()["items"]


# --- acknowledgements -------------------------------------------------------------------------

def test_alerts_carry_their_acknowledgement_and_the_first_one_stays(live, tokens):
    account = _account(live, "ack")
    alert_id = _alert(live, account)
    with live.client(tokens["viewer"]) as c:
        listed = next(a for a in c.get("/api/v1/alerts", params={"after_id": alert_id - 1}).json()["items"]
                      if a["id"] == alert_id)
    assert listed["acked_by"] is None and listed["acked_at"] is None  # the keys are there: ack is supported
    with live.client(tokens["operator"]) as c, recording() as tx:
        r = c.post(f"/api/v1/alerts/{alert_id}/ack", json={"note": "owner called, travelling"})
        assert r.status_code == 200, r.text
        first = r.json()
        assert first["acked_by"] == "operator-1" and first["acked_at"].endswith("Z")
        assert first["ack_note"] == "owner called, travelling" and first["audit_id"] > 0
        assert first["account"] == account and first["kind"] == "auto_suspend"
        again = c.post(f"/api/v1/alerts/{alert_id}/ack", json={})
        assert again.status_code == 200 and again.json()["audit_id"] is None
        assert {k: again.json()[k] for k in ("acked_by", "acked_at", "ack_note")} == {
            k: first[k] for k in ("acked_by", "acked_at", "ack_note")}
        no_body = c.post(f"/api/v1/alerts/{alert_id}/ack")  # the body is optional
        assert no_body.status_code == 200 and no_body.json()["acked_by"] == "operator-1"
        entries = _audit(c, account)
    assert [(e["action"], e["actor"], e["reason"]) for e in entries] == [
        ("ack_alert", "operator-1", "owner called, travelling")]
    assert entries[0]["before"]["acked_by"] is None and entries[0]["after"]["alert_id"] == alert_id
    assert [t for t in tx.with_audit()] == [{"audit", "alert_acks"}]
    with live.client(tokens["viewer"]) as c:  # every desk sees it on its next read
        listed = next(a for a in c.get("/api/v1/alerts", params={"after_id": alert_id - 1}).json()["items"]
                      if a["id"] == alert_id)
    assert listed["acked_by"] == "operator-1" and listed["acked_at"] == first["acked_at"]


@pytest.mark.parametrize("path, body, status", [
    ("/api/v1/alerts/999999999/ack", {}, 404),
    ("/api/v1/alerts/0/ack", {}, 422),
    ("/api/v1/alerts/-1/ack", {}, 422),
    ("/api/v1/alerts/abc/ack", {}, 422),
    ("/api/v1/alerts/99999999999999999999/ack", {}, 422),
    ("/api/v1/alerts/{id}/ack", {"note": "x" * 2001}, 422),
    ("/api/v1/alerts/{id}/ack", {"note": "bell\x07"}, 422),
    ("/api/v1/alerts/{id}/ack", {"note": 5}, 422),
    ("/api/v1/alerts/{id}/ack", {"note": "   "}, 422),
    ("/api/v1/alerts/{id}/ack", {"by": "someone-else"}, 422),
])
def test_bad_acknowledgements_are_refused_and_change_nothing(live, tokens, path, body, status):
    account = _account(live, "badack")
    alert_id = _alert(live, account)
    with live.client(tokens["operator"]) as c:
        r = c.post(path.format(id=alert_id), json=body)
        assert r.status_code == status, r.text
        assert isinstance(r.json()["detail"], str)
        assert _audit(c, account) == []


def test_a_viewer_cannot_acknowledge(live, tokens):
    alert_id = _alert(live, _account(live, "viewack"))
    with live.client(tokens["viewer"]) as c:
        assert c.post(f"/api/v1/alerts/{alert_id}/ack", json={}).status_code == 403


# --- incidents ------------------------------------------------------------------------------

def test_open_claim_investigate_note_close_each_audited_once(live, tokens):
    account = _account(live, "inc")
    alert_id = _alert(live, account)
    with live.client(tokens["operator"]) as c:
        with recording() as tx:
            r = c.post("/api/v1/incidents", json={"account": account, "alert_id": alert_id})
        assert r.status_code == 201, r.text
        incident = r.json()
        assert {k: incident[k] for k in ("account", "alert_id", "owner", "status", "notes", "opened_by")} == {
            "account": account, "alert_id": alert_id, "owner": None, "status": "open", "notes": [],
            "opened_by": "operator-1"}
        assert incident["opened_at"] == incident["updated_at"] and incident["audit_id"] > 0
        assert tx.with_audit() == [{"audit", "incidents"}]
        iid = incident["id"]

        again = c.post("/api/v1/incidents", json={"account": account})  # one open incident per account
        assert again.status_code == 200 and again.json()["id"] == iid and again.json()["audit_id"] is None

        with recording() as tx:
            claim = c.patch(f"/api/v1/incidents/{iid}", json={"owner": "operator-1", "status": "investigating"})
            assert claim.status_code == 200, claim.text
            note = c.patch(f"/api/v1/incidents/{iid}", json={"note": "called the owner\nno answer"})
            assert note.status_code == 200, note.text
        assert claim.json()["owner"] == "operator-1" and claim.json()["status"] == "investigating"
        assert [(n["by"], n["text"]) for n in note.json()["notes"]] == [("operator-1", "called the owner\nno answer")]
        assert note.json()["notes"][0]["at"].endswith("Z")
        assert tx.with_audit() == [{"audit", "incidents"}, {"audit", "incidents", "incident_notes"}]

        same = c.patch(f"/api/v1/incidents/{iid}", json={"owner": "operator-1"})  # what already is
        assert same.status_code == 200 and same.json()["audit_id"] is None

        closed = c.patch(f"/api/v1/incidents/{iid}", json={"status": "closed", "note": "password reset"})
        assert closed.json()["status"] == "closed" and closed.json()["closed_at"] is not None
        assert [n["text"] for n in closed.json()["notes"]] == ["called the owner\nno answer", "password reset"]

        newer = c.post("/api/v1/incidents", json={"account": account})  # closed: a new one opens
        assert newer.status_code == 201 and newer.json()["id"] != iid
        reopen = c.patch(f"/api/v1/incidents/{iid}", json={"status": "open"})
        assert reopen.status_code == 409 and str(newer.json()["id"]) in reopen.json()["detail"]

        entries = _audit(c, account)
    assert [e["action"] for e in entries] == ["incident_open", "incident_update", "incident_update",
                                              "incident_update", "incident_open"]
    claimed = entries[1]
    assert claimed["before"]["owner"] is None and claimed["after"]["owner"] == "operator-1"
    assert claimed["before"]["status"] == "open" and claimed["after"]["status"] == "investigating"
    assert entries[2]["reason"] == "called the owner\nno answer"


def test_the_other_desks_see_incidents_and_filter_by_status(live, tokens):
    first, second = _account(live, "list-a"), _account(live, "list-b")
    with live.client(tokens["operator"]) as c:
        a = c.post("/api/v1/incidents", json={"account": first}).json()["id"]
        b = c.post("/api/v1/incidents", json={"account": second}).json()["id"]
        c.patch(f"/api/v1/incidents/{b}", json={"status": "closed"}).raise_for_status()
    with live.client(tokens["viewer"]) as c:
        every = c.get("/api/v1/incidents").json()["items"]
        ids = [i["id"] for i in every]
        assert a in ids and b in ids and ids == sorted(ids, reverse=True)
        open_ids = [i["id"] for i in c.get("/api/v1/incidents", params={"status": "open"}).json()["items"]]
        closed = [i["id"] for i in c.get("/api/v1/incidents", params={"status": "closed"}).json()["items"]]
        assert a in open_ids and b not in open_ids and b in closed and a not in closed
        mine = c.get("/api/v1/incidents", params={"account": first}).json()["items"]
        assert [i["id"] for i in mine] == [a]
        assert len(c.get("/api/v1/incidents", params={"limit": 1}).json()["items"]) == 1
        assert c.get("/api/v1/incidents", params={"status": "pending"}).status_code == 422
        assert c.get("/api/v1/incidents", params={"limit": 0}).status_code == 422
        assert c.post("/api/v1/incidents", json={"account": first}).status_code == 403
        assert c.patch(f"/api/v1/incidents/{a}", json={"note": "x"}).status_code == 403


@pytest.mark.parametrize("body, status, detail", [
    ({"account": "never-seen-anywhere"}, 404, "no account"),
    ({"account": "{known}", "alert_id": 999999999}, 404, "no alert"),
    ({"account": "{known}", "alert_id": "{other_alert}"}, 409, "is about"),
    ({"account": "{known}", "alert_id": 0}, 422, "alert_id"),
    ({"account": "{known}", "alert_id": "7"}, 422, "alert_id"),
    ({"account": ""}, 422, "account"),
    ({"account": "x" * 321}, 422, "account"),
    ({"account": 5}, 422, "account"),
    ({}, 422, "account"),
    ({"account": "{known}", "owner": "me"}, 422, "unknown field"),
])
def test_bad_opens_are_refused_and_audit_nothing(live, tokens, body, status, detail):
    known = _account(live, "badopen")
    other_alert = _alert(live, _account(live, "someone-else"))
    body = {k: (v.format(known=known, other_alert=other_alert) if isinstance(v, str) and "{" in v else v)
            for k, v in body.items()}
    if body.get("alert_id") == str(other_alert):
        body["alert_id"] = other_alert
    with live.client(tokens["operator"]) as c:
        r = c.post("/api/v1/incidents", json=body)
        assert r.status_code == status, r.text
        assert detail in r.json()["detail"]
        assert _audit(c, known) == []


def test_an_alert_names_an_account_the_store_has_no_record_of(live, tokens):
    """A blocklist alert's "account" is an egress address: an incident can still be opened from it."""
    alert_id = _alert(live, "203.0.113.10", kind="blocklist_listed")
    with live.client(tokens["operator"]) as c:
        r = c.post("/api/v1/incidents", json={"account": "203.0.113.10", "alert_id": alert_id})
        assert r.status_code in (200, 201), r.text
        c.patch(f"/api/v1/incidents/{r.json()['id']}", json={"status": "closed"}).raise_for_status()


@pytest.mark.parametrize("body, status", [
    ({}, 422),
    ({"status": "pending"}, 422),
    ({"status": None, "owner": None, "note": None}, 422),
    ({"owner": "nobody-on-staff"}, 409),
    ({"owner": "viewer-1"}, 409),  # a viewer cannot act on it, so cannot own it
    ({"owner": "x" * 65}, 422),
    ({"owner": "evil\nname"}, 422),
    ({"note": ""}, 422),
    ({"note": "y" * 2001}, 422),
    ({"note": "nul\x00"}, 422),
    ({"notes": ["x"]}, 422),
])
def test_bad_changes_are_refused_and_audit_nothing(live, tokens, body, status):
    account = _account(live, "badpatch")
    with live.client(tokens["operator"]) as c:
        iid = c.post("/api/v1/incidents", json={"account": account}).json()["id"]
        r = c.patch(f"/api/v1/incidents/{iid}", json=body)
        assert r.status_code == status, r.text
        assert [e["action"] for e in _audit(c, account)] == ["incident_open"]
        shown = next(i for i in c.get("/api/v1/incidents", params={"account": account}).json()["items"])
        assert shown["owner"] is None and shown["status"] == "open" and shown["notes"] == []


def test_unknown_incidents_are_404_and_owners_can_be_handed_over_and_cleared(live, tokens):
    account = _account(live, "handover")
    with live.client(tokens["operator"]) as c:
        assert c.patch("/api/v1/incidents/999999999", json={"note": "x"}).status_code == 404
        assert c.patch("/api/v1/incidents/0", json={"note": "x"}).status_code == 422
        iid = c.post("/api/v1/incidents", json={"account": account}).json()["id"]
        handed = c.patch(f"/api/v1/incidents/{iid}", json={"owner": "admin-1"})
        assert handed.status_code == 200 and handed.json()["owner"] == "admin-1"
        cleared = c.patch(f"/api/v1/incidents/{iid}", json={"owner": ""})
        assert cleared.status_code == 200 and cleared.json()["owner"] is None
