"""The tables (names are a contract, see docs/internals.md "The store").

Timestamps are stored as UTC and come back timezone-aware on SQLite and PostgreSQL
alike. Account names are plain strings, not foreign keys: the hot path writes buckets
for accounts it has never seen, and staff may suspend an account before its first mail.

Over 450 lines on purpose: this is the schema, read as one piece next to the migrations
(Alembic compares this one MetaData with them) and docs/internals.md; each class is a few
declarative lines with no behaviour, so splitting it would only scatter the contract.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Text, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Account names are SASL user names, often whole e-mail addresses (RFC 5321 path limit).
ACCOUNT_LEN = 320
STAFF_LEN = 64
COUNTRY_LEN = 8  # ISO alpha-2, plus room for markers such as "??" for unplaceable addresses

ALERT_KINDS = ("auto_suspend", "cap", "quota_reject", "defer", "hold", "filter")
from ..roles import ROLES as STAFF_ROLES
NOTICE_STATUSES = ("queued", "sent", "failed")
PERMISSION_KINDS = ("travel", "trust")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime in, an aware UTC datetime out, on every backend.

    SQLite has no time zones: the value is stored as naive UTC text, whose fixed format
    also makes string comparison in SQL correct. A naive datetime is refused because its
    zone is a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given to the store; use an aware UTC time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Python None is SQL NULL, not the JSON text 'null'.
JSONValue = JSON(none_as_null=True)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSONValue, list[str]: JSONValue}


class Account(Base):
    """What the ISP knows about a mail account (imported) and when it last sent."""

    __tablename__ = "accounts"

    name: Mapped[str] = mapped_column(String(ACCOUNT_LEN), primary_key=True)
    contact: Mapped[str | None] = mapped_column(String(ACCOUNT_LEN))
    owner_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))  # ja | en; None = [notices] default
    home_countries: Mapped[list[str] | None]  # None = [geoip] home_countries
    timezone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_seen_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_accounts_contact", "contact"),)


class Override(Base):
    """An account's own limits; one row per account, replaced on change."""

    __tablename__ = "overrides"

    account: Mapped[str] = mapped_column(String(ACCOUNT_LEN), primary_key=True)
    limits: Mapped[dict[str, Any] | None]  # quota keys -> int | None
    home_countries: Mapped[list[str] | None]
    abroad: Mapped[dict[str, Any] | None]
    countries: Mapped[dict[str, Any] | None]  # {"CN": {quota keys, "on_limit": ...}}
    expires_at: Mapped[datetime | None]
    set_by: Mapped[str] = mapped_column(String(STAFF_LEN))
    reason: Mapped[str] = mapped_column(Text, default="")
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_overrides_expires_at", "expires_at"),)


class Suspension(Base):
    """A stop of an account's sending; active while not released and not past ``until``."""

    __tablename__ = "suspensions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(ACCOUNT_LEN))
    by: Mapped[str] = mapped_column(String(STAFF_LEN))  # a staff name, or "auto"
    reason: Mapped[str] = mapped_column(Text, default="")
    since: Mapped[datetime] = mapped_column(default=utcnow)
    until: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    released_by: Mapped[str | None] = mapped_column(String(STAFF_LEN))
    release_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_suspensions_account", "account", "since"),
        # Start-up and release only look at unreleased rows, a small part of the history.
        Index(
            "ix_suspensions_unreleased",
            "account",
            sqlite_where=text("released_at IS NULL"),
            postgresql_where=text("released_at IS NULL"),
        ),
    )


class Bucket(Base):
    """What one account sent in one minute from one country; upserted by adding."""

    __tablename__ = "buckets"

    account: Mapped[str] = mapped_column(String(ACCOUNT_LEN), primary_key=True)
    minute: Mapped[int] = mapped_column(Integer, primary_key=True)  # epoch seconds // 60
    country: Mapped[str] = mapped_column(String(COUNTRY_LEN), primary_key=True)
    accepted_messages: Mapped[int] = mapped_column(Integer, default=0)
    accepted_recipients: Mapped[int] = mapped_column(Integer, default=0)
    refused_messages: Mapped[int] = mapped_column(Integer, default=0)
    refused_recipients: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_buckets_minute", "minute"),)


class Alert(Base):
    """An automatic stop or a cap hit; ``id`` is the desk's polling cursor."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    account: Mapped[str] = mapped_column(String(ACCOUNT_LEN))
    kind: Mapped[str] = mapped_column(String(32))  # one of ALERT_KINDS
    reason: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str | None] = mapped_column(String(COUNTRY_LEN))
    detail: Mapped[dict[str, Any] | None]

    __table_args__ = (Index("ix_alerts_account", "account", "id"), Index("ix_alerts_kind_at", "kind", "at"))


class Audit(Base):
    """One staff (or automatic) action with the state before and after it."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(STAFF_LEN))
    action: Mapped[str] = mapped_column(String(32))
    account: Mapped[str | None] = mapped_column(String(ACCOUNT_LEN))
    reason: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]

    __table_args__ = (Index("ix_audit_account", "account", "id"),)


class Staff(Base):
    """A person (or script) with an API token; only the token's sha256 is kept."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(STAFF_LEN))
    role: Mapped[str] = mapped_column(String(16))  # one of STAFF_ROLES
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    __table_args__ = (
        # A name is unique among active staff; revoked rows stay as history.
        Index(
            "uq_staff_active_name",
            "name",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )


class Notice(Base):
    """A message to an account's owner: queued, then sent or failed after retries."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(ACCOUNT_LEN))
    template: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    staff: Mapped[str] = mapped_column(String(STAFF_LEN))
    to_address: Mapped[str] = mapped_column(String(ACCOUNT_LEN))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)  # the HTML alternative, if the template has one
    status: Mapped[str] = mapped_column(String(16), default="queued")  # one of NOTICE_STATUSES
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_notices_account", "account", "id"),
        Index("ix_notices_due", "status", "next_attempt_at"),
    )


class Baseline(Base):
    """An account's behaviour baseline (fumidai.behaviour.Baseline.to_bytes), replaced on change."""

    __tablename__ = "baselines"

    account: Mapped[str] = mapped_column(String(ACCOUNT_LEN), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)  # the blob's format version
    blob: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    # When an import wrote it: a running server loads what an import wrote since (its own saves
    # leave it, so they do not rewrite the index: store/baselines.upsert_baselines).
    __table_args__ = (Index("ix_baselines_updated_at", "updated_at"),)


class Permission(Base):
    """A self-expiring travel permission (countries) or trust (waived signals); one row per
    account and kind, replaced on change (the audit log keeps the history)."""

    __tablename__ = "permissions"

    account: Mapped[str] = mapped_column(String(ACCOUNT_LEN), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # one of PERMISSION_KINDS
    items: Mapped[list[str]]  # travel: ISO country codes; trust: signal codes or "*"
    expires_at: Mapped[datetime]
    set_by: Mapped[str] = mapped_column(String(STAFF_LEN))
    reason: Mapped[str] = mapped_column(Text, default="")
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_permissions_expires_at", "expires_at"),)


class InstallationSecret(Base):
    """A secret every node and command of one installation shares (e.g. the key of the
    recipient hashes in baselines); made once, on first use, and never changed."""

    __tablename__ = "installation_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImportedSubmission(Base):
    """A maillog submission `fumidai baseline import` has learned (behaviour.maillog
    Submission.id): the same lines imported again teach nothing. Pruned after some weeks."""

    __tablename__ = "imported_submissions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_imported_submissions_imported_at", "imported_at"),)


# --- reputation: complaints traced to accounts, reports kept aside, egress blocklist state ---

# Alert kinds written by the reputation part (store/complaints.py), besides ALERT_KINDS.
REPUTATION_ALERT_KINDS = ("complaint", "blocklist_listed", "blocklist_delisted")
BLOCKLIST_STATUSES = ("listed", "not_listed", "error")
BLOCKLIST_EVENT_KINDS = ("listed", "delisted", "error", "recovered")
MESSAGE_ID_LEN = 998  # one header line


class Complaint(Base):
    """One complaint about one message, traced to its account; ``id`` is a polling cursor.

    Recorded once: ``report_key`` (sha256 of the report's Message-ID) is unique, and so is
    ``original_key`` (sha256 of the original's Message-ID) per account, since one spam is
    often reported by several people and loops. Keys are hashes because Message-IDs are
    written by strangers and may be longer than an index entry allows.
    """

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(ACCOUNT_LEN))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)  # when Fumidai read it
    kind: Mapped[str] = mapped_column(String(16))  # arf | attached | forwarded
    feedback_type: Mapped[str] = mapped_column(String(32))
    reporter: Mapped[str] = mapped_column(String(ACCOUNT_LEN), default="")
    user_agent: Mapped[str | None] = mapped_column(String(200))
    report_message_id: Mapped[str] = mapped_column(String(MESSAGE_ID_LEN))
    report_key: Mapped[str] = mapped_column(String(64), unique=True)
    reported_at: Mapped[datetime | None]
    arrived_at: Mapped[datetime | None]
    original_message_id: Mapped[str | None] = mapped_column(String(MESSAGE_ID_LEN))
    original_key: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(Text)  # spammer-controlled: escape when shown
    original_date: Mapped[datetime | None]
    source_ip: Mapped[str | None] = mapped_column(String(45))
    origin: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("uq_complaints_original", "original_key", "account", unique=True),
        Index("ix_complaints_account", "account", "id"),
        Index("ix_complaints_account_received", "account", "received_at"),
    )


class KeptAsideReport(Base):
    """A report that could not be read: why, its size and hash, and its first bytes for staff."""

    __tablename__ = "kept_aside_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    origin: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)  # the same report again is not kept twice
    head: Mapped[bytes] = mapped_column(LargeBinary)


class BlocklistState(Base):
    """Where one egress address stands on one blocklist now."""

    __tablename__ = "blocklist_state"

    egress: Mapped[str] = mapped_column(String(45), primary_key=True)
    zone: Mapped[str] = mapped_column(String(253), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # one of BLOCKLIST_STATUSES
    since: Mapped[datetime]
    checked_at: Mapped[datetime]
    answers: Mapped[list[str] | None]  # the A records, e.g. ["127.0.0.2"]
    meaning: Mapped[str | None] = mapped_column(Text)  # from the zone's table, e.g. "SBL"
    txt: Mapped[str | None] = mapped_column(Text)  # the list's own words (its TXT record)
    error: Mapped[str | None] = mapped_column(Text)


class BlocklistEvent(Base):
    """A change of a BlocklistState (listed, delisted, error, recovered): the history."""

    __tablename__ = "blocklist_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    egress: Mapped[str] = mapped_column(String(45))
    zone: Mapped[str] = mapped_column(String(253))
    kind: Mapped[str] = mapped_column(String(16))  # one of BLOCKLIST_EVENT_KINDS
    status_before: Mapped[str | None] = mapped_column(String(16))
    status_after: Mapped[str] = mapped_column(String(16))
    answers: Mapped[list[str] | None]
    meaning: Mapped[str | None] = mapped_column(Text)
    txt: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_blocklist_events_egress", "egress", "zone", "id"),)


# --- the desk's workflow: alert acknowledgements and incidents (issue 14) ---

INCIDENT_STATUSES = ("open", "investigating", "closed")  # open and investigating are both "not closed"
NOTE_LEN = 2000  # an acknowledgement's or an incident note's text


class AlertAck(Base):
    """Staff saw an alert and handled it; one row per alert, the first acknowledgement kept.

    Alerts stay as the policy path wrote them; an acknowledgement is a staff action beside them.
    """

    __tablename__ = "alert_acks"

    alert_id: Mapped[int] = mapped_column(Integer, ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True)
    by: Mapped[str] = mapped_column(String(STAFF_LEN))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)


class Incident(Base):
    """One case about one account: who is on it (owner), where it stands, and its notes.

    At most one incident per account is not closed (a partial unique index holds it, so two desks
    opening one at once get the same incident).
    """

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(ACCOUNT_LEN))
    alert_id: Mapped[int | None] = mapped_column(Integer)  # the alert it was opened from, if any
    owner: Mapped[str | None] = mapped_column(String(STAFF_LEN))
    status: Mapped[str] = mapped_column(String(16), default="open")  # one of INCIDENT_STATUSES
    opened_by: Mapped[str] = mapped_column(String(STAFF_LEN))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    __table_args__ = (
        Index(
            "uq_incidents_not_closed_account",
            "account",
            unique=True,
            sqlite_where=text("status <> 'closed'"),
            postgresql_where=text("status <> 'closed'"),
        ),
        Index("ix_incidents_status", "status", "id"),
        Index("ix_incidents_account", "account", "id"),
    )


class IncidentNote(Base):
    """A note on an incident, for the next shift; notes are only ever added."""

    __tablename__ = "incident_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(Integer, ForeignKey("incidents.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by: Mapped[str] = mapped_column(String(STAFF_LEN))
    text: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_incident_notes_incident", "incident_id", "id"),)
