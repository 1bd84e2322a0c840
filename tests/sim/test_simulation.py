"""Whole simulations: a population played against a policy server, and the report it gives."""

from __future__ import annotations

import asyncio
import json
import time

from fumidai import cli
from fumidai.sim.client import PolicyClient, Submission
from fumidai.sim.population import Population, SimConfig
from fumidai.sim.report import build_report
from fumidai.sim.runner import run_plan
from tests.conftest import free_port


def test_a_hijack_is_stopped_and_the_report_shows_it(ranges, rule_server):
    pop = Population(SimConfig(accounts=60, rate=8, duration=420, hijacks=2, hijack_kinds=("burst", "proxy"),
                               seed=21), ranges)
    plan = pop.plan()

    async def go():
        async with rule_server(limit=10) as server:
            async with PolicyClient(server.address, connections=4) as client:
                results = await run_plan(plan, client, time_scale=0)
            return results, server

    results, server = asyncio.run(go())
    assert len(results) == len(plan) and server.connections <= 4
    report = build_report(results)
    hijacks = {h["account"]: h for h in report["hijacks"]}
    assert set(hijacks) == {a.name for a in pop.hijacked}
    for h in hijacks.values():
        assert h["stopped"] and h["spam_messages"] > 50
        # The rule lets 10 messages through DATA (the owner's own included), then suspends; a
        # message between DATA and END-OF-MESSAGE while another suspends the account is refused
        # at END-OF-MESSAGE, as with Postfix.
        owner_accepted = h["owner_messages"] - h["owner_refused"]
        assert server.data_count[h["account"]] == 11
        assert 10 - 3 <= h["escaped_messages"] + owner_accepted <= 10
        assert h["refused_messages"] == h["spam_messages"] - h["escaped_messages"]
        assert h["stop_action"].startswith("REJECT 5.7.1")
        assert h["stopped_after_minutes"] > 0
    # The heavy sender passes 10 too: the honest false positive an override prevents.
    heavy = report["honest"]["heavy"]
    assert heavy["accounts_refused"] == 1 and server.data_count[heavy_account(results)] == 11
    assert report["honest"]["honest"]["rejected"] == 0


def heavy_account(results) -> str:
    return next(r.account for r in results if r.kind == "heavy")


def test_pacing_follows_the_time_scale(ranges, rule_server):
    plan = [Submission(account="a@isp.example", recipients=("x@example.net",), client_address="198.51.100.7",
                       at=at, seq=i) for i, at in enumerate((0.0, 60.0, 120.0))]

    async def go():
        async with rule_server() as server:
            async with PolicyClient(server.address) as client:
                start = time.perf_counter()
                results = await run_plan(plan, client, time_scale=600)  # a simulated minute per 0.1 s
                return results, time.perf_counter() - start

    results, wall = asyncio.run(go())
    assert 0.2 <= wall < 1.5
    for res, at in zip(results, (0, 60, 120)):
        assert at <= res.sent_at < at + 30


def test_simulate_command_writes_the_report(threaded_rule_server, tmp_path, capsys):
    server = threaded_rule_server(limit=15)
    out = tmp_path / "report.json"
    code = cli.main(["simulate", "--policy", server.address, "--accounts", "50", "--rate", "5",
                     "--duration", "10m", "--hijacks", "1", "--hijack-kinds", "burst", "--seed", "3",
                     "--time-scale", "0", "--concurrency", "4", "--report", "json", "--report-file", str(out)])
    assert code == 0
    report = json.loads(out.read_text())
    assert report["totals"]["hijacks"] == 1 and report["totals"]["hijacks_stopped"] == 1
    assert report["hijacks"][0]["kind"] == "burst"
    assert report["totals"]["messages"] == len({r["instance"] for r in server.requests})
    assert "simulating" in capsys.readouterr().err


def test_simulate_command_unreachable_server_is_one_line(capsys):
    port = free_port()
    code = cli.main(["simulate", "--policy", f"127.0.0.1:{port}", "--time-scale", "0"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err == f"fumidai: error: cannot reach the policy server at 127.0.0.1:{port}: " \
                  "connection refused (is `fumidai serve` running there?)"


def test_simulate_command_rejects_bad_options(capsys):
    assert cli.main(["simulate", "--policy", "nohost", "--time-scale", "0"]) == 2
    assert "not HOST:PORT" in capsys.readouterr().err


def test_simulate_several_seeds_with_history_and_config(threaded_rule_server, tmp_path, capsys, mmdb_path):
    server = threaded_rule_server(limit=1000)
    config = tmp_path / "fumidai.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{tmp_path / "fumidai.db"}"\n[geoip]\ndatabase = "{mmdb_path}"\n',
                      encoding="utf-8")
    out = tmp_path / "report.json"
    code = cli.main(["simulate", "--policy", server.address, "--accounts", "60", "--rate", "5", "--duration", "10m",
                     "--seeds", "1,2", "--time-scale", "0", "--concurrency", "4", "--config", str(config),
                     "--history-days", "0.5", "--history-out", str(tmp_path / "history.log.gz"),
                     "--report", "json", "--report-file", str(out)])
    assert code == 0
    err = capsys.readouterr().err
    report = json.loads(out.read_text())
    assert set(report["seeds"]) == {"1", "2"} and report["summary"]["seeds"] == [1, 2]
    for seed in ("1", "2"):
        assert (tmp_path / f"history.seed{seed}.log.gz").stat().st_size > 1000  # one maillog per seed
        # Each seed's accounts under their own domain, so that two runs on one server never meet.
        assert all(h["account"].endswith(f"@seed{seed}.isp.example") or h["kind"] == "cohort"
                   for h in report["seeds"][seed]["hijacks"])
        assert report["seeds"][seed]["honest"]["own-limits"]["messages"] > 0  # the bulk sender that asked
    assert len(report["summary"]["checks"]) == 4
    if "invalid choice" in err or "no `baseline import`" in err:  # a fumidai without the importer: said once
        assert err.count("no `baseline import`; simulating without history") == 1
    else:
        assert "history:" in err


def test_history_only_needs_no_server(tmp_path, capsys):
    out = tmp_path / "history.log"
    code = cli.main(["simulate", "--history-only", "--accounts", "60", "--rate", "5", "--seed", "4",
                     "--history-days", "0.25", "--history-out", str(out)])
    assert code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines and all(" postfix/" in line for line in lines)
    assert "history:" in capsys.readouterr().err
    assert cli.main(["simulate", "--time-scale", "0"]) == 2  # without --history-only a server is needed
    assert "--policy HOST:PORT is required" in capsys.readouterr().err
