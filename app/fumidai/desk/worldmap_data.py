"""The bundled world map: country outlines already projected (Equal Earth), keyed by ISO alpha-2.

No Qt here, so the data can be checked and benchmarked on its own; world_map.py draws it.
The file is made by resources/worldmap/make_worldmap.py; nothing is downloaded at run time.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from fumidai.bundled import resource_path
from fumidai.errors import FumidaiError

DATA_FILE = "countries-50m.equal-earth.json.gz"
FORMAT = 1


@dataclass(frozen=True)
class WorldMapData:
    """Rings are (n, 2) float arrays in projected units, north up; holes are just more rings."""

    bounds: tuple[float, float, float, float]  # x0, y0, x1, y1 of the whole globe
    outline: np.ndarray  # the globe's edge, to draw the sea
    countries: dict[str, tuple[np.ndarray, ...]]
    unassigned: dict[str, tuple[np.ndarray, ...]]  # shapes with no ISO code (e.g. Somaliland)


def _decode_ring(flat: list[int]) -> np.ndarray:
    ring = np.cumsum(np.asarray(flat, dtype=np.float64).reshape(-1, 2), axis=0)
    ring.flags.writeable = False  # shared by every map through the cache
    return ring


@lru_cache(maxsize=4)
def load_world_map(path: Path | None = None) -> WorldMapData:
    """Read the bundled map (or ``path``); FumidaiError if the file is missing or not ours."""
    path = path or resource_path("worldmap", DATA_FILE)
    try:
        doc = json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, EOFError, ValueError) as err:
        raise FumidaiError(f"world map data {path} unreadable ({err}); reinstall fumidai") from err
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise FumidaiError(f"world map data {path} has an unknown format; reinstall fumidai")
    return WorldMapData(
        bounds=tuple(float(v) for v in doc["bounds"]),
        outline=_decode_ring(doc["outline"]),
        countries={code: tuple(map(_decode_ring, rings)) for code, rings in doc["countries"].items()},
        unassigned={name: tuple(map(_decode_ring, rings)) for name, rings in doc["unassigned"].items()},
    )
