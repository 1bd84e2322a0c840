"""Instructions per policy request with behaviour analysis on and off, under callgrind.

    python bench/callgrind_ratio.py [--accounts 3000] [--messages 3000] [--history 5] [--annotate]

Wall-clock CPU on a shared machine moves by tens of percent from run to run; instruction
counts do not. This runs bench/policy_path.py once per variant under ``valgrind
--tool=callgrind --instr-atstart=no`` (instrumenting only the timed requests, after the
accounts learned ``--history`` days of the same traffic) and prints instructions per
request and the on/off ratio. ``--annotate`` also prints callgrind_annotate's top
functions of the "on" run (C level: where the interpreter spends them).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def instructions(out_file: Path) -> int:
    """The instrumented part's total Ir: callgrind's "totals:" line ("summary:" is 0 with
    --instr-atstart=no, counted before the instrumentation was switched on)."""
    for line in out_file.read_text(errors="replace").splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise SystemExit(f"no totals in {out_file}")


def run(variant: str, args, folder: Path) -> tuple[int, int, Path]:
    out = folder / f"callgrind.{variant}"
    cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
           sys.executable, str(HERE / "policy_path.py"), "--only", variant, "--callgrind",
           "--accounts", str(args.accounts), "--messages", str(args.messages), "--history", str(args.history)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{variant}: valgrind failed:\n{done.stderr[-2000:]}")
    m = re.search(r"\((\d+) requests", done.stdout)
    if not m:
        raise SystemExit(f"{variant}: no request count in:\n{done.stdout}")
    return int(m.group(1)), instructions(out), out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=3000)
    ap.add_argument("--messages", type=int, default=3000)
    ap.add_argument("--history", type=int, default=5, help="days of earlier traffic per account first")
    ap.add_argument("--annotate", action="store_true", help="print the top functions of the 'on' run")
    args = ap.parse_args()
    per = {}
    with tempfile.TemporaryDirectory(prefix="fumidai-cg-") as tmp:
        for variant in ("off", "on"):
            n, ir, out = run(variant, args, Path(tmp))
            per[variant] = ir / n
            print(f"behaviour {variant:3}: {per[variant]:9,.0f} instructions per request "
                  f"({n} requests, {args.messages} messages, {args.accounts} accounts, {args.history} days of history)",
                  flush=True)
            if args.annotate and variant == "on":
                ann = subprocess.run(["callgrind_annotate", "--inclusive=no", str(out)], capture_output=True, text=True)
                print("\n".join(ann.stdout.splitlines()[:60]))
    print(f"on/off: {per['on'] / per['off']:.3f}x instructions ({per['on'] - per['off']:,.0f} more per request)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
