"""Undo releases exactly the suspension it made (release by suspension id), and a suspend that
skips an account suspended already (the desk's bulk suspend): an automatic stop is never
released nor reworded by them (issue 15)."""

from __future__ import annotations

import uuid

import pytest


def _send(live, account: str, client: str) -> None:
    live.send(account, client, uuid.uuid4().hex[:12])


def _auto_suspend(live, account: str, client: str) -> None:
    """Past the session's quota of 5 messages an hour: the policy path suspends the account itself."""
    for _ in range(7):
        _send(live, account, client)
    live.flush()


def _audit(c, account: str) -> list[tuple[str, str]]:
    return [(e["action"], e["actor"]) for e in c.get("/api/v1/audit", params={"account": account}).json()["items"]]


def test_suspend_answers_its_suspension_id_and_release_by_it(live, tokens):
    with live.client(tokens["operator"]) as c:
        r = c.post("/api/v1/accounts/undo-frank/suspend", json={"reason": "mistake"})
        assert r.status_code == 200, r.text
        sid = r.json()["suspension_id"]
        assert isinstance(sid, int) and sid > 0
        audit = c.get("/api/v1/audit", params={"account": "undo-frank"}).json()["items"]
        assert audit[-1]["after"]["suspension"]["id"] == sid  # the same id the audit shows

        r = c.post("/api/v1/accounts/undo-frank/release", json={"reason": "undo", "suspension_id": sid})
        assert r.status_code == 200, r.text
        assert r.json()["status"] != "suspended"
        again = c.post("/api/v1/accounts/undo-frank/release", json={"reason": "undo", "suspension_id": sid})
        assert again.status_code == 409 and "not suspended" in again.json()["detail"]


def test_undo_does_not_release_an_automatic_stop_made_meanwhile(live, tokens, jp_address):
    with live.client(tokens["operator"]) as c:
        sid = c.post("/api/v1/accounts/undo-gina/suspend", json={"reason": "looked odd"}).json()["suspension_id"]
        # Another staff member released it; then the account was hijacked and stopped automatically.
        assert c.post("/api/v1/accounts/undo-gina/release", json={"reason": "owner called"}).status_code == 200
        _auto_suspend(live, "undo-gina", jp_address)
        before = c.get("/api/v1/accounts/undo-gina").json()
        assert before["status"] == "suspended" and before["suspension"]["by"] == "auto"

        r = c.post("/api/v1/accounts/undo-gina/release", json={"reason": "undo", "suspension_id": sid})
        assert r.status_code == 409, r.text
        assert "not released" in r.json()["detail"]
        after = c.get("/api/v1/accounts/undo-gina").json()
        assert after["status"] == "suspended" and after["suspension"] == before["suspension"]
        assert live.send("undo-gina", jp_address, uuid.uuid4().hex[:12]).startswith("REJECT")
        assert _audit(c, "undo-gina")[-1] == ("auto_suspend", "auto")  # the undo wrote nothing


def test_release_by_id_refuses_while_another_suspension_is_active(live, tokens):
    with live.client(tokens["operator"]) as c:
        first = c.post("/api/v1/accounts/undo-hal/suspend", json={"reason": "one"}).json()["suspension_id"]
        second = c.post("/api/v1/accounts/undo-hal/suspend", json={"reason": "two"}).json()["suspension_id"]
        assert second != first
        r = c.post("/api/v1/accounts/undo-hal/release", json={"reason": "undo", "suspension_id": first})
        assert r.status_code == 409 and f"suspension {second}" in r.json()["detail"]
        assert c.get("/api/v1/accounts/undo-hal").json()["status"] == "suspended"
        assert c.post("/api/v1/accounts/undo-hal/release", json={"reason": "both"}).status_code == 200


def test_unless_suspended_leaves_an_automatic_stop_as_it_is(live, tokens, jp_address):
    _auto_suspend(live, "undo-ivan", jp_address)
    with live.client(tokens["operator"]) as c:
        before = c.get("/api/v1/accounts/undo-ivan").json()
        assert before["suspension"]["by"] == "auto"
        entries = _audit(c, "undo-ivan")
        r = c.post("/api/v1/accounts/undo-ivan/suspend", json={"reason": "bulk", "unless_suspended": True})
        assert r.status_code == 409 and "suspended already" in r.json()["detail"]
        after = c.get("/api/v1/accounts/undo-ivan").json()
        assert after["suspension"] == before["suspension"]  # the automatic reason stays
        assert _audit(c, "undo-ivan") == entries  # nothing written

        r = c.post("/api/v1/accounts/undo-judy/suspend", json={"reason": "bulk", "unless_suspended": True})
        assert r.status_code == 200 and r.json()["suspension_id"] > 0


@pytest.mark.parametrize("sid", [0, -1, "seven", 2**70, 1.5])
def test_bad_suspension_ids_are_422(live, tokens, sid):
    with live.client(tokens["operator"]) as c:
        r = c.post("/api/v1/accounts/undo-ken/release", json={"reason": "undo", "suspension_id": sid})
        assert r.status_code == 422, r.text
