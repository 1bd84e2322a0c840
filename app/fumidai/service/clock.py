"""Clocks: the real one, and a faster one for simulations (``fumidai serve --time-scale N``)."""

from __future__ import annotations

import time
from datetime import datetime, timezone


class ScaledClock:
    """Epoch seconds that advance ``scale`` times faster than real time from ``start``."""

    def __init__(self, scale: float, start: float | None = None) -> None:
        if scale <= 0:
            raise ValueError("time scale must be positive")
        self.scale = scale
        self.real_start = time.time()
        self.start = self.real_start if start is None else start

    def __call__(self) -> float:
        return self.start + (time.time() - self.real_start) * self.scale


def to_datetime(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, timezone.utc)


def to_epoch(dt: datetime | None) -> float | None:
    if dt is None:
        return None
    if dt.tzinfo is None:  # stored naive by an old row: it is UTC
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
