"""A small policy server for simulator tests, and address ranges that need no GeoIP build.

``RuleServer`` parses requests the way the protocol says (name=value lines, empty line)
and suspends an account after ``limit`` DATA requests: from then on it refuses RCPT,
DATA and END-OF-MESSAGE. It records every request's raw bytes.
"""

from __future__ import annotations

import asyncio
import subprocess
import threading
from collections import Counter

import pytest

import ipaddress

SUSPENDED = "REJECT 5.7.1 Sending from this account is suspended"

# Documentation networks, so these tests need no GeoIP data.
RANGES = {
    "JP": ["198.51.100.0/25", "203.0.113.0/26"],
    "CN": ["203.0.113.64/26"],
    "RU": ["203.0.113.128/27"],
    "NG": ["203.0.113.160/27"],
    "BR": ["203.0.113.192/27"],
    "US": ["198.51.100.128/27"],
    "KR": ["198.51.100.160/27"],
    "FR": ["198.51.100.192/27"],
    "DE": ["2001:db8::/48"],
}


def stop_process(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if it has not exited within 10 s."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@pytest.fixture
def ranges():
    return {cc: [ipaddress.ip_network(n) for n in nets] for cc, nets in RANGES.items()}


class RuleServer:
    def __init__(self, limit: int = 5, rcpt_answers: dict[str, str] | None = None,
                 data_answers: dict[str, str] | None = None) -> None:
        self.limit = limit
        self.rcpt_answers = rcpt_answers or {}  # recipient -> action
        self.data_answers = data_answers or {}  # account -> action at DATA
        self.raw: list[bytes] = []
        self.requests: list[dict[str, str]] = []
        self.data_count: Counter[str] = Counter()
        self.suspended: set[str] = set()
        self.connections = 0
        self._server: asyncio.AbstractServer | None = None
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._server.close()
        await self._server.wait_closed()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                try:
                    block = await reader.readuntil(b"\n\n")
                except asyncio.IncompleteReadError:
                    return
                self.raw.append(block)
                attrs = dict(line.split("=", 1) for line in block.decode().split("\n") if line)
                self.requests.append(attrs)
                writer.write(f"action={self.decide(attrs)}\n\n".encode())
                await writer.drain()
        finally:
            writer.close()

    def decide(self, attrs: dict[str, str]) -> str:
        user, stage = attrs["sasl_username"], attrs["protocol_state"]
        if user in self.suspended:
            return SUSPENDED
        if stage == "RCPT":
            return self.rcpt_answers.get(attrs["recipient"], "DUNNO")
        if stage == "DATA":
            if user in self.data_answers:
                return self.data_answers[user]
            self.data_count[user] += 1
            if self.data_count[user] > self.limit:
                self.suspended.add(user)
                return SUSPENDED
        return "DUNNO"


@pytest.fixture
def rule_server():
    """A factory: ``async with rule_server(limit=…) as server``."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def make(**kwargs):
        server = RuleServer(**kwargs)
        await server.start()
        try:
            yield server
        finally:
            await server.stop()

    return make


@pytest.fixture
def threaded_rule_server():
    """A RuleServer on its own loop in a thread, for code that runs its own loop (the command)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    servers = []

    def make(**kwargs) -> RuleServer:
        server = RuleServer(**kwargs)
        asyncio.run_coroutine_threadsafe(server.start(), loop).result(5)
        servers.append(server)
        return server

    try:
        yield make
    finally:
        for server in servers:
            asyncio.run_coroutine_threadsafe(server.stop(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


@pytest.fixture
def real_server(tmp_path):
    """A real `fumidai serve --time-scale N` on free ports: ``start(time_scale, extra_toml)`` → policy address."""
    import socket
    import subprocess
    import sys
    import time

    from fumidai.geo.build import build_demo
    from tests.conftest import free_port

    procs = []

    def start(time_scale: float = 60, extra_toml: str = "") -> str:
        mmdb = tmp_path / "demo.mmdb"
        build_demo(mmdb)
        policy, api = free_port(), free_port()
        config = tmp_path / "fumidai.toml"
        config.write_text(
            f'[policy]\nlisten = "127.0.0.1:{policy}"\n[api]\nlisten = "127.0.0.1:{api}"\n'
            f'[storage]\nurl = "sqlite:///{tmp_path / "fumidai.db"}"\n'
            f'[geoip]\ndatabase = "{mmdb}"\n{extra_toml}',
            encoding="utf-8",
        )
        log = open(tmp_path / "serve.log", "wb")
        proc = subprocess.Popen([sys.executable, "-m", "fumidai.cli", "serve", "--config", str(config),
                                 "--time-scale", str(time_scale)], stdout=log, stderr=subprocess.STDOUT)
        procs.append((proc, log))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                tail = (tmp_path / "serve.log").read_text(errors="replace").strip().splitlines()[-3:]
                pytest.fail(f"fumidai serve exited with {proc.returncode}: {' | '.join(tail)}")
            try:
                socket.create_connection(("127.0.0.1", policy), timeout=0.5).close()
                return f"127.0.0.1:{policy}"
            except OSError:
                time.sleep(0.1)
        pytest.fail("fumidai serve did not listen within 30 s")

    try:
        yield start
    finally:
        for proc, log in procs:
            stop_process(proc)
            log.close()
