"""The `fumidai` command: one entry point; each part adds its own sub-commands."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from . import __version__
from .errors import FumidaiError

# Each module has register(subparsers); its handlers import heavy modules lazily.
COMMAND_MODULES = (
    "fumidai.service.commands",  # serve, check-config, account
    "fumidai.store.commands",  # db upgrade
    "fumidai.geo.commands",  # geoip build
    "fumidai.api.commands",  # staff
    "fumidai.notices.commands",  # notice preview|send
    "fumidai.reputation.commands",  # complaints import|keygen|resolve
    "fumidai.sim.commands",  # simulate, demo
    "fumidai.desk.commands",  # desk
    "fumidai.behaviour.commands",  # baseline import
)

# The packages of the optional extras (pyproject.toml): a command that needs a missing one
# says which extra to install instead of showing a traceback.
EXTRA_OF_PACKAGE = {"aiosmtpd": "demo", "PySide6": "desk", "shiboken6": "desk", "pyqtgraph": "desk",
                    "numpy": "desk", "requests": "desk", "keyring": "desk"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fumidai", description="Stop hijacked mail accounts from sending spam.")
    parser.add_argument("--version", action="version", version=f"fumidai {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            # That part is not there (a trimmed bundle such as the frozen desk): skip it.
            if err.name == name or name.startswith(f"{err.name}."):
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Alembic says which plugins it loaded on every schema check: only its warnings matter here.
    logging.getLogger("alembic").setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except FumidaiError as err:
        print(f"fumidai: error: {err}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as err:
        extra = EXTRA_OF_PACKAGE.get((err.name or "").split(".")[0])
        if extra is None:
            raise
        print(f"fumidai: error: `fumidai {args.command}` needs the {extra} extra: "
              f"pip install 'fumidai[{extra}]' ({err.name} is not installed)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
