"""Clocks: the real one, and a faster one for simulations (``fumidai serve --time-scale N``)."""

from __future__ import annotations

import time

from ..isotime import iso  # noqa: F401  (the one wire format)
from ..store.records import to_datetime, to_epoch  # noqa: F401  (conversions live at the store boundary)


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
