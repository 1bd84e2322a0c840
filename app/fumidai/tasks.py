"""Background asyncio tasks: the one way the service and the Redis replicator stop theirs."""

from __future__ import annotations

import asyncio
import logging


async def cancel_and_wait(tasks: list[asyncio.Task], log: logging.Logger) -> None:
    """Cancel ``tasks`` and wait until each has ended; a task that failed is logged, not raised."""
    for t in tasks:
        t.cancel()
    for t in tasks:
        try:
            await t
        except asyncio.CancelledError:
            pass
        except Exception:  # their loops catch everything; this is belt and braces
            log.exception("background task %s failed", t.get_name())
