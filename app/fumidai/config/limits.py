"""[limits] and [actions]: the default quotas and caps, and what Postfix is told at them."""

from __future__ import annotations

from pydantic import field_validator

from ..policy.engine import Texts
from ..policy.limits import Action, Quota, QUOTA_KEYS
from .checks import LimitValue, _Section, _country_code, _limit, _one_line


class QuotaSection(_Section):
    messages_per_hour: LimitValue = None
    messages_per_day: LimitValue = None
    recipients_per_hour: LimitValue = None
    recipients_per_day: LimitValue = None
    recipients_per_message: LimitValue = None
    unique_recipients_per_day: LimitValue = None

    def quota(self) -> Quota:
        return Quota(**{k: _limit(getattr(self, k)) for k in QUOTA_KEYS})


class CapSection(QuotaSection):
    on_limit: Action = Action.REJECT


class AbroadSection(CapSection):
    # A default of its own, so a [limits.abroad] table that sets only on_limit keeps the cap.
    messages_per_day: LimitValue = 20


class LimitsSection(QuotaSection):
    messages_per_hour: LimitValue = 100
    messages_per_day: LimitValue = 500
    recipients_per_hour: LimitValue = 300
    recipients_per_day: LimitValue = 1500
    recipients_per_message: LimitValue = 100
    unique_recipients_per_day: LimitValue = None
    abroad: AbroadSection = AbroadSection()
    country: dict[str, CapSection] = {}

    @field_validator("country")
    @classmethod
    def _codes(cls, v: dict[str, CapSection]) -> dict[str, CapSection]:
        return {_country_code(k): s for k, s in v.items()}


_TEXTS = Texts()  # the engine's own defaults


class ActionsSection(_Section):
    """[actions]: what happens at an account quota, and the texts Postfix relays to the client."""

    on_limit: Action = _TEXTS.on_limit
    suspend_text: str = _TEXTS.suspend_text
    defer_text: str = _TEXTS.defer_text
    reject_text: str = _TEXTS.reject_text
    country_text: str = _TEXTS.country_text
    recipients_text: str = _TEXTS.recipients_text
    hold_text: str = _TEXTS.hold_text
    filter_transport: str = _TEXTS.filter_transport

    def texts(self) -> Texts:
        return Texts(**self.model_dump())

    @field_validator("suspend_text", "reject_text", "country_text", "recipients_text")
    @classmethod
    def _permanent(cls, v: str) -> str:
        if not v[:1] == "5":
            raise ValueError("must start with a 5.x.x enhanced status code")
        return _one_line(v)

    @field_validator("defer_text")
    @classmethod
    def _temporary(cls, v: str) -> str:
        if not v[:1] == "4":
            raise ValueError("must start with a 4.x.x enhanced status code")
        return _one_line(v)

    @field_validator("hold_text")
    @classmethod
    def _line(cls, v: str) -> str:
        return _one_line(v)

    @field_validator("filter_transport")
    @classmethod
    def _transport(cls, v: str) -> str:
        if ":" not in v or any(c.isspace() for c in v):
            raise ValueError("must be transport:nexthop, e.g. smtp:[quarantine.example]:25")
        return v
