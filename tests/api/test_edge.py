"""The API edge: the token and the body size are checked before anything reads the body.

A real service and uvicorn on loopback; the hostile clients are raw sockets that count
what the server accepted before it answered.
"""

from __future__ import annotations

import asyncio
import json
import select
import socket
import time

import httpx
import pytest

from fumidai.api.auth import Staff, TokenCache
from fumidai.api.edge import ApiEdge
from fumidai.config import settings_from_dict

from .conftest import LiveServer, free_port

HUNDRED_MB = 100 * 2**20


@pytest.fixture(scope="module")
def edge_live(tmp_path_factory, mmdb):
    db = tmp_path_factory.mktemp("edge-db") / "fumidai.db"
    settings = settings_from_dict({
        "policy": {"listen": f"127.0.0.1:{free_port()}"},
        "api": {"listen": f"127.0.0.1:{free_port()}", "auth_failures_per_minute": 5},
        "storage": {"url": f"sqlite:///{db}"},
        "geoip": {"database": str(mmdb)},
    })
    server = LiveServer(settings)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def operator_token(edge_live) -> str:
    return edge_live.add_staff("edge-operator", "operator")


def _address(live) -> tuple[str, int]:
    host, port = live.url.split("://", 1)[1].rsplit(":", 1)
    return host, int(port)


def _content_length(answer: bytes) -> int:
    head = answer.split(b"\r\n\r\n", 1)[0].lower()
    for line in head.split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 0


def _post_slowly(live, headers: str, chunk: bytes, limit: int, gap: float = 0.002) -> tuple[int, bytes, bool]:
    """Send a request head, then body chunks until the server answers or closes.

    Returns (body bytes the server accepted before it answered, the answer, closed after).
    """
    sock = socket.create_connection(_address(live), timeout=5)
    sent = 0
    answer = b""
    try:
        sock.sendall(headers.encode("latin-1"))
        while sent < limit:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sent += sock.send(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(gap)
        sock.settimeout(5)
        try:
            # The head, then the body its content-length announces (they may come apart).
            while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < _content_length(answer):
                more = sock.recv(65536)
                if not more:
                    break
                answer += more
        except ConnectionResetError:
            pass
        # The refusal closes the connection: what the client goes on sending is never read.
        closed = False
        deadline = time.monotonic() + 3
        try:
            while time.monotonic() < deadline:
                sock.send(chunk)
                time.sleep(0.01)
        except (BrokenPipeError, ConnectionResetError):
            closed = True
        return sent, answer, closed
    finally:
        sock.close()


def _head(path: str, length: int, token: str = "", chunked: bool = False) -> str:
    lines = [f"POST {path} HTTP/1.1", "Host: fumidai", "Content-Type: application/json"]
    lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {length}")
    if token:
        lines.append(f"Authorization: Bearer {token}")
    return "\r\n".join(lines) + "\r\n\r\n"


def test_unauthenticated_100mb_body_is_refused_before_it_is_read(edge_live):
    sent, answer, closed = _post_slowly(edge_live, _head("/api/v1/accounts/alice/suspend", HUNDRED_MB), b"x" * 1024,
                                        limit=4 * 2**20)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert sent <= 16 * 1024, f"{sent} body bytes went in before the answer"
    assert closed


def test_authenticated_oversize_body_is_413_without_reading_it(edge_live, operator_token):
    sent, answer, closed = _post_slowly(edge_live, _head("/api/v1/accounts/alice/suspend", HUNDRED_MB, operator_token),
                                        b"x" * 1024, limit=4 * 2**20)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"max_body" in answer
    assert sent <= 16 * 1024
    assert closed


def test_chunked_oversize_body_is_cut_at_the_limit(edge_live, operator_token):
    piece = b"x" * 65536
    chunk = b"%x\r\n" % len(piece) + piece + b"\r\n"
    sent, answer, _ = _post_slowly(edge_live, _head("/api/v1/accounts/alice/suspend", 0, operator_token, chunked=True),
                                   chunk, limit=64 * 2**20, gap=0.0005)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    # 1 MiB is read and counted; what the kernel buffers beyond it is never read.
    assert sent < 16 * 2**20


def test_a_body_within_the_limit_still_works(edge_live, operator_token):
    with edge_live.client(operator_token) as c:
        r = c.post("/api/v1/accounts/edge-ok/suspend", json={"reason": "x" * 400})
        assert r.status_code == 200, r.text
        assert c.post("/api/v1/accounts/edge-ok/release", json={"reason": "done"}).status_code == 200


def test_no_token_is_401_before_the_body_is_parsed(edge_live):
    with edge_live.client() as c:
        r = c.post("/api/v1/accounts/alice/suspend", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


def test_open_paths_need_no_token(edge_live):
    with edge_live.client() as c:
        assert c.get("/api/v1/health").status_code == 200
        assert c.get("/api/v1/openapi.json").status_code == 200
        assert c.get("/metrics").status_code == 200  # from loopback, as before
        assert c.get("/api/v1/overview").status_code == 401
        assert c.get("/no/such/path").status_code == 401  # nothing about the routes before a token


def test_bad_token_flood_gets_429_and_a_known_token_still_works(edge_live, operator_token):
    with edge_live.client(operator_token) as good:
        assert good.get("/api/v1/me").status_code == 200  # known before the flood
    statuses = []
    with edge_live.client() as c:
        for i in range(12):
            statuses.append(c.get("/api/v1/overview", headers={"Authorization": f"Bearer forged-{i}"}).status_code)
        last = c.get("/api/v1/overview", headers={"Authorization": "Bearer forged-x"})
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    assert int(last.headers["retry-after"]) >= 1 and "too many" in last.json()["detail"]
    with edge_live.client(operator_token) as good:
        assert good.get("/api/v1/me").json()["name"] == "edge-operator"


# -- the middleware alone, over a real TokenCache, to see what reaches the store -------------------


class CountingLookup:
    def __init__(self, good: dict[str, Staff]):
        self.good = good
        self.asked: list[str] = []

    def __call__(self, token: str) -> Staff | None:
        self.asked.append(token)
        return self.good.get(token)


async def _echo_app(scope, receive, send):
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": json.dumps({"read": len(body)}).encode()})


def _edge(clock, lookup, **kw) -> ApiEdge:
    return ApiEdge(_echo_app, TokenCache(lookup, clock=clock), clock=clock, **kw)


def test_a_repeated_bad_token_asks_the_store_once():
    now = [1000.0]
    lookup = CountingLookup({"good": Staff("ann", "viewer")})
    edge = _edge(lambda: now[0], lookup, failures_per_minute=1000)

    async def run():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=edge), base_url="http://t") as c:
            for _ in range(20):
                assert (await c.get("/api/v1/overview", headers={"Authorization": "Bearer bad"})).status_code == 401
            now[0] += 61  # the failure is forgotten after a minute
            assert (await c.get("/api/v1/overview", headers={"Authorization": "Bearer bad"})).status_code == 401
            assert (await c.get("/api/v1/overview", headers={"Authorization": "Bearer good"})).json() == {"read": 0}

    asyncio.run(run())
    assert lookup.asked == ["bad", "bad", "good"]


def test_failure_budget_refills_per_client():
    now = [0.0]
    lookup = CountingLookup({})
    edge = _edge(lambda: now[0], lookup, failures_per_minute=6)  # one back every 10 s

    async def run():
        out = []
        transport = httpx.ASGITransport(app=edge, client=("203.0.113.7", 5555))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            for i in range(8):
                out.append((await c.get("/x", headers={"Authorization": f"Bearer t{i}"})).status_code)
            now[0] += 10.5
            out.append((await c.get("/x", headers={"Authorization": "Bearer again"})).status_code)
            out.append((await c.get("/x", headers={"Authorization": "Bearer again2"})).status_code)
        other = httpx.ASGITransport(app=edge, client=("203.0.113.8", 5555))
        async with httpx.AsyncClient(transport=other, base_url="http://t") as c:
            out.append((await c.get("/x", headers={"Authorization": "Bearer other"})).status_code)
        return out

    assert asyncio.run(run()) == [401] * 6 + [429, 429, 401, 429, 401]
    assert len(lookup.asked) == 8  # a 429 costs no store lookup


def test_ipv6_clients_share_a_budget_per_64():
    now = [0.0]
    edge = _edge(lambda: now[0], CountingLookup({}), failures_per_minute=2)

    async def run():
        out = []
        for i in range(3):
            transport = httpx.ASGITransport(app=edge, client=(f"2001:db8:1:2::{i + 1}", 5555))
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                out.append((await c.get("/x", headers={"Authorization": f"Bearer v6-{i}"})).status_code)
        return out

    assert asyncio.run(run()) == [401, 401, 429]


def test_store_down_during_the_token_check_is_503():
    def broken(token):
        raise OSError("database is locked")

    edge = _edge(lambda: 0.0, broken)

    async def run():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=edge), base_url="http://t") as c:
            return await c.get("/x", headers={"Authorization": "Bearer whatever"})

    r = asyncio.run(run())
    assert r.status_code == 503 and "store unavailable" in r.json()["detail"]
