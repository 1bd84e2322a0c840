"""`fumidai baseline import` end to end: lines a second into a real store (SQLite, PostgreSQL).

    .venv/bin/python bench/baseline_import.py [--lines 1000000] [--pg postgresql+psycopg://…]

Writes bench/maillog_import.py's synthetic Postfix log, then runs the whole command as a
user would (config, GeoIP, store created and migrated, reading, learning, the dedupe
against earlier imports, the one write at the end) into a fresh store: once (everything
new) and again (everything already imported). Prints wall and CPU seconds and lines a
second for each. The store and the demo GeoIP database live in a temporary folder.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "app"))
sys.path.insert(0, str(HERE))

from maillog_import import write_log  # noqa: E402

from fumidai.cli import main as fumidai  # noqa: E402
from fumidai.geo.build import build_demo  # noqa: E402


def run(label: str, log: Path, lines: int) -> None:
    out = io.StringIO()
    wall, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(out):
        rc = fumidai(["baseline", "import", "--timezone", "UTC", str(log)])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert rc == 0, out.getvalue()
    print(f"{label:28} {wall:6.2f} s wall ({lines / wall:>9,.0f} lines/s)  {cpu:6.2f} s CPU "
          f"({lines / cpu:>9,.0f} lines/s)  | {out.getvalue().strip()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--pg", metavar="URL", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="a PostgreSQL server to make a scratch database in ('' = skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "maillog"
        lines = write_log(log, args.lines)
        os.environ["FUMIDAI_CONFIG"] = ""
        os.environ["FUMIDAI_GEOIP__DATABASE"] = str(build_demo(Path(tmp) / "demo.mmdb").path)
        stores = [("sqlite", f"sqlite:///{tmp}/fumidai.db")]
        scratch = None
        if args.pg:
            import sqlalchemy

            admin = sqlalchemy.create_engine(args.pg, isolation_level="AUTOCOMMIT")
            scratch = f"fumidai_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as c:
                c.exec_driver_sql(f'CREATE DATABASE "{scratch}"')
            stores.append(("postgresql", args.pg.rsplit("/", 1)[0] + "/" + scratch))
        try:
            print(f"{lines:,} lines, {log.stat().st_size / 1e6:.0f} MB")
            for name, url in stores:
                os.environ["FUMIDAI_STORAGE__URL"] = url
                run(f"{name}: first import", log, lines)
                run(f"{name}: the same lines again", log, lines)
        finally:
            if scratch:
                with admin.connect() as c:
                    c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
                admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
