"""`fumidai baseline import` into the store: real Postfix lines → baselines, once; the shared key."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import timezone
from pathlib import Path

import pytest

from fumidai.actions.baselines import BaselineImport, recipient_hash_key
from fumidai.behaviour import Baseline, RecipientHasher, network_of
from fumidai.behaviour.commands import run_import
from fumidai.behaviour.maillog import MaillogReader
from fumidai.config import settings_from_dict
from fumidai.geo.build import build_from_ranges
from fumidai.store import repo
from fumidai.store.baselines import load_baselines
from fumidai.store.db import Store

DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]
UTC = timezone.utc
# The captures' clients are loopback; placed in countries here so the import's GeoIP shows.
PLACES = {"127.0.1.10": "192.0.2.10", "127.0.1.11": "198.51.100.11", "127.0.2.5": "203.0.113.5"}


@pytest.fixture(scope="module")
def geo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("geo") / "test.mmdb"
    build_from_ranges([("192.0.2.0/24", "JP"), ("198.51.100.0/24", "US"), ("203.0.113.0/24", "CN")], path)
    return path


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    out = tmp_path_factory.mktemp("logs")
    paths = []
    for name in ("postfix-capture.log", "postfix-maillog-sample.log"):
        text = (DATA / name).read_text()
        for loopback, placed in PLACES.items():
            text = text.replace(f"[{loopback}]", f"[{placed}]")
        (out / name).write_text(text)
        paths.append(str(out / name))
    return paths


def _settings(url: str, geo_db) -> object:
    return settings_from_dict({"storage": {"url": url}, "geoip": {"database": str(geo_db)}})


def _import(store, settings, paths) -> dict:
    sink = BaselineImport(store, settings, time.time)
    run_import(paths, timezone=UTC, now=time.time(), sink=sink)
    return sink.commit("test")


def _submissions(paths) -> list:
    reader = MaillogReader(timezone=UTC, now=time.time())
    out = []
    for p in paths:
        with open(p, "rb") as f:
            out += list(reader.read(f))
    return out + list(reader.finish())


def _check_learned(store, settings, paths) -> None:
    first = _import(store, settings, paths)
    subs = _submissions(paths)
    assert first["submissions"] == len(subs) == 75 and first["accounts"] == 5 and first["duplicates"] == 0
    with store.session() as s:
        key = recipient_hash_key_of(s)
        blobs = {r.account: r.blob for r in load_baselines(s)}
        audit = repo.audit_after(s, None, 0, 10)
    assert [(a.action, a.account, a.after["submissions"]) for a in audit] == [("baseline_import", None, 75)]
    hasher = RecipientHasher(key)
    alice, bob, traveller = (Baseline.from_bytes(blobs[a]) for a in ("alice", "bob", "traveller1"))
    assert set(alice.countries) == {"JP"} and set(bob.countries) == {"US"} and set(traveller.countries) == {"CN"}
    assert alice.network_days(network_of("192.0.2.10")) == 1 and alice.network_days(network_of("198.51.100.11")) == 0
    by_account = {}
    for sub in subs:
        by_account.setdefault(sub.account, set()).update(sub.recipients)
    for account, recipients in by_account.items():
        b = Baseline.from_bytes(blobs[account])
        assert all(b.knows(hasher(r)) for r in recipients), account
        assert b.messages == sum(1 for sub in subs if sub.account == account)
    assert not alice.knows(hasher("stranger@nowhere.example"))

    again = _import(store, settings, list(reversed(paths)))  # the same lines, files in another order
    assert (again["submissions"], again["accounts"], again["duplicates"]) == (0, 0, 75)
    with store.session() as s:
        assert {r.account: r.blob for r in load_baselines(s)} == blobs


def recipient_hash_key_of(s) -> bytes:
    from fumidai.store.baselines import recipient_hash_key as stored

    return stored(s)


def test_real_postfix_lines_become_baselines_once_sqlite(tmp_path, geo_db, logs):
    url = f"sqlite:///{tmp_path}/f.db"
    store = Store(url)
    store.upgrade()
    try:
        _check_learned(store, _settings(url, geo_db), logs)
    finally:
        store.dispose()


def test_real_postfix_lines_become_baselines_once_postgresql(pg_url, geo_db, logs):
    store = Store(pg_url)
    store.upgrade()
    try:
        _check_learned(store, _settings(pg_url, geo_db), logs)
    finally:
        store.dispose()


def test_a_learned_account_keeps_what_the_store_held(tmp_path, geo_db, logs):
    """A second import of new lines starts from the stored baseline, not from nothing."""
    url = f"sqlite:///{tmp_path}/f.db"
    store = Store(url)
    store.upgrade()
    try:
        settings = _settings(url, geo_db)
        _import(store, settings, logs[1:])
        with store.session() as s:
            before = Baseline.from_bytes({r.account: r.blob for r in load_baselines(s)}["alice"]).messages
        _import(store, settings, logs)
        with store.session() as s:
            after = Baseline.from_bytes({r.account: r.blob for r in load_baselines(s)}["alice"]).messages
        assert before == 50 and after == before  # alice is only in the sample: nothing new for her
        with store.session() as s:
            assert "normal1" in {r.account for r in load_baselines(s)}
    finally:
        store.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_racing_processes_end_with_one_key(backend, tmp_path, request):
    url = f"sqlite:///{tmp_path}/f.db" if backend == "sqlite" else request.getfixturevalue("pg_url")
    Store(url).upgrade()
    stores = [Store(url) for _ in range(4)]
    keys, start = [], threading.Barrier(4)

    def take(store):
        start.wait()
        keys.append(recipient_hash_key(store))

    threads = [threading.Thread(target=take, args=(st,)) for st in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for st in stores:
        st.dispose()
    assert len(keys) == 4 and len(set(keys)) == 1 and len(keys[0]) == 32


def test_the_command_creates_the_store_and_reports(tmp_path, geo_db, logs):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "app"), FUMIDAI_CONFIG="",
               FUMIDAI_STORAGE__URL=f"sqlite:///{tmp_path}/new.db", FUMIDAI_GEOIP__DATABASE=str(geo_db))
    run = lambda: subprocess.run([sys.executable, "-m", "fumidai.cli", "baseline", "import", "--timezone", "UTC",
                                  *logs], capture_output=True, env=env, timeout=60)
    r = run()
    assert r.returncode == 0, r.stderr
    assert "75 submissions, 5 accounts" in r.stdout.decode()
    assert "learned 75 new submissions of 5 accounts (0 imported before)" in r.stdout.decode()
    r = run()
    assert "learned 0 new submissions of 0 accounts (75 imported before)" in r.stdout.decode()


def test_a_wrong_geoip_path_stops_the_command_before_any_store_is_made(tmp_path, logs):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "app"), FUMIDAI_CONFIG="",
               FUMIDAI_STORAGE__URL=f"sqlite:///{tmp_path}/never.db", FUMIDAI_GEOIP__DATABASE=str(tmp_path / "no.mmdb"))
    r = subprocess.run([sys.executable, "-m", "fumidai.cli", "baseline", "import", logs[0]],
                       capture_output=True, env=env, timeout=60)
    assert r.returncode == 2 and "no.mmdb does not exist" in r.stderr.decode()
    assert not (tmp_path / "never.db").exists()

