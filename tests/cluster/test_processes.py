"""Real processes: `fumidai serve` nodes killed with SIGKILL, and a Redis restarted under the nodes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest

from fumidai.counters.shared_quota import bucket_key
from fumidai.store import Store, repo

from tests.cluster.conftest import Conversation, redis_client
from tests.cluster.test_suspensions import until_answer
from tests.conftest import free_port

pytestmark = [pytest.mark.slow, pytest.mark.redis]


def serve(config, log) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "fumidai.cli", "serve", "--config", str(config)],
                            stdout=log, stderr=subprocess.STDOUT)


def wait_listening(proc, port: int, log_path) -> None:
    import socket

    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"exited {proc.returncode}: {log_path.read_text(errors='replace')[-800:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing listens on {port}: {log_path.read_text(errors='replace')[-800:]}")


def test_kill_9_right_after_an_automatic_suspension(tmp_path, pg_url, mmdb_path, redis_url, prefix, cluster):
    """A (a real `fumidai serve`) suspends — the script sets it in Redis, the refusal waits for the
    store — and is killed at once: B and C refuse the account at every stage, the store has it,
    B releases it, and the owner sends again (the windows started afresh)."""
    store = Store(pg_url)
    store.upgrade()
    policy, api = free_port(), free_port()
    config = tmp_path / "a.toml"
    config.write_text(
        f'[policy]\nlisten = "127.0.0.1:{policy}"\n[api]\nlisten = "127.0.0.1:{api}"\n'
        f'[storage]\nurl = "{pg_url}"\nflush_interval = 5.0\n'
        f'[counters]\nbackend = "redis"\nredis_url = "{redis_url}"\nredis_prefix = "{prefix}"\n'
        'script_timeout = 2.0\n'
        f'[geoip]\ndatabase = "{mmdb_path}"\n[complaints]\ntrace_header = ""\n'
        '[limits]\nmessages_per_hour = 5\n[actions]\non_limit = "suspend"\n', encoding="utf-8")
    log_path = tmp_path / "a.log"
    with open(log_path, "ab") as log:
        proc = serve(config, log)
    convs = {}
    try:
        # B and C: the same service in this process (real sockets, the same store and Redis).
        b, c = cluster(n=2, clock=time.time, storage={"url": pg_url, "flush_interval": 5.0},
                       geoip={"database": str(mmdb_path)}, limits={"messages_per_hour": 5},
                       actions={"on_limit": "suspend"})
        wait_listening(proc, policy, log_path)
        convs = {"a": Conversation(f"127.0.0.1:{policy}"), "b": Conversation(b.policy.address),
                 "c": Conversation(c.policy.address)}
        ip = "60.32.0.10"  # JP in the demo GeoIP database
        assert [convs["abc"[i % 3]].message("victim", ip) for i in range(5)] == ["DUNNO"] * 5
        assert convs["a"].message("victim", ip).startswith("REJECT")  # the sixth: suspended on A
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)

        for name in "bc":
            until_answer(convs[name], "victim", True)  # MAIL, from each node's own copy
            assert convs[name].message("victim", ip).startswith("REJECT")
        with store.session() as s:
            active = repo.active_suspensions(s, datetime.now(timezone.utc))
            assert active["victim"].by == "auto"

        b.call(b.actions.release, "victim", "ops", "owner called")  # as the API does
        until_answer(convs["c"], "victim", False)
        # The windows started afresh: the owner has the whole hour's quota again, on any node.
        assert [convs["bc"[i % 2]].message("victim", ip) for i in range(5)] == ["DUNNO"] * 5
        assert convs["c"].message("victim", ip).startswith("REJECT")
    finally:
        for conv in convs.values():
            conv.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        store.dispose()


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own on a free port, without persistence: restartable."""
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server not installed")
    port = free_port()
    procs = []

    def start():
        proc = subprocess.Popen([exe, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(proc)
        deadline = time.monotonic() + 10
        while True:
            client = redis_client(f"redis://127.0.0.1:{port}/0")
            try:
                client.ping()
                return proc
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
            finally:
                client.close()

    start()
    yield f"redis://127.0.0.1:{port}/0", start, procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_redis_restarted_nodes_keep_enforcing_and_converge(cluster, own_redis):
    url, start_redis, procs = own_redis
    a, b, c = cluster(limits={"messages_per_hour": 10}, actions={"on_limit": "reject"},
                      counters={"redis_url": url, "script_timeout": 0.5})
    convs = [Conversation(n.policy.address) for n in (a, b, c)]
    try:
        assert [convs[i % 3].message("henry") for i in range(4)] == ["DUNNO"] * 4
        a.call(a.actions.suspend, "ivan", "ops", "hijacked")
        for conv in convs:
            until_answer(conv, "ivan", True)
        time.sleep(0.3)  # the stream has carried the four counts to every node

        procs[-1].kill()  # Redis gone, and its data with it (no persistence)
        procs[-1].wait(10)
        # Each node enforces alone: its own view (4) plus what it accepts; suspensions still refused.
        assert [convs[0].message("henry") for _ in range(3)] == ["DUNNO"] * 3
        for conv in convs:
            assert conv.mail("ivan").startswith("REJECT")
        assert convs[1].message("ivan").startswith("REJECT")

        start_redis()
        # The nodes notice (a failed call or NOSCRIPT), put their views back (a max per bucket: A's 7)
        # and the suspension; then the quota holds across nodes again: 3 more, then no more.
        deadline = time.monotonic() + 15
        client = redis_client(url)
        try:
            while True:
                prefix = a.settings.counters.redis_prefix
                if client.exists(f"{prefix}:alive") and client.exists(f"{prefix}:{{ivan}}:s"):
                    total = sum(int(v.split(b",")[0]) for f, v in client.hgetall(bucket_key(prefix, "henry")).items()
                                if f.startswith(b"a:"))
                    if total >= 7:
                        break
                if time.monotonic() > deadline:
                    raise AssertionError("the nodes did not converge on the restarted Redis")
                convs[0].message("nobody")  # traffic makes a node notice
                time.sleep(0.2)
        finally:
            client.close()
        got = [convs[(i + 1) % 3].message("henry") for i in range(5)]
        assert got[:3] == ["DUNNO"] * 3 and all(x.startswith("REJECT") for x in got[3:]), got
        assert all(conv.message("ivan").startswith("REJECT") for conv in convs)
    finally:
        for conv in convs:
            conv.close()
