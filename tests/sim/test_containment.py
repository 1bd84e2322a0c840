"""The containment report is stable: the same seed against a fresh `fumidai serve`, twice.

The plan is seeded, so what was *sent* is identical in both runs. What the server *did*
with it is mostly determined too, but not all of it: the simulator keeps up to 16 messages
in flight, so when a hijacker's messages overlap (a burst sends one every 3 simulated
seconds, 8 ms of real time here, while each message takes tens of RCPT requests), which
RCPT crosses the hourly recipient quota first depends on scheduling. So:

- exact: per hijack its kind, countries, spam messages and recipients sent, stopped or
  not; what the hijacks that no
  quota or cap stops (mimic, cohort) got out; honest users' refusals (none at home; from
  abroad, those past the cap of 20 a day); how many messages each honest kind sent;
- bounded: what gets out from abroad (at most the cap of 20 a day; behaviour analysis,
  which here has no history to go by, may stop a botnet's many countries sooner, and a slow
  hijack at its eleventh message in an hour: on a loaded machine the simulator sends late,
  one run's messages can fall across two of the server's hours and reach the cap instead, seen
  once in CI as 10 held against 20 refused); a
  quota-stopped hijack's escaped recipients (at most the hourly quota of 300
  plus one message's worth) and its time to stop; the refusals of heavy senders without
  an override (they hit their quota at timing-dependent moments).
- not compared: times to stop between the runs. They are measured on the simulated clock
  when each message actually went out, and on a busy machine the simulator sends late
  (one real second is six simulated minutes here): the same slow hijack measured 19.8
  and 24.4 minutes in two runs with identical counts.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fumidai.geo.build import build_demo
from fumidai.sim.kinds import HIJACK_KINDS

from tests.conftest import free_port

from .conftest import stop_process

TIME_SCALE = 360  # one simulated hour in 10 s
SIM_ARGS = ["--seed", "11", "--duration", "1h", "--time-scale", str(TIME_SCALE)]  # other options: the defaults


def start_server(folder: Path, mmdb: Path) -> tuple[subprocess.Popen, str]:
    folder.mkdir()
    policy, api = free_port(), free_port()
    config = folder / "fumidai.toml"
    config.write_text(f'[policy]\nlisten = "127.0.0.1:{policy}"\n[api]\nlisten = "127.0.0.1:{api}"\n'
                      f'[storage]\nurl = "sqlite:///{folder / "fumidai.db"}"\n[geoip]\ndatabase = "{mmdb}"\n',
                      encoding="utf-8")
    with open(folder / "serve.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "fumidai.cli", "serve", "--config", str(config),
                                 "--time-scale", str(TIME_SCALE)], stdout=log, stderr=subprocess.STDOUT)
    return proc, f"127.0.0.1:{policy}"


def wait_listening(proc: subprocess.Popen, address: str, log: Path) -> None:
    host, port = address.rsplit(":", 1)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"fumidai serve exited: {log.read_text(errors='replace')[-500:]}")
        try:
            socket.create_connection((host, int(port)), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail("fumidai serve did not listen within 40 s")


def simulate(policy: str, out: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "fumidai.cli", "simulate", "--policy", policy, *SIM_ARGS,
                           "--report", "json", "--report-file", str(out)], capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stderr, proc.stderr  # every message got an answer
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture
def two_servers(tmp_path):
    """Two fresh servers (separate stores), started side by side to save time."""
    mmdb = build_demo(tmp_path / "demo.mmdb").path
    servers = [start_server(tmp_path / name, mmdb) for name in ("a", "b")]
    try:
        for (proc, address), name in zip(servers, "ab"):
            wait_listening(proc, address, tmp_path / name / "serve.log")
        yield [address for _, address in servers]
    finally:
        for proc, _ in servers:
            stop_process(proc)


def test_same_seed_same_containment(two_servers, tmp_path):
    first, second = (simulate(policy, tmp_path / f"report-{i}.json") for i, policy in enumerate(two_servers))

    exact = ("account", "kind", "countries", "spam_messages", "spam_recipients", "stopped")
    a = {h["account"]: h for h in first["hijacks"]}
    b = {h["account"]: h for h in second["hijacks"]}
    assert a.keys() == b.keys() and len(a) == len(HIJACK_KINDS)
    assert {h["kind"] for h in a.values()} == set(HIJACK_KINDS)
    for account, ha in a.items():
        hb = b[account]
        assert {k: ha[k] for k in exact} == {k: hb[k] for k in exact}
        if ha["kind"] in ("slow", "multi"):  # from abroad: the cap of 20 a day, or behaviour analysis before it
            assert ha["stopped"], ha
            assert ha["escaped_messages"] <= 20 and hb["escaped_messages"] <= 20, (ha, hb)
            if ha["stopped_by"] == hb["stopped_by"]:  # stopped the same way: by about the same message
                assert abs(ha["escaped_messages"] - hb["escaped_messages"]) <= 2, (ha, hb)
            else:  # one held at its 11th message in an hour (new country + volume), the other's spread over two
                sooner = min((ha, hb), key=lambda h: h["escaped_messages"])
                assert sooner["stopped_by"] in ("held", "filtered"), (ha, hb)
        elif ha["kind"] in ("burst", "proxy"):  # stopped by the hourly quota of 300 recipients (at most 50 per message)
            assert ha["stopped"], ha
            for h in (ha, hb):
                assert h["escaped_recipients"] <= 300 + 50, h
                assert h["stopped_after_minutes"] <= 5, h
            assert abs(ha["escaped_messages"] - hb["escaped_messages"]) <= 2, (ha, hb)
        else:  # mimic, cohort: under every quota and cap, so today nothing stops them (issue 11)
            assert (ha["escaped_messages"], ha["escaped_recipients"]) == (hb["escaped_messages"], hb["escaped_recipients"])

    for kind in ("honest", "newsletter", "new"):  # at home, within the quotas
        ra, rb = first["honest"][kind], second["honest"][kind]
        assert ra["messages"] == rb["messages"] > 0, kind
        assert ra["deferred"] + ra["rejected"] == rb["deferred"] + rb["rejected"] == 0, (kind, ra, rb)
    # From abroad: the busy relay, VPN user and traveller pass the abroad cap of 20 a day and
    # are refused past it (issue 11 is to stop that), the same messages in both runs.
    abroad = [(first["honest"][k], second["honest"][k]) for k in ("relay", "vpn", "traveller")]
    for ra, rb in abroad:
        assert ra["messages"] == rb["messages"] > 0 and ra["rejected"] == rb["rejected"], (ra, rb)
    assert sum(ra["rejected"] for ra, _ in abroad) > 0
    heavy_a, heavy_b = first["honest"]["heavy"], second["honest"]["heavy"]
    assert heavy_a["messages"] == heavy_b["messages"]
    assert abs(heavy_a["rejected"] - heavy_b["rejected"]) <= max(5, heavy_a["messages"] // 20), (heavy_a, heavy_b)
    assert first["totals"]["hijacks_stopped"] == second["totals"]["hijacks_stopped"]
