"""Strikes: an account's complaints within a window → nothing, an alert, or a suspension.

Pure: the caller gives the complaint ids and times (epoch seconds) and the clock.
``[complaints] suspend_after = 3`` complaints within ``window = 86400.0`` seconds suspend;
one or more below that raise an alert so the desk sees it coming.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

SUSPEND_REASON = "complaints"


class Verdict(str, Enum):
    NOTHING = "nothing"
    ALERT = "alert"
    SUSPEND = "suspend"


@dataclass(frozen=True)
class StrikeDecision:
    verdict: Verdict
    reason: str  # "complaints" for a suspension; a sentence for an alert; "" for nothing
    complaint_ids: tuple[int, ...]  # the complaints inside the window, oldest first
    threshold: int
    window: float


def decide(
    complaints: Iterable[tuple[int, float]], now: float, suspend_after: int = 3, window: float = 86400.0
) -> StrikeDecision:
    """``complaints``: (id, epoch seconds) of one account, any order.

    Only complaints in ``(now - window, now]`` count; a complaint dated after ``now`` (a
    reporter's clock ahead of ours) counts as now.
    """
    if suspend_after < 1:
        raise ValueError("suspend_after must be at least 1")
    inside = sorted((t, cid) for cid, t in complaints if t > now - window)
    ids = tuple(cid for _, cid in inside)
    if len(ids) >= suspend_after:
        return StrikeDecision(Verdict.SUSPEND, SUSPEND_REASON, ids, suspend_after, window)
    if ids:
        text = f"{len(ids)} of {suspend_after} complaints within {window:g} s"
        return StrikeDecision(Verdict.ALERT, text, ids, suspend_after, window)
    return StrikeDecision(Verdict.NOTHING, "", (), suspend_after, window)
