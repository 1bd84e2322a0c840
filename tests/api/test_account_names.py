"""One canonical account name everywhere (issue 15): API paths and the command line act on the
account the policy path counts, whatever the spelling staff type."""

from __future__ import annotations

import time


def test_spellings_in_api_paths_reach_the_one_account(live, tokens):
    account = f"alice{time.time_ns()}"
    with live.client(tokens["operator"]) as c:
        r = c.post(f"/api/v1/accounts/{account.upper()}/suspend", json={"reason": "hijacked"})
        assert r.status_code == 200, r.text
        assert r.json()["account"] == account
        wide = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in account)  # full-width
        shown = c.get(f"/api/v1/accounts/{wide}").json()
        assert shown["account"] == account and shown["status"] == "suspended"
        assert c.get("/api/v1/accounts/bad%01name").status_code == 422


def test_acting_on_an_account_never_seen_works_and_says_so(live, tokens):
    """Staff may stop an account ahead of its first message; the answer says it is not known."""
    name = f"nobody{time.time_ns()}"
    with live.client(tokens["operator"]) as c:
        assert c.get(f"/api/v1/accounts/{name}").status_code == 404
        r = c.post(f"/api/v1/accounts/{name.upper()}/suspend", json={"reason": "reported by a partner"})
        assert r.status_code == 200 and r.json()["known"] is False and r.json()["account"] == name
