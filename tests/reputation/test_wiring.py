"""Reputation in the running product: the API's complaint routes, the command line's import reaching a
running server through the audit sync, the blocklist monitor stored and served, the key file at start.

Real parts: tests.harness.ServerThread (service, policy socket, API), `fumidai complaints import` as a
subprocess, a dnslib DNSBL on loopback.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from fumidai.config import settings_from_dict
from fumidai.errors import FumidaiError
from fumidai.serve import load_trace

from tests.conftest import free_port
from tests.harness import ServerThread

from .conftest import sample
from fumidai.sim.dnsbl import LISTED, dnsbl_server

APP = Path(__file__).resolve().parents[2] / "app"
TARO, HANAKO = "taro@example.jp", "hanako@example.jp"


def _settings(tmp_path, key_file, mmdb, **extra):
    data = {"geoip": {"database": str(mmdb)}, "api": {"listen": f"127.0.0.1:{free_port()}"},
            "storage": {"url": f"sqlite:///{tmp_path}/fumidai.db", "flush_interval": 0.2},
            "complaints": {"secret_file": str(key_file)}}
    data.update(extra)
    return settings_from_dict(data)


def _client(server, token):
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def _wait(condition, what: str, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"not within {seconds} s: {what}")


@pytest.fixture
def server(tmp_path, key_file, mmdb_path):
    with ServerThread(_settings(tmp_path, key_file, mmdb_path), api=True, reputation=True) as srv:
        srv.viewer = srv.call(srv.actions.add_staff, "viewer-1", "viewer", "test")
        srv.operator = srv.call(srv.actions.add_staff, "operator-1", "operator", "test")
        yield srv


def test_posted_reports_are_recorded_once_struck_and_suspend_at_the_threshold(server):
    with _client(server, server.viewer) as viewer, _client(server, server.operator) as operator:
        assert viewer.post("/api/v1/complaints", content=sample("jmrp.eml")).status_code == 403
        first = operator.post("/api/v1/complaints", content=sample("jmrp.eml"),
                              headers={"Content-Type": "message/rfc822"})
        assert first.status_code == 200, first.text
        answer = first.json()
        assert (answer["outcome"], answer["account"]) == ("recorded", TARO)
        assert answer["strike"]["verdict"] == "alert" and answer["strike"]["suspended"] is False
        assert server.service.complaint_counts[TARO] == 1  # the behaviour signal's input, at once
        again = operator.post("/api/v1/complaints", content=sample("jmrp.eml")).json()
        assert (again["outcome"], again["strike"]) == ("duplicate", None)

        outcomes = [operator.post("/api/v1/complaints", content=sample(n)).json()
                    for n in ("yahoo.eml", "spamcop.eml", "forwarded.eml")]
        by_account = {}
        for o in outcomes:
            assert o["outcome"] == "recorded"
            by_account.setdefault(o["account"], []).append(o["strike"])
        assert len(by_account[HANAKO]) == 1 and by_account[HANAKO][0]["verdict"] == "alert"
        last_taro = by_account[TARO][-1]
        assert last_taro["verdict"] == "suspend" and last_taro["suspended"] is True
        assert len(last_taro["complaint_ids"]) == 3
        # The policy server refuses the account's next message at its first RCPT.
        assert server.ask("RCPT", sasl_username=TARO).startswith("REJECT")

        mine = viewer.get(f"/api/v1/accounts/{TARO}/complaints").json()
        assert mine["account"] == TARO and len(mine["items"]) == 3
        assert [c["id"] for c in mine["items"]] == sorted(last_taro["complaint_ids"], reverse=True)
        everything = viewer.get("/api/v1/complaints").json()
        ids = [c["id"] for c in everything["items"]]
        assert ids == sorted(ids) and len(ids) == 4 and everything["newest_id"] == ids[-1]
        assert [c["id"] for c in viewer.get("/api/v1/complaints", params={"after_id": ids[1]}).json()["items"]] == ids[2:]

        # The suspension's audit entry names the complaints that made it.
        audit = viewer.get("/api/v1/audit", params={"account": TARO}).json()["items"]
        suspend = [e for e in audit if e["action"] == "suspend"]
        assert len(suspend) == 1 and suspend[0]["actor"] == "auto" and suspend[0]["reason"] == "complaints"
        assert sorted(suspend[0]["after"]["complaint_ids"]) == sorted(last_taro["complaint_ids"])


def test_unreadable_and_untraced_reports_are_answered_not_failed(server):
    with _client(server, server.operator) as operator:
        junk = operator.post("/api/v1/complaints", content=b"\x00\x01 not mail \xff").json()
        assert junk["outcome"] == "kept_aside" and junk["reason"]
        untraced = operator.post("/api/v1/complaints",
                                 content=sample("jmrp.eml").replace(b"X-Fumidai-Trace:", b"X-Other:")).json()
        assert untraced["outcome"] == "ignored" and "no X-Fumidai-Trace header" in untraced["reason"]
        forged = sample("jmrp.eml").replace(b"X-Fumidai-Trace: zR4", b"X-Fumidai-Trace: zR5")
        assert operator.post("/api/v1/complaints", content=forged).json()["outcome"] == "ignored"
        assert operator.get("/api/v1/complaints").json() == {"items": [], "newest_id": 0, "next_after_id": 0,
                                                        "kept_aside": 1}
        too_big = operator.post("/api/v1/complaints", content=b"x" * (server.settings.api.max_body + 1))
        assert too_big.status_code == 413


def test_a_store_that_fails_answers_503(server):
    operator = _client(server, server.operator)
    assert operator.get("/api/v1/me").status_code == 200  # the token is cached: the edge lets it in
    url = server.service.store.engine.url
    server.service.store.engine.dispose()
    db = Path(url.database)
    db.rename(db.with_suffix(".moved"))
    db.mkdir()  # a folder where the database was: every new connection fails
    try:
        r = operator.post("/api/v1/complaints", content=sample("jmrp.eml"))
        operator.close()
        assert (r.status_code, r.json()) == (503, {"detail": "store unavailable"})
    finally:
        db.rmdir()
        db.with_suffix(".moved").rename(db)


def test_the_command_line_import_reaches_the_running_server(server, tmp_path, key_file):
    config = tmp_path / "fumidai.toml"
    config.write_text(f'[storage]\nurl = "{server.settings.storage.url}"\n'
                      f'[complaints]\nsecret_file = "{key_file}"\n')
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FUMIDAI_")}
    environ["PYTHONPATH"] = str(APP)
    mbox = tmp_path / "abuse.mbox"
    mbox.write_bytes(b"".join(b"From abuse Tue Dec  8 05:00:00 2026\n" + sample(n) + b"\n"
                              for n in ("jmrp.eml", "yahoo.eml", "spamcop.eml", "forwarded.eml")))
    r = subprocess.run([sys.executable, "-m", "fumidai.cli", "complaints", "import", "--config", str(config), str(mbox)],
                       capture_output=True, env=environ, timeout=120)
    assert r.returncode == 0, r.stderr
    assert b"4 recorded" in r.stdout and b"suspended taro@example.jp" in r.stdout
    # The audit sync (twice a second) recounts the complaints and applies the suspension.
    _wait(lambda: server.service.complaint_counts.get(TARO) == 3 and server.service.complaint_counts.get(HANAKO) == 1,
          "complaint counts synced")
    _wait(lambda: server.service.account_status(TARO, time.time())[0] == "suspended", "suspension synced")
    # A restart loads the counts from the store.
    server.restart()
    assert server.service.complaint_counts == {TARO: 3, HANAKO: 1}


def test_blocklist_monitor_runs_with_the_server_and_keeps_its_state(tmp_path, key_file, mmdb_path):
    port = free_port()
    with dnsbl_server(port) as dns:
        dns.table["10.113.0.203.zen.test"] = LISTED("127.0.0.2", "Listed in SBL; <b>see</b> https://check.test/")
        settings = _settings(tmp_path, key_file, mmdb_path, blocklists={
            "egress": ["203.0.113.10"], "nameservers": [f"127.0.0.1:{port}"], "timeout": 1,
            "zones": [{"zone": "zen.test", "listed": {"127.0.0.2": "SBL"}, "delist_url": "https://check.test/"},
                      "plain.test"]})
        with ServerThread(settings, policy=False, api=True, reputation=True) as srv:
            token = srv.call(srv.actions.add_staff, "viewer-1", "viewer", "test")
            with _client(srv, token) as viewer:
                _wait(lambda: len(viewer.get("/api/v1/blocklists").json()["items"]) == 2, "a stored round")
                answer = viewer.get("/api/v1/blocklists").json()
                assert answer["egress"] == ["203.0.113.10"] and answer["zones"] == ["zen.test", "plain.test"]
                shown = {i["zone"]: i for i in answer["items"]}
                assert shown["zen.test"]["status"] == "listed" and shown["zen.test"]["meaning"] == "SBL"
                assert shown["zen.test"]["txt"] == "Listed in SBL; <b>see</b> https://check.test/"  # data, as sent
                assert shown["zen.test"]["delist_url"] == "https://check.test/"
                assert shown["plain.test"]["status"] == "not_listed" and shown["plain.test"]["delist_url"] == ""
                alerts = viewer.get("/api/v1/alerts").json()["items"]
                assert [(a["kind"], a["account"]) for a in alerts] == [("blocklist_listed", "203.0.113.10")]
                metrics = httpx.get(f"{srv.url}/metrics").text
                assert 'fumidai_blocklist_listed{egress="203.0.113.10",zone="zen.test"} 1.0' in metrics
            # After a restart the stored state is the starting point: still listed, no second alert.
            srv.restart()
            monitor = srv.reputation.monitor
            assert monitor.states[("203.0.113.10", "zen.test")].listed is True
            _wait(lambda: monitor.rounds >= 1, "a round after the restart")
            with _client(srv, token) as viewer:
                assert len(viewer.get("/api/v1/alerts").json()["items"]) == 1


def test_the_default_key_file_is_made_at_first_start_and_a_named_one_must_exist(tmp_path):
    settings = settings_from_dict({"storage": {"url": f"sqlite:///{tmp_path}/state/fumidai.db"}})
    (tmp_path / "state").mkdir()
    tracer = load_trace(settings)
    made = tmp_path / "state" / "trace.key"
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert tracer.action("alice").startswith("PREPEND X-Fumidai-Trace: ")
    assert load_trace(settings).action("alice") == tracer.action("alice")  # the same key the next time
    named = settings_from_dict({"complaints": {"secret_file": str(tmp_path / "etc" / "trace.key")}})
    with pytest.raises(FumidaiError, match=r"\[complaints\] secret_file .*no such file.*keygen"):
        load_trace(named)
    assert not (tmp_path / "etc").exists()
    assert load_trace(settings_from_dict({"complaints": {"trace_header": ""}})) is None


def test_check_config_reads_the_key_file_and_creates_nothing(tmp_path, mmdb_path, key_file):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FUMIDAI_")}
    environ["PYTHONPATH"] = str(APP)
    config = tmp_path / "fumidai.toml"

    def check(secret_file: str) -> subprocess.CompletedProcess:
        config.write_text(f'[storage]\nurl = "sqlite:///{tmp_path}/state/fumidai.db"\n[geoip]\ndatabase = "{mmdb_path}"\n'
                          f'[complaints]\nsecret_file = "{secret_file}"\n')
        return subprocess.run([sys.executable, "-m", "fumidai.cli", "check-config", "--config", str(config)],
                              capture_output=True, text=True, env=environ, timeout=60)

    r = check("")
    assert r.returncode == 0, r.stderr
    assert "trace.key does not exist yet; fumidai serve makes it at its first start" in r.stderr
    assert not (tmp_path / "state" / "trace.key").exists()
    r = check(str(key_file))
    assert r.returncode == 0 and f"trace keys: {key_file}, 1 key(s)" in r.stderr
    r = check(str(tmp_path / "gone.key"))
    assert r.returncode == 2 and "[complaints] secret_file" in r.stderr and "keygen" in r.stderr
    key_file.chmod(0o644)
    r = check(str(key_file))
    assert r.returncode == 2 and "chmod 600" in r.stderr and "Traceback" not in r.stderr


def test_a_listing_names_the_accounts_that_sent_most_in_the_hours_before_it(tmp_path, key_file, mmdb_path):
    from fumidai.store.db import Store
    from fumidai.store.repo import add_buckets

    port = free_port()
    now_minute = int(time.time() // 60)
    settings = _settings(tmp_path, key_file, mmdb_path, blocklists={
        "egress": ["203.0.113.10", "203.0.113.11"], "nameservers": [f"127.0.0.1:{port}"], "timeout": 1,
        "zones": ["zen.test"]})
    store = Store(settings.storage.url)
    store.upgrade()
    with store.session() as s:  # what the flusher would have stored: (account, minute, country, am, ar, rm, rr)
        add_buckets(s, [("spammer@example.jp", now_minute - 30, "CN", 40, 400, 5, 50),
                        ("spammer@example.jp", now_minute - 20, "CN", 20, 200, 0, 0),
                        ("busy@example.jp", now_minute - 150, "JP", 30, 30, 0, 0),
                        ("refused@example.jp", now_minute - 10, "US", 0, 0, 9, 90),  # sent nothing: not named
                        ("early@example.jp", now_minute - 8 * 60, "JP", 500, 500, 0, 0),  # before the 6 hours
                        ("later@example.jp", now_minute + 30, "JP", 900, 900, 0, 0)])  # after the listing
    store.dispose()
    with dnsbl_server(port) as dns:
        dns.table["10.113.0.203.zen.test"] = LISTED()
        with ServerThread(settings, policy=False, api=True, reputation=True) as srv:
            token = srv.call(srv.actions.add_staff, "viewer-1", "viewer", "test")
            with _client(srv, token) as viewer:
                _wait(lambda: len(viewer.get("/api/v1/blocklists").json()["items"]) == 2, "a stored round")
                listed = viewer.get("/api/v1/blocklists/203.0.113.10/senders").json()
                assert listed["egress"] == "203.0.113.10" and listed["listed"] is True
                assert listed["zones"] == ["zen.test"] and listed["hours"] == 6 and listed["listed_at"]
                assert [(i["account"], i["messages"], i["recipients"], i["refused"]) for i in listed["items"]] == [
                    ("spammer@example.jp", 60, 600, 5), ("busy@example.jp", 30, 30, 0)]
                short = viewer.get("/api/v1/blocklists/203.0.113.10/senders", params={"hours": 2, "limit": 5}).json()
                assert [i["account"] for i in short["items"]] == ["spammer@example.jp"]
                clean = viewer.get("/api/v1/blocklists/203.0.113.11/senders").json()
                assert (clean["listed"], clean["listed_at"], clean["items"]) == (False, None, [])
                for bad in ("198.51.100.1", "not-an-address"):
                    assert viewer.get(f"/api/v1/blocklists/{bad}/senders").status_code == 404
                assert viewer.get("/api/v1/blocklists/203.0.113.10/senders", params={"hours": 0}).status_code == 422


def test_account_rows_carry_the_complaint_count(server):
    with _client(server, server.operator) as operator:
        common = {"sasl_username": TARO, "instance": "1.test.0"}
        assert server.ask("RCPT", recipient="someone@example.net", **common) == "DUNNO"
        assert server.ask("DATA", recipient_count="1", **common).startswith("PREPEND X-Fumidai-Trace: ")
        live = {"q": "taro", "status": "active", "sort": "-rate", "window": 3600}  # the live path: no store record
        before = operator.get("/api/v1/accounts", params=live).json()["items"]
        assert [(r["account"], r["complaints"]) for r in before] == [(TARO, 0)]
        assert operator.post("/api/v1/complaints", content=sample("jmrp.eml")).json()["outcome"] == "recorded"
        after = operator.get("/api/v1/accounts", params=live).json()["items"]
        assert [(r["account"], r["complaints"]) for r in after] == [(TARO, 1)]
        top = operator.get("/api/v1/overview", params={"window": 3600}).json()["top"]
        assert {r["account"]: r["complaints"] for r in top}.get(TARO) == 1
