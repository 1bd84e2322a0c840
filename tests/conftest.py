"""Shared fixtures: free ports, settings, stores (SQLite and the local PostgreSQL)."""

from __future__ import annotations

import faulthandler
import os
import socket
import sys
import threading
import traceback
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


# A hung test names itself and ends. pyproject.toml gives each test `timeout` seconds with
# pytest-timeout's "signal" timer: a test stuck in Python (a socket, a pipe, a lock, a subprocess)
# fails there with its traceback, and its xdist worker goes on. SIGALRM cannot reach a main thread
# inside a Qt event loop or a C++ wait (QThreadPool.waitForDone), nor one waiting for the GIL, so
# faulthandler backs it up BACKSTOP_S later: from a C thread, without the GIL, it writes every
# thread's stack to the process's real stderr (which xdist passes to the log; a worker's stdout,
# where pytest-timeout's "thread" timer writes, is /dev/null) and exits the process. xdist then says
# "worker 'gwN' crashed while running <test>"; `make test` does not replace the worker
# (--max-worker-restart 0), as pytest-xdist 3.8's --dist loadfile can deadlock doing so.
# (faulthandler has one such timer: do not also set pytest's faulthandler_timeout.)
BACKSTOP_S = 60
_stderr_fd: int | None = None
# faulthandler writes at most 100 threads, newest first: a test with many server threads (a fake
# API's keep-alive handlers) pushes the main thread, the one that matters, out of its dump. So a
# Python timer writes the main thread's stack alone half-way to the backstop (it needs the GIL,
# which a Qt event loop waiting for events does not hold).
_main_dump: threading.Timer | None = None


def _dump_main_thread(name: str) -> None:
    frame = sys._current_frames().get(threading.main_thread().ident)
    text = f"\n{name}: still running; its main thread:\n" + "".join(traceback.format_stack(frame))
    os.write(_stderr_fd, text.encode(errors="replace"))


def pytest_configure(config):
    global _stderr_fd
    if _stderr_fd is None:
        _stderr_fd = os.dup(2)  # the real stderr, not a test's capture of it


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_timeout_set_timer(item, settings):
    global _main_dump
    if _stderr_fd is not None:
        faulthandler.dump_traceback_later(settings.timeout + BACKSTOP_S, exit=True, file=_stderr_fd)
        _main_dump = threading.Timer(settings.timeout + BACKSTOP_S / 2, _dump_main_thread, (item.nodeid,))
        _main_dump.daemon = True
        _main_dump.start()
    return None  # pytest-timeout sets its own timer too


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_timeout_cancel_timer(item):
    faulthandler.cancel_dump_traceback_later()
    if _main_dump is not None:
        _main_dump.cancel()
    return None  # and cancels its own


def pytest_enter_pdb():
    """Someone is debugging: no backstop (pytest-timeout stands down then too)."""
    faulthandler.cancel_dump_traceback_later()


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
