"""kill -9 right after automatic suspensions (issue 15): none is lost.

A real `fumidai serve` with a long write-behind interval (5 s) so that nothing reaches the
store by the flusher; 30 accounts run past a quota of 3 messages an hour in parallel; the
process is killed with SIGKILL the moment the last refusal arrives. After a restart every
account that was refused is still suspended, with its audit entry, and is refused again.
"""

from __future__ import annotations

import concurrent.futures
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from fumidai.store import Store, repo

from tests.conftest import free_port

pytestmark = pytest.mark.slow

ACCOUNTS = [f"victim{i:02d}" for i in range(30)]


def ask(sock, f, **attrs) -> str:
    attrs = {"request": "smtpd_access_policy", "client_address": "60.32.0.10", **attrs}
    sock.sendall("".join(f"{k}={v}\n" for k, v in attrs.items()).encode() + b"\n")
    reply = b""
    while not reply.endswith(b"\n\n"):
        line = f.readline()
        if not line:
            raise ConnectionError("closed")
        reply += line
    return reply[len(b"action="):-2].decode()


def hammer(port: int, account: str) -> list[str]:
    """Five messages (one recipient each) on one connection; the answers to DATA."""
    answers = []
    with socket.create_connection(("127.0.0.1", port)) as sock, sock.makefile("rb") as f:
        for n in range(5):
            inst = f"{account}.{n}"
            common = dict(sasl_username=account, instance=inst)
            rcpt = ask(sock, f, protocol_state="RCPT", recipient=f"x{n}@example.net", recipient_count="0", **common)
            if rcpt != "DUNNO":
                answers.append(rcpt)
                continue
            answers.append(ask(sock, f, protocol_state="DATA", recipient_count="1", **common))
    return answers


def start(config, log) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "fumidai.cli", "serve", "--config", str(config)],
                            stdout=log, stderr=subprocess.STDOUT)


def wait_listening(proc, port: int, log_path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"serve exited {proc.returncode}: {log_path.read_text(errors='replace')[-500:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail("serve did not listen")


def test_kill_9_right_after_automatic_suspensions_loses_none(tmp_path, mmdb_path):
    policy, api = free_port(), free_port()
    db = tmp_path / "fumidai.db"
    config = tmp_path / "fumidai.toml"
    config.write_text(
        f'[policy]\nlisten = "127.0.0.1:{policy}"\n[api]\nlisten = "127.0.0.1:{api}"\n'
        f'[storage]\nurl = "sqlite:///{db}"\nflush_interval = 5.0\n'
        f'[geoip]\ndatabase = "{mmdb_path}"\n'
        '[limits]\nmessages_per_hour = 3\n[actions]\non_limit = "suspend"\n',
        encoding="utf-8")
    log_path = tmp_path / "serve.log"
    with open(log_path, "ab") as log:
        proc = start(config, log)
        try:
            wait_listening(proc, policy, log_path)
            with concurrent.futures.ThreadPoolExecutor(10) as pool:
                answers = dict(zip(ACCOUNTS, pool.map(lambda a: hammer(policy, a), ACCOUNTS)))
        finally:
            os.kill(proc.pid, signal.SIGKILL)  # the moment the last refusal arrived
            proc.wait(10)
        refused = {a for a, got in answers.items() if any(x.startswith("REJECT") for x in got)}
        assert refused == set(ACCOUNTS), answers  # every account went past its quota of 3

        store = Store(f"sqlite:///{db}")
        try:
            with store.session() as s:
                from datetime import datetime, timezone

                suspended = set(repo.active_suspensions(s, datetime.now(timezone.utc)))
                audited = {e.account for e in repo.audit_after(s, None, 0, 1000) if e.action == "auto_suspend"}
        finally:
            store.dispose()
        assert refused <= suspended, f"lost: {sorted(refused - suspended)}"
        assert refused <= audited, f"no audit entry: {sorted(refused - audited)}"

        proc = start(config, log)
        try:
            wait_listening(proc, policy, log_path)
            after = hammer(policy, ACCOUNTS[0])
            assert all(a.startswith("REJECT") for a in after), after
        finally:
            proc.terminate()
            proc.wait(20)
