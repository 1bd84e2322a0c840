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

__all__ = ["Reputation", "load_trace", "make_api", "serve"]

if TYPE_CHECKING:
    from fastapi import FastAPI

    from .config import Settings
    from .notices.outbox import Outbox
    from .reputation.blocklists import BlocklistMonitor
    from .reputation.trace import Tracer
    from .service.core import Service

log = logging.getLogger("fumidai.serve")


def make_api(service: Service, outbox: Outbox | None = None) -> FastAPI:
    """The API app over a started service (``api.app.app_for_service``)."""
    from .api.app import app_for_service

    return app_for_service(service, outbox)


def load_trace(settings: Settings) -> Tracer | None:
    """The trace header's tracer ([complaints]); None when ``trace_header`` is "".

    The default key file (trace.key in the state folder) is made at the first start, mode
    0600, owned by the server's user (who also runs `fumidai complaints import`). A file
    named in ``secret_file`` must exist: several nodes share one key, and a node that made
    its own would trace mail no other node can resolve. Anything wrong is one FumidaiError.
    """
    from .config import trace_key_file
    from .reputation.trace import add_key, load_tracer

    cfg = settings.complaints
    if not cfg.trace_header:
        return None
    path = trace_key_file(settings)
    if not cfg.secret_file and not path.exists():
        add_key(path, cfg.key_retention)
        log.warning("made the trace key %s (first start); with several policy servers, copy it to each node "
                    "and name it in [complaints] secret_file", path)
    return load_tracer(cfg.trace_header, path, cfg.key_retention)


class Reputation:
    """What `serve` runs for reputation beside the policy path: the complaint counts the
    behaviour signal reads, and the egress blocklist monitor (stored through the application layer)."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.monitor: BlocklistMonitor | None = None

    async def start(self, metrics: Any = None) -> None:
        from .actions.complaints import BlocklistStore, ComplaintActions
        from .reputation.blocklists import BlocklistMonitor, register_metrics, state_from_row

        svc = self.service
        settings = svc.settings
        actions = ComplaintActions(svc.store, settings.complaints, svc.clock)
        for account, count in (await asyncio.to_thread(actions.counts_now)).items():
            svc.apply_complaints(account, count)
        stored = BlocklistStore(svc.store)
        rows = await asyncio.to_thread(stored.rows_now)
        self.monitor = BlocklistMonitor(settings.blocklists, stored.save_round, svc.clock,
                                        [state_from_row(r) for r in rows])
        if metrics is not None:
            register_metrics(metrics.registry, self.monitor)
        self.monitor.start()

    async def stop(self) -> None:
        if self.monitor is not None:
            await self.monitor.stop()


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
    tracer = load_trace(settings)
    store = open_store(settings.storage.url)
    svc = Service(settings, clock=clock, geo=geo, store=store, manage_gc=True)
    svc.tracer = tracer
    outbox = make_outbox(settings, store, svc.clock)
    await svc.start()
    reputation = Reputation(svc)
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

        app = make_api(svc, outbox)
        await reputation.start(svc.metrics)
        try:
            api = await serve_api(app, settings)
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
        await reputation.stop()
        delivering.set()
        await cancel_and_wait(background, log)
        await svc.stop()
        store.dispose()
    return 0
