"""`fumidai notice templates|preview|send`: the outbox from the command line."""

from __future__ import annotations

import argparse
import asyncio
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
    from ..actions import open_store
    from ..actions.notice_queue import StoredNoticeQueue
    from ..config import load_settings
    from .outbox import Outbox

    settings = load_settings(args.config)
    store = open_store(settings.storage.url)
    try:
        return settings, store, Outbox(settings, StoredNoticeQueue(store))
    except BaseException:
        store.dispose()
        raise


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
    from ..actions.notice_queue import facts_from_store

    settings, store, outbox = _open(args)
    try:
        facts = facts_from_store(settings, store, args.account, time.time())
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
    from ..actions.notice_queue import facts_from_store
    from ..actions.staff import StaffActions

    settings, store, outbox = _open(args)
    try:
        facts = facts_from_store(settings, store, args.account, time.time())
        language = args.language or facts["language"]
        # The same action as the API's: the notice row and its audit entry in one transaction.
        queued, _ = asyncio.run(StaffActions(store).send_notice(outbox, facts, args.template, language, args.staff,
                                                                args.idempotency_key))
        outbox.deliver_due()
        record = outbox.notices.record(queued["id"])
    finally:
        store.dispose()
    print(_NO_USAGE, file=sys.stderr)
    print(f"notice {record['id']} to {record['to']}: {record['status']}"
          + (f" ({record['error']})" if record["error"] else ""))
    if record["status"] == "queued":
        print(f"it will be retried at {record['next_attempt_at']} by a running fumidai serve")
    return 0 if record["status"] != "failed" else 1
