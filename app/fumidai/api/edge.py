"""The API's edge: an ASGI middleware, outermost, that refuses before anything is read.

The policy server shares this event loop, so a request the API should not serve must cost
next to nothing. Before the app sees a request (and so before FastAPI reads or parses a
body), the edge

- answers 429 to a client address that failed the token check too often
  (``[api] auth_failures_per_minute``; IPv6 clients by /64, which one host usually holds);
- checks the bearer token with the app's own cached lookup (``TokenCache``), remembering
  tokens that failed for a while so a repeated bad token never reaches the store again;
  401 without a valid token, except on the open paths (health, the OpenAPI document and
  its docs page, and /metrics from loopback, as the routes themselves allow);
- answers 413 to a body over ``[api] max_body``: at once from Content-Length, else (chunked)
  as soon as the count passes it.

A refusal of a request that carries a body closes the connection, so what the client
still sends is never read. The routes keep their own token and role checks.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import math
import time
from collections import Counter
from typing import Callable

from starlette.exceptions import HTTPException

from .auth import MAX_TOKEN_LENGTH

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
# Paths that need no token (the routes and FastAPI's own documents agree).
OPEN_PATHS = frozenset({f"{PREFIX}/health", f"{PREFIX}/openapi.json", f"{PREFIX}/docs", f"{PREFIX}/docs/oauth2-redirect"})
LOOPBACK_OPEN_PATHS = frozenset({"/metrics"})  # scrapers on this host carry no token
FAILED_TOKEN_TTL = 60.0  # seconds a token that found nobody is refused without asking again
MEMORY = 4096  # failed tokens, known good tokens and client addresses remembered (each)


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a chunked body passes the limit mid-read."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes ([api] max_body)")


class ApiEdge:
    """Pure ASGI middleware; ``tokens`` is the app's ``TokenCache`` (its ``staff_for`` is reused)."""

    def __init__(self, app, tokens, max_body: int = 2**20, failures_per_minute: int = 30,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.tokens = tokens
        self.max_body = max_body
        self.burst = float(failures_per_minute)
        self.refill = failures_per_minute / 60.0  # per second
        self.clock = clock
        self.failed: dict[str, float] = {}  # token digest -> refused until
        self.good: dict[str, float] = {}  # token digest -> trusted past a 429 until
        self.budgets: dict[str, tuple[float, float]] = {}  # client key -> (failures left, at)
        self.refused: Counter[int] = Counter()  # status -> count, for tests and the report

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = _headers(scope)
        has_body = "transfer-encoding" in headers or headers.get("content-length", "0") not in ("", "0")
        path = scope["path"]
        client = scope["client"][0] if scope.get("client") else ""
        if path not in OPEN_PATHS and not (path in LOOPBACK_OPEN_PATHS and _is_loopback(client)):
            refusal = await self._check_token(headers.get("authorization", ""), client)
            if refusal is not None:
                return await self._refuse(send, *refusal, close=has_body)
        length = headers.get("content-length")
        if length is not None:
            if not length.isascii() or not length.isdigit():
                return await self._refuse(send, 400, "Content-Length is not a number", close=True)
            if int(length) > self.max_body:
                return await self._refuse(send, 413, BodyTooLarge(self.max_body).detail, close=True)
            return await self.app(scope, receive, send)
        if not has_body:
            return await self.app(scope, receive, send)
        # Chunked: count what the app reads, and stop it at the limit.
        seen = 0
        started = False

        async def counted_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        async def watched_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge as err:  # an app that does not turn HTTPException into a response
            if started:
                raise
            await self._refuse(send, 413, err.detail, close=True)

    async def _check_token(self, authorization: str, client: str) -> tuple[int, str, dict] | None:
        """None when the token is good; else (status, detail, extra headers)."""
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return 401, "an Authorization: Bearer token is required", {"www-authenticate": "Bearer"}
        now = self.clock()
        key = hashlib.sha256(token[:MAX_TOKEN_LENGTH + 1].encode("utf-8", "surrogateescape")).hexdigest()
        who = _client_key(client)
        wait = self._blocked_for(who, now)
        if wait and self.good.get(key, 0.0) <= now:
            return 429, "too many failed token checks from this address; try again later", {
                "retry-after": str(max(1, math.ceil(wait)))}
        if self.failed.get(key, 0.0) > now:
            staff = None
        else:
            try:
                staff = await self.tokens.staff_for(token)
            except Exception:
                log.exception("token lookup failed")
                return 503, "store unavailable: the token cannot be checked now", {"retry-after": "5"}
        if staff is None:
            _remember(self.failed, key, now + FAILED_TOKEN_TTL, now)
            self._spend(who, now)
            return 401, "unknown or revoked token", {"www-authenticate": "Bearer"}
        _remember(self.good, key, now + FAILED_TOKEN_TTL, now)
        return None

    def _blocked_for(self, who: str, now: float) -> float:
        """Seconds until ``who`` may fail a token check again (0: it may now)."""
        left, at = self.budgets.get(who, (self.burst, now))
        left = min(self.burst, left + (now - at) * self.refill)
        return 0.0 if left >= 1.0 else (1.0 - left) / self.refill

    def _spend(self, who: str, now: float) -> None:
        left, at = self.budgets.get(who, (self.burst, now))
        left = min(self.burst, left + (now - at) * self.refill) - 1.0
        if len(self.budgets) >= MEMORY and who not in self.budgets:
            # Forget the clients whose budget is full again; if all are spending, start over.
            full_at = lambda item: item[1][0] + (now - item[1][1]) * self.refill >= self.burst  # noqa: E731
            self.budgets = {k: v for k, v in self.budgets.items() if not full_at((k, v))}
            if len(self.budgets) >= MEMORY:
                self.budgets.clear()
        self.budgets[who] = (left, now)

    async def _refuse(self, send, status: int, detail: str, extra: dict | None = None, close: bool = False) -> None:
        self.refused[status] += 1
        body = json.dumps({"detail": detail}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        headers += [(k.encode(), v.encode()) for k, v in (extra or {}).items()]
        if close:  # the body is still coming: uvicorn closes instead of reading it to find the next request
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _headers(scope) -> dict[str, str]:
    # The few headers the edge reads; latin-1 as HTTP defines them. The first of a repeat wins.
    wanted = (b"authorization", b"content-length", b"transfer-encoding")
    out: dict[str, str] = {}
    for name, value in scope.get("headers", ()):
        if name in wanted:
            out.setdefault(name.decode("latin-1"), value.decode("latin-1").strip())
    return out


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _client_key(host: str) -> str:
    """The budget a client address spends: itself for IPv4, its /64 for IPv6."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 4:
        return host
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


def _remember(table: dict[str, float], key: str, until: float, now: float) -> None:
    if len(table) >= MEMORY and key not in table:
        for k in [k for k, t in table.items() if t <= now]:
            del table[k]
        if len(table) >= MEMORY:
            table.clear()
    table[key] = until
