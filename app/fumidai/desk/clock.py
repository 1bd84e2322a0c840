"""The server's clock as the desk knows it, and times shown in the desk's local zone.

Defaults such as "until tomorrow" come from the server's clock, not the workstation's: a desk
whose clock is off (or a server run with ``--time-scale``) would otherwise propose an expiry
that the backend reads as already past. The offset is learned from every overview's ``time``.
"""

from __future__ import annotations

import datetime as dt
import time

from PySide6.QtCore import QDateTime, QTimeZone

_offset = 0.0  # server time minus desk time, seconds


def learn_server_time(server_epoch: float | None, received_at: float | None = None) -> None:
    """Remember how far the server's clock is from ours (an answer without a time changes nothing)."""
    global _offset
    if server_epoch is not None:
        _offset = server_epoch - (received_at if received_at is not None else time.time())


def server_epoch() -> float:
    return time.time() + _offset


def server_now() -> QDateTime:
    """The server's now, as a UTC QDateTime."""
    return QDateTime.fromMSecsSinceEpoch(int(server_epoch() * 1000), QTimeZone.utc())


def iso_utc(when: QDateTime) -> str:
    """The wire's format: ISO 8601 in UTC with a Z."""
    return when.toUTC().toString("yyyy-MM-dd'T'HH:mm:ss'Z'")


def local_text(epoch: float | None, seconds: bool = False) -> str:
    """Epoch seconds in the desk's local zone ("" for none)."""
    if epoch is None:
        return ""
    return dt.datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def utc_text(epoch: float | None) -> str:
    """The same instant in UTC, for a tooltip ("" for none)."""
    if epoch is None:
        return ""
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
