"""The demo's traffic: the simulator's plan played against the policy server in a thread, day after day."""

from __future__ import annotations

import asyncio
import threading
import time

from .demo_processes import STOP_TIMEOUT


class Traffic(threading.Thread):
    """The simulator's plan, played against the policy server in a thread, day after day."""

    def __init__(self, policy: str, plan: list, time_scale: float, duration: float, concurrency: int = 16) -> None:
        super().__init__(name="fumidai-demo-traffic", daemon=True)
        self.policy = policy
        self.plan = plan
        self.time_scale = time_scale
        self.duration = duration
        self.concurrency = concurrency
        self.results: list = []
        self.error: BaseException | None = None
        self.started_at = 0.0
        self.ended_at = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._halt: asyncio.Event | None = None  # not _stop: Thread has one
        self._ready = threading.Event()

    def run(self) -> None:
        try:
            asyncio.run(self._main())
        except Exception as err:  # noqa: BLE001 - the main thread reports it
            self.error = err
        finally:
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._halt = asyncio.Event()
        self._ready.set()
        self.started_at = time.monotonic()
        playing = asyncio.create_task(self._days())
        stopping = asyncio.create_task(self._halt.wait())
        await asyncio.wait({playing, stopping}, return_when=asyncio.FIRST_COMPLETED)
        for task in (playing, stopping):
            task.cancel()
        try:
            await playing
        except asyncio.CancelledError:
            pass
        finally:
            self.ended_at = time.monotonic()

    async def _days(self) -> None:
        from .client import PolicyClient
        from .runner import run_plan

        day = 0
        while True:
            # The same day again, later: a new client, so no message instance repeats.
            offset = day * self.duration

            def keep(result, offset=offset):
                result.sent_at += offset
                self.results.append(result)

            async with PolicyClient(self.policy, connections=self.concurrency) as client:
                await run_plan(self.plan, client, self.time_scale, on_result=keep)
            day += 1

    def stop(self) -> None:
        self._ready.wait(5)
        if self._loop is not None and self._halt is not None and self.is_alive():
            try:
                self._loop.call_soon_threadsafe(self._halt.set)
            except RuntimeError:  # the loop has just finished
                pass
        self.join(STOP_TIMEOUT)

    @property
    def wall_seconds(self) -> float:
        return ((self.ended_at or time.monotonic()) - self.started_at) if self.started_at else 0.0

    @property
    def simulated_seconds(self) -> float:
        return self.wall_seconds * self.time_scale
