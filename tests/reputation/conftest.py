"""Reputation fixtures: the sample reports' key, codecs, and a migrated store on each backend."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fumidai.reputation.trace import TraceCodec, load_keys

REPORTS = Path(__file__).resolve().parent.parent / "data" / "reports"
# The samples' tokens were made with tests/data/reports/trace.key (created 2026-12-01T00:00:00Z).
KEY_CREATED = 1796083200.0
NOW = KEY_CREATED + 7 * 86400  # a week later: the samples' reports arrive on 2026-12-08
RETENTION = 30 * 86400.0


def sample(name: str) -> bytes:
    return (REPORTS / name).read_bytes()


@pytest.fixture
def key_file(tmp_path) -> Path:
    """The samples' key file, copied with the mode the key loader insists on."""
    path = tmp_path / "trace.key"
    shutil.copyfile(REPORTS / "trace.key", path)
    path.chmod(0o600)
    return path


@pytest.fixture
def codec(key_file) -> TraceCodec:
    return TraceCodec(load_keys(key_file), RETENTION)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """A store migrated to head (0004 included) on SQLite and on PostgreSQL."""
    from fumidai.store.db import Store

    url = f"sqlite:///{tmp_path}/db/fumidai.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    st = Store(url)
    st.upgrade()
    try:
        yield st
    finally:
        st.dispose()
