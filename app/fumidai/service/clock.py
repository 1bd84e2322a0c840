"""Clocks: the real one, and a faster one for simulations (``fumidai serve --time-scale N``)."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from ..store.records import to_datetime, to_epoch  # noqa: F401  (the clock's conversions live at the store boundary)


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


def iso(value: datetime | float | None) -> str | None:
    """UTC, second precision, "Z": the one time format on the wire."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromtimestamp(value, timezone.utc)
    elif value.tzinfo is None:  # stored naive by an old row: it is UTC
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
