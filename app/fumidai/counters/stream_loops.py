"""What the two Redis stream links share: counts and suspensions (redis.py) and behaviour
observations (behaviour_stream.py) each append batches to a stream of their own and apply
what the other nodes appended.

``StreamLoops`` is the writer and the reader; a subclass sets ``redis``, ``stream``,
``_node_b`` (its node id as bytes), ``flush_interval``, ``block_ms``, ``_buffer``, ``_wake``
and ``_last_id``, and provides ``_send()`` (the whole buffer in one pipeline, put back in
front on failure), ``_apply(node, fields)`` (one entry of another node), ``_trouble(err)``
and ``_recovered()`` (its own log lines). Both loops retry with backoff and never raise.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket

MAX_BACKOFF = 5.0  # seconds between retries while Redis does not answer, at most


def node_id() -> str:
    """Unique per process and start: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def streams(reply) -> list:
    """XREAD's reply as [(stream, [(id, fields)])] in both RESP2 and RESP3 shapes."""
    if not reply:
        return []
    if isinstance(reply, dict):
        return [(k, v[0] if v and isinstance(v[0], list) else v) for k, v in reply.items()]
    return reply


class StreamLoops:
    read_count = 200  # entries per XREAD
    _writer_ok = _reader_ok = False
    _warned = False

    @property
    def connected(self) -> bool:
        return self._writer_ok and self._reader_ok

    async def _write_loop(self) -> None:
        backoff = 0.1
        while True:
            await self._wake.wait()
            await asyncio.sleep(self.flush_interval)  # let a batch gather
            self._wake.clear()
            if not self._buffer:
                continue
            try:
                await self._send()
            except (asyncio.CancelledError, KeyboardInterrupt):
                raise
            except Exception as err:
                self._writer_ok = False
                self._trouble(err)
                self._wake.set()  # the buffer is still there: try again after the pause
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            backoff = 0.1
            if not self._writer_ok:
                self._writer_ok = True
                self._recovered()

    async def _read_loop(self) -> None:
        backoff = 0.1
        while True:
            try:
                reply = await self.redis.xread({self.stream: self._last_id}, count=self.read_count,
                                               block=self.block_ms)
            except (asyncio.CancelledError, KeyboardInterrupt):
                raise
            except Exception as err:
                self._reader_ok = False
                self._trouble(err)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            backoff = 0.1
            if not self._reader_ok:
                self._reader_ok = True
                self._recovered()
            for _stream, entries in streams(reply):
                for entry_id, fields in entries:
                    self._last_id = entry_id
                    node = fields.get(b"n") if isinstance(fields, dict) else None
                    if node != self._node_b:
                        self._apply(node, fields if isinstance(fields, dict) else {})
                        await asyncio.sleep(0)  # a long catch-up must not hold policy requests
