"""What every route answers, as pydantic models: the OpenAPI document describes each 2xx.

The routes return plain dicts built on the loop (the hot reads stay as fast as before:
with 100,000 accounts, validating every overview row costs more than building it); these
models are declared with ``responses=`` for the schema, and tests/api/test_schema_fuzz.py
checks real answers against them (schemathesis' response_schema_conformance).
Quota keys come from policy.QUOTA_KEYS, roles from fumidai.roles: defined once. The reputation
routes' answers are in answers_reputation.py, imported here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, create_model

from ..policy import QUOTA_KEYS
from ..roles import ROLES
from .answer_basics import Time, ok  # noqa: F401 (the routes import ok from here)
from .answers_reputation import (  # noqa: F401 (imported from here by the routes and the tests)
    AccountComplaints, BlocklistSenders, BlocklistShown, Blocklists, ComplaintAnswer, ComplaintShown, Complaints,
    Incident, IncidentAnswer, IncidentNote, Incidents, SenderShown, StrikeShown,
)

QuotaValues = create_model("QuotaValues", **{k: (int | None, ...) for k in QUOTA_KEYS})
CapValues = create_model("CapValues", __base__=QuotaValues, on_limit=(str, ...))
SomeQuotaValues = create_model("SomeQuotaValues", **{k: (int | None, None) for k in QUOTA_KEYS})


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    time: Time
    node: str
    synced_audit_id: int


class Me(BaseModel):
    name: str
    role: Literal[ROLES]  # type: ignore[valid-type]


class CountryItem(BaseModel):
    country: str
    messages: int
    recipients: int
    refused: int
    accounts: int


class Countries(BaseModel):
    window: int
    items: list[CountryItem]


class QuotaShown(BaseModel):
    messages_per_hour: int | None
    messages_per_day: int | None


class RiskReason(BaseModel):
    code: str  # behaviour signal, e.g. new_country, new_recipients, cohort
    params: dict[str, Any]  # its numbers, e.g. {"country": "NG"} or {"new": 29, "total": 30}
    text: str  # in words, English
    text_ja: str  # in words, Japanese


class Risk(BaseModel):
    """The account's latest risk from behaviour analysis (for an hour after the message)."""

    level: Literal["none", "watch", "probation", "hold", "filter", "suspend"]
    score: int
    probation: bool
    at: Time | None
    reasons: list[RiskReason]


class AccountRow(BaseModel):
    account: str
    status: Literal["ok", "limited", "suspended"]
    suspended_by: str | None
    status_since: Time | None
    rate: float
    recipients_rate: float
    messages_minute: int
    messages_hour: int
    messages_day: int
    recipients_hour: int
    recipients_day: int
    refused_day: int
    quota: QuotaShown
    quota_used: float
    override: bool
    override_expires_at: Time | None
    top_country: str | None
    countries: int
    risk: Risk
    complaints: int  # complaints traced to the account within [complaints] window


class Totals(BaseModel):
    messages_per_minute: float
    recipients_per_minute: float
    messages: int
    recipients: int
    active_accounts: int
    suspended_accounts: int
    limited_accounts: int


class Overview(BaseModel):
    time: Time
    window: int
    totals: Totals
    top: list[AccountRow]
    countries: list[CountryItem]
    newest_alert_id: int


class ListedAccount(AccountRow):
    contact: str | None
    owner_name: str | None
    language: str | None


class AccountPage(BaseModel):
    total: int
    items: list[ListedAccount]


class Alert(BaseModel):
    id: int
    time: Time
    account: str
    kind: str
    reason: str | None
    country: str | None
    detail: dict[str, Any]
    acked_by: str | None  # null: not acknowledged
    acked_at: Time | None
    ack_note: str | None


class AckAnswer(Alert):
    """The alert as acknowledged: by whom first (a repeat keeps the first and audits nothing)."""

    audit_id: int | None


class Alerts(BaseModel):
    items: list[Alert]
    newest_id: int
    # Where the client's cursor may go: below any alert that may still commit (ids are taken at
    # insert, seen at commit). Ask again with after_id=next_after_id; items above it come again.
    next_after_id: int


class CountryMessages(BaseModel):
    country: str
    messages: int


class TrendDay(BaseModel):
    date: str
    accepted: int
    refused: int
    auto_suspensions: int
    top_countries: list[CountryMessages]


class Trends(BaseModel):
    days: list[TrendDay]


class AuditEntry(BaseModel):
    id: int
    time: Time
    actor: str
    action: str
    account: str | None
    reason: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class Audit(BaseModel):
    items: list[AuditEntry]
    newest_id: int
    next_after_id: int  # as Alerts.next_after_id: never past an entry that may still commit


class SuspensionShown(BaseModel):
    by: str
    reason: str
    since: Time
    until: Time | None


class LimitsShown(BaseModel):
    account: QuotaValues  # type: ignore[valid-type]
    abroad: CapValues  # type: ignore[valid-type]
    countries: dict[str, CapValues]  # type: ignore[valid-type]
    home_countries: list[str]


class OverrideShown(BaseModel):
    limits: SomeQuotaValues  # type: ignore[valid-type]
    home_countries: list[str] | None
    abroad: SomeQuotaValues | None  # type: ignore[valid-type]
    countries: dict[str, SomeQuotaValues] | None  # type: ignore[valid-type]
    expires_at: Time | None
    set_by: str
    reason: str


class Counted(BaseModel):
    messages: int
    recipients: int


class CountryUsage(BaseModel):
    country: str
    messages_hour: int
    messages_day: int
    recipients_day: int
    refused_day: int


class Usage(BaseModel):
    minute: Counted
    hour: Counted
    day: Counted
    refused_day: Counted
    unique_recipients_day: int | None  # null for an account without unique_recipients_per_day (not counted)
    countries: list[CountryUsage]


class RecentDecision(BaseModel):
    time: Time
    stage: str
    action: str
    reason: str | None
    country: str | None
    client_address: str | None
    recipients: int | None


class NoticeSummary(BaseModel):
    id: int
    account: str
    template: str
    language: str
    status: Literal["queued", "sent", "failed"]
    staff: str | None
    to: str
    subject: str
    created_at: Time
    sent_at: Time | None
    error: str | None


class PermissionShown(BaseModel):
    """A travel permission (items: ISO country codes) or trust (items: waived signal codes, or "*")."""

    items: list[str]
    expires_at: Time
    active: bool  # false once expired (kept until cleared or replaced, for the record)
    set_by: str
    reason: str
    set_at: Time


class PermissionsShown(BaseModel):
    travel: PermissionShown | None
    trust: PermissionShown | None


class AccountDetail(BaseModel):
    account: str
    contact: str | None
    owner_name: str | None
    language: str | None
    known: bool
    home_countries: list[str]
    status: Literal["ok", "limited", "suspended"]
    suspension: SuspensionShown | None
    limits: LimitsShown
    defaults: LimitsShown
    override: OverrideShown | None
    usage: Usage
    recent: list[RecentDecision]
    notices: list[NoticeSummary]
    risk: Risk
    permissions: PermissionsShown


class NoticeRecord(BaseModel):
    id: int
    account: str
    template: str
    language: str
    staff: str | None
    to: str
    subject: str
    status: Literal["queued", "sent", "failed"]
    attempts: int
    next_attempt_at: Time | None
    message_id: str | None
    error: str | None
    idempotency_key: str | None
    created_at: Time
    sent_at: Time | None


class NoticeFailed(BaseModel):
    status: Literal["failed"]
    error: str


class ActionAnswer(AccountDetail):
    """The account as it is after the action, and the audit entry the action wrote."""

    audit_id: int
    notice: NoticeRecord | NoticeFailed | None = None
    suspension_id: int | None = None  # the suspension a suspend made (release it by this id to undo exactly it)


class TemplateItem(BaseModel):
    name: str
    languages: list[str]
    description: str
    descriptions: dict[str, str]


class Templates(BaseModel):
    items: list[TemplateItem]


class Preview(BaseModel):
    subject: str
    body: str
    to: str | None
    language: str
