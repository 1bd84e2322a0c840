"""`fumidai complaints import|keygen|resolve` as Postfix runs it: a real subprocess, real files, a real store."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from fumidai.config import load_settings
import asyncio

from fumidai.actions.complaints import ComplaintActions
from fumidai.reputation.strikes import Verdict
from fumidai.reputation.trace import load_keys
from fumidai.store import complaints as repo
from fumidai.store.db import Store

from .conftest import REPORTS, sample

APP = Path(__file__).resolve().parents[2] / "app"


def _run(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FUMIDAI_")}
    environ["PYTHONPATH"] = str(APP)
    environ.update(env or {})
    return subprocess.run([sys.executable, "-m", "fumidai.cli", *args], input=stdin, capture_output=True,
                          env=environ, timeout=120)


@pytest.fixture
def config(tmp_path, key_file):
    path = tmp_path / "fumidai.toml"
    path.write_text(f'[storage]\nurl = "sqlite:///{tmp_path}/db/fumidai.db"\n'
                    f'[complaints]\nsecret_file = "{key_file}"\nwindow = 31536000.0\n')
    return path


def _complaints(config):
    store = Store(load_settings(config, env={}).storage.url)
    try:
        with store.session() as s:
            return [(c.account, c.report_message_id) for c in repo.complaints_after(s)], repo.count_kept_aside(s)
    finally:
        store.dispose()


def test_pipe_records_a_report_and_a_second_delivery_is_not_counted_twice(config):
    first = _run("complaints", "import", "--config", str(config), stdin=sample("jmrp.eml"))
    assert first.returncode == 0, first.stderr
    assert b"recorded taro@example.jp - <7b1c9a2e" in first.stdout
    again = _run("complaints", "import", "--config", str(config), "-", stdin=sample("jmrp.eml"))
    assert again.returncode == 0 and b"0 recorded, 1 already recorded" in again.stdout
    assert _complaints(config) == ([("taro@example.jp", "<7b1c9a2e-5f0d-4c61-9a53-1e2f0c3d4b5a@hotmail.com>")], 0)


def test_pipe_exits_0_for_ignored_and_kept_aside_reports(config):
    no_trace = sample("jmrp.eml").replace(b"X-Fumidai-Trace:", b"X-Other:")
    r = _run("complaints", "import", "--config", str(config), stdin=no_trace)
    assert r.returncode == 0 and b"ignored -: no X-Fumidai-Trace header in the original" in r.stdout
    r = _run("complaints", "import", "--config", str(config), stdin=b"\x00\x01 not mail \xff")
    assert r.returncode == 0 and b"kept aside -: not an e-mail message" in r.stdout
    assert _complaints(config) == ([], 1)


def test_store_that_cannot_be_opened_exits_75_so_postfix_retries(config, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be")
    for url in ["postgresql+psycopg://fumidai@127.0.0.1:1/fumidai", f"sqlite:///{blocker}/sub/fumidai.db"]:
        r = _run("complaints", "import", "--config", str(config), stdin=sample("jmrp.eml"),
                 env={"FUMIDAI_STORAGE__URL": url})
        assert r.returncode == 75, r.stderr
        assert b"the reports were not read (exit 75: try again later)" in r.stderr
        assert b"Traceback" not in r.stderr


def test_missing_key_file_or_bad_config_exits_75_with_the_key_named(config, tmp_path):
    r = _run("complaints", "import", "--config", str(config), stdin=sample("jmrp.eml"),
             env={"FUMIDAI_COMPLAINTS__SECRET_FILE": str(tmp_path / "gone.key")})
    assert r.returncode == 75
    assert b"[complaints] secret_file" in r.stderr and b"fumidai complaints keygen" in r.stderr
    r = _run("complaints", "import", "--config", str(config), stdin=sample("jmrp.eml"),
             env={"FUMIDAI_COMPLAINTS__SUSPEND_AFTER": "none"})
    assert r.returncode == 75 and b"complaints.suspend_after" in r.stderr


def test_a_missing_path_is_a_usage_error_and_nothing_is_recorded(config, tmp_path):
    r = _run("complaints", "import", "--config", str(config), str(REPORTS / "jmrp.eml"), str(tmp_path / "nope"))
    assert r.returncode == 2 and b"nope: no such file or folder" in r.stderr
    assert _complaints(config) == ([], 0)


def test_files_maildir_and_mbox_with_strikes(config, tmp_path):
    maildir = tmp_path / "fbl"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1.host").write_bytes(sample("jmrp.eml"))
    (maildir / "new" / "2.host").write_bytes(sample("yahoo.eml"))
    mbox = tmp_path / "abuse.mbox"
    mbox.write_bytes(b"From abuse Tue Dec  8 05:00:00 2026\n" + sample("spamcop.eml") + b"\n")
    r = _run("complaints", "import", "--config", str(config), str(maildir), str(mbox),
             str(REPORTS / "forwarded.eml"))
    assert r.returncode == 0, r.stderr
    assert b"4 recorded, 0 already recorded, 0 ignored, 0 kept aside" in r.stdout
    # Three complaints about taro reach suspend_after = 3: suspended by "auto", the ids in the audit entry.
    assert b"suspended taro@example.jp: 3 complaints within" in r.stdout
    store = Store(load_settings(config, env={}).storage.url)
    try:
        from sqlalchemy import select

        from fumidai.store import repo as core_repo
        from fumidai.store.models import Alert

        with store.session() as s:
            alerts = {(a.account, a.reason) for a in s.scalars(select(Alert))}
            susp = core_repo.active_suspension(s, "taro@example.jp", core_repo._common.utcnow())
            entries = core_repo.audit_after(s)
            taro_ids = [c.id for c in repo.complaints_for_account(s, "taro@example.jp")]
    finally:
        store.dispose()
    assert alerts == {("hanako@example.jp", "1 of 3 complaints within 3.1536e+07 s")}
    assert (susp.by, susp.reason) == ("auto", "complaints")
    assert [(e.actor, e.action, e.account) for e in entries][-1] == ("auto", "suspend", "taro@example.jp")
    assert sorted(entries[-1].after["complaint_ids"]) == sorted(taro_ids)
    # Each complaint left its audit entry, which a running server's sync reads.
    assert sum(1 for e in entries if (e.actor, e.action) == ("complaints", "complaint")) == 4


def test_apply_strikes_in_process(config, codec):
    from dataclasses import replace

    from fumidai.reputation.reports import read_report

    settings = load_settings(config, env={})
    store = Store(settings.storage.url)
    store.upgrade()
    try:
        base = read_report(sample("jmrp.eml"), codec)
        with store.session() as s:
            for i in range(2):
                repo.record_complaint(s, replace(base, report_message_id=f"<r{i}@x>", original_message_id=f"<o{i}@x>"))
        actions = ComplaintActions(store, settings.complaints)
        (two,) = asyncio.run(actions.apply_strikes(["taro@example.jp"]))
        assert two.verdict is Verdict.ALERT and len(two.complaint_ids) == 2  # not before the threshold
        with store.session() as s:
            repo.record_complaint(s, replace(base, report_message_id="<r2@x>", original_message_id="<o2@x>"))
        (three,) = asyncio.run(actions.apply_strikes(["taro@example.jp"]))
        assert three.verdict is Verdict.SUSPEND and three.reason == "complaints" and len(three.complaint_ids) == 3
        # Weighed again (another import): already suspended, not suspended twice.
        asyncio.run(actions.apply_strikes(["taro@example.jp"]))
        from fumidai.store import repo as core_repo

        with store.session() as s:
            assert sum(1 for e in core_repo.audit_after(s) if e.action == "suspend") == 1
    finally:
        store.dispose()


def test_keygen_makes_a_private_key_file_and_rotates(tmp_path):
    key = tmp_path / "etc" / "trace.key"
    config = tmp_path / "f.toml"
    config.write_text(f'[complaints]\nsecret_file = "{key}"\n')
    r = _run("complaints", "keygen", "--config", str(config))
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(load_keys(key)) == 1
    r = _run("complaints", "keygen", "--config", str(config))
    assert r.returncode == 0 and len(load_keys(key)) == 2


def test_resolve_prints_the_account_or_why_not(config):
    token = "zR4OjJ7frOvwdqbY4Fne7KJbEmSxYNwBCmMDVm6FOOzhrA"
    r = _run("complaints", "resolve", "--config", str(config), token, token[:-1] + "B")
    assert r.returncode == 1
    assert r.stdout.decode().splitlines() == [f"{token} taro@example.jp",
                                              f"{token[:-1]}B -: forged token (not in canonical form)"]
