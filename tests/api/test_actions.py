"""Staff actions through the API change what the policy server answers, and are audited."""

from __future__ import annotations

import uuid

import pytest


def _msg(live, account: str, client: str, recipients: int = 1) -> str:
    return live.send(account, client, uuid.uuid4().hex[:12], recipients)


def test_suspend_rejects_then_release_lets_through(live, tokens, jp_address):
    assert _msg(live, "dave", jp_address) == "DUNNO"
    with live.client(tokens["operator"]) as c:
        r = c.post("/api/v1/accounts/dave/suspend", json={"reason": "phished password reported"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "suspended" and body["suspension"]["by"] == "operator-1"
        assert body["audit_id"] > 0
        assert _msg(live, "dave", jp_address).startswith("REJECT")

        listed = c.get("/api/v1/accounts", params={"status": "suspended"}).json()
        assert "dave" in [row["account"] for row in listed["items"]]

        r = c.post("/api/v1/accounts/dave/release", json={"reason": "password changed"})
        assert r.status_code == 200, r.text
        assert r.json()["status"] != "suspended"
        assert _msg(live, "dave", jp_address) == "DUNNO"

        again = c.post("/api/v1/accounts/dave/release", json={"reason": "twice"})
        assert again.status_code == 409 and "not suspended" in again.json()["detail"]

        audit = c.get("/api/v1/audit", params={"account": "dave"}).json()["items"]
    actions = [(e["action"], e["actor"]) for e in audit]
    assert actions == [("suspend", "operator-1"), ("release", "operator-1")]
    suspend, release = audit
    assert suspend["before"]["suspended"] is False and suspend["after"]["suspended"] is True
    assert release["before"]["suspended"] is True and release["after"]["suspended"] is False
    assert suspend["reason"] == "phished password reported" and suspend["time"].endswith("Z")


def test_own_limits_apply_at_once_and_clear(live, tokens, jp_address):
    with live.client(tokens["operator"]) as c:
        r = c.put("/api/v1/accounts/erin/limits",
                  json={"limits": {"messages_per_hour": 1, "messages_per_day": "unlimited"}, "reason": "new account"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["limits"]["account"]["messages_per_hour"] == 1
        assert body["limits"]["account"]["messages_per_day"] is None
        assert body["override"]["set_by"] == "operator-1"
        assert _msg(live, "erin", jp_address) == "DUNNO"
        assert _msg(live, "erin", jp_address) != "DUNNO"  # the second message of the hour is over

        r = c.request("DELETE", "/api/v1/accounts/erin/limits", json={"reason": "back to normal"})
        assert r.status_code == 200, r.text
        assert r.json()["override"] is None
        missing = c.request("DELETE", "/api/v1/accounts/erin/limits", json={"reason": "again"})
        assert missing.status_code == 404
        audit = c.get("/api/v1/audit", params={"account": "erin"}).json()["items"]
    kinds = [e["action"] for e in audit]
    assert kinds[0] == "set_limits" and "clear_limits" in kinds
    set_entry = audit[0]
    assert set_entry["before"] is None and set_entry["after"]["limits"]["messages_per_hour"] == 1


def test_reads_of_live_state(live, tokens, jp_address):
    _msg(live, "frank", jp_address, recipients=3)
    with live.client(tokens["viewer"]) as c:
        ov = c.get("/api/v1/overview", params={"window": 3600, "limit": 10}).json()
        assert {"time", "window", "totals", "top", "countries", "newest_alert_id"} <= set(ov)
        assert ov["totals"]["messages"] >= 1
        detail = c.get("/api/v1/accounts/frank").json()
        assert detail["usage"]["hour"] == {"messages": 1, "recipients": 3}
        assert detail["recent"] and detail["known"] in (True, False)
        series = c.get("/api/v1/accounts/frank/series", params={"window": 3600, "step": 300}).json()
        assert len(series["points"]) in (12, 13) and sum(p["messages"] for p in series["points"]) == 1
        countries = c.get("/api/v1/countries", params={"window": 3600}).json()
        assert "JP" in [i["country"] for i in countries["items"]]
        assert c.get("/api/v1/accounts/nobody-ever").status_code == 404
        assert c.get("/api/v1/alerts").json()["newest_id"] >= 0
        csv = c.get("/api/v1/accounts/frank/history.csv")
        assert csv.status_code == 200 and csv.text.startswith("hour,country,accepted_messages")
        assert c.get("/api/v1/trends", params={"days": 3}).status_code == 200


@pytest.mark.parametrize("body, fragment", [
    ({"limits": {"messages_per_minute": 3}, "reason": "x"}, "unknown field"),
    ({"limits": {"messages_per_hour": -1}, "reason": "x"}, "messages_per_hour"),
    ({"limits": {"messages_per_hour": 2.5}, "reason": "x"}, "messages_per_hour"),
    ({"limits": {"messages_per_hour": True}, "reason": "x"}, "messages_per_hour"),
    ({"limits": {"messages_per_hour": 10**30}, "reason": "x"}, "messages_per_hour"),
    ({"limits": {"messages_per_hour": 3}}, "reason"),
    ({"limits": {"messages_per_hour": 3}, "reason": "   "}, "reason"),
    ({"limits": {"messages_per_hour": 3}, "reason": "x" * 501}, "reason"),
    ({"limits": {"messages_per_hour": 3}, "reason": "a\nb"}, "one line"),
    ({"home_countries": [], "reason": "x"}, "home_countries"),
    ({"home_countries": ["ZZ"], "reason": "x"}, "country code"),
    ({"countries": {"XX": {"messages_per_day": 1}}, "reason": "x"}, "country code"),
    ({"limits": {"messages_per_hour": 3}, "expires_at": "2001-01-01T00:00:00Z", "reason": "x"}, "future"),
    ({"limits": {}, "reason": "x"}, "nothing to change"),
])
def test_bad_limits_are_422_with_one_line(live, tokens, body, fragment):
    with live.client(tokens["operator"]) as c:
        r = c.put("/api/v1/accounts/erin/limits", json=body)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and fragment in detail


def test_bad_requests_never_500(live, tokens):
    with live.client(tokens["admin"]) as c:
        assert c.get("/api/v1/accounts/" + "a" * 321).status_code == 422
        r = c.post("/api/v1/accounts/bob/suspend", content=b"{not json", headers={"content-type": "application/json"})
        assert r.status_code == 422 and "JSON" in r.json()["detail"]
        assert c.post("/api/v1/accounts/bob/suspend", json={"reason": "x", "until": "2000-01-01T00:00:00"}).status_code == 422
        assert c.get("/api/v1/overview", params={"window": "abc"}).status_code == 422
        assert c.get("/api/v1/accounts", params={"sort": "password"}).status_code == 422
        assert c.get("/api/v1/accounts/alice/series", params={"window": 3600, "step": 7}).status_code == 422


def test_metrics_count_policy_decisions_and_staff_suspensions(live, tokens, jp_address):
    import time

    def read(c) -> dict[str, float]:
        text = c.get("/metrics").text
        return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                if line and not line.startswith("#")}

    _msg(live, "judy", jp_address)
    with live.client(tokens["operator"]) as c:
        staff = 'fumidai_suspensions_total{by="staff"}'
        before = read(c)[staff]
        c.post("/api/v1/accounts/judy/suspend", json={"reason": "metrics"}).raise_for_status()
        deadline = time.monotonic() + 5
        # Staff actions are counted as the server reads them back from the audit log (twice a second).
        while (values := read(c))[staff] == before and time.monotonic() < deadline:
            time.sleep(0.1)
    assert values['fumidai_policy_decisions_total{action="DUNNO"}'] >= 1
    assert values["fumidai_policy_latency_seconds_count"] >= 1
    assert values['fumidai_suspensions_total{by="staff"}'] >= 1
    assert values['fumidai_api_requests_total{method="POST",route="/api/v1/accounts/{account}/suspend",status="200"}'] >= 1
