"""World heatmap cost: loading the map, building the widget, and refreshing all countries.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/desk_map.py [--rounds 30] [--png /tmp/worldmap.png] [--dark]

1. ``load_world_map`` from the bundled file (gunzip + JSON + numpy), uncached;
2. ``WorldMapView()`` with the data already loaded (paths, items, legend);
3. per round: ``set_counts`` with new random counts for every country (all brushes change),
   then a full repaint (``grab()``), and ``set_counts`` with the same counts again (nothing
   changes: the cost of a quiet poll); medians and worst case in milliseconds;
4. saves a screenshot with random counts to --png.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "app"))

from PySide6.QtWidgets import QApplication  # noqa: E402

from fumidai.desk.world_map import WorldMapView  # noqa: E402
from fumidai.desk.worldmap_data import load_world_map  # noqa: E402


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def _random_counts(codes: list[str], rng: random.Random) -> dict[str, tuple[int, int]]:
    # Heavy-tailed like real traffic: most countries send little, a few send a lot.
    counts = {code: (int(10 ** rng.uniform(0, 4.7)), rng.randint(1, 60)) for code in codes}
    counts.update({"GP": (12, 1), "RE": (3, 1), "ZZ": (40, 2)})  # no shape: must be ignored
    return counts


def _report(name: str, samples: list[float]) -> None:
    print(f"{name:<38} median {statistics.median(samples):7.2f} ms   max {max(samples):7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--png", type=Path, default=Path("/tmp/worldmap.png"))
    parser.add_argument("--dark", action="store_true")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])

    start = time.perf_counter()
    data = load_world_map.__wrapped__()  # bypass the cache: what the first map costs
    print(f"{'load_world_map (gunzip+JSON+numpy)':<38} {_ms(start):7.1f} ms   "
          f"{len(data.countries)} countries, {sum(len(r) for v in data.countries.values() for r in v)} points")
    start = time.perf_counter()
    view = WorldMapView(data=data, dark=args.dark)
    print(f"{'WorldMapView() build':<38} {_ms(start):7.1f} ms")
    view.resize(1200, 640)
    view.set_window_label("Last 1 h")
    view.show()
    app.processEvents()
    view.grab()  # first paint warms caches; not what a refresh costs

    rng = random.Random(7)
    codes = sorted(view.codes)
    changed, repaint, same = [], [], []
    for _ in range(args.rounds):
        counts = _random_counts(codes, rng)
        start = time.perf_counter()
        view.set_counts(counts)
        changed.append(_ms(start))
        start = time.perf_counter()
        view.grab()
        repaint.append(_ms(start))
        start = time.perf_counter()
        view.set_counts(counts)
        same.append(_ms(start))
    _report(f"set_counts, all {len(codes)} changed", changed)
    _report("full repaint (grab) 1200x640", repaint)
    _report("set_counts, nothing changed", same)

    counts = _random_counts(rng.sample(codes, 150), rng)
    view.set_counts(counts)
    view.highlight(["JP", "BR"])
    view.grab().save(str(args.png))
    print(f"screenshot: {args.png}")


if __name__ == "__main__":
    main()
