"""Entry point of the frozen desk app: `fumidai desk ...` without typing `desk`."""

from __future__ import annotations

import sys

from fumidai import cli

# This binary carries the desk only; the server parts (and their dependencies) are not bundled.
DESK_COMMANDS = ("fumidai.desk.commands",)
# Options of the top-level parser, not of `desk`.
TOP_LEVEL = {"--version", "-h", "--help"}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    cli.COMMAND_MODULES = DESK_COMMANDS
    if args[:1] and args[0] in TOP_LEVEL:
        return cli.main(args)
    return cli.main(["desk", *args])


if __name__ == "__main__":
    sys.exit(main())
