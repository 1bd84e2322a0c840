"""The asyncio policy server: TCP or unix socket, many requests per connection.

Built on ``asyncio.Protocol`` rather than streams: a request is parsed straight out of
the receive buffer and answered synchronously by the service, with no task or
coroutine per request, which keeps the CPU per request below a naive streams server's
even with the engine behind it.

Who may talk to it (docs/policy-access.md): a unix socket is created 0660 with a group
(``[policy] socket_group``); a TCP peer must be in ``[policy] allow``; each peer may hold
``max_connections_per_peer`` connections; an idle connection is closed after
``idle_timeout``, a request still incomplete after ``read_timeout``. Numbers out of range
(``numeric_limits``) make a request malformed: answered ``on_error``, never handled.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import socket
import struct
import time
from collections import Counter
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

from ..policy.names import account_namer
from .codec import MAX_REQUEST, AttributeReader, NumberOutOfRange, ProtocolError, encode_reply, numeric_limits

if TYPE_CHECKING:
    from ..config import PolicySection

log = logging.getLogger("fumidai.policy")

LOOPBACK = ("127.0.0.1", "::1")
# What each refusal is counted as (PolicyServer.refused, and the on_refused hook).
REFUSALS = ("peer_not_allowed", "server_full", "peer_full", "malformed", "out_of_range", "bad_account", "crlf",
            "oversized", "stalled")


class SocketGroupError(Exception):
    """``[policy] socket_group`` cannot be given to the socket (the composition root says so as a config error)."""


class RateLimitedLog:
    """At most one warning per kind every ``interval`` seconds; the rest are counted into the next.

    A flood of bad requests or refused peers must not fill the disk with log lines.
    """

    def __init__(self, logger: logging.Logger, interval: float = 10.0, clock: Callable[[], float] = time.monotonic):
        self.logger = logger
        self.interval = interval
        self.clock = clock
        self._last: dict[str, tuple[float, int]] = {}

    def warning(self, kind: str, msg: str, *args) -> None:
        now = self.clock()
        last, held = self._last.get(kind, (float("-inf"), 0))
        if now - last < self.interval:
            self._last[kind] = (last, held + 1)
            return
        if held:
            msg += " (and %d more like it in %.0f s)"
            args += (held, now - last)
        self.logger.warning(msg, *args)
        self._last[kind] = (now, 0)


class PeerAllowList:
    """TCP peer addresses allowed to connect: addresses and CIDR networks, checked once per connection."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.networks = tuple(ipaddress.ip_network(e, strict=False) for e in entries)
        self._seen: dict[str, bool] = {}

    def __contains__(self, host: str) -> bool:
        verdict = self._seen.get(host)
        if verdict is None:
            try:
                address = ipaddress.ip_address(host.split("%", 1)[0])  # fe80::1%eth0
            except ValueError:
                return False
            if address.version == 6 and address.ipv4_mapped is not None:  # a dual-stack "::" listener
                address = address.ipv4_mapped
            verdict = any(address in net for net in self.networks)
            if len(self._seen) >= 4096:  # many distinct refused peers must not grow this without end
                self._seen.clear()
            self._seen[host] = verdict
        return verdict


def _unix_peer(transport) -> str:
    """A unix-socket peer's user id, so the per-peer cap tells Postfix from another local process."""
    sock = transport.get_extra_info("socket")
    so_peercred = getattr(socket, "SO_PEERCRED", None)
    if sock is None or so_peercred is None:
        return "unix"
    try:
        _pid, uid, _gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, so_peercred, struct.calcsize("3i")))
    except OSError:
        return "unix"
    return f"unix uid {uid}"


class PolicyProtocol(asyncio.Protocol):
    __slots__ = ("server", "transport", "buffer", "stall_timer", "peer", "peer_key", "active", "idle_since", "waiting")

    def __init__(self, server: PolicyServer) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.stall_timer: asyncio.TimerHandle | None = None
        self.peer = "?"
        self.peer_key: str | None = None  # set once the connection counts against its peer's cap
        self.active = False  # data arrived since the idle sweep last looked
        self.idle_since = 0.0
        self.waiting = False  # an answer is being awaited: requests after it wait in the buffer

    def connection_made(self, transport) -> None:
        self.transport = transport
        server = self.server
        peer = transport.get_extra_info("peername")
        if isinstance(peer, tuple):
            host = peer[0]
            self.peer = f"[{host}]:{peer[1]}" if ":" in host else f"{host}:{peer[1]}"
            if host not in server.allow:
                server.refuse("peer_not_allowed", "policy connection from %s refused: not in [policy] allow", self.peer)
                transport.abort()
                return
        else:
            host = _unix_peer(transport)
            self.peer = host
        if len(server.connections) >= server.max_connections:
            server.refuse("server_full", "policy connection from %s refused: %d connections open ([policy] "
                          "max_connections)", self.peer, len(server.connections))
            transport.abort()
            return
        held = server.per_peer.get(host, 0)
        if held >= server.max_connections_per_peer:
            server.refuse("peer_full", "policy connection from %s refused: it holds %d connections ([policy] "
                          "max_connections_per_peer)", self.peer, held)
            transport.abort()
            return
        server.per_peer[host] = held + 1
        self.peer_key = host
        self.idle_since = server.now()
        server.connections.add(self)

    def connection_lost(self, exc) -> None:
        server = self.server
        server.connections.discard(self)
        if self.peer_key is not None:
            left = server.per_peer.get(self.peer_key, 1) - 1
            if left > 0:
                server.per_peer[self.peer_key] = left
            else:
                server.per_peer.pop(self.peer_key, None)
            self.peer_key = None
        self._cancel_stall()

    def data_received(self, data: bytes) -> None:
        self.active = True
        buffer = self.buffer + data if self.buffer else data
        if self.waiting:  # Postfix waits for each answer; anything else keeps its place in line
            self.buffer = buffer
            return
        server = self.server
        handle, parse, account_name = server.handle, server.parse, server.account_name
        write = self.transport.write
        start = 0
        while True:
            end = buffer.find(b"\n\n", start)
            if end < 0:
                break
            try:
                attrs = parse(buffer[start:end])
            except NumberOutOfRange as err:
                # Well framed, so the connection stays in step: answer, but never count it.
                server.refuse("out_of_range", "policy request from %s answered %s: %s", self.peer, server.on_error, err)
                write(server.on_error_reply)
                start = end + 2
                continue
            except ProtocolError as err:
                self._drop("malformed", f"malformed request: {err}")
                return
            if account_name is not None:
                raw = attrs.get("sasl_username")
                if raw:
                    name = account_name(raw)
                    if name is None:
                        server.refuse("bad_account", "policy request from %s answered %s: sasl_username %r is not an "
                                      "account name", self.peer, server.on_error, raw[:60])
                        write(server.on_error_reply)
                        start = end + 2
                        continue
                    attrs["sasl_username"] = name
            action = handle(attrs)
            if action.__class__ is not str:
                # An answer that must wait (an automatic suspension being made durable first).
                self._await_answer(action, buffer[end + 2:])
                return
            write(self._reply(action))
            start = end + 2
        rest = buffer[start:] if start else buffer
        if not rest:
            self.buffer = rest
            self._cancel_stall()
            return
        if len(rest) > MAX_REQUEST:
            self._drop("oversized", f"request larger than {MAX_REQUEST} bytes")
            return
        # Lines ended "\r\n" never make the "\n\n" that ends a request: say so now rather than
        # hold the connection until read_timeout. Only the newly arrived bytes are searched.
        if rest.find(b"\n\r\n", max(0, len(rest) - len(data) - 2)) >= 0:
            self._drop("crlf", "request lines end in CRLF; the policy protocol ends them with LF alone")
            return
        self.buffer = rest
        # A half-sent request (or one trickled a byte at a time) is closed read_timeout after it began.
        self._arm_stall()

    def _reply(self, action: str) -> bytes:
        replies = self.server.replies
        reply = replies.get(action)
        if reply is None:
            reply = encode_reply(action)
            if len(replies) < 1024:  # actions come from the config: a handful of texts
                replies[action] = reply
        return reply

    def _await_answer(self, answer: asyncio.Future, rest: bytes) -> None:
        """Send ``answer``'s action when it is ready; read nothing more until then."""
        self.waiting = True
        self.buffer = rest
        self._cancel_stall()
        self.transport.pause_reading()
        answer.add_done_callback(self._answered)

    def _answered(self, answer: asyncio.Future) -> None:
        self.waiting = False
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        try:
            action = answer.result()
        except BaseException:  # the handler's own rule: trouble answers on_error
            log.exception("policy answer failed; answering %s", self.server.on_error)
            action = self.server.on_error
        transport.write(self._reply(action))
        transport.resume_reading()
        rest, self.buffer = self.buffer, b""
        if rest:
            self.data_received(rest)

    def _arm_stall(self) -> None:
        if self.stall_timer is None:
            loop = asyncio.get_running_loop()
            self.stall_timer = loop.call_later(self.server.read_timeout, self._drop, "stalled",
                                               f"request not complete after {self.server.read_timeout:g} s")

    def _cancel_stall(self) -> None:
        if self.stall_timer is not None:
            self.stall_timer.cancel()
            self.stall_timer = None

    def _drop(self, kind: str, why: str) -> None:
        # The protocol's rule for trouble: log, send no reply, disconnect; Postfix retries.
        self.server.refuse(kind, "closing policy connection from %s: %s", self.peer, why)
        self.server.dropped += 1
        self.buffer = b""
        self._cancel_stall()
        if self.transport is not None:
            self.transport.abort()


class PolicyServer:
    """Listens on ``listen`` ("HOST:PORT" or "unix:/path") and answers with ``handle``.

    ``attributes``: the names ``handle`` reads; only those are parsed out of each request
    (every attribute when None). ``limits``: the largest value of each numeric attribute
    (default ``numeric_limits()``); a request outside them is answered ``on_error`` and
    never reaches ``handle``. ``account_name`` (see fumidai.policy.names.account_namer)
    turns ``sasl_username`` into the canonical account name before ``handle`` sees it; a
    name it refuses (None) is answered ``on_error`` like a number out of range.
    ``on_refused(kind)`` is called for every refused connection or request (kinds:
    REFUSALS), e.g. to count it in a metric; ``refused`` counts them too.
    """

    def __init__(
        self,
        handle: Callable[[dict[str, str]], str],
        listen: str,
        read_timeout: float = 100.0,
        max_connections: int = 2000,
        attributes: Iterable[str] | None = None,
        *,
        idle_timeout: float = 330.0,
        allow: Iterable[str] = LOOPBACK,
        max_connections_per_peer: int = 500,
        socket_group: str = "",
        limits: Mapping[str, int] | None = None,
        on_error: str = "DUNNO",
        account_name: Callable[[str], str | None] | None = None,
        on_refused: Callable[[str], None] | None = None,
    ) -> None:
        self.handle = handle
        self.parse = AttributeReader(attributes, numeric_limits() if limits is None else limits)
        self.replies: dict[str, bytes] = {}
        self.listen = listen
        self.read_timeout = read_timeout
        self.idle_timeout = idle_timeout
        self.max_connections = max_connections
        self.max_connections_per_peer = max_connections_per_peer
        self.allow = PeerAllowList(allow)
        self.socket_group = socket_group
        self.on_error = on_error
        self.on_error_reply = encode_reply(on_error)
        self.account_name = account_name
        self.on_refused = on_refused
        self.connections: set[PolicyProtocol] = set()
        self.per_peer: dict[str, int] = {}
        self.dropped = 0
        self.refused: Counter[str] = Counter()
        self.warnings = RateLimitedLog(log)
        self._server: asyncio.base_events.Server | None = None
        self._sweeper: asyncio.Task | None = None

    @classmethod
    def from_settings(cls, handle: Callable[[dict[str, str]], str], policy: PolicySection,
                      attributes: Iterable[str] | None = None,
                      on_refused: Callable[[str], None] | None = None) -> PolicyServer:
        """The server ``[policy]`` describes, handing ``handle`` canonical account names."""
        return cls(handle, policy.listen, policy.read_timeout, policy.max_connections, attributes,
                   idle_timeout=policy.idle_timeout, allow=policy.allow,
                   max_connections_per_peer=policy.max_connections_per_peer, socket_group=policy.socket_group,
                   limits=numeric_limits(policy.max_recipients, policy.max_size), on_error=policy.on_error,
                   account_name=account_namer(policy.account_names, policy.strip_realms), on_refused=on_refused)

    @staticmethod
    def now() -> float:
        return time.monotonic()

    def refuse(self, kind: str, msg: str, *args) -> None:
        """Count and log (rate-limited) one refused connection or request."""
        self.refused[kind] += 1
        if self.on_refused is not None:
            try:
                self.on_refused(kind)
            except Exception:  # a metrics hook must never break the policy path
                log.exception("on_refused hook failed")
        self.warnings.warning(kind, msg, *args)

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
            sock = self._bind_unix(self.listen[5:])
            self._server = await loop.create_unix_server(lambda: PolicyProtocol(self), sock=sock, backlog=1024)
        else:
            host, _, port = self.listen.rpartition(":")
            host = host.strip("[]")
            self._server = await loop.create_server(lambda: PolicyProtocol(self), host, int(port), reuse_address=True, backlog=1024)
        self._sweeper = loop.create_task(self._close_idle(), name="fumidai-policy-idle")
        log.info("policy server listening on %s", self.address)

    def _bind_unix(self, path: str) -> socket.socket:
        """A bound unix socket, 0660 and given socket_group before it listens: no moment when others may connect."""
        gid = None
        if self.socket_group:
            import grp  # POSIX only, as unix sockets are

            try:
                gid = grp.getgrnam(self.socket_group).gr_gid
            except KeyError:
                raise SocketGroupError(f"[policy] socket_group: there is no group {self.socket_group!r} on this system; name "
                                  "the group Postfix's smtpd runs as (postfix), or \"\" to keep this process's "
                                  "group") from None
        if os.path.exists(path):
            os.unlink(path)  # a stale socket from a crash would stop the bind
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(path)
            os.chmod(path, 0o660)  # Postfix's smtpd (another user, in the group) may connect; others may not
            if gid is not None:
                try:
                    os.chown(path, -1, gid)
                except PermissionError as err:
                    raise SocketGroupError(f"[policy] socket_group: cannot give {path} to group {self.socket_group!r} "
                                      f"({err.strerror}): run fumidai as a member of that group") from None
        except BaseException:
            sock.close()
            try:
                os.unlink(path)
            except OSError:
                pass
            raise
        return sock

    async def _close_idle(self) -> None:
        """Close connections with no request in progress for idle_timeout.

        A sweep rather than a timer per connection: the hot path only sets a flag.
        """
        interval = max(0.02, min(self.idle_timeout / 4, 15.0))
        while True:
            await asyncio.sleep(interval)
            now = self.now()
            for conn in list(self.connections):
                if conn.active:
                    conn.active = False
                    conn.idle_since = now
                elif not conn.buffer and now - conn.idle_since >= self.idle_timeout and conn.transport is not None:
                    log.debug("closing idle policy connection from %s", conn.peer)
                    conn.transport.close()

    async def stop(self, timeout: float = 5.0) -> None:
        if self._server is None:
            return
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
            self._sweeper = None
        self._server.close()
        # Requests are answered synchronously (a durable write awaited by the service is finished
        # before it stops), so no reply is ever half-written: close the connections.
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
