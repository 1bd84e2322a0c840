"""`fumidai notice templates|preview|send` through the real entry point."""

from __future__ import annotations

import email
from email.policy import default

import pytest

from fumidai.cli import main
from fumidai.store import repo
from fumidai.store.db import Store
from .helpers import add_account


def _config(tmp_path, port: int) -> str:
    path = tmp_path / "fumidai.toml"
    path.write_text(f"""
[storage]
url = "sqlite:///{tmp_path / 'cli.db'}"
[notices]
smtp_host = "127.0.0.1"
smtp_port = {port}
sender = "abuse@isp.example"
support_contact = "support@isp.example / 0120-000-000"
retry_delays = [10]
timeout = 5
""", encoding="utf-8")
    return str(path)


@pytest.fixture
def cli_store(tmp_path):
    st = Store(f"sqlite:///{tmp_path / 'cli.db'}")
    st.ensure_schema()
    add_account(st)
    with st.session() as s:
        repo.suspend(s, "taro01", "bob", "quota:messages_per_hour")
    yield st
    st.dispose()


def test_templates_command_lists_them(tmp_path, capsys):
    assert main(["notice", "templates", "--config", _config(tmp_path, 25)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].split()[:2] == ["suspended_auto", "ja,en"]


def test_preview_reads_the_account_from_the_store(tmp_path, cli_store, capsys):
    assert main(["notice", "preview", "taro01", "--template", "suspended_staff",
                 "--config", _config(tmp_path, 25)]) == 0
    captured = capsys.readouterr()
    assert "usage counts are known only to the running server" in captured.err
    out = captured.out
    assert out.startswith("To: taro@example.jp\nSubject: 【重要】メールアカウント「taro01」の送信を停止しました\n")
    assert "山田 太郎 様" in out and "1時間あたりの送信メール数の上限（100通）" in out
    assert "お問い合わせいただければご案内いたします" in out  # no counts from the command line


def test_preview_of_an_unknown_account_or_template_is_one_clear_error(tmp_path, cli_store, capsys):
    assert main(["notice", "preview", "nobody", "-t", "warning", "--config", _config(tmp_path, 25)]) == 2
    assert "fumidai: error: no account 'nobody'" in capsys.readouterr().err
    assert main(["notice", "preview", "taro01", "-t", "nope", "--config", _config(tmp_path, 25)]) == 2
    assert "unknown template 'nope'" in capsys.readouterr().err


def test_send_delivers_through_the_relay(tmp_path, cli_store, relay, capsys):
    args = ["notice", "send", "taro01", "-t", "warning", "-l", "en", "--staff", "alice",
            "--idempotency-key", "cli-1", "--config", _config(tmp_path, relay.port)]
    assert main(args) == 0
    assert main(args) == 0  # the same key: nothing more is sent
    assert "notice 1 to 山田 太郎 <taro@example.jp>: sent" in capsys.readouterr().out
    [got] = relay.handler.messages
    msg = email.message_from_bytes(got.data, policy=default)
    assert msg["Subject"] == 'Please check: unusual sending from your mail account "taro01"'
    with cli_store.session() as s:
        [row] = repo.notices_for_account(s, "taro01")
    assert row.staff == "alice" and row.status == "sent"


def test_send_with_the_relay_down_stays_queued(tmp_path, cli_store, closed_relay, capsys):
    assert main(["notice", "send", "taro01", "-t", "warning", "--config", _config(tmp_path, closed_relay.port)]) == 0
    out = capsys.readouterr().out
    assert ": queued (" in out and "will be retried" in out


def test_facts_from_store_use_the_accounts_override_and_suspension(tmp_path, cli_store):
    import time

    from fumidai.config import load_settings
    from fumidai.actions.notice_queue import facts_from_store

    with cli_store.session() as s:
        repo.set_override(s, "taro01", "bob", "newsletter", limits={"messages_per_hour": 400},
                          home_countries=["JP", "KR"])
    facts = facts_from_store(load_settings(_config(tmp_path, 25)), cli_store, "taro01", time.time())
    assert facts["limits"]["account"]["messages_per_hour"] == 400
    assert facts["limits"]["home_countries"] == ["JP", "KR"]
    assert facts["suspension"]["by"] == "bob" and facts["reason"] == "quota:messages_per_hour"
    assert facts["usage"] is None and facts["owner_name"] == "山田 太郎"
