"""Shared fixtures: free ports, settings, stores (SQLite and the local PostgreSQL)."""

from __future__ import annotations

import os
import socket
import uuid

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PG_ADMIN_URL = os.environ.get("FUMIDAI_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("FUMIDAI_TEST_REDIS", "redis://127.0.0.1:6379/15")


# Tests that start processes: marked `slow` here so `pytest -m "not slow"` is a fast inner loop.
SLOW_MODULES = ("tests/e2e/", "tests/sim/test_containment.py", "tests/sim/test_demo.py",
                "tests/desk/test_packaging.py")
SLOW_FIXTURES = {"real_server"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = item.nodeid.replace("\\", "/")
        if path.startswith(SLOW_MODULES) or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    sqlalchemy = pytest.importorskip("sqlalchemy")
    admin = sqlalchemy.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"fumidai_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as err:  # no server here: say so instead of failing every store test
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {err}")
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def mmdb_path(tmp_path_factory):
    """The demo GeoIP database (resources/geoip/demo-ranges.csv), built once per run."""
    from fumidai.geo.build import build_demo

    return build_demo(tmp_path_factory.mktemp("geoip") / "demo.mmdb").path


@pytest.fixture
def tmp_store(tmp_path):
    """A migrated SQLite store in a temporary folder."""
    from fumidai.store.db import Store

    st = Store(f"sqlite:///{tmp_path}/fumidai.db")
    st.upgrade()
    yield st
    st.dispose()
