"""The HTTP API: `create_app(service, actions, reads, outbox)` → a FastAPI app over the running service.

Routes are thin and get what they use through typed dependencies (deps.py): live reads call
the service on the loop thread (they do not await in the middle of a read, so they see one
consistent moment); staff actions and store reads go through the application layer
(actions/), whose database work runs in a thread.
"""

from __future__ import annotations

import logging
import time

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from fumidai import __version__
from fumidai.actions.complaints import BlocklistStore, ComplaintActions
from fumidai.actions.incidents import IncidentActions
from fumidai.actions.reads import StoreReads
from fumidai.actions.staff import StaffActions
from fumidai.errors import FumidaiError, Invalid, NotFound
from fumidai.notices.outbox import Outbox
from fumidai.policy.names import account_namer
from fumidai.service.core import Service

from .auth import TokenCache, staff_lookup
from .deps import ApiDeps
from .account_names import CanonicalAccountPath
from .edge import ApiEdge
from .metrics import Metrics
from .routes import accounts, audit, incidents, live, notices, permissions, reputation, system

log = logging.getLogger(__name__)
PREFIX = "/api/v1"


def _describe(err: RequestValidationError) -> str:
    """Pydantic's error list → one line that names the field."""
    parts = []
    for e in err.errors()[:3]:
        loc = ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path"))
        msg = str(e.get("msg", "invalid")).replace("\n", " ")
        if e.get("type") == "extra_forbidden":
            msg = "unknown field"
        elif e.get("type") == "json_invalid":
            msg = "the body is not valid JSON"
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(dict.fromkeys(parts))[:500] or "invalid request"


class _RequestMetrics:
    """ASGI middleware: count each request by route template (never by raw path) and status."""

    def __init__(self, app, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            template = getattr(scope.get("route"), "path", None) or "unmatched"
            # Routes of an included router carry their path without the prefix.
            if template != "unmatched" and scope["path"].startswith(PREFIX) and not template.startswith(PREFIX):
                template = PREFIX + template
            self.metrics.observe_request(scope["method"], template, status, time.perf_counter() - start)


def _document_errors_as_one_line(app: FastAPI) -> None:
    """Every error answers ``{"detail": "one line"}`` (the handlers below), 422 included: say so
    in the schema instead of FastAPI's default list of validation errors."""
    make_schema = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = make_schema()
            schemas = schema.get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                schemas["HTTPValidationError"] = {
                    "title": "Problem", "type": "object", "required": ["detail"],
                    "properties": {"detail": {"type": "string", "description": "What was wrong, in one line"}},
                }
                schemas.pop("ValidationError", None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(service: Service, actions: StaffActions, reads: StoreReads, outbox: Outbox | None = None,
               metrics: Metrics | None = None, complaints: ComplaintActions | None = None) -> FastAPI:
    """The API over the live ``service``, staff ``actions`` and store ``reads``; ``metrics`` is
    shared with the policy path (the service is given it here when it has none)."""
    app = FastAPI(
        title="Fumidai API",
        version=__version__,
        description="Abuse-desk API: live sending rates, suspensions, limits, notices, audit, complaints, "
                    "egress blocklists, alert acknowledgements and incidents. "
                    "Send `Authorization: Bearer TOKEN` (from `fumidai staff add`) on every path but "
                    "/api/v1/health; /metrics answers loopback clients without a token.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
    )
    metrics = metrics or service.metrics or Metrics()
    if service.metrics is None:
        service.metrics = metrics  # the policy path feeds the same registry
        metrics.watch_replication(service)
        metrics.watch_store_writer(service)
    if complaints is None:
        complaints = ComplaintActions(service.store, service.settings.complaints, service.clock, live=service)
    workflow = IncidentActions(actions.store, actions.clock, known_live=service.is_known_live)
    app.state.deps = ApiDeps(live=service, actions=actions, reads=reads, metrics=metrics, outbox=outbox,
                             complaints=complaints, blocklists=BlocklistStore(service.store), incidents=workflow)
    app.state.tokens = TokenCache(staff_lookup(reads))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, err: RequestValidationError):
        return JSONResponse({"detail": _describe(err)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, err: StarletteHTTPException):
        detail = err.detail if isinstance(err.detail, str) else str(err.detail)
        return JSONResponse({"detail": detail}, status_code=err.status_code, headers=err.headers)

    @app.exception_handler(FumidaiError)
    async def _user_error(request: Request, err: FumidaiError):
        # The store refuses what does not fit the account's state (release of an account
        # that is not suspended: Conflict; clear limits it does not have: NotFound).
        status = 404 if isinstance(err, NotFound) else 422 if isinstance(err, Invalid) else 409
        return JSONResponse({"detail": (str(err).splitlines() or ["refused"])[0][:500]}, status_code=status)

    @app.exception_handler(Exception)
    async def _crash(request: Request, err: Exception):
        log.exception("API %s %s failed", request.method, request.url.path)
        return JSONResponse({"detail": "internal error; see the server log"}, status_code=500)

    _document_errors_as_one_line(app)
    app.include_router(system.router)
    for module in (live, accounts, permissions, notices, audit, reputation, incidents):
        app.include_router(module.router, prefix=PREFIX)
    app.add_middleware(_RequestMetrics, metrics=metrics)
    policy = service.settings.policy
    app.add_middleware(CanonicalAccountPath, namer=account_namer(policy.account_names, policy.strip_realms))
    # Added last, so outermost: token and body size are checked before anything reads the body.
    edge = service.settings.api
    app.add_middleware(ApiEdge, tokens=app.state.tokens, max_body=edge.max_body,
                       failures_per_minute=edge.auth_failures_per_minute)
    return app


def make_outbox(settings, store, clock) -> Outbox:
    """The notices' outbox over the store's queue (the application layer keeps it)."""
    from fumidai.actions.notice_queue import StoredNoticeQueue

    return Outbox(settings, StoredNoticeQueue(store), clock)


def app_for_service(service: Service, outbox: Outbox | None = None, metrics: Metrics | None = None) -> FastAPI:
    """The API over a started service: its staff actions apply to that service's live state."""
    if outbox is None:
        outbox = make_outbox(service.settings, service.store, service.clock)
    actions = StaffActions(service.store, service.clock, live=service,
                           retry_wait=service.settings.storage.flush_interval * 2)
    return create_app(service, actions, StoreReads(service.store, service.clock), outbox, metrics)
