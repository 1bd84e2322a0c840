"""`fumidai staff add|list|revoke`: API tokens for abuse-desk staff."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys

from fumidai.errors import FumidaiError

from fumidai.roles import ROLES
STAFF_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


def register(subparsers) -> None:
    staff = subparsers.add_parser("staff", help="API tokens for abuse-desk staff",
                                  description="Add, list and revoke the staff who may use the HTTP API.")
    sub = staff.add_subparsers(dest="staff_command", metavar="ACTION", required=True)

    def common(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--config", metavar="FILE", help="configuration file (else $FUMIDAI_CONFIG)")
        return p

    add = common(sub.add_parser("add", help="add a staff member and print a new token once"))
    add.add_argument("name", help="staff name, shown in the audit log")
    add.add_argument("--role", choices=ROLES, required=True,
                     help="viewer: read only; operator: suspend, limits, notices; admin: everything")
    add.set_defaults(func=_add)
    lst = common(sub.add_parser("list", help="list staff and their roles (name, role, state, created)"))
    lst.add_argument("--all", action="store_true", help="include revoked tokens")
    lst.set_defaults(func=_list)
    revoke = common(sub.add_parser("revoke", help="revoke a staff member's token (works at once)"))
    revoke.add_argument("name")
    revoke.set_defaults(func=_revoke)


def _store(args):
    from fumidai.actions import open_store
    from fumidai.config import load_settings

    return open_store(load_settings(args.config).storage.url)


def _act(args, action: str, *params):
    """One staff action on the store (a running server's token check asks the store: it works at once)."""
    from fumidai.actions.staff import StaffActions

    store = _store(args)
    try:
        return asyncio.run(getattr(StaffActions(store), action)(*params))
    finally:
        store.dispose()


def _add(args) -> int:
    if not STAFF_NAME.match(args.name):
        raise FumidaiError(f"{args.name!r}: a staff name is 1-64 letters, digits, '.', '_', '@' or '-'")
    token = _act(args, "add_staff", args.name, args.role, "cli")  # refuses a name already active
    print(token)  # the only line on stdout, so a script can capture it
    print(f"{args.name} ({args.role}): keep this token; it is not shown again", file=sys.stderr)
    return 0


def _list(args) -> int:
    from fumidai.actions.reads import StoreReads
    from fumidai.isotime import iso

    store = _store(args)
    try:
        members = StoreReads(store).staff_now(include_revoked=args.all)
    finally:
        store.dispose()
    for m in members:
        state = "revoked" if m.revoked else "active"
        print(f"{m.name}\t{m.role}\t{state}\t{iso(m.created_at)}")
    return 0


def _revoke(args) -> int:
    _act(args, "revoke_staff", args.name, "cli")  # NotFound: one line from the command line
    print(f"revoked {args.name}; the API refuses the token within a few seconds", file=sys.stderr)
    return 0
