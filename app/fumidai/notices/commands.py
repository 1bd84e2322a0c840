"""`fumidai notice templates|preview|send`: the outbox from the command line."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("notice", help="notice templates, preview and sending to account owners")
    sub = p.add_subparsers(dest="notice_command", metavar="ACTION", required=True)

    t = sub.add_parser("templates", help="list the notice templates and their languages")
    t.add_argument("--config", metavar="FILE", help="configuration file (else $FUMIDAI_CONFIG)")
    t.set_defaults(func=_templates)

    for name, func, text in (("preview", _preview, "render a notice for an account without sending it"),
                             ("send", _send, "queue a notice for an account and try to deliver it now")):
        c = sub.add_parser(name, help=text)
        c.add_argument("account", metavar="ACCOUNT")
        c.add_argument("--template", "-t", required=True, metavar="T")
        c.add_argument("--language", "-l", choices=("ja", "en"),
                       help="default: the account's language, else [notices] default_language")
        c.add_argument("--config", metavar="FILE", help="configuration file (else $FUMIDAI_CONFIG)")
        if name == "send":
            c.add_argument("--staff", default="cli", metavar="NAME", help="recorded as the sender (default: cli)")
            c.add_argument("--idempotency-key", metavar="KEY", help="the same key again sends nothing more")
        c.set_defaults(func=func)


def _open(args: argparse.Namespace):
    from ..config import load_settings
    from ..store.db import Store
    from .outbox import Outbox

    settings = load_settings(args.config)
    store = Store(settings.storage.url)
    store.ensure_schema()
    return settings, store, Outbox(settings, store)


def account_facts(settings, store, account: str, now: float) -> dict[str, Any]:
    """The facts the store knows about an account: no usage counts (those live in the server)."""
    from datetime import datetime, timezone

    from ..errors import FumidaiError
    from ..policy.limits import Override, effective_limits
    from ..store import repo
    from .facts import build_facts

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
            from dataclasses import replace

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


_NO_USAGE = "note: usage counts are known only to the running server; this notice leaves them out"


def _templates(args: argparse.Namespace) -> int:
    from ..config import load_settings
    from .templates import TemplateSet

    settings = load_settings(args.config)
    for t in TemplateSet(settings.notices.templates or None).templates():
        desc = t["description"]
        print(f"{t['name']:<18} {','.join(t['languages']):<6} {desc.get('en') or desc.get('ja') or ''}")
    return 0


def _preview(args: argparse.Namespace) -> int:
    settings, store, outbox = _open(args)
    try:
        facts = account_facts(settings, store, args.account, time.time())
        language = args.language or facts["language"]
        subject, text, html = outbox.preview(facts, args.template, language)
    finally:
        store.dispose()
    print(_NO_USAGE, file=sys.stderr)
    print(f"To: {facts['contact']}\nSubject: {subject}\n\n{text}", end="")
    if html is not None:
        print(f"\n--- HTML alternative ---\n{html}", end="")
    return 0


def _send(args: argparse.Namespace) -> int:
    from ..store.models import Notice
    from .outbox import notice_record

    settings, store, outbox = _open(args)
    try:
        facts = account_facts(settings, store, args.account, time.time())
        language = args.language or facts["language"]
        row = outbox.queue(facts, args.template, language, args.staff, args.idempotency_key)
        outbox.deliver_due()
        with store.session() as s:
            record = notice_record(s.get(Notice, row.id))
    finally:
        store.dispose()
    print(_NO_USAGE, file=sys.stderr)
    print(f"notice {record['id']} to {record['to']}: {record['status']}"
          + (f" ({record['error']})" if record["error"] else ""))
    if record["status"] == "queued":
        print(f"it will be retried at {record['next_attempt_at']} by a running fumidai serve")
    return 0 if record["status"] != "failed" else 1
