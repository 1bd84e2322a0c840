"""`fumidai baseline import` beside a running server: the server picks the new baselines up."""

from __future__ import annotations

import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"


def test_a_running_server_loads_what_an_import_wrote(live, config_data, monkeypatch, capsys):
    from fumidai.behaviour import Baseline, BaselineTable
    from fumidai.cli import main

    if live.svc.baselines is None:  # the policy path's own table, when behaviour analysis is wired
        live.call(lambda: setattr(live.svc, "baselines", BaselineTable()))
    table = live.svc.baselines
    # alice sends while the import runs: learned here, not saved yet (save_interval).
    from fumidai.behaviour import RecipientHasher, network_of

    seen_live = RecipientHasher(b"k" * 32)("someone-new@example.org")
    live.call(lambda: table.learn("alice", time.time(), network_of("192.0.2.1"), "JP", None, [seen_live]))
    monkeypatch.delenv("FUMIDAI_CONFIG", raising=False)
    monkeypatch.setenv("FUMIDAI_STORAGE__URL", config_data["storage"]["url"])
    monkeypatch.setenv("FUMIDAI_GEOIP__DATABASE", config_data["geoip"]["database"])
    assert main(["baseline", "import", "--timezone", "UTC", str(DATA / "postfix-maillog-sample.log")]) == 0
    assert "learned 60 new submissions of 2 accounts" in capsys.readouterr().out
    deadline = time.monotonic() + 5
    while "bob" not in table and time.monotonic() < deadline:
        time.sleep(0.05)
    got = live.call(lambda: table.get("alice"))
    assert isinstance(got, Baseline) and got.messages == 50 and live.call(lambda: table.get("bob")).messages == 10
    assert got.knows(seen_live), "what the server learned since its last save is merged, not dropped"
    assert got.days_active() >= 2  # the log's day and today
