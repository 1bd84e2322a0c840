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
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Mapping, Protocol

from ..config import Settings
from ..isotime import iso
from . import NoticeError
from .delivery import DeliveryError, send
from .mime import build_message, check_address, check_display_name, format_address, message_id, parse_address
from .templates import Rendered, TemplateSet

log = logging.getLogger(__name__)


def _dt(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


@dataclass(frozen=True)
class OutgoingNotice:
    """A rendered notice, ready to be recorded as queued."""

    account: str
    template: str
    language: str
    to: str  # 'Name <addr>'
    subject: str
    text: str
    html: str | None


@dataclass(frozen=True)
class DueNotice:
    """A queued notice claimed for one delivery attempt."""

    id: int
    account: str
    to: str  # 'Name <addr>'
    subject: str
    body: str
    html: str | None
    attempts: int
    created_at: float
    timezone: str | None  # the account's own, if it has one


class NoticeQueue(Protocol):
    """Where notices wait for delivery (the application layer keeps them in the store)."""

    def by_key(self, idempotency_key: str) -> dict[str, Any] | None:
        """The record of the notice made with this key, if any."""

    def add(self, notice: OutgoingNotice, staff: str, idempotency_key: str | None,
            now: datetime) -> tuple[dict[str, Any], bool]:
        """Record the notice as queued (due at once) with its audit entry; (record, created)."""

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[DueNotice]:
        """Due notices, each moved past ``lease_until`` so no other sender takes it meanwhile."""

    def mark_sent(self, notice_id: int, message_id: str, when: datetime) -> None: ...

    def mark_failed(self, notice_id: int, error: str, retry_at: datetime | None) -> None: ...


class Outbox:
    def __init__(self, settings: Settings, notices: NoticeQueue, clock: Callable[[], float] = time.time,
                 tls_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.cfg = settings.notices
        self.notices = notices
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
              idempotency_key: str | None = None) -> tuple[dict[str, Any], bool]:
        """Render and record the notice as queued (due at once): (record, created).

        A repeated key returns the first notice's record, created=False, and renders nothing.
        """
        if idempotency_key is not None:
            existing = self.notices.by_key(idempotency_key)
            if existing is not None:
                return existing, False
        r = self._render(facts, template, language)
        notice = OutgoingNotice(account=facts["account"], template=template, language=language,
                                to=format_address(facts.get("owner_name") or "", facts["contact"]),
                                subject=r.subject, text=r.text, html=r.html)
        return self.notices.add(notice, staff, idempotency_key, _dt(self.clock()))

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

    def _claim(self, limit: int) -> list[DueNotice]:
        now = self.clock()
        return self.notices.claim_due(_dt(now), _dt(now + self.lease), limit)

    def _deliver(self, job: DueNotice) -> int:
        now = self.clock()
        msg_id = message_id(job.id, job.created_at, self.cfg.sender)
        try:
            to_name, to_address = parse_address(job.to)
            msg = build_message(sender=self.cfg.sender, sender_name=self.cfg.sender_name,
                                to_address=to_address, to_name=to_name, subject=job.subject,
                                text=job.body, html=job.html, msg_id=msg_id, date=now, tz=job.timezone or self.cfg.timezone)
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
        self.notices.mark_sent(job.id, msg_id, _dt(self.clock()))
        log.info("notice %s to %s for %s sent as %s", job.id, to_address, job.account, msg_id)
        return 1

    def _failed(self, job: DueNotice, error: str, retry_at: datetime | None) -> None:
        if retry_at is None:
            log.error("notice %s for %s failed: %s", job.id, job.account, error)
        else:
            log.warning("notice %s for %s: %s; retrying at %s", job.id, job.account, error, iso(retry_at))
        self.notices.mark_failed(job.id, error, retry_at)

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
