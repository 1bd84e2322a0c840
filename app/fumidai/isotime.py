"""The one time format on the wire and in audit entries: UTC, second precision, "Z"."""

from __future__ import annotations

from datetime import datetime, timezone


def iso(value: datetime | float | None) -> str | None:
    """Epoch seconds or a datetime (naive = UTC, as an old row stores it) → "2026-12-07T21:45:02Z"."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromtimestamp(value, timezone.utc)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
