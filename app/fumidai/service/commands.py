"""`fumidai serve` and `fumidai check-config`; `fumidai account …` is in account_commands.py."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys

from ..errors import FumidaiError
from . import account_commands

log = logging.getLogger("fumidai.serve")


def _config_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="TOML configuration (default: $FUMIDAI_CONFIG, else built-in defaults)")


def register(sub) -> None:
    p = sub.add_parser("serve", help="run the policy server and the HTTP API")
    _config_arg(p)
    p.add_argument("--time-scale", type=float, default=None, metavar="N",
                   help="run the clock N times faster (simulations and training only)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("check-config", help="check the configuration and the files it names")
    _config_arg(p)
    p.add_argument("--show", action="store_true", help="print the effective configuration as JSON")
    p.set_defaults(func=cmd_check_config)

    account_commands.register(sub, _config_arg)


# --- serve -----------------------------------------------------------------------------------


def cmd_serve(args) -> int:
    from ..config import load_settings

    settings = load_settings(args.config)
    if args.time_scale is not None and args.time_scale <= 0:
        raise FumidaiError("--time-scale must be positive")
    # The flusher and the API's store reads run in threads; a short GIL switch interval
    # keeps them from holding up a policy answer for the default 5 ms.
    sys.setswitchinterval(0.0005)
    # The service freezes its long-lived state out of the collector after every flush
    # (service/writebehind.py, freeze_heap): automatic full collections have little left to do.
    import gc

    gc.set_threshold(700, 10, 1000)
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # Windows, or a minimal install
        runner = asyncio.run
    from ..serve import serve
    from .clock import ScaledClock

    clock = None
    if args.time_scale:
        clock = ScaledClock(args.time_scale)
        log.warning("clock runs %g times faster than real time: for simulations only", args.time_scale)
    rc = runner(serve(settings, clock))
    # Everything is flushed and closed by now. Freeing a heap of a hundred thousand
    # accounts object by object at interpreter exit takes seconds and only delays a
    # restart, so leave at once.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(rc)


# --- check-config ------------------------------------------------------------------------------


def cmd_check_config(args) -> int:
    """Read-only: the configuration parses, the GeoIP database opens, the store opens, the trace
    key file reads (nothing is created)."""
    from ..config import load_settings, mask_secrets
    from ..geo.lookup import GeoLookup
    from ..actions import describe_store

    settings = load_settings(args.config)
    GeoLookup(settings.geoip.database, settings.geoip.cache_size, settings.geoip.internal_networks).close()
    print(describe_store(settings.storage.url), file=sys.stderr)
    print(_describe_trace_key(settings), file=sys.stderr)
    if settings.counters.backend == "redis":
        print(_describe_redis(settings.counters), file=sys.stderr)
    if args.show:
        print(json.dumps(mask_secrets(settings.model_dump(mode="json")), indent=2, ensure_ascii=False))
    else:
        print(f"configuration OK: policy {settings.policy.listen}, API {settings.api.listen}, "
              f"store {settings.storage.url.split('://')[0]}, counters {settings.counters.backend}")
    return 0


def _describe_redis(counters) -> str:
    """One line on the counters' Redis (TLS, ACL user, Sentinel as configured): a PING."""
    from ..counters.connection import describe, sync_redis

    client = sync_redis(counters, socket_connect_timeout=3.0, socket_timeout=3.0)
    try:
        client.ping()
    except Exception as err:
        raise FumidaiError(f"cannot use Redis at {describe(counters)} ([counters]): {str(err) or type(err).__name__}"
                           ) from None
    finally:
        client.close()
    return f"counters: Redis at {describe(counters)} answers"


def _describe_trace_key(settings) -> str:
    """One line on the trace key file; a named file that is missing or unsafe is a FumidaiError."""
    from ..config import trace_key_file
    from ..reputation.trace import load_keys

    if not settings.complaints.trace_header:
        return "trace header: off ([complaints] trace_header = \"\")"
    path = trace_key_file(settings)
    if not settings.complaints.secret_file and not path.exists():
        return f"trace keys: {path} does not exist yet; fumidai serve makes it at its first start"
    keys = load_keys(path)
    return f"trace keys: {path}, {len(keys)} key(s)"
