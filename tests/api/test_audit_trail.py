"""Each staff action through the API leaves exactly one audit entry, in the transaction of its change."""

from __future__ import annotations

import time

import pytest

from tests.transactions import recording


def _audit_ids(c, account: str) -> list[dict]:
    return c.get("/api/v1/audit", params={"account": account}).json()["items"]


def _import(live, account: str) -> None:
    from fumidai.actions.staff import StaffActions

    actions = StaffActions(live.svc.store)
    live.call(actions.import_accounts, [{"account": account, "contact": f"{account}@example.jp", "name": "Owner",
                                        "language": "en", "home_countries": None}], "test")


@pytest.mark.parametrize("action, table, request_", [
    ("suspend", "suspensions", ("post", "suspend", {"reason": "audit trail"})),
    ("set_limits", "overrides", ("put", "limits", {"limits": {"messages_per_hour": 9}, "reason": "audit trail"})),
    ("notice", "notices", ("post", "notices", {"template": "warning", "language": "en",
                                               "idempotency_key": None})),
])
def test_one_audit_entry_in_the_transaction_of_the_change(live, tokens, action, table, request_):
    account = f"trail-{action}-{time.time_ns()}"
    _import(live, account)
    method, path, body = request_
    if body.get("idempotency_key", 0) is None:
        body = {**body, "idempotency_key": account}
    with live.client(tokens["operator"]) as c, recording() as tx:
        r = getattr(c, method)(f"/api/v1/accounts/{account}/{path}", json=body)
        assert r.status_code in (200, 201), r.text
        entries = _audit_ids(c, account)
    assert [e["action"] for e in entries] == [action]
    assert [t for t in tx.with_audit() if table in t] == [{"audit", table}]


def test_release_and_clear_limits_each_leave_one_entry_in_their_transaction(live, tokens):
    account = f"trail-undo-{time.time_ns()}"
    with live.client(tokens["operator"]) as c:
        c.post(f"/api/v1/accounts/{account}/suspend", json={"reason": "x"}).raise_for_status()
        c.put(f"/api/v1/accounts/{account}/limits", json={"limits": {"messages_per_hour": 9}, "reason": "x"}
              ).raise_for_status()
        with recording() as tx:
            c.post(f"/api/v1/accounts/{account}/release", json={"reason": "owner called"}).raise_for_status()
            c.request("DELETE", f"/api/v1/accounts/{account}/limits", json={"reason": "back"}).raise_for_status()
        entries = _audit_ids(c, account)
    assert [e["action"] for e in entries] == ["suspend", "set_limits", "release", "clear_limits"]
    assert tx.with_audit() == [{"audit", "suspensions"}, {"audit", "overrides"}]


def test_a_repeated_notice_key_audits_nothing_more(live, tokens):
    account = f"trail-again-{time.time_ns()}"
    _import(live, account)
    body = {"template": "warning", "language": "en", "idempotency_key": account}
    with live.client(tokens["operator"]) as c:
        assert c.post(f"/api/v1/accounts/{account}/notices", json=body).status_code == 201
        assert c.post(f"/api/v1/accounts/{account}/notices", json=body).status_code == 200
        assert [e["action"] for e in _audit_ids(c, account)] == ["notice"]


def _metrics(c) -> dict[str, float]:
    text = c.get("/metrics").text
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
            if line and not line.startswith("#")}


def test_metrics_count_staff_actions_made_from_the_command_line(live, config_data, monkeypatch, capsys):
    from fumidai.cli import main

    monkeypatch.delenv("FUMIDAI_CONFIG", raising=False)
    monkeypatch.setenv("FUMIDAI_STORAGE__URL", config_data["storage"]["url"])
    monkeypatch.setenv("FUMIDAI_API__LISTEN", config_data["api"]["listen"])
    from fumidai.store import repo

    account = f"metrics-cli-{time.time_ns()}"
    with live.svc.store.session() as s:
        newest = repo.newest_audit_id(s)
    with live.client() as c:  # /metrics answers loopback without a token
        deadline = time.monotonic() + 5  # the actions of earlier tests are counted first
        while c.get("/api/v1/health").json()["synced_audit_id"] < newest and time.monotonic() < deadline:
            time.sleep(0.05)
        before = _metrics(c)
        assert main(["account", "suspend", account, "--reason", "from a script"]) == 0
        assert "the running server has applied it" in capsys.readouterr().out
        after = _metrics(c)
    key = 'fumidai_staff_actions_total{action="suspend"}'
    assert after[key] == before.get(key, 0) + 1
    staff = 'fumidai_suspensions_total{by="staff"}'
    assert after[staff] == before[staff] + 1
