"""Play a plan against a policy server at the simulated pace."""

from __future__ import annotations

import asyncio
from typing import Callable, Sequence

from .client import MessageResult, PolicyClient, Submission


async def run_plan(
    plan: Sequence[Submission],
    client: PolicyClient,
    time_scale: float = 1.0,
    on_result: Callable[[MessageResult], None] | None = None,
) -> list[MessageResult]:
    """Send each submission at ``at / time_scale`` wall seconds after the start.

    ``time_scale`` 0 sends as fast as the pool allows. When the server is slower than the
    plan, messages go out late rather than piling up: at most ``client.connections`` are in
    flight. Results come back in plan order; ``sent_at`` is the simulated time they were sent.
    """
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    results: list[MessageResult | None] = [None] * len(plan)
    room = asyncio.Semaphore(client.connections)
    pending: set[asyncio.Task] = set()
    failure: list[BaseException] = []

    async def one(i: int, sub: Submission, sent_at: float) -> None:
        try:
            results[i] = res = await client.send(sub, sent_at)
            if on_result:
                on_result(res)
        except Exception as err:  # the server went away: stop scheduling, report it
            failure.append(err)
        finally:
            room.release()

    for i, sub in enumerate(plan):
        if failure:
            break
        if time_scale > 0:
            delay = t0 + sub.at / time_scale - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
        await room.acquire()
        sent_at = (loop.time() - t0) * time_scale if time_scale > 0 else sub.at
        task = asyncio.create_task(one(i, sub, sent_at))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.gather(*pending)
    if failure:
        raise failure[0]
    return [r for r in results if r is not None]
