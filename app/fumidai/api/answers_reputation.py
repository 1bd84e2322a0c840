"""The answers of the reputation routes: complaints and strikes, DNS blocklists, incidents (see api/answers.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from .answer_basics import Time


class ComplaintShown(BaseModel):
    """A complaint traced to an account; ``subject`` and ``reporter`` are strangers' text."""

    id: int
    account: str
    received_at: Time
    kind: Literal["arf", "attached", "forwarded"]
    feedback_type: str
    reporter: str
    user_agent: str | None
    report_message_id: str
    reported_at: Time | None
    arrived_at: Time | None
    original_message_id: str | None
    subject: str | None
    original_date: Time | None
    source_ip: str | None
    origin: str


class Complaints(BaseModel):
    items: list[ComplaintShown]
    newest_id: int
    next_after_id: int  # as Alerts.next_after_id: never past a complaint that may still commit
    kept_aside: int  # unreadable reports kept for staff (never fatal)


class AccountComplaints(BaseModel):
    account: str
    items: list[ComplaintShown]  # newest first


class StrikeShown(BaseModel):
    verdict: Literal["nothing", "alert", "suspend"]
    complaints: int  # within the window
    complaint_ids: list[int]
    threshold: int
    window: float
    suspended: bool  # the account is suspended now (by this strike or before)


class ComplaintAnswer(BaseModel):
    """What became of a posted report."""

    outcome: Literal["recorded", "duplicate", "ignored", "kept_aside"]
    reason: str | None  # why ignored or kept aside
    account: str | None
    report_message_id: str | None
    strike: StrikeShown | None


class BlocklistShown(BaseModel):
    egress: str
    zone: str
    status: Literal["listed", "not_listed", "error"]
    since: Time
    checked_at: Time
    answers: list[str]
    meaning: str | None
    txt: str | None  # the list's own words
    error: str | None
    delist_url: str


class Blocklists(BaseModel):
    items: list[BlocklistShown]
    egress: list[str]
    zones: list[str]


class SenderShown(BaseModel):
    account: str
    messages: int  # accepted, over the hours before the listing
    recipients: int
    refused: int  # messages refused in the same hours


class BlocklistSenders(BaseModel):
    """The accounts that sent most in the hours before an egress address was listed. The counts are
    per account, not per egress address: the submission servers relay through every egress address."""

    egress: str
    listed: bool  # listed on any zone now
    zones: list[str]  # the zones that list it now
    listed_at: Time | None  # when its current listing began (the earliest zone), else None
    hours: int
    items: list[SenderShown]  # most accepted messages first


class IncidentNote(BaseModel):
    at: Time
    by: str
    text: str


class Incident(BaseModel):
    id: int
    account: str
    alert_id: int | None
    owner: str | None
    status: Literal["open", "investigating", "closed"]
    notes: list[IncidentNote]  # oldest first
    opened_by: str
    opened_at: Time
    updated_at: Time
    closed_at: Time | None


class Incidents(BaseModel):
    items: list[Incident]  # newest first


class IncidentAnswer(Incident):
    """The incident after the action, and its audit entry (null: nothing changed, nothing audited)."""

    audit_id: int | None
