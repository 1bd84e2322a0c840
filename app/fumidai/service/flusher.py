"""The write-behind flusher and the tidy-up: what the policy path produced goes to the store every
[storage] flush_interval seconds; idle state is forgotten every tidy_interval. A part of Service
(service/core.py)."""

from __future__ import annotations

import asyncio
import logging
import time

from .alerts import ALERT_REPEAT
from .views import RISK_SHOWN_FOR
from .writebehind import WriteBatch, StoreWriter, backlog_size, freeze_heap, set_aside_path

log = logging.getLogger("fumidai.service")

BASELINES_PER_SLICE = 200  # baselines encoded between two looks at the policy requests
TOUCH_EVERY = 60.0  # an account's last-seen time is written at most this often
FULL_GC_EVERY = 3600.0  # real seconds between full garbage collections (see writebehind.freeze_heap)


class WriteBehind:
    """Flushes ``self.unflushed`` and dirty baselines through ``self.stored``; tidies the live state."""

    async def _flush_loop(self) -> None:
        interval = self.settings.storage.flush_interval
        save_every = self.settings.behaviour.save_interval
        next_tidy = time.monotonic() + self.settings.storage.tidy_interval
        next_full_gc = time.monotonic() + FULL_GC_EVERY
        next_save = time.monotonic() + save_every
        while True:
            await asyncio.sleep(interval)
            now = time.monotonic()
            save = now >= next_save
            if save:
                next_save = now + save_every
            await self.flush(save_baselines=save)
            now = time.monotonic()
            if now >= next_tidy:
                next_tidy = now + self.settings.storage.tidy_interval
                await self.tidy()
            if self.manage_gc:
                full = now >= next_full_gc
                if full:
                    next_full_gc = now + FULL_GC_EVERY
                freeze_heap(full)

    async def tidy(self) -> None:
        """Forget what no longer matters: idle accounts' state, old alert marks, old history."""
        now = self.clock()
        minute = int(now // 60)
        dropped = self.counters.prune(minute)
        for key, at in list(self._last_alert.items()):
            if now - at >= ALERT_REPEAT:
                del self._last_alert[key]
        self.limited_accounts(now)  # drops the limit marks older than LIMITED_FOR
        for account, at in list(self._touched.items()):
            if now - at >= TOUCH_EVERY:
                del self._touched[account]
        for account in [a for a, n in self.complaint_counts.items() if n <= 0]:
            del self.complaint_counts[account]
        for account in [a for a in self.overrides if not self.overrides[a].active(now)]:
            del self.overrides[account]
            self._limits_cache.pop(account, None)
        for account in [a for a, r in self.recent.items() if r.idle(now)]:
            del self.recent[account]
        for account in [a for a, (at, _) in self.risk.items() if now - at >= RISK_SHOWN_FOR]:
            del self.risk[account]
        oldest = minute - self.settings.storage.history_days * 1440
        try:
            removed = await asyncio.to_thread(self.stored.delete_buckets_before, oldest)
        except Exception as err:
            log.error("could not remove old history: %s", err)
            removed = 0
        if dropped or removed:
            log.info("tidied: %d idle accounts forgotten, %d old count buckets removed", dropped, removed)

    async def flush(self, save_baselines: bool = True) -> None:
        """Write what the policy path produced (writebehind.StoreWriter: a row the database refuses
        is set aside, the rest written); while the store is down keep it, bounded, for the next round.
        The baselines learned since the last save too, with ``save_baselines`` (the flush loop: every
        [behaviour] save_interval; at shutdown and for callers: always)."""
        if save_baselines and self.baselines is not None:
            await self._flush_baselines()
        async with self._flush_lock:  # the flusher and a staff action's write_unflushed_suspension
            await self._flush_batch()

    async def _flush_batch(self) -> None:
        writer = self._store_writer()
        batch, self.unflushed = self.unflushed, WriteBatch()
        if self.metrics is not None:
            self.metrics.set_flush_lag(time.time() - self.last_flush if self.last_flush else 0.0, len(batch.buckets))
        if not batch:
            self.last_flush = time.time()
            self._backlog_alert(writer.watch(self.unflushed, False, ""))
            return
        # Staff may have released an automatic suspension before this flush: that one is not written.
        batch.suspensions = {a: susp for a, susp in batch.suspensions.items() if a in self.suspended_index}
        outcome = await asyncio.to_thread(writer.write, batch)
        failed = outcome.unwritten is not None
        if failed:
            self.flush_errors += 1
            log.error("could not write %d rows to the store (kept for the next flush): %s",
                      backlog_size(outcome.unwritten), outcome.error)
            outcome.unwritten.merge(self.unflushed)
            self.unflushed = outcome.unwritten
            writer.bound(self.unflushed)
        else:
            self.last_flush = time.time()
        self._backlog_alert(writer.watch(self.unflushed, failed, outcome.error))

    def _store_writer(self) -> StoreWriter:
        if self.writer is None:
            storage = self.settings.storage
            self.writer = StoreWriter(self._write, self.stored.is_unavailable, storage.max_backlog,
                                      storage.backlog_alert, set_aside_path(storage.url))
        return self.writer

    async def _flush_baselines(self) -> None:
        # Encoded a slice at a time with a pause between: a busy interval leaves thousands of
        # baselines to encode, which in one go held policy requests for tens of ms.
        started = time.perf_counter()
        blobs: dict[str, bytes] = {}
        left = self.baselines.dirty_count()
        while left > 0:
            chunk = self.baselines.take_dirty(BASELINES_PER_SLICE)
            if not chunk:
                break
            blobs.update(chunk)
            left -= len(chunk)
            if left > 0:
                await asyncio.sleep(0)
        if not blobs:
            return
        try:
            await asyncio.to_thread(self.stored.write_baselines, blobs)
            log.info("baselines saved: %d in %.0f ms", len(blobs), (time.perf_counter() - started) * 1000)
        except Exception as err:
            log.error("could not write %d baselines to the store (will retry): %s", len(blobs), err)
            for account in blobs:
                if account in self.baselines:
                    self.baselines.touched(account)

    def _write(self, batch: WriteBatch) -> None:  # in a thread
        self.stored.write(batch.seen, [(a, m, c, *cell) for (a, m, c), cell in batch.buckets.items()],
                          batch.suspensions, batch.alerts)
