"""Run the real server parts on loopback, on an event loop in a thread (aiosmtpd's Controller idea).

    with ServerThread(settings, clock=clock, api=True) as server:
        server.ask("RCPT", sasl_username="alice", ...)      # the policy protocol, real bytes
        server.call(server.actions.suspend, "alice", "bob", "hijacked")
        httpx.get(server.url + "/api/v1/health")

It builds the parts as `fumidai serve` does (Service, PolicyServer with Service.ATTRIBUTES,
the API from api.app.app_for_service) and always stops what it started.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any, Callable

from fumidai.actions.staff import StaffActions
from fumidai.postfix.server import PolicyServer
from fumidai.service import Service

from tests.fixtures import postfix_attrs


ASK_TIMEOUT_S = 30.0  # a policy answer takes milliseconds; past this the server is stuck


class ServerThread:
    def __init__(self, settings, clock: Callable[[], float] | None = None, *, policy: bool = True,
                 api: bool = False, reputation: bool = False) -> None:
        self.settings, self.clock = settings, clock
        self.with_policy, self.with_api = policy, api
        # As serve: the trace header's tracer (the key made in the store's folder) and serve.Reputation
        # (complaint counts, the blocklist monitor). Off by default: DATA then answers as before.
        self.with_reputation = reputation
        self.reputation = None
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fumidai-test-loop", daemon=True)
        self.thread.start()
        self.service = self.policy = self.api = self.app = None
        self._sock = self._file = None
        self._n = 0

    # --- life cycle -------------------------------------------------------------------

    def __enter__(self) -> ServerThread:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def call(self, work: Any, *args: Any, timeout: float = 30) -> Any:
        """Run on the server's loop: a coroutine, or a function (awaited if it returns one)."""
        if self.loop.is_closed():  # stopped already (a test closed it before the fixture did)
            raise RuntimeError("the server's loop has stopped")

        async def run():
            result = work(*args) if callable(work) else work
            return await result if asyncio.iscoroutine(result) else result

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout)

    def start(self) -> None:
        async def up():
            from fumidai.serve import Reputation, load_trace

            svc = Service(self.settings, clock=self.clock)
            if self.with_reputation:
                svc.tracer = load_trace(self.settings)
            await svc.start()
            self.service = svc
            if self.with_policy:
                self.policy = PolicyServer(svc.handle, "127.0.0.1:0", attributes=Service.ATTRIBUTES)
                await self.policy.start()
            if self.with_api:
                from fumidai.api.app import app_for_service
                from fumidai.api.server import serve_api

                self.app = app_for_service(svc)  # notices are queued; no relay runs unless a test starts one
                self.api = await serve_api(self.app, self.settings)
            if self.with_reputation:
                self.reputation = Reputation(svc)
                await self.reputation.start(svc.metrics)

        try:
            self.call(up)
        except BaseException:
            self.stop()
            raise
        # Staff actions as the API and the command line make them, applied to this live state.
        self.actions = StaffActions(self.service.store, self.service.clock, live=self.service)

    def stop(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = self._file = None

        async def down():
            if self.reputation is not None:
                await self.reputation.stop()
                self.reputation = None
            if self.api is not None:
                await self.api.stop()
            if self.policy is not None:
                await self.policy.stop()
            if self.service is not None:
                await self.service.stop()
                self.service.store.dispose()
            self.api = self.policy = self.service = None

        self.call(down)

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        try:
            self.stop()
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()

    # --- the policy protocol ------------------------------------------------------------

    def ask(self, stage: str, **attrs) -> str:
        """Send Postfix's request bytes for ``stage`` (with changes) and return the action."""
        if self._sock is None:
            host, port = self.policy.address.rsplit(":", 1)
            self._sock = socket.create_connection((host, int(port)), timeout=ASK_TIMEOUT_S)
            self._file = self._sock.makefile("rb")
        req = postfix_attrs(stage, **attrs)
        self._sock.sendall("".join(f"{k}={v}\n" for k, v in req.items()).encode() + b"\n")
        reply = b""
        while not reply.endswith(b"\n\n"):
            try:
                chunk = self._file.readline()
            except TimeoutError:
                self._sock.close()  # a half-read answer: the next ask starts a new connection
                self._sock = self._file = None
                raise TimeoutError(f"the policy server did not answer a {stage} request within "
                                   f"{ASK_TIMEOUT_S:.0f} s (so far: {reply!r})") from None
            if not chunk:
                raise ConnectionError("policy server closed the connection")
            reply += chunk
        assert reply.startswith(b"action=")
        return reply[len(b"action="):-2].decode()

    def handle(self, attrs: dict[str, str]) -> str:
        """One request straight to the service's policy path, on its loop (no socket)."""
        return self.call(self.service.handle, attrs)

    def flush(self) -> None:
        self.call(self.service.flush)

    # --- the API --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.api.address
