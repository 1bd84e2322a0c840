"""`fumidai db upgrade|current`: the schema of the configured database."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    db = subparsers.add_parser("db", help="database schema migrations", description="Database schema migrations.")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    for name, func, text in (
        ("upgrade", _upgrade, "create or upgrade the schema to this version of fumidai"),
        ("current", _current, "show the schema version of the database"),
    ):
        p = db_sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        p.add_argument("--config", metavar="FILE", help="configuration file (else $FUMIDAI_CONFIG)")
        p.set_defaults(func=func)


def _store(args: argparse.Namespace):
    from ..config import load_settings
    from .db import Store

    return Store(load_settings(args.config).storage.url)


def _upgrade(args: argparse.Namespace) -> int:
    from .db import safe_url

    store = _store(args)
    try:
        before = store.current()
        store.upgrade()
        after = store.current()
    finally:
        store.dispose()
    where = safe_url(store.url)
    if before == after:
        print(f"{where}: schema already at {after}")
    else:
        print(f"{where}: schema upgraded from {before or 'empty'} to {after}")
    return 0


def _current(args: argparse.Namespace) -> int:
    from .db import safe_url

    store = _store(args)
    try:
        current, head = store.current(), store.head()
    finally:
        store.dispose()
    state = "up to date" if current == head else f"needs fumidai db upgrade to {head}"
    print(f"{safe_url(store.url)}: schema {current or 'none'} ({state})")
    return 0 if current == head else 1
