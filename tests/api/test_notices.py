"""Notices over the outbox: templates, preview, idempotent send, suspend with a notice."""

from __future__ import annotations


def _owner(live, account: str, language: str = "ja") -> None:
    from fumidai.store import repo

    with live.svc.store.session() as s:
        repo.upsert_accounts(s, [{"account": account, "contact": f"{account}@example.jp", "name": "山田 太郎",
                                  "language": language}])


def test_templates_preview_and_idempotent_send(live, tokens):
    _owner(live, "gina")
    with live.client(tokens["operator"]) as c:
        items = c.get("/api/v1/templates").json()["items"]
        by_name = {t["name"]: t for t in items}
        assert {"ja", "en"} <= set(by_name["suspended_staff"]["languages"])
        assert isinstance(by_name["suspended_staff"]["description"], str)

        p = c.post("/api/v1/accounts/gina/notices/preview", json={"template": "warning", "language": "en"})
        assert p.status_code == 200, p.text
        assert p.json()["to"] == "gina@example.jp" and p.json()["subject"] and "gina" in p.json()["body"]

        body = {"template": "warning", "language": "ja", "idempotency_key": "gina-warn-1"}
        first = c.post("/api/v1/accounts/gina/notices", json=body)
        assert first.status_code == 201, first.text
        again = c.post("/api/v1/accounts/gina/notices", json=body)
        assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
        assert first.json()["status"] == "queued" and "gina@example.jp" in first.json()["to"]

        assert c.post("/api/v1/accounts/gina/notices", json={"template": "nope", "language": "ja"}).status_code == 422
        assert c.post("/api/v1/accounts/nobody-known/notices/preview",
                      json={"template": "warning"}).status_code == 404
        detail = c.get("/api/v1/accounts/gina").json()
        assert [n["id"] for n in detail["notices"]] == [first.json()["id"]]
        audit = c.get("/api/v1/audit", params={"account": "gina"}).json()["items"]
    notices = [e for e in audit if e["action"] == "notice"]
    assert len(notices) == 1 and notices[0]["after"]["id"] == first.json()["id"]  # the repeat sent nothing


def test_suspend_with_notice_and_without_contact(live, tokens, jp_address):
    _owner(live, "hana", "en")
    with live.client(tokens["operator"]) as c:
        r = c.post("/api/v1/accounts/hana/suspend",
                   json={"reason": "spam run", "notice": {"template": "suspended_staff"}})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "suspended" and r.json()["notice"]["language"] == "en"
        # No contact on record: the suspension holds, the notice reports why it was not sent.
        r = c.post("/api/v1/accounts/ivan/suspend",
                   json={"reason": "spam run", "notice": {"template": "suspended_staff"}})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "suspended" and r.json()["notice"]["status"] == "failed"
    assert live.send("ivan", jp_address, "ivan-1").startswith("REJECT")
