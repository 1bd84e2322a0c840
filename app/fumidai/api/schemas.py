"""Request bodies: everything staff send is checked here, so routes see only good values.

Also the shapes of some answers, for the OpenAPI schema.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from fumidai.geo.countries import is_country_code
from fumidai.policy import QUOTA_KEYS

MAX_ACCOUNT = 320  # RFC 5321 path length: no SASL name we serve is longer
MAX_LIMIT = 1_000_000_000  # far above any real quota; keeps values inside a 64-bit column
LANGUAGES = ("ja", "en")

# A limit: a whole number >= 0 (0 allows nothing), null or "unlimited" (no limit).
LimitValue = Annotated[int, Field(strict=True, ge=0, le=MAX_LIMIT)] | Literal["unlimited"] | None
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
                   Field(description="Why; kept in the audit log (one line, at most 500 characters)")]
TemplateName = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Language = Literal["ja", "en"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _one_line(value: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("must be one line of printable text")
    return value


def _utc(value: datetime | None) -> datetime | None:
    """A time without a zone is taken as UTC (the API speaks UTC only)."""
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


class Quota(_Body):
    """Some quota keys; keys left out keep their default."""

    messages_per_hour: LimitValue = None
    messages_per_day: LimitValue = None
    recipients_per_hour: LimitValue = None
    recipients_per_day: LimitValue = None
    recipients_per_message: LimitValue = None
    unique_recipients_per_day: LimitValue = None

    def values(self) -> dict[str, int | None]:
        """Only the keys that were sent; "unlimited" and null both mean no limit."""
        return {k: (None if getattr(self, k) in (None, "unlimited") else getattr(self, k))
                for k in QUOTA_KEYS if k in self.model_fields_set}


def _country(code: str) -> str:
    up = code.strip().upper()
    if not is_country_code(up):
        raise ValueError(f"{code[:8]!r} is not an ISO 3166-1 alpha-2 country code")
    return up


class SuspendNotice(_Body):
    template: TemplateName
    language: Language | None = None  # the account's own language when left out
    idempotency_key: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None


class SuspendRequest(_Body):
    reason: Reason
    until: datetime | None = Field(None, description="When the suspension ends by itself; null = until released")
    notice: SuspendNotice | None = Field(None, description="Also send this notice to the owner")
    unless_suspended: bool = Field(False, description="An account suspended already is left as it is: "
                                   "409, nothing written (an automatic stop keeps its reason; the desk's bulk suspend)")

    _line = field_validator("reason")(classmethod(lambda cls, v: _one_line(v)))
    _zone = field_validator("until")(classmethod(lambda cls, v: _utc(v)))


class ReasonRequest(_Body):
    reason: Reason

    _line = field_validator("reason")(classmethod(lambda cls, v: _one_line(v)))


class ReleaseRequest(ReasonRequest):
    suspension_id: int | None = Field(None, ge=1, le=2**63 - 1, description="Release only this suspension (the "
                                      "suspend answer's suspension_id, an undo): 409 if the account's is another one")


class _PermissionRequest(_Body):
    expires_at: datetime = Field(description="When it ends by itself (required; at most 90 days ahead)")
    reason: Reason

    _line = field_validator("reason")(classmethod(lambda cls, v: _one_line(v)))
    _zone = field_validator("expires_at")(classmethod(lambda cls, v: _utc(v)))


class TravelRequest(_PermissionRequest):
    countries: list[Annotated[str, StringConstraints(max_length=8)]] = Field(
        min_length=1, max_length=50, description="ISO 3166-1 alpha-2 codes the account may send from")


class TrustRequest(_PermissionRequest):
    signals: list[Annotated[str, StringConstraints(max_length=32)]] = Field(
        min_length=1, max_length=50, description='Signal codes to waive (e.g. "new_country"), or ["*"] for all')


class LimitsRequest(_Body):
    limits: Quota = Field(default_factory=Quota, description="Account quota keys to replace")
    home_countries: list[str] | None = Field(None, min_length=1, max_length=50)
    abroad: Quota | None = Field(None, description="Keys of the cap on mail from outside the home countries")
    countries: dict[str, Quota] | None = Field(
        None, max_length=250, description="Per-country caps; a country mapped to {} drops its default cap")
    expires_at: datetime | None = Field(None, description="When the defaults apply again; null = never")
    reason: Reason

    _line = field_validator("reason")(classmethod(lambda cls, v: _one_line(v)))
    _zone = field_validator("expires_at")(classmethod(lambda cls, v: _utc(v)))

    @field_validator("home_countries")
    @classmethod
    def _homes(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else sorted({_country(c) for c in v})

    @field_validator("countries")
    @classmethod
    def _caps(cls, v: dict[str, Quota] | None) -> dict[str, Quota] | None:
        return None if v is None else {_country(k): q for k, q in v.items()}

    def is_empty(self) -> bool:
        return not self.limits.values() and self.home_countries is None and (
            self.abroad is None or not self.abroad.values()) and self.countries is None


class NoticeRequest(_Body):
    template: TemplateName
    language: Language | None = None


class NoticeSendRequest(NoticeRequest):
    idempotency_key: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        None, description="Sending again with the same key sends nothing more and returns the first record")


# -- The desk's workflow: acknowledgements and incidents ---------------------------------------

MAX_NOTE = 2000
MAX_STAFF = 64
INCIDENT_STATUSES = ("open", "investigating", "closed")
IncidentStatus = Literal["open", "investigating", "closed"]
RowId = Annotated[int, Field(strict=True, ge=1, le=2**62)]


def _note_text(value: str | None) -> str | None:
    """Printable text; line breaks and tabs are allowed (a note may be a few lines)."""
    if value is not None and any((ord(c) < 32 and c not in "\n\t") or ord(c) == 127 for c in value):
        raise ValueError("must be printable text (line breaks allowed)")
    return value


Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NOTE),
                 Field(description=f"Free text for the other desks and the next shift (at most {MAX_NOTE} characters)")]


class AckRequest(_Body):
    note: Note | None = None

    _text = field_validator("note")(classmethod(lambda cls, v: _note_text(v)))


class IncidentOpenRequest(_Body):
    account: Annotated[str, StringConstraints(min_length=1, max_length=MAX_ACCOUNT)]
    alert_id: RowId | None = Field(None, description="The alert it is opened from (about the same account)")


class IncidentUpdateRequest(_Body):
    owner: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_STAFF)] | None = Field(
        None, description='A staff member\'s name (your own: a claim); "" = nobody')
    status: IncidentStatus | None = None
    note: Note | None = None

    _text = field_validator("note")(classmethod(lambda cls, v: _note_text(v)))
    _line = field_validator("owner")(classmethod(lambda cls, v: v if v is None else _one_line(v)))

    @model_validator(mode="after")
    def _something(self) -> IncidentUpdateRequest:
        if self.owner is None and self.status is None and self.note is None:
            raise ValueError("give owner, status or note")
        return self


# -- Answers ------------------------------------------------------------------------------------
# Documented in the OpenAPI schema (the routes build plain dicts; these only describe them).

Counts = Annotated[dict[str, int], Field(description="Per source country (ISO 3166 alpha-2, or ZZ when unknown)")]


class SeriesPoint(BaseModel):
    """One step of an account's series; every count is of that step alone."""

    time: datetime = Field(description="Start of the step (UTC)")
    messages: int = Field(description="Accepted messages")
    recipients: int = Field(description="Recipients of the accepted messages")
    refused: int = Field(description="Refused messages (attempts)")
    refused_recipients: int = Field(0, description="Recipients the refused messages named (absent from "
                                                   "older servers: read it as 0)")
    by_country: Counts = Field(description="Accepted messages per source country")
    recipients_by_country: Counts = Field(default_factory=dict, description=(
        "Recipients of the accepted messages per source country (absent from older servers: "
        "read it as {})"))


class SeriesResponse(BaseModel):
    account: str
    start: datetime = Field(description="Time of the first point (UTC)")
    step: int = Field(description="Seconds per point")
    points: list[SeriesPoint] = Field(description="One point per step, oldest first, zeros included")
