"""Store rows → the JSON shapes of the API and the command line (docs/api.md)."""

from __future__ import annotations

from typing import Any

from ..isotime import iso

__all__ = ["alert_json", "audit_json", "contact_json", "iso", "notice_json", "notice_record", "permissions_json"]


def notice_record(row: Any) -> dict[str, Any]:
    """A notice row in full (the answer to sending one, and the command line's)."""
    return {
        "id": row.id, "account": row.account, "template": row.template, "language": row.language,
        "staff": row.staff, "to": row.to_address, "subject": row.subject, "status": row.status,
        "attempts": row.attempts, "next_attempt_at": iso(row.next_attempt_at), "message_id": row.message_id,
        "error": row.error, "idempotency_key": row.idempotency_key,
        "created_at": iso(row.created_at), "sent_at": iso(row.sent_at),
    }


def notice_json(n: Any) -> dict[str, Any]:
    """A notice in an account's list."""
    return {"id": n.id, "account": n.account, "template": n.template, "language": n.language,
            "status": n.status, "staff": n.staff, "to": n.to_address, "subject": n.subject,
            "created_at": iso(n.created_at), "sent_at": iso(n.sent_at), "error": n.error}


def alert_json(a: Any, ack: Any = None) -> dict[str, Any]:
    """An alert and its acknowledgement (acked_by null: nobody has; the key's presence tells a
    desk that this backend keeps acknowledgements)."""
    return {"id": a.id, "time": iso(a.at), "account": a.account, "kind": a.kind, "reason": a.reason,
            "country": a.country, "detail": a.detail or {},
            "acked_by": ack.by if ack is not None else None, "acked_at": iso(ack.at) if ack is not None else None,
            "ack_note": ack.note if ack is not None else None}


def audit_json(e: Any) -> dict[str, Any]:
    return {"id": e.id, "time": iso(e.at), "actor": e.actor, "action": e.action, "account": e.account,
            "reason": e.reason, "before": e.before, "after": e.after}


def contact_json(a: Any) -> dict[str, Any]:
    """The owner's contact fields of an account record (None when the store has no record)."""
    if a is None:
        return {"contact": None, "owner_name": None, "language": None}
    return {"contact": a.contact, "owner_name": a.owner_name, "language": a.language}


def permissions_json(rows: Any, now: Any) -> dict[str, dict[str, Any] | None]:
    """An account's permission rows → {"travel": …|None, "trust": …|None} (expired ones marked)."""
    out: dict[str, dict[str, Any] | None] = {"travel": None, "trust": None}
    for r in rows:
        out[r.kind] = {"items": list(r.items), "expires_at": iso(r.expires_at), "active": r.expires_at > now,
                       "set_by": r.set_by, "reason": r.reason, "set_at": iso(r.set_at)}
    return out
