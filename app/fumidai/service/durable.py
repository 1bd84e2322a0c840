"""Automatic suspensions are stored before they are answered. A part of Service (service/core.py)."""

from __future__ import annotations

import asyncio
import logging

from ..policy import Suspension

log = logging.getLogger("fumidai.service")


class DurableSuspensions:
    """An automatic suspension's refusal waits for its write (``self._durable``: account -> the write)."""

    def _stored_first(self, account: str, susp: Suspension | None, action: str):
        """``action`` once the account's automatic suspension is in the store with its audit row.

        A kill -9 right after the answer must not lose the suspension: the refusal that shows
        it waits for the write (milliseconds, off the loop). Should the store fail, the
        suspension stays in the write-behind batch (the flusher retries) and the answer goes
        out all the same.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called off the loop (a test driving handle() directly): write behind
            if susp is not None:
                self.unflushed.suspensions[account] = susp
            return action
        write = self._durable.get(account)
        if write is None:
            if susp is None:
                return action
            write = self._durable[account] = loop.create_task(self._store_suspension(account, susp))
        answer = loop.create_future()
        write.add_done_callback(lambda _: answer.done() or answer.set_result(action))
        return answer

    async def _store_suspension(self, account: str, susp: Suspension) -> None:
        try:
            await asyncio.to_thread(self.stored.write_auto_suspension, account, susp)
        except Exception as err:
            log.error("could not store the automatic suspension of %r (the flush retries): %s", account, err)
            self.unflushed.suspensions[account] = susp
        finally:
            self._durable.pop(account, None)
