"""Repository functions of the reputation part: complaints, kept-aside reports, blocklist state.

Like store/repo.py, every function takes an open session and the caller owns the
transaction (``with store.session() as s: ...``). Inputs are duck-typed (the Protocols
below) so the store does not import the reputation package: fumidai.reputation's
Complaint, KeptAside, ZoneState and BlocklistEvent fit them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from .models import Alert, BlocklistEvent, BlocklistState, Complaint, KeptAsideReport, utcnow
from .repo._common import _audit

MAX_PAGE = 1000


class ComplaintFacts(Protocol):
    account: str | None
    kind: str
    feedback_type: str
    reporter: str
    user_agent: str | None
    report_message_id: str
    received_at: float
    reported_at: float | None
    arrived_at: float | None
    original_message_id: str | None
    subject: str | None
    original_date: float | None
    source_ip: str | None
    origin: str


class KeptAsideFacts(Protocol):
    origin: str
    reason: str
    size: int
    sha256: str
    head: bytes


class ZoneStateFacts(Protocol):
    egress: str
    zone: str
    status: str
    since: float
    checked_at: float
    answers: tuple[str, ...]
    meaning: str | None
    txt: str | None
    error: str | None


class BlocklistEventFacts(Protocol):
    at: float
    kind: str
    before: ZoneStateFacts | None
    after: ZoneStateFacts
    delist_url: str


def _when(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def message_key(message_id: str | None) -> str | None:
    """The dedupe key of a Message-ID: sha256 of its case-folded form (IDs are compared loosely)."""
    if not message_id:
        return None
    return hashlib.sha256(message_id.strip().lower().encode("utf-8", "replace")).hexdigest()


# --- complaints ----------------------------------------------------------------------------


def find_duplicate(s: Session, report_message_id: str, original_message_id: str | None, account: str) -> Complaint | None:
    """The complaint already recorded for this report, or for this original from this account."""
    report_key = message_key(report_message_id)
    original_key = message_key(original_message_id)
    same = Complaint.report_key == report_key
    if original_key is not None:
        same = or_(same, (Complaint.original_key == original_key) & (Complaint.account == account))
    return s.scalars(select(Complaint).where(same).order_by(Complaint.id).limit(1)).first()


def record_complaint(s: Session, c: ComplaintFacts) -> tuple[Complaint, bool]:
    """Record a resolved complaint once: (the row, True) if new, (the earlier row, False) if a duplicate.

    A concurrent import of the same report can still race past the check: the unique
    indexes then fail the commit (IntegrityError), and a retry finds the duplicate.
    """
    if not c.account:
        raise ValueError("only complaints traced to an account are recorded")
    earlier = find_duplicate(s, c.report_message_id, c.original_message_id, c.account)
    if earlier is not None:
        return earlier, False
    row = Complaint(
        account=c.account,
        received_at=_when(c.received_at),
        kind=c.kind,
        feedback_type=c.feedback_type,
        reporter=c.reporter,
        user_agent=c.user_agent,
        report_message_id=c.report_message_id,
        report_key=message_key(c.report_message_id),
        reported_at=_when(c.reported_at),
        arrived_at=_when(c.arrived_at),
        original_message_id=c.original_message_id,
        original_key=message_key(c.original_message_id),
        subject=c.subject,
        original_date=_when(c.original_date),
        source_ip=c.source_ip,
        origin=c.origin,
    )
    s.add(row)
    s.flush()
    return row, True


def complaints_after(s: Session, after_id: int = 0, limit: int = 200) -> list[Complaint]:
    """All complaints, oldest first after the cursor ``after_id``."""
    q = select(Complaint).where(Complaint.id > after_id).order_by(Complaint.id).limit(min(limit, MAX_PAGE))
    return list(s.scalars(q))


def complaints_for_account(s: Session, account: str, limit: int = 100) -> list[Complaint]:
    """One account's complaints, newest first."""
    q = select(Complaint).where(Complaint.account == account).order_by(Complaint.id.desc()).limit(min(limit, MAX_PAGE))
    return list(s.scalars(q))


def complaint_times(s: Session, account: str, since: datetime) -> list[tuple[int, float]]:
    """(id, epoch seconds) of an account's complaints received since ``since`` (strikes' input).

    A complaint's time is when it was reported (the report's Date) if that is earlier than
    when Fumidai read it: a backlog imported late weighs as it happened, not all at once.
    """
    q = (select(Complaint.id, Complaint.received_at, Complaint.reported_at)
         .where(Complaint.account == account, Complaint.received_at > since).order_by(Complaint.id))
    return [(cid, min(received, reported or received).timestamp()) for cid, received, reported in s.execute(q)]


def complaint_counts(s: Session, since: datetime, accounts: Sequence[str] | None = None) -> dict[str, int]:
    """Complaints per account received since ``since`` (the desk's complaints column)."""
    q = select(Complaint.account, func.count()).where(Complaint.received_at > since).group_by(Complaint.account)
    if accounts is not None:
        q = q.where(Complaint.account.in_(list(accounts)))
    return {account: n for account, n in s.execute(q)}


def newest_complaint_id(s: Session) -> int:
    return s.scalar(select(func.max(Complaint.id))) or 0


def add_complaint_alert(
    s: Session, account: str, reason: str, complaint_ids: Sequence[int], threshold: int, window: float,
    now: datetime | None = None,
) -> int:
    """An alert (kind "complaint") that an account has complaints, below the suspension threshold."""
    row = Alert(at=now or utcnow(), account=account, kind="complaint", reason=reason, country=None,
                detail={"complaint_ids": list(complaint_ids), "suspend_after": threshold, "window": window})
    s.add(row)
    s.flush()
    return row.id


# --- reports kept aside --------------------------------------------------------------------


def keep_aside(s: Session, k: KeptAsideFacts, now: datetime | None = None) -> tuple[KeptAsideReport, bool]:
    """Keep an unreadable report once (by its sha256): (row, True) if new."""
    earlier = s.scalars(select(KeptAsideReport).where(KeptAsideReport.sha256 == k.sha256)).first()
    if earlier is not None:
        return earlier, False
    row = KeptAsideReport(at=now or utcnow(), origin=k.origin, reason=k.reason, size=k.size, sha256=k.sha256,
                          head=bytes(k.head))
    s.add(row)
    s.flush()
    return row, True


def kept_aside_after(s: Session, after_id: int = 0, limit: int = 100) -> list[KeptAsideReport]:
    q = select(KeptAsideReport).where(KeptAsideReport.id > after_id).order_by(KeptAsideReport.id)
    return list(s.scalars(q.limit(min(limit, MAX_PAGE))))


def count_kept_aside(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(KeptAsideReport)) or 0


# --- egress blocklists ---------------------------------------------------------------------


def blocklist_states(s: Session) -> list[BlocklistState]:
    """Every egress address × zone as last checked, ordered for display."""
    return list(s.scalars(select(BlocklistState).order_by(BlocklistState.egress, BlocklistState.zone)))


def save_blocklist_round(
    s: Session, states: Iterable[ZoneStateFacts], events: Iterable[BlocklistEventFacts], alerts: bool = True
) -> list[int]:
    """Store one probe round: the current states (upserted) and the events (appended).

    With ``alerts``, a listing or delisting also becomes an alert (kinds
    "blocklist_listed" / "blocklist_delisted") whose ``account`` is the egress address, so
    the desk's alerts feed shows it. Returns the new event ids.
    """
    for st in states:
        row = s.get(BlocklistState, (st.egress, st.zone))
        if row is None:
            row = BlocklistState(egress=st.egress, zone=st.zone)
            s.add(row)
        row.status, row.since, row.checked_at = st.status, _when(st.since), _when(st.checked_at)
        row.answers, row.meaning, row.txt, row.error = list(st.answers) or None, st.meaning, st.txt, st.error
    ids = []
    for ev in events:
        after = ev.after
        row = BlocklistEvent(at=_when(ev.at), egress=after.egress, zone=after.zone, kind=ev.kind,
                             status_before=ev.before.status if ev.before else None, status_after=after.status,
                             answers=list(after.answers) or None, meaning=after.meaning, txt=after.txt,
                             error=after.error)
        s.add(row)
        s.flush()
        ids.append(row.id)
        if alerts and ev.kind in ("listed", "delisted"):
            what = f"{after.egress} {ev.kind} on {after.zone}"
            if ev.kind == "listed" and (after.meaning or after.txt):
                what += f": {after.meaning or ''} {after.txt or ''}".rstrip()
            s.add(Alert(at=_when(ev.at), account=after.egress, kind=f"blocklist_{ev.kind}", reason=what[:2000],
                        country=None, detail={"egress": after.egress, "zone": after.zone, "event_id": row.id,
                                              "answers": list(after.answers), "delist_url": ev.delist_url}))
    s.flush()
    return ids


def blocklist_events_after(s: Session, after_id: int = 0, limit: int = 200) -> list[BlocklistEvent]:
    q = select(BlocklistEvent).where(BlocklistEvent.id > after_id).order_by(BlocklistEvent.id)
    return list(s.scalars(q.limit(min(limit, MAX_PAGE))))


# --- the audit entries that tell a running server -------------------------------------------

COMPLAINTS_ACTOR = "complaints"  # the actor of a complaint's audit entry (the intake, not staff)


def audit_complaint(s: Session, row: Complaint, now: datetime | None = None) -> int:
    """The audit entry of a recorded complaint (action "complaint"): a running server's
    audit sync reads it and recounts the account's complaints (the CLI is another process)."""
    after = {"complaint_id": row.id, "reporter": row.reporter, "feedback_type": row.feedback_type}
    return _audit(s, COMPLAINTS_ACTOR, "complaint", row.account, f"complaint #{row.id}", None, after, now or utcnow())

