"""The simulator against the real `fumidai serve`: default limits contain every kind of hijack."""

from __future__ import annotations

import asyncio

from fumidai.sim.client import PolicyClient
from fumidai.sim.population import Population, SimConfig, demo_ranges
from fumidai.sim.report import build_report
from fumidai.sim.runner import run_plan

TIME_SCALE = 240  # 10 simulated minutes in 2.5 s


def test_default_limits_stop_hijacks_without_hurting_honest_users(real_server):
    policy = real_server(TIME_SCALE)
    pop = Population(SimConfig(accounts=100, rate=6, duration=600, hijacks=4, seed=5), demo_ranges())
    plan = pop.plan()

    async def go():
        async with PolicyClient(policy, connections=8) as client:
            return await run_plan(plan, client, TIME_SCALE), client.failures

    results, failures = asyncio.run(go())
    assert failures == 0 and len(results) == len(plan)
    report = build_report(results)
    hijacks = {h["kind"]: h for h in report["hijacks"]}
    assert set(hijacks) == {"burst", "slow", "multi", "proxy"}
    for kind in ("burst", "proxy", "multi"):
        h = hijacks[kind]
        assert h["stopped"], h
        # recipients_per_hour = 300 and the abroad cap stop them within a few hundred recipients
        assert h["escaped_recipients"] <= 300, h
    # Low and slow from abroad: the abroad cap (20 a day) refuses the rest.
    assert hijacks["slow"]["escaped_messages"] <= 20
    assert report["honest"]["honest"]["deferred"] + report["honest"]["honest"]["rejected"] == 0
