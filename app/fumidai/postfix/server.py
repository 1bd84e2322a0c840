"""The asyncio policy server: TCP or unix socket, many requests per connection.

Built on ``asyncio.Protocol`` rather than streams: a request is parsed straight out of
the receive buffer and answered synchronously by the service, with no task or
coroutine per request, which keeps the CPU per request below a naive streams server's
even with the engine behind it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Callable, Iterable

from .codec import MAX_REQUEST, AttributeReader, ProtocolError, encode_reply, parse_request

log = logging.getLogger("fumidai.policy")


class PolicyProtocol(asyncio.Protocol):
    __slots__ = ("server", "transport", "buffer", "stall_timer", "peer")

    def __init__(self, server: PolicyServer) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.stall_timer: asyncio.TimerHandle | None = None
        self.peer = "?"

    def connection_made(self, transport) -> None:
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else "unix"
        if len(self.server.connections) >= self.server.max_connections:
            log.warning("refusing connection from %s: %d connections open", self.peer, len(self.server.connections))
            transport.abort()
            return
        self.server.connections.add(self)

    def connection_lost(self, exc) -> None:
        self.server.connections.discard(self)
        self._cancel_stall()

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data if self.buffer else data
        server = self.server
        handle, parse, replies = server.handle, server.parse, server.replies
        write = self.transport.write
        start = 0
        while True:
            end = buffer.find(b"\n\n", start)
            if end < 0:
                break
            try:
                attrs = parse(buffer[start:end])
            except ProtocolError as err:
                self._drop(f"malformed request: {err}")
                return
            action = handle(attrs)
            reply = replies.get(action)
            if reply is None:
                reply = encode_reply(action)
                if len(replies) < 1024:  # actions come from the config: a handful of texts
                    replies[action] = reply
            write(reply)
            start = end + 2
        rest = buffer[start:] if start else buffer
        if len(rest) > MAX_REQUEST:
            self._drop(f"request larger than {MAX_REQUEST} bytes")
            return
        self.buffer = rest
        # A half-sent request must not hold a connection forever.
        if rest:
            self._arm_stall()
        else:
            self._cancel_stall()

    def _arm_stall(self) -> None:
        if self.stall_timer is None:
            loop = asyncio.get_running_loop()
            self.stall_timer = loop.call_later(self.server.read_timeout, self._drop, "request stalled")

    def _cancel_stall(self) -> None:
        if self.stall_timer is not None:
            self.stall_timer.cancel()
            self.stall_timer = None

    def _drop(self, why: str) -> None:
        # The protocol's rule for trouble: log, send no reply, disconnect; Postfix retries.
        log.warning("closing policy connection from %s: %s", self.peer, why)
        self.server.dropped += 1
        self.buffer = b""
        self._cancel_stall()
        if self.transport is not None:
            self.transport.abort()


class PolicyServer:
    """Listens on ``listen`` ("HOST:PORT" or "unix:/path") and answers with ``handle``.

    ``attributes``: the names ``handle`` reads; only those are parsed out of each request
    (every attribute when None).
    """

    def __init__(
        self,
        handle: Callable[[dict[str, str]], str],
        listen: str,
        read_timeout: float = 100.0,
        max_connections: int = 2000,
        attributes: Iterable[str] | None = None,
    ) -> None:
        self.handle = handle
        self.parse = AttributeReader(attributes) if attributes is not None else parse_request
        self.replies: dict[str, bytes] = {}
        self.listen = listen
        self.read_timeout = read_timeout
        self.max_connections = max_connections
        self.connections: set[PolicyProtocol] = set()
        self.dropped = 0
        self._server: asyncio.base_events.Server | None = None

    @property
    def address(self) -> str:
        """The address actually bound (the real port when listening on port 0)."""
        if self.listen.startswith("unix:"):
            return self.listen
        host, port = self._server.sockets[0].getsockname()[:2]
        return f"{host}:{port}"

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        if self.listen.startswith("unix:"):
            path = self.listen[5:]
            if os.path.exists(path):
                os.unlink(path)  # a stale socket from a crash would stop the bind
            self._server = await loop.create_unix_server(lambda: PolicyProtocol(self), path)
            os.chmod(path, 0o666)  # Postfix's smtpd runs as another user
        else:
            host, _, port = self.listen.rpartition(":")
            host = host.strip("[]")
            self._server = await loop.create_server(lambda: PolicyProtocol(self), host, int(port), reuse_address=True, backlog=1024)
        log.info("policy server listening on %s", self.address)

    async def stop(self, timeout: float = 5.0) -> None:
        if self._server is None:
            return
        self._server.close()
        # Requests are answered synchronously, so no reply is ever half-written: close idle connections.
        for conn in list(self.connections):
            if conn.transport is not None:
                conn.transport.close()
        try:
            await asyncio.wait_for(self._server.wait_closed(), timeout)
        except asyncio.TimeoutError:
            log.warning("policy connections still open after %.0f s", timeout)
        if self.listen.startswith("unix:"):
            try:
                os.unlink(self.listen[5:])
            except FileNotFoundError:
                pass
        self._server = None
