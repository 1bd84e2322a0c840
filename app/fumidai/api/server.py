"""Run the API with uvicorn inside the loop that already runs the policy server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

import uvicorn

from fumidai.errors import ConfigError

log = logging.getLogger(__name__)


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self):
        # `fumidai serve` owns SIGINT/SIGTERM and stops us; uvicorn must not take them over.
        yield


class ApiServer:
    """A uvicorn server running as a task of the current loop."""

    def __init__(self, server: uvicorn.Server, task: asyncio.Task) -> None:
        self._server = server
        self._task = task

    @property
    def started(self) -> bool:
        return self._server.started

    @property
    def address(self) -> str:
        """Where it listens, as a URL ("https://127.0.0.1:8025")."""
        scheme = "https" if self._server.config.ssl else "http"
        return f"{scheme}://{self._server.config.host}:{self.port or self._server.config.port}"

    @property
    def port(self) -> int | None:
        """The bound port (useful with port 0)."""
        for s in getattr(self._server, "servers", ()):
            for sock in s.sockets:
                return sock.getsockname()[1]
        return None

    async def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout)
        except asyncio.TimeoutError:
            self._server.force_exit = True
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


def _split(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    return host.strip("[]"), int(port)


async def serve_api(app, settings, *, ready_timeout: float = 10.0) -> ApiServer:
    """Start serving ``app`` on [api] listen (HTTPS with [api] tls_cert/tls_key); return once bound.

    ``app`` is an ASGI app, or a started Service (its API is then made by ``app_for_service``).
    """
    from fumidai.service.core import Service

    if isinstance(app, Service):
        from .app import app_for_service

        app = app_for_service(app)
    api = settings.api
    if bool(api.tls_cert) != bool(api.tls_key):
        raise ConfigError("api: tls_cert and tls_key go together (give both or neither)")
    for key in ("tls_cert", "tls_key"):
        path = getattr(api, key)
        if path and not Path(path).is_file():
            raise ConfigError(f"api.{key}: no such file {path!r}")
    host, port = _split(api.listen)
    config = uvicorn.Config(
        app, host=host, port=port, loop="none", lifespan="off", log_level="warning", access_log=False,
        ssl_certfile=api.tls_cert or None, ssl_keyfile=api.tls_key or None,
        proxy_headers=False,  # the client address decides /metrics access: never take it from a header
        server_header=False,
    )
    server = _EmbeddedServer(config)
    task = asyncio.get_running_loop().create_task(_run(server), name="fumidai-api")
    deadline = asyncio.get_running_loop().time() + ready_timeout
    while not server.started:
        if task.done():
            err = task.exception()
            raise ConfigError(f"api.listen: cannot serve on {api.listen}: {err or 'server stopped'}")
        if asyncio.get_running_loop().time() > deadline:
            server.should_exit = True
            raise ConfigError(f"api.listen: {api.listen} did not start within {ready_timeout:.0f} s")
        await asyncio.sleep(0.02)
    log.info("API on %s://%s", "https" if api.tls_cert else "http", api.listen)
    return ApiServer(server, task)


async def _run(server: uvicorn.Server) -> None:
    try:
        await server.serve()
    except SystemExit as err:  # uvicorn exits the process when it cannot bind: turn it into an error
        raise OSError(f"uvicorn stopped (exit {err.code})") from None
