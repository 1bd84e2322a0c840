"""The composition root of `fumidai serve`: config → store → geo → live state → actions → policy server → API.

Each part gets what it needs passed in; nothing below finds its dependencies by itself.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from typing import TYPE_CHECKING, Any, Callable

from .errors import ConfigError, FumidaiError

__all__ = ["make_api", "serve"]

if TYPE_CHECKING:
    from fastapi import FastAPI

    from .config import Settings
    from .notices.outbox import Outbox
    from .service.core import Service

log = logging.getLogger("fumidai.serve")


def make_api(service: Service, outbox: Outbox | None = None) -> FastAPI:
    """The API app over a started service (``api.app.app_for_service``)."""
    from .api.app import app_for_service

    return app_for_service(service, outbox)


def _sd_notify(message: str) -> None:
    """Tell systemd (Type=notify) we are ready; a no-op outside systemd."""
    path = os.environ.get("NOTIFY_SOCKET")
    if not path:
        return
    if path.startswith("@"):
        path = "\0" + path[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.connect(path)
        s.sendall(message.encode())


async def serve(settings: Settings, clock: Callable[[], float] | None = None) -> int:
    """Run the policy server, the API and the background work until SIGTERM/SIGINT."""
    from .api.app import make_outbox
    from .geo.lookup import GeoLookup
    from .postfix.server import PolicyServer, SocketGroupError
    from .service.core import Service
    from .actions import open_store
    from .tasks import cancel_and_wait

    # Signals are handled from the start: one that arrives while we start must stop us cleanly.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except NotImplementedError:  # Windows
            pass
    geo = GeoLookup(settings.geoip.database, settings.geoip.cache_size, settings.geoip.internal_networks)
    store = open_store(settings.storage.url)
    svc = Service(settings, clock=clock, geo=geo, store=store, manage_gc=True)
    outbox = make_outbox(settings, store, svc.clock)
    await svc.start()
    delivering = asyncio.Event()
    background = [asyncio.create_task(outbox.run(delivering), name="fumidai-notices")]
    policy = PolicyServer.from_settings(svc.handle, settings.policy, attributes=Service.ATTRIBUTES)
    api = None
    try:
        try:
            await policy.start()
        except SocketGroupError as err:
            raise ConfigError(str(err)) from None
        except OSError as err:
            raise FumidaiError(f"[policy] listen {settings.policy.listen}: {err.strerror or err}") from None
        from .api.server import serve_api

        try:
            api = await serve_api(make_api(svc, outbox), settings)
        except OSError as err:
            raise FumidaiError(f"[api] listen {settings.api.listen}: {err.strerror or err}") from None
        print(f"fumidai: policy server on {policy.address}, API on {api.address}", flush=True)
        _sd_notify("READY=1")
        await stop.wait()
        log.info("stopping")
        _sd_notify("STOPPING=1")
    finally:
        await policy.stop()
        if api is not None:
            await api.stop()
        delivering.set()
        await cancel_and_wait(background, log)
        await svc.stop()
        store.dispose()
    return 0
