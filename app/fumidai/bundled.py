"""Files under resources/: found in a checkout and in an installed wheel alike."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """The path of a bundled resource, e.g. resource_path("templates", "suspended.ja.txt")."""
    return Path(str(files("fumidai.resources").joinpath(*parts)))
