"""The write-behind batch of the policy path, and how the server keeps the collector off its heap."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field

from ..policy import Suspension


@dataclass
class WriteBatch:
    """What the policy path produced since the last flush."""

    buckets: dict[tuple[str, int, str], list[int]] = field(default_factory=dict)
    seen: dict[str, float] = field(default_factory=dict)
    alerts: list[dict] = field(default_factory=list)
    suspensions: dict[str, Suspension] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.buckets or self.seen or self.alerts or self.suspensions)

    def merge(self, newer: WriteBatch) -> None:
        """Put a batch that failed to write back in front of what came since."""
        for key, cell in newer.buckets.items():
            old = self.buckets.setdefault(key, [0, 0, 0, 0])
            for i in range(4):
                old[i] += cell[i]
        for k, v in newer.seen.items():
            self.seen[k] = max(v, self.seen.get(k, 0.0))
        self.alerts.extend(newer.alerts)
        self.suspensions.update(newer.suspensions)


def freeze_heap(full: bool = False) -> None:
    """Keep the cyclic garbage collector off the accounts' state.

    The live state is a large, long-lived, acyclic heap: Python's automatic full
    collection walks all of it (0.5–0.8 s with 100,000 accounts active, stalling every
    policy answer) and frees nothing. So after each flush the young generations are
    collected (milliseconds) and the survivors frozen out of the collector's sight. A
    cycle that turns into garbage only after being frozen would stay; the full
    collection once an hour (``full``) takes care of those.
    """
    if full:
        gc.unfreeze()
        gc.collect()
    else:
        gc.collect(1)
    gc.freeze()
