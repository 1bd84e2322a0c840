"""Travel and trust permissions and probation clears: API and command line, audit, live effect, bad input."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.transactions import recording


def _when(days: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(days=days)).isoformat()


def _on_probation(live, account: str):
    """Put the account on probation in the running server, as the policy path would."""
    from fumidai.behaviour import Recent, Tier, Verdict

    def start():
        recent = live.svc.recent.setdefault(account, Recent())
        recent.probation_since = recent.probation_at = time.time()
        recent.probation_new = 2
        # What the policy path keeps: when, and the verdict that put the account on probation.
        live.svc.risk[account] = (time.time(), Verdict(Tier.PROBATION, 60, (), False, False, probation=True))
        return recent

    return live.call(start)


def _actions(c, account: str) -> list[str]:
    return [e["action"] for e in c.get("/api/v1/audit", params={"account": account}).json()["items"]]


def test_travel_through_the_api_is_audited_shown_and_live(live, tokens):
    account = f"travel-{time.time_ns()}"
    live.call(live.actions.import_accounts, [{"account": account, "contact": "", "name": "", "language": "ja",
                                             "home_countries": None}], "test")
    with live.client(tokens["operator"]) as c, recording() as tx:
        r = c.put(f"/api/v1/accounts/{account}/permissions/travel",
                  json={"countries": ["us", "KR"], "expires_at": _when(7), "reason": "holiday in Seoul"})
        assert r.status_code == 200, r.text
        travel = r.json()["permissions"]["travel"]
        assert travel["items"] == ["KR", "US"] and travel["active"] and travel["set_by"] == "operator-1"
        assert r.json()["permissions"]["trust"] is None
        assert [t for t in tx.with_audit()] == [{"audit", "permissions"}]
        assert _actions(c, account) == ["set_travel"]
        perms = live.svc.permissions[account]
        assert perms.allows_travel("KR", time.time()) and not perms.allows_travel("CN", time.time())
        shown = c.get(f"/api/v1/accounts/{account}").json()["permissions"]
        assert shown == {"travel": travel, "trust": None}

        r = c.request("DELETE", f"/api/v1/accounts/{account}/permissions/travel", json={"reason": "back home"})
        assert r.status_code == 200, r.text
        assert r.json()["permissions"]["travel"] is None
        assert _actions(c, account) == ["set_travel", "clear_travel"]
    assert account not in live.svc.permissions


def test_trust_and_probation_clear_through_the_api(live, tokens):
    account = f"trust-{time.time_ns()}"
    with live.client(tokens["operator"]) as c:
        r = c.put(f"/api/v1/accounts/{account}/permissions/trust",
                  json={"signals": ["new_country", "volume"], "expires_at": _when(30), "reason": "newsletter"})
        assert r.status_code == 200, r.text
        assert r.json()["permissions"]["trust"]["items"] == ["new_country", "volume"]
        assert live.svc.permissions[account].waives("volume", time.time())
        assert not live.svc.permissions[account].waives("cohort", time.time())

        recent = _on_probation(live, account)
        with recording() as tx:
            r = c.post(f"/api/v1/accounts/{account}/probation/clear", json={"reason": "owner confirmed"})
        assert r.status_code == 200, r.text
        assert tx.with_audit() == [{"audit"}]
        assert account not in live.svc.risk and not recent.on_probation(time.time(), 3600)
        assert _actions(c, account) == ["set_trust", "clear_probation"]


@pytest.mark.parametrize("path, body, words", [
    ("travel", {"countries": ["XQ"], "expires_at": 7, "reason": "r"}, "countries: 'XQ' is not an ISO"),
    ("travel", {"countries": ["US"], "expires_at": -1, "reason": "r"}, "expires_at: must be in the future"),
    ("travel", {"countries": ["US"], "expires_at": 91, "reason": "r"}, "expires_at: at most 90 days"),
    ("travel", {"countries": [], "expires_at": 7, "reason": "r"}, "countries"),
    ("travel", {"countries": ["US"], "reason": "r"}, "expires_at"),
    ("trust", {"signals": ["new_country", "charm"], "expires_at": 7, "reason": "r"}, "signals: 'charm' is not a signal"),
])
def test_bad_permissions_are_refused_with_422_naming_the_field(live, tokens, path, body, words):
    account = f"bad-{time.time_ns()}"
    if "expires_at" in body:
        body = {**body, "expires_at": _when(body["expires_at"])}
    with live.client(tokens["operator"]) as c:
        r = c.put(f"/api/v1/accounts/{account}/permissions/{path}", json=body)
        assert r.status_code == 422 and words in r.json()["detail"], r.text
        assert _actions(c, account) == []


def test_viewers_cannot_change_permissions(live, tokens):
    with live.client(tokens["viewer"]) as c:
        r = c.put("/api/v1/accounts/someone/permissions/travel",
                  json={"countries": ["US"], "expires_at": _when(1), "reason": "r"})
        assert r.status_code == 403


def test_clearing_a_permission_that_is_not_there_is_404(live, tokens):
    with live.client(tokens["operator"]) as c:
        r = c.request("DELETE", f"/api/v1/accounts/none-{time.time_ns()}/permissions/trust", json={"reason": "r"})
        assert r.status_code == 404 and "no trust permission" in r.json()["detail"]


def _cli_env(monkeypatch, config_data) -> None:
    monkeypatch.delenv("FUMIDAI_CONFIG", raising=False)
    monkeypatch.setenv("FUMIDAI_STORAGE__URL", config_data["storage"]["url"])
    monkeypatch.setenv("FUMIDAI_API__LISTEN", config_data["api"]["listen"])


def test_the_command_line_sets_and_clears_on_a_running_server(live, tokens, config_data, monkeypatch, capsys):
    from fumidai.cli import main

    _cli_env(monkeypatch, config_data)
    account = f"cli-travel-{time.time_ns()}"
    assert main(["account", "travel", account, "--countries", "US,kr", "--until", "7d", "--reason", "trip"]) == 0
    assert "the running server has applied it" in capsys.readouterr().out
    assert live.svc.permissions[account].allows_travel("KR", time.time())
    assert main(["account", "trust", account, "--signals", "*", "--until", "2d", "--reason", "vip"]) == 0
    assert "the running server has applied it" in capsys.readouterr().out
    assert live.svc.permissions[account].waives("cohort", time.time())
    assert main(["account", "travel", account, "--clear", "--reason", "home"]) == 0
    capsys.readouterr()
    assert not live.svc.permissions[account].allows_travel("KR", time.time())
    recent = _on_probation(live, account)
    assert main(["account", "clear-probation", account, "--reason", "checked"]) == 0
    assert "the running server has applied it" in capsys.readouterr().out
    assert account not in live.svc.risk and not recent.on_probation(time.time(), 3600)
    with live.client(tokens["viewer"]) as c:
        assert _actions(c, account) == ["set_travel", "set_trust", "clear_travel", "clear_probation"]


@pytest.mark.parametrize("args, words", [
    (["--countries", "US,XQ", "--until", "7d"], "'XQ' is not an ISO"),
    (["--countries", "US", "--until", "120d"], "at most 90 days"),
    (["--countries", "US"], "give --countries and --until"),
])
def test_the_command_line_refuses_bad_travel_with_exit_2(live, config_data, monkeypatch, capsys, args, words):
    from fumidai.cli import main

    _cli_env(monkeypatch, config_data)
    assert main(["account", "travel", "someone", *args, "--reason", "r"]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1


def test_the_command_line_refuses_an_unknown_signal_with_exit_2(live, config_data, monkeypatch, capsys):
    from fumidai.cli import main

    _cli_env(monkeypatch, config_data)
    assert main(["account", "trust", "someone", "--signals", "luck", "--until", "1d", "--reason", "r"]) == 2
    assert "'luck' is not a signal code" in capsys.readouterr().err
