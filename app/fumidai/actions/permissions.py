"""Travel and trust permissions: the checks every entry point shares (API, command line).

A permission always ends by itself: ``expires_at`` is required, in the future and at most
``MAX_PERMISSION_DAYS`` ahead, so a forgotten one cannot open an account for good.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..behaviour.permissions import ALL_SIGNALS, TRUSTABLE_SIGNALS
from ..errors import Invalid
from ..geo.countries import is_country_code

MAX_PERMISSION_DAYS = 90
MAX_ITEMS = 50


def check_countries(countries: Iterable[str]) -> list[str]:
    """ISO 3166-1 alpha-2 codes, upper-cased, each once; Invalid names the first bad one."""
    out = []
    for code in countries:
        up = str(code).strip().upper()
        if not is_country_code(up):
            raise Invalid(f"countries: {str(code)[:8]!r} is not an ISO 3166-1 alpha-2 country code")
        out.append(up)
    return _items("countries", out)


def check_signals(signals: Iterable[str]) -> list[str]:
    """Signal codes a trust permission may waive, or "*" for all of them."""
    out = []
    for code in signals:
        c = str(code).strip()
        if c != ALL_SIGNALS and c not in TRUSTABLE_SIGNALS:
            raise Invalid(f"signals: {c[:32]!r} is not a signal code (one of {', '.join(sorted(TRUSTABLE_SIGNALS))}, or *)")
        out.append(c)
    return _items("signals", out)


def _items(field: str, items: list[str]) -> list[str]:
    items = sorted(set(items))
    if not items:
        raise Invalid(f"{field}: give at least one")
    if len(items) > MAX_ITEMS:
        raise Invalid(f"{field}: at most {MAX_ITEMS}")
    return items


def check_expiry(expires_at: float, now: float) -> float:
    """In the future and at most MAX_PERMISSION_DAYS ahead."""
    if expires_at <= now:
        raise Invalid("expires_at: must be in the future")
    if expires_at > now + MAX_PERMISSION_DAYS * 86400:
        raise Invalid(f"expires_at: at most {MAX_PERMISSION_DAYS} days ahead")
    return expires_at
