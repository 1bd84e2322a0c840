"""The `fumidai account|staff|notice` commands act through the application layer: one audit
entry per action, written in the transaction of the change; plus the read-only checks."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from fumidai.cli import main
from fumidai.store import Store, repo

from tests.conftest import free_port
from tests.transactions import recording


@pytest.fixture
def config(tmp_path, mmdb_path) -> Path:
    path = tmp_path / "fumidai.toml"
    path.write_text(f"""
[storage]
url = "sqlite:///{tmp_path}/fumidai.db"
[geoip]
database = "{mmdb_path}"
[api]
listen = "127.0.0.1:{free_port()}"
[notices]
smtp_port = {free_port()}
retry_delays = [60]
""")
    return path


@pytest.fixture
def store(tmp_path, config):
    s = Store(f"sqlite:///{tmp_path}/fumidai.db")
    s.ensure_schema()
    yield s
    s.dispose()


def _audit(store, account=None) -> list:
    with store.session() as s:
        return [(e.action, e.actor) for e in repo.audit_after(s, account, 0, 1000)]


def _import(config, tmp_path, *accounts: str) -> None:
    csv = tmp_path / "accounts.csv"
    csv.write_text("account,contact,name,language,home_countries\n"
                   + "".join(f"{a},{a}@example.jp,Owner,en,JP\n" for a in accounts))
    assert main(["account", "import", str(csv), "--config", str(config)]) == 0


CASES = [
    # (argv after the account, the audit action, the table changed in the same transaction)
    (["suspend", "--reason", "hijacked"], "suspend", "suspensions"),
    (["limits", "--set", "messages_per_hour=300", "--reason", "newsletter"], "set_limits", "overrides"),
]


@pytest.mark.parametrize("argv, action, table", CASES)
def test_each_account_action_leaves_one_audit_entry_in_its_transaction(config, store, argv, action, table):
    with recording() as tx:
        assert main(["account", argv[0], "carol", *argv[1:], "--config", str(config), "--actor", "cli:test"]) == 0
    assert _audit(store, "carol") == [(action, "cli:test")]
    assert [t for t in tx.with_audit() if table in t] == [{"audit", table}]


def test_release_and_clear_leave_one_entry_each(config, store):
    args = ["--config", str(config), "--actor", "cli:test"]
    assert main(["account", "suspend", "dan", "--reason", "x", *args]) == 0
    assert main(["account", "limits", "dan", "--set", "messages_per_day=9", "--reason", "x", *args]) == 0
    with recording() as tx:
        assert main(["account", "release", "dan", "--reason", "owner called", *args]) == 0
        assert main(["account", "limits", "dan", "--clear", "--reason", "back", *args]) == 0
    assert [a for a, _ in _audit(store, "dan")] == ["suspend", "set_limits", "release", "clear_limits"]
    assert tx.with_audit() == [{"audit", "suspensions"}, {"audit", "overrides"}]


def test_import_leaves_one_audit_entry_with_the_accounts(config, store, tmp_path):
    with recording() as tx:
        _import(config, tmp_path, "erin", "frank")
    assert _audit(store) == [("import", "cli")]
    assert tx.with_audit() == [{"audit", "accounts"}]


def test_staff_add_and_revoke_leave_one_entry_each(config, store, capsys):
    with recording() as tx:
        assert main(["staff", "add", "grace", "--role", "operator", "--config", str(config)]) == 0
        assert main(["staff", "revoke", "grace", "--config", str(config)]) == 0
    assert _audit(store) == [("staff_add", "cli"), ("staff_revoke", "cli")]
    assert tx.with_audit() == [{"audit", "staff"}, {"audit", "staff"}]


def test_a_notice_sent_from_the_command_line_is_audited_with_its_row(config, store, tmp_path, capsys):
    _import(config, tmp_path, "heidi")
    with recording() as tx:
        # No relay listens: the notice stays queued, and is recorded all the same.
        assert main(["notice", "send", "heidi", "-t", "warning", "-l", "en", "--staff", "ivan",
                     "--idempotency-key", "k1", "--config", str(config)]) == 0
    assert _audit(store, "heidi") == [("notice", "ivan")]
    assert [t for t in tx.with_audit() if "notices" in t] == [{"audit", "notices"}]
    assert "queued" in capsys.readouterr().out


def test_account_show_counts_the_current_minute(config, store, capsys):
    now = time.time()
    with store.session() as s:
        repo.add_buckets(s, [("judy", int(now // 60), "JP", 1, 2, 0, 0)])
    assert main(["account", "show", "judy", "--json", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    import json

    info = json.loads(out)
    assert info["last_hour"]["messages"] == 1 and info["last_hour"]["recipients"] == 2
    assert info["last_day"]["messages"] == 1


def test_check_config_creates_nothing(tmp_path, mmdb_path, capsys):
    db = tmp_path / "state" / "fumidai.db"
    config = tmp_path / "fumidai.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{db}"\n[geoip]\ndatabase = "{mmdb_path}"\n')
    assert main(["check-config", "--config", str(config)]) == 0
    assert not db.exists() and not db.parent.exists()
    err = capsys.readouterr().err
    assert "no database yet" in err and "create its folder" in err


def test_check_config_reports_an_old_schema_without_changing_it(tmp_path, mmdb_path, capsys):
    db = tmp_path / "fumidai.db"
    Store(f"sqlite:///{db}").dispose()  # an empty database file: no schema
    before = db.read_bytes()
    config = tmp_path / "fumidai.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{db}"\n[geoip]\ndatabase = "{mmdb_path}"\n')
    assert main(["check-config", "--config", str(config)]) == 0
    assert "run fumidai db upgrade" in capsys.readouterr().err
    assert db.read_bytes() == before
