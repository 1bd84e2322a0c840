"""`fumidai desk`: the abuse desk app."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("desk", help="the abuse desk app (live rates, world map, suspend, quota, notices)",
                              description="Open the abuse desk app. The token comes from --token-file, "
                                          "$FUMIDAI_TOKEN, the OS keyring, or the sign-in dialog.")
    p.add_argument("--backend", metavar="URL", help="the Fumidai HTTP API, e.g. https://fumidai.example:8025")
    p.add_argument("--token-file", metavar="FILE", help="a file holding the API token")
    p.add_argument("--language", choices=("ja", "en"), help="interface language (default: the system's)")
    p.add_argument("--theme", choices=("light", "dark", "auto"), help="colour theme (default: the last used)")
    p.set_defaults(func=_desk)


def _desk(args: argparse.Namespace) -> int:
    try:
        from .app import run
    except ImportError as err:  # the desk extra is not installed
        from ..errors import FumidaiError

        raise FumidaiError(f"the desk needs its extra packages: pip install 'fumidai[desk]' ({err.name} missing)") from err
    return run(args.backend, args.token_file, args.language, args.theme)
