"""The notices' queue in the store: a notice row and its audit entry are one transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from ..config import Settings
from ..errors import FumidaiError
from ..notices.facts import build_facts
from ..notices.outbox import DueNotice, OutgoingNotice
from ..policy import effective_limits
from ..store import repo
from ..store.records import override_from_row, to_datetime, to_epoch
from .wire import notice_record


class StoredNoticeQueue:
    """``notices.outbox.NoticeQueue`` over the store."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def by_key(self, idempotency_key: str) -> dict[str, Any] | None:
        with self.store.session() as s:
            row = repo.notice_by_key(s, idempotency_key)
            return notice_record(row) if row is not None else None

    def add(self, notice: OutgoingNotice, staff: str, idempotency_key: str | None,
            now: datetime) -> tuple[dict[str, Any], bool]:
        with self.store.session() as s:
            if idempotency_key is not None:
                first = repo.notice_by_key(s, idempotency_key)
                if first is not None:
                    return notice_record(first), False
            row = repo.create_notice(s, notice.account, notice.template, notice.language, staff, notice.to,
                                     notice.subject, notice.text, idempotency_key, now=now, html=notice.html)
            if idempotency_key is not None and to_epoch(row.created_at) != now.timestamp():
                return notice_record(row), False  # a concurrent request with the same key won
            repo.audit_notice(s, staff, row, now)
            return notice_record(row), True

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[DueNotice]:
        jobs = []
        with self.store.session() as s:
            for row in repo.due_notices(s, now, limit):
                if not repo.claim_notice(s, row.id, now, lease_until):
                    continue
                account = repo.get_account(s, row.account)
                jobs.append(DueNotice(
                    id=row.id, account=row.account, to=row.to_address, subject=row.subject, body=row.body,
                    html=row.html, attempts=row.attempts, created_at=to_epoch(row.created_at),
                    timezone=account.timezone if account else None,
                ))
        return jobs

    def mark_sent(self, notice_id: int, message_id: str, when: datetime) -> None:
        with self.store.session() as s:
            repo.mark_notice_sent(s, notice_id, message_id, when)

    def mark_failed(self, notice_id: int, error: str, retry_at: datetime | None) -> None:
        with self.store.session() as s:
            repo.mark_notice_attempt_failed(s, notice_id, error, retry_at)

    def record(self, notice_id: int) -> dict[str, Any] | None:
        with self.store.session() as s:
            row = repo.get_notice(s, notice_id)
            return notice_record(row) if row is not None else None


def facts_from_store(settings: Settings, store: Any, account: str, now: float) -> dict[str, Any]:
    """The facts the store knows about an account: no usage counts (those live in the server)."""
    at = to_datetime(now)
    with store.session() as s:
        row = repo.get_account(s, account)
        if row is None:
            raise FumidaiError(f"no account {account!r} in the store (import it with fumidai account import)")
        if not row.contact:
            raise FumidaiError(f"account {account!r} has no contact address")
        susp = repo.active_suspension(s, account, at)
        o = repo.get_override(s, account)
        override = override_from_row(o) if o is not None and (o.expires_at is None or to_epoch(o.expires_at) > now) else None
        limits = effective_limits(settings.default_limits(), override, now)
        if row.home_countries and (override is None or override.home_countries is None):
            limits = replace(limits, home_countries=frozenset(row.home_countries))
        return dict(build_facts(
            account=row.name, contact=row.contact, owner_name=row.owner_name,
            language=row.language or settings.notices.default_language,
            timezone=row.timezone or settings.notices.timezone, now=now,
            support_contact=settings.notices.support_contact, sender_name=settings.notices.sender_name,
            suspension=None if susp is None else {"by": susp.by, "reason": susp.reason,
                                                  "since": susp.since, "until": susp.until},
            limits=limits, usage=None,
        ))
