#!/usr/bin/env python3
"""Build countries-50m.equal-earth.json.gz from world-atlas's countries-50m.json.

Run once by a maintainer, never at run time (the desk loads only the derived file):

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python resources/worldmap/make_worldmap.py /tmp/package/countries-50m.json

Needs numpy and pycountry (LGPL; used here only, not a run-time dependency).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
from pathlib import Path

import numpy as np
import pycountry

SOURCE = "world-atlas 2.0.2 countries-50m.json (Natural Earth 1:50m, public domain)"
SOURCE_SHA256 = "04342cdc1e3016bcd7db1630de95684d67b79fe3c8c460321e87aef469502394"
# Projected units per Earth radius: 1 unit is about 0.64 km, finer than any screen needs.
SCALE = 10_000
# Features that carry no ISO numeric id in the data.
UNNUMBERED = {"Kosovo": "XK"}  # the user-assigned code GeoIP databases emit
# "Indian Ocean Ter." is Christmas Island (east of 100°E) and the Cocos (Keeling) Islands.
INDIAN_OCEAN_TER = "Indian Ocean Ter."


def decode_arcs(topo: dict) -> list[np.ndarray]:
    scale, translate = np.asarray(topo["transform"]["scale"]), np.asarray(topo["transform"]["translate"])
    return [np.cumsum(np.asarray(arc, dtype=float), axis=0) * scale + translate for arc in topo["arcs"]]


def ring_coords(ring: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    parts = []
    for k, idx in enumerate(ring):
        a = arcs[idx] if idx >= 0 else arcs[~idx][::-1]
        parts.append(a if k == 0 else a[1:])  # consecutive arcs share their joint point
    return np.concatenate(parts)


def clip_half_plane(ring: np.ndarray, limit: float, keep_below: bool) -> np.ndarray:
    """Sutherland–Hodgman against the vertical line lon = limit (a closed ring in, a closed ring out)."""
    inside = ring[:, 0] <= limit if keep_below else ring[:, 0] >= limit
    out = []
    for i in range(len(ring) - 1):
        p, q, p_in, q_in = ring[i], ring[i + 1], inside[i], inside[i + 1]
        if p_in:
            out.append(p)
        if p_in != q_in:
            t = (limit - p[0]) / (q[0] - p[0])
            out.append(np.array([limit, p[1] + t * (q[1] - p[1])]))
    if len(out) < 3:
        return np.empty((0, 2))
    out.append(out[0])
    return np.asarray(out)


def cut_antimeridian(ring: np.ndarray) -> list[np.ndarray]:
    """Rings that cross ±180° and come back (Russia, Fiji) are cut into pieces that stay on the map.

    A ring with a single jump goes round the pole (Antarctica): its jump is the map's edge, keep it.
    """
    jumps = np.count_nonzero(np.abs(np.diff(ring[:, 0])) > 180)
    if jumps < 2:
        return [ring]
    unwrapped = ring.copy()
    unwrapped[:, 0] = np.rad2deg(np.unwrap(np.deg2rad(ring[:, 0])))
    pieces = []
    for shift in (-360.0, 0.0, 360.0):
        piece = clip_half_plane(unwrapped + [shift, 0.0], 180.0, keep_below=True)
        if len(piece):
            piece = clip_half_plane(piece, -180.0, keep_below=False)
        if len(piece):
            pieces.append(piece)
    return pieces


def equal_earth(lonlat: np.ndarray) -> np.ndarray:
    """Equal Earth (Šavrič, Patterson, Jenny 2018), as d3-geo's equalEarthRaw; unit sphere, north up."""
    a1, a2, a3, a4, m = 1.340264, -0.081106, 0.000893, 0.003796, np.sqrt(3) / 2
    lam, phi = np.deg2rad(lonlat[:, 0]), np.deg2rad(np.clip(lonlat[:, 1], -90, 90))
    theta = np.arcsin(m * np.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * np.cos(theta) / (m * (a1 + 3 * a2 * t2 + t6 * (7 * a3 + 9 * a4 * t2)))
    y = theta * (a1 + a2 * t2 + t6 * (a3 + a4 * t2))
    return np.column_stack([x, y])


def encode_ring(ring_xy: np.ndarray) -> list[int] | None:
    """Round to integer units, drop repeated points, delta-encode: [x0, y0, dx1, dy1, ...]."""
    pts = np.rint(ring_xy * SCALE).astype(np.int64)
    keep = np.ones(len(pts), dtype=bool)
    keep[1:] = np.any(pts[1:] != pts[:-1], axis=1)
    pts = pts[keep]
    if len(np.unique(pts, axis=0)) < 3:
        return None
    deltas = np.vstack([pts[:1], np.diff(pts, axis=0)])
    return deltas.ravel().tolist()


def polygons_of(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def build(topo: dict) -> dict:
    arcs = decode_arcs(topo)
    countries: dict[str, list[list[int]]] = {}
    unassigned: dict[str, list[list[int]]] = {}
    for feature in topo["objects"]["countries"]["geometries"]:
        name = feature.get("properties", {}).get("name", "")
        for polygon in polygons_of(feature):
            rings = [piece for ring in polygon for piece in cut_antimeridian(ring_coords(ring, arcs))]
            if "id" in feature:
                country = pycountry.countries.get(numeric=feature["id"])
                if country is None:
                    raise SystemExit(f"unknown ISO numeric id {feature['id']!r} ({name})")
                code = country.alpha_2
            elif name == INDIAN_OCEAN_TER:
                code = "CX" if rings[0][:, 0].mean() > 100 else "CC"
            else:
                code = UNNUMBERED.get(name)
            # 50m repeats id "036" (Australia, Ashmore and Cartier Is.): merge shapes by code.
            target = countries.setdefault(code, []) if code else unassigned.setdefault(name, [])
            for ring in rings:
                encoded = encode_ring(equal_earth(ring))
                if encoded:
                    target.append(encoded)
    for code, rings in countries.items():
        if not rings:
            raise SystemExit(f"{code}: every ring vanished when rounded")
    edge = equal_earth(np.array([[180.0, 0.0], [0.0, 90.0]]))
    half_w, half_h = int(np.ceil(edge[0, 0] * SCALE)), int(np.ceil(edge[1, 1] * SCALE))
    # The globe's edge (±180° from pole to pole), drawn as the sea behind the countries.
    lats = np.linspace(-90.0, 90.0, 91)
    edge_lonlat = np.vstack([np.column_stack([np.full_like(lats, 180.0), lats]),
                             np.column_stack([np.full_like(lats, -180.0), lats[::-1]])])
    outline = encode_ring(equal_earth(np.vstack([edge_lonlat, edge_lonlat[:1]])))
    return {
        "format": 1,
        "source": SOURCE,
        "projection": "Equal Earth, unit sphere, north up",
        "scale": SCALE,
        "bounds": [-half_w, -half_h, half_w, half_h],
        "outline": outline,
        "countries": dict(sorted(countries.items())),
        # Shapes without an ISO code (Somaliland, N. Cyprus, Siachen Glacier): drawn, never coloured.
        "unassigned": dict(sorted(unassigned.items())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="countries-50m.json from the world-atlas 2.0.2 npm package")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("countries-50m.equal-earth.json.gz"))
    args = parser.parse_args()
    raw = args.source.read_bytes()
    if hashlib.sha256(raw).hexdigest() != SOURCE_SHA256:
        raise SystemExit(f"{args.source} is not world-atlas 2.0.2's countries-50m.json (sha256 differs)")
    data = build(json.loads(raw))
    text = json.dumps(data, separators=(",", ":"))
    # mtime=0: the same input gives the same bytes, so a rebuild shows no spurious diff.
    args.out.write_bytes(gzip.compress(text.encode("ascii"), compresslevel=9, mtime=0))
    points = sum(len(r) // 2 for rings in data["countries"].values() for r in rings)
    print(f"{args.out}: {len(data['countries'])} countries, {points} points, "
          f"{len(text)} bytes JSON, {args.out.stat().st_size} bytes gzipped")


if __name__ == "__main__":
    main()
