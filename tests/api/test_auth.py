"""Tokens and roles against the real service and store."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest


def _cli(config_data, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FUMIDAI_STORAGE__URL": config_data["storage"]["url"]}
    env.pop("FUMIDAI_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "fumidai.cli", "staff", *args], env=env,
                          capture_output=True, text=True, timeout=60)


def test_health_needs_no_token(live):
    with live.client() as c:
        r = c.get("/api/v1/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["time"].endswith("Z") and body["version"]


@pytest.mark.parametrize("path", ["/api/v1/overview", "/api/v1/accounts", "/api/v1/alerts", "/api/v1/audit",
                                  "/api/v1/countries", "/api/v1/accounts/alice"])
def test_reads_need_a_token(live, path):
    with live.client() as c:
        r = c.get(path)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert isinstance(r.json()["detail"], str)


def test_bad_token_is_401(live):
    with live.client("not-a-token") as c:
        r = c.get("/api/v1/overview")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    with live.client("x" * 5000) as c:
        assert c.get("/api/v1/overview").status_code == 401


def test_viewer_reads_but_may_not_act(live, tokens):
    with live.client(tokens["viewer"]) as c:
        assert c.get("/api/v1/overview").status_code == 200
        r = c.post("/api/v1/accounts/alice/suspend", json={"reason": "test"})
        assert r.status_code == 403
        assert "operator" in r.json()["detail"]
        assert c.put("/api/v1/accounts/alice/limits", json={"limits": {"messages_per_day": 1},
                                                            "reason": "x"}).status_code == 403


@pytest.mark.slow  # runs the command line as processes
def test_cli_token_works_at_once_and_revoke_stops_it(live, config_data):
    add = _cli(config_data, "add", "carol", "--role", "operator")
    assert add.returncode == 0, add.stderr
    token = add.stdout.strip()
    assert len(add.stdout.splitlines()) == 1 and len(token) >= 32  # only the token on stdout
    with live.client(token) as c:
        assert c.get("/api/v1/overview").status_code == 200  # first use: a cache miss asks the store
        listed = _cli(config_data, "list")
        assert "carol\toperator\tactive" in listed.stdout
        again = _cli(config_data, "add", "carol", "--role", "admin")
        assert again.returncode == 2 and "already exists" in again.stderr and not again.stdout
        revoke = _cli(config_data, "revoke", "carol")
        assert revoke.returncode == 0, revoke.stderr
        deadline = time.monotonic() + 6
        while c.get("/api/v1/overview").status_code == 200:
            assert time.monotonic() < deadline, "a revoked token still works after 6 s"
            time.sleep(0.25)
        assert c.get("/api/v1/overview").status_code == 401
    assert _cli(config_data, "revoke", "carol").returncode == 2


def test_metrics_open_on_loopback_only(live, tokens):
    with live.client() as c:
        assert c.get("/api/v1/health").status_code == 200  # counted below, whatever ran before
        r = c.get("/metrics")
    assert r.status_code == 200
    assert "fumidai_policy_latency_seconds_bucket" in r.text
    assert 'fumidai_api_requests_total{method="GET",route="/api/v1/health",status="200"}' in r.text


def test_me_names_the_token_holder_and_role(live, tokens):
    with live.client(tokens["viewer"]) as c:
        assert c.get("/api/v1/me").json() == {"name": "viewer-1", "role": "viewer"}
    with live.client() as c:
        assert c.get("/api/v1/me").status_code == 401
