"""`fumidai desk`: the abuse desk app."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("desk", help="the abuse desk app (live rates, world map, suspend, quota, notices); "
                                           "needs the desk extra",
                              description="Open the abuse desk app. The token comes from --token-file, "
                                          "$FUMIDAI_TOKEN, the OS keyring, or the sign-in dialog. Needs the desk "
                                          "extra: pip install 'fumidai[desk]'.")
    p.add_argument("--backend", metavar="URL", help="the Fumidai HTTP API, e.g. https://fumidai.example:8025")
    p.add_argument("--token-file", metavar="FILE", help="a file holding the API token")
    p.add_argument("--allow-plain-http", action="store_true",
                   help="talk plain http:// to a backend on another computer (the token crosses the network "
                        "unencrypted: a network you trust only); without it such a URL is refused")
    p.add_argument("--language", choices=("ja", "en"), help="interface language (default: the system's)")
    p.add_argument("--theme", choices=("light", "dark", "auto"), help="colour theme (default: the last used)")
    p.add_argument("--version", action="store_true",
                   help="print the versions of the desk, Qt and pyqtgraph and exit (checks the install; no display needed)")
    p.set_defaults(func=_desk)


def _desk(args: argparse.Namespace) -> int:
    try:
        from .app import run
    except ImportError as err:  # the desk extra is not installed
        from ..errors import FumidaiError

        raise FumidaiError(f"the desk needs its extra packages: pip install 'fumidai[desk]' ({err.name} missing)") from err
    if args.version:
        import pyqtgraph
        import PySide6
        from PySide6.QtCore import qVersion

        from .. import __version__

        print(f"fumidai desk {__version__} (PySide6 {PySide6.__version__}, Qt {qVersion()}, pyqtgraph {pyqtgraph.__version__})")
        return 0
    return run(args.backend, args.token_file, args.language, args.theme, allow_plain_http=args.allow_plain_http)
