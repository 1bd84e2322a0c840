"""Limits: the defaults from [limits], caps per country, and per-account overrides.

A limit of ``None`` means "no limit"; ``0`` allows nothing. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Mapping

QUOTA_KEYS = (
    "messages_per_hour",
    "messages_per_day",
    "recipients_per_hour",
    "recipients_per_day",
    "recipients_per_message",
    "unique_recipients_per_day",
)


class Action(StrEnum):
    """What happens at a limit."""

    SUSPEND = "suspend"  # stop the account's sending until staff release it
    DEFER = "defer"  # DEFER_IF_PERMIT 4.7.x until the window has room
    HOLD = "hold"  # accept into Postfix's hold queue
    FILTER = "filter"  # accept, route through the quarantine relay
    REJECT = "reject"  # refuse this message only


@dataclass(frozen=True, slots=True)
class Quota:
    messages_per_hour: int | None = None
    messages_per_day: int | None = None
    recipients_per_hour: int | None = None
    recipients_per_day: int | None = None
    recipients_per_message: int | None = None
    unique_recipients_per_day: int | None = None

    def with_values(self, values: Mapping[str, int | None]) -> Quota:
        """This quota with some keys replaced (an override); unknown keys are an error."""
        unknown = set(values) - set(QUOTA_KEYS)
        if unknown:
            raise KeyError(f"unknown limit {sorted(unknown)[0]!r}")
        return replace(self, **dict(values))

    def as_dict(self) -> dict[str, int | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def is_empty(self) -> bool:
        return all(getattr(self, k) is None for k in QUOTA_KEYS)


@dataclass(frozen=True, slots=True)
class Cap:
    """A quota on what an account sends from some countries, and what happens past it."""

    quota: Quota
    on_limit: Action = Action.REJECT
    # Whether the quota limits anything: read for every message from abroad, so kept
    # rather than compared field by field each time.
    limiting: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "limiting", not self.quota.is_empty())


@dataclass(frozen=True, slots=True)
class Limits:
    """The effective limits of one account."""

    account: Quota
    home_countries: frozenset[str]
    abroad: Cap
    countries: Mapping[str, Cap] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Override:
    """An account's own limits, set by staff; ``expires_at`` (epoch seconds) ends it.

    Only what is given replaces the defaults: ``limits`` some account quota keys,
    ``abroad`` some abroad cap keys, ``countries`` whole per-country caps (a country
    mapped to an empty dict drops that country's default cap), ``home_countries`` the
    account's home.
    """

    limits: Mapping[str, int | None] = field(default_factory=dict)
    home_countries: frozenset[str] | None = None
    abroad: Mapping[str, int | None] | None = None
    countries: Mapping[str, Mapping[str, int | None]] | None = None
    expires_at: float | None = None
    set_by: str = ""
    reason: str = ""

    def active(self, now: float) -> bool:
        return self.expires_at is None or now < self.expires_at

    def apply(self, base: Limits) -> Limits:
        countries = dict(base.countries)
        for code, values in (self.countries or {}).items():
            if values:
                old = countries.get(code)
                countries[code] = Cap(Quota().with_values(values), old.on_limit if old else Action.REJECT)
            else:
                countries.pop(code, None)
        return Limits(
            account=base.account.with_values(self.limits),
            home_countries=self.home_countries if self.home_countries is not None else base.home_countries,
            abroad=Cap(base.abroad.quota.with_values(self.abroad or {}), base.abroad.on_limit),
            countries=countries,
        )


def effective_limits(defaults: Limits, override: Override | None, now: float) -> Limits:
    """The limits that hold for an account now: its override while it lasts, else the defaults."""
    if override is None or not override.active(now):
        return defaults
    return override.apply(defaults)
