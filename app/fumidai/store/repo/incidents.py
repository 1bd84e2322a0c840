"""The desk's workflow: alert acknowledgements and incidents, each change with its audit row.

An acknowledgement is kept once (the first); acknowledging again changes nothing and audits
nothing. At most one incident per account is not closed: opening another returns that one
(the partial unique index ``uq_incidents_not_closed_account`` settles two desks racing).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...errors import Conflict, NotFound
from ..models import INCIDENT_STATUSES, Account, Alert, AlertAck, Incident, IncidentNote, Staff
from ._common import _audit, _iso, _now, _upsert

NOT_CLOSED = ("open", "investigating")


# --- acknowledgements -------------------------------------------------------------------

def alerts_with_acks_after(s: Session, after_id: int = 0, limit: int = 200) -> list[tuple[Alert, AlertAck | None]]:
    """Alerts with an id above ``after_id``, oldest first, each with its acknowledgement or None."""
    stmt = (select(Alert, AlertAck).outerjoin(AlertAck, AlertAck.alert_id == Alert.id)
            .where(Alert.id > after_id).order_by(Alert.id).limit(limit))
    return [(a, ack) for a, ack in s.execute(stmt)]


def ack_dict(ack: AlertAck | None) -> dict[str, Any]:
    if ack is None:
        return {"acked_by": None, "acked_at": None, "ack_note": None}
    return {"acked_by": ack.by, "acked_at": _iso(ack.at), "ack_note": ack.note}


def ack_alert(s: Session, alert_id: int, actor: str, note: str | None,
              now: datetime | None = None) -> tuple[Alert, AlertAck, int | None]:
    """Acknowledge an alert; (the alert, its acknowledgement, the audit id or None when it was
    already acknowledged: the first acknowledgement stays and nothing more is audited).

    Raises NotFound for an unknown alert.
    """
    now = _now(now)
    alert = s.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"no alert {alert_id}")
    first = s.get(AlertAck, alert_id)
    if first is not None:
        return alert, first, None
    # No savepoint (pysqlite would commit at its release, apart from the audit row): an insert that
    # does nothing when another desk acknowledged it a moment ago, then theirs is the one kept.
    done = s.execute(_upsert(s, AlertAck.__table__).values(alert_id=alert_id, by=actor, at=now, note=note)
                     .on_conflict_do_nothing().returning(AlertAck.__table__.c.alert_id)).first()
    ack = s.get(AlertAck, alert_id, populate_existing=True)
    if done is None or ack is None:
        if ack is None:
            raise NotFound(f"no alert {alert_id}")
        return alert, ack, None
    audit_id = _audit(s, actor, "ack_alert", alert.account, note or "",
                      {"alert_id": alert_id, **ack_dict(None)}, {"alert_id": alert_id, **ack_dict(ack)}, now)
    return alert, ack, audit_id


# --- incidents ----------------------------------------------------------------------------

def _state(row: Incident) -> dict[str, Any]:
    """What an audit entry records of an incident (its notes are in the entries that added them)."""
    return {"id": row.id, "account": row.account, "alert_id": row.alert_id, "owner": row.owner,
            "status": row.status}


def incident_notes(s: Session, ids: list[int]) -> dict[int, list[IncidentNote]]:
    out: dict[int, list[IncidentNote]] = {i: [] for i in ids}
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        for note in s.scalars(select(IncidentNote).where(IncidentNote.incident_id.in_(chunk))
                              .order_by(IncidentNote.incident_id, IncidentNote.id)):
            out[note.incident_id].append(note)
    return out


def incident_dict(row: Incident, notes: list[IncidentNote]) -> dict[str, Any]:
    """An incident as the API shows it (docs/api.md)."""
    return {"id": row.id, "account": row.account, "alert_id": row.alert_id, "owner": row.owner,
            "status": row.status, "notes": [{"at": _iso(n.at), "by": n.by, "text": n.text} for n in notes],
            "opened_by": row.opened_by, "opened_at": _iso(row.opened_at), "updated_at": _iso(row.updated_at),
            "closed_at": _iso(row.closed_at)}


def list_incidents(s: Session, status: str | None = None, account: str | None = None,
                   limit: int = 200) -> list[Incident]:
    """Incidents, newest first: all, or of one status and/or one account."""
    stmt = select(Incident)
    if status is not None:
        stmt = stmt.where(Incident.status == status)
    if account is not None:
        stmt = stmt.where(Incident.account == account)
    return list(s.scalars(stmt.order_by(Incident.id.desc()).limit(limit)))


def not_closed_incident(s: Session, account: str) -> Incident | None:
    return s.scalar(select(Incident).where(Incident.account == account, Incident.status.in_(NOT_CLOSED)))


def account_is_known(s: Session, account: str) -> bool:
    """The store has a record of the account, or an alert names it (an egress address's blocklist alert)."""
    return (s.get(Account, account) is not None
            or s.scalar(select(Alert.id).where(Alert.account == account).limit(1)) is not None)


def open_incident(s: Session, account: str, actor: str, alert_id: int | None = None,
                  now: datetime | None = None) -> tuple[Incident, int | None]:
    """Open an incident on the account; (the incident, the audit id), or (the one not closed yet,
    None) when the account has one: nothing new is opened nor audited.

    Raises NotFound for an unknown alert, Conflict for an alert about another account.
    """
    now = _now(now)
    if alert_id is not None:
        alert = s.get(Alert, alert_id)
        if alert is None:
            raise NotFound(f"no alert {alert_id}")
        if alert.account != account:
            raise Conflict(f"alert {alert_id} is about {alert.account[:80]!r}, not {account[:80]!r}")
    existing = not_closed_incident(s, account)
    if existing is not None:
        return existing, None
    # Two desks opening at once: the partial unique index lets one insert through; the other's
    # does nothing and it gets that one (no savepoint: pysqlite would commit at its release).
    made = s.execute(_upsert(s, Incident.__table__).values(
        account=account, alert_id=alert_id, owner=None, status="open", opened_by=actor, opened_at=now,
        updated_at=now).on_conflict_do_nothing().returning(Incident.__table__.c.id)).first()
    if made is None:
        existing = not_closed_incident(s, account)
        if existing is None:
            raise Conflict(f"account {account[:80]!r}: could not open an incident; try again")
        return existing, None
    row = s.get(Incident, made[0])
    assert row is not None
    return row, _audit(s, actor, "incident_open", account, "", None, _state(row), now)


OWNER_ROLES = ("operator", "admin")  # who may act on an incident, so who may own one


def _may_own(s: Session, name: str) -> bool:
    return s.scalar(select(Staff.id).where(Staff.name == name, Staff.revoked_at.is_(None),
                                           Staff.role.in_(OWNER_ROLES)).limit(1)) is not None


def update_incident(s: Session, incident_id: int, actor: str, *, owner: str | None = None,
                    status: str | None = None, note: str | None = None,
                    now: datetime | None = None) -> tuple[Incident, int | None]:
    """Change an incident's owner (``""`` = nobody) and/or status, and/or add a note; one audit
    entry for all of it. (the incident, the audit id), or None for the id when nothing changed.

    Raises NotFound for an unknown incident; Conflict for an owner who is not an active operator
    or admin, or for reopening while the account has another incident that is not closed.
    """
    now = _now(now)
    row = s.get(Incident, incident_id, with_for_update=True)
    if row is None:
        raise NotFound(f"no incident {incident_id}")
    if status is not None and status not in INCIDENT_STATUSES:
        raise ValueError(f"status {status!r}")
    before = _state(row)
    if owner is not None:
        new_owner = owner or None
        if new_owner is not None and new_owner != row.owner and not _may_own(s, new_owner):
            raise Conflict(f"owner: {new_owner[:64]!r} is not an active operator or admin")
        row.owner = new_owner
    if status is not None and status != row.status:
        if row.status == "closed":
            other = not_closed_incident(s, row.account)
            if other is not None:
                raise Conflict(f"account {row.account[:80]!r} has incident {other.id} open; "
                               f"add to that one instead of reopening {row.id}")
        row.status = status
        row.closed_at = now if status == "closed" else None
    changed = _state(row) != before
    if not changed and not note:
        return row, None
    if note:
        s.add(IncidentNote(incident_id=row.id, at=now, by=actor, text=note))
    row.updated_at = now
    try:
        s.flush()
    except IntegrityError as err:  # reopened at the same moment another desk opened one
        raise Conflict(f"account {row.account[:80]!r} already has an incident that is not closed") from err
    after = _state(row) | ({"note": note} if note else {})
    return row, _audit(s, actor, "incident_update", row.account, note or "", before, after, now)
