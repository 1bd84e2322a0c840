"""The outbox: render a notice, record it as queued, then deliver it, retrying as configured.

Nothing is sent that was not first written to the store, and a notice is delivered at
least once and normally exactly once: before sending, a notice is claimed for a lease
(its next attempt moved past the longest an attempt can take), so another sender (a
second server, or `fumidai notice send` beside a running server) leaves it alone; a crash
between sending and recording means one repeat after the lease, with the same
Message-ID so the owner's mail client can tell.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from sqlalchemy import update

from ..config import Settings
from ..errors import FumidaiError
from ..policy.limits import Override, effective_limits
from ..store import repo
from ..store.models import Notice
from . import NoticeError
from .delivery import DeliveryError, send
from .facts import build_facts
from .mime import build_message, check_address, check_display_name, format_address, message_id, parse_address
from .templates import Rendered, TemplateSet

log = logging.getLogger(__name__)


def _dt(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def notice_record(row: Notice) -> dict[str, Any]:
    """A notice row as JSON (the API's and the command line's shape)."""
    return {
        "id": row.id, "account": row.account, "template": row.template, "language": row.language,
        "staff": row.staff, "to": row.to_address, "subject": row.subject, "status": row.status,
        "attempts": row.attempts, "next_attempt_at": _iso(row.next_attempt_at), "message_id": row.message_id,
        "error": row.error, "idempotency_key": row.idempotency_key,
        "created_at": _iso(row.created_at), "sent_at": _iso(row.sent_at),
    }


def facts_from_store(settings: Settings, store: Any, account: str, now: float) -> dict[str, Any]:
    """The facts the store knows about an account: no usage counts (those live in the server)."""
    at = datetime.fromtimestamp(now, timezone.utc)
    with store.session() as s:
        row = repo.get_account(s, account)
        if row is None:
            raise FumidaiError(f"no account {account!r} in the store (import it with fumidai account import)")
        if not row.contact:
            raise FumidaiError(f"account {account!r} has no contact address")
        susp = repo.active_suspensions(s, at).get(account)
        o = repo.active_overrides(s, at).get(account)
        override = None if o is None else Override(
            limits=o.limits or {}, abroad=o.abroad, countries=o.countries,
            home_countries=frozenset(o.home_countries) if o.home_countries is not None else None,
        )
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


@dataclass(frozen=True)
class _Job:
    id: int
    account: str
    to: str  # 'Name <addr>'
    subject: str
    body: str
    html: str | None
    attempts: int
    created_at: float
    timezone: str


class Outbox:
    def __init__(self, settings: Settings, store: Any, clock: Callable[[], float] = time.time,
                 tls_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.cfg = settings.notices
        self.store = store
        self.clock = clock
        self.tls_context = tls_context
        if tls_context is None and self.cfg.security != "none":
            self.tls_context = ssl.create_default_context()
        self.template_set = TemplateSet(self.cfg.templates or None)
        check_address(self.cfg.sender, "[notices] sender")
        check_display_name(self.cfg.sender_name, "[notices] sender_name")
        self.bcc = [check_address(a.strip(), "[notices] bcc") for a in self.cfg.bcc.split(",") if a.strip()]
        # Longer than any one attempt can take (connect, TLS, AUTH, MAIL, RCPT, DATA).
        self.lease = max(300.0, self.cfg.timeout * 10)

    # -- what staff see first ----------------------------------------------------------

    def templates(self) -> list[dict[str, Any]]:
        return self.template_set.templates()

    def preview(self, facts: Mapping[str, Any], template: str, language: str) -> tuple[str, str, str | None]:
        r = self._render(facts, template, language)
        return r.subject, r.text, r.html

    def _render(self, facts: Mapping[str, Any], template: str, language: str) -> Rendered:
        r = self.template_set.render(facts, template, language)
        # A notice that could not be sent must fail here, before anything is recorded.
        format_address(facts.get("owner_name") or "", str(facts.get("contact") or ""))
        build_message(sender=self.cfg.sender, sender_name=self.cfg.sender_name,
                      to_address=facts["contact"], to_name=facts.get("owner_name") or "",
                      subject=r.subject, text=r.text, html=r.html,
                      msg_id="<preview@invalid>", date=self.clock())
        return r

    # -- queue and deliver -------------------------------------------------------------

    def queue(self, facts: Mapping[str, Any], template: str, language: str, staff: str,
              idempotency_key: str | None = None) -> Notice:
        """Render and record the notice as queued (due at once); a repeated key returns the first one."""
        if idempotency_key is not None:
            with self.store.session() as s:
                existing = repo.notice_by_key(s, idempotency_key)
            if existing is not None:
                return existing
        r = self._render(facts, template, language)
        with self.store.session() as s:
            to = format_address(facts.get("owner_name") or "", facts["contact"])
            return repo.create_notice(s, facts["account"], template, language, staff, to, r.subject, r.text,
                                      idempotency_key, now=_dt(self.clock()), html=r.html)

    def deliver_due(self, limit: int = 50) -> int:
        """Send every notice that is due; return how many went to the relay."""
        sent = 0
        # One at a time, so a lease never has to cover a whole batch behind a slow relay.
        for _ in range(limit):
            jobs = self._claim(1)
            if not jobs:
                break
            sent += self._deliver(jobs[0])
        return sent

    def _claim(self, limit: int) -> list[_Job]:
        now = self.clock()
        jobs = []
        with self.store.session() as s:
            for row in repo.due_notices(s, _dt(now), limit):
                taken = s.execute(
                    update(Notice)
                    .where(Notice.id == row.id, Notice.status == "queued", Notice.next_attempt_at <= _dt(now))
                    .values(next_attempt_at=_dt(now + self.lease))
                    .execution_options(synchronize_session=False)
                ).rowcount
                if not taken:  # another sender took it between our read and our write
                    continue
                account = repo.get_account(s, row.account)
                jobs.append(_Job(
                    id=row.id, account=row.account, to=row.to_address, subject=row.subject,
                    body=row.body, html=row.html, attempts=row.attempts, created_at=row.created_at.timestamp(),
                    timezone=(account.timezone if account else None) or self.cfg.timezone,
                ))
        return jobs

    def _deliver(self, job: _Job) -> int:
        now = self.clock()
        msg_id = message_id(job.id, job.created_at, self.cfg.sender)
        try:
            to_name, to_address = parse_address(job.to)
            msg = build_message(sender=self.cfg.sender, sender_name=self.cfg.sender_name,
                                to_address=to_address, to_name=to_name, subject=job.subject,
                                text=job.body, html=job.html, msg_id=msg_id, date=now, tz=job.timezone)
        except NoticeError as err:  # a row written by something else than queue()
            self._failed(job, str(err), None)
            return 0
        try:
            refused = send(self.cfg, self.cfg.sender, to_address, self.bcc, msg.as_bytes(), self.tls_context)
        except DeliveryError as err:
            attempt = job.attempts + 1
            delays = self.cfg.retry_delays
            if err.temporary and attempt <= len(delays):
                self._failed(job, str(err), _dt(now + delays[attempt - 1]))
            elif err.temporary:
                self._failed(job, f"gave up after {attempt} attempts: {err}", None)
            else:
                self._failed(job, str(err), None)
            return 0
        for addr, reply in refused.items():
            log.warning("notice %s: the relay refused the Bcc copy to %s: %s", job.id, addr, reply)
        with self.store.session() as s:
            repo.mark_notice_sent(s, job.id, msg_id, _dt(self.clock()))
        log.info("notice %s to %s for %s sent as %s", job.id, to_address, job.account, msg_id)
        return 1

    def _failed(self, job: _Job, error: str, retry_at: datetime | None) -> None:
        if retry_at is None:
            log.error("notice %s for %s failed: %s", job.id, job.account, error)
        else:
            log.warning("notice %s for %s: %s; retrying at %s", job.id, job.account, error, _iso(retry_at))
        with self.store.session() as s:
            repo.mark_notice_attempt_failed(s, job.id, error, retry_at)

    async def run(self, stop: asyncio.Event, interval: float = 1.0) -> None:
        """Deliver due notices every ``interval`` seconds until ``stop`` is set (SMTP in a thread)."""
        while not stop.is_set():
            try:
                await asyncio.to_thread(self.deliver_due)
            except Exception:  # a broken database or relay must not end the server
                log.exception("notice delivery failed")
            try:
                await asyncio.wait_for(stop.wait(), interval)
            except TimeoutError:
                pass
