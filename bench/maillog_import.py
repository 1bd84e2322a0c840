"""Maillog reader throughput: lines a second over a large, realistic, interleaved Postfix log.

    .venv/bin/python bench/maillog_import.py [--lines 1000000] [--keep FILE] [--gzip]

Writes a synthetic log in Postfix 3.7's own format (the shapes of tests/data/*.log):
submissions through postfix/submission/smtpd with 1-8 recipients delivered by smtp (some
deferred then sent, some bounced), inbound mail through postfix/smtpd delivered by lmtp,
rejected relay attempts, failed SASL logins, anvil statistics and dovecot IMAP logins, all
sessions interleaved over one day. Then times MaillogReader over the file and prints lines
per CPU second (best of --repeat runs: on a shared machine the wall clock mostly measures
the neighbours; both figures are printed) with the reader's summary.
"""

from __future__ import annotations

import argparse
import gzip
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "app"))

from fumidai.behaviour.maillog import MaillogReader, open_maillog  # noqa: E402

DAY_START = 1796601600.0  # 2026-12-07 00:00 UTC
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def stamp(t: float) -> str:
    tm = time.gmtime(t)
    return f"{MONTHS[tm.tm_mon - 1]} {tm.tm_mday:2d} {tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d}"


def queue_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(44):011X}"


def submission(rng: random.Random, t: float, account: int, pid: int) -> list[tuple[float, str]]:
    qid, ip = queue_id(rng), f"198.51.{account % 200}.{account % 250 + 1}"
    n = rng.choice((1, 1, 1, 2, 2, 3, 5, 8))
    smtpd = f"postfix/submission/smtpd[{pid}]"
    out = [(t, f"{smtpd}: connect from unknown[{ip}]"),
           (t + 0.1, f"{smtpd}: {qid}: client=unknown[{ip}], sasl_method=PLAIN, sasl_username=user{account}@isp.example"),
           (t + 0.2, f"postfix/cleanup[{pid + 1}]: {qid}: message-id=<{rng.getrandbits(64):x}@mua.example>"),
           (t + 0.3, f"postfix/qmgr[900]: {qid}: from=<user{account}@isp.example>, size={rng.randint(500, 90000)}, nrcpt={n} (queue active)"),
           (t + 0.35, f"{smtpd}: disconnect from unknown[{ip}] ehlo=1 auth=1 mail=1 rcpt={n} data=1 quit=1 commands={n + 5}")]
    last = t + 0.4
    for i in range(n):
        rcpt = f"contact{rng.randint(1, 40)}.{account}@mail{rng.randint(1, 300)}.example"
        d = t + 0.5 + i * 0.05
        head = f"postfix/smtp[{pid + 2}]: {qid}: to=<{rcpt}>, relay=mx.mail.example[203.0.113.{i + 1}]:25, delay=0.6, delays=0.1/0/0.2/0.3, "
        roll = rng.random()
        if roll < 0.03:  # greylisted: deferred, then sent half an hour later
            out.append((d, head + "dsn=4.7.1, status=deferred (host mx.mail.example[203.0.113.1] said: 451 4.7.1 try later (in reply to RCPT TO command))"))
            d += 1800
            out.append((d - 0.1, f"postfix/qmgr[900]: {qid}: from=<user{account}@isp.example>, size=900, nrcpt={n} (queue active)"))
        if roll < 0.01:
            out.append((d, head + "dsn=5.1.1, status=bounced (host mx.mail.example[203.0.113.1] said: 550 5.1.1 unknown user (in reply to RCPT TO command))"))
        else:
            out.append((d, head + "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4Xyz)"))
        last = max(last, d + 0.01)
    out.append((last, f"postfix/qmgr[900]: {qid}: removed"))
    return out


def inbound(rng: random.Random, t: float, pid: int) -> list[tuple[float, str]]:
    qid, ip = queue_id(rng), f"192.0.2.{rng.randint(1, 254)}"
    smtpd = f"postfix/smtpd[{pid}]"
    return [(t, f"{smtpd}: connect from mail{pid}.sender.example[{ip}]"),
            (t + 0.1, f"{smtpd}: {qid}: client=mail{pid}.sender.example[{ip}]"),
            (t + 0.2, f"postfix/cleanup[{pid + 1}]: {qid}: message-id=<{rng.getrandbits(64):x}@sender.example>"),
            (t + 0.3, f"postfix/qmgr[900]: {qid}: from=<news@sender.example>, size=12000, nrcpt=1 (queue active)"),
            (t + 0.35, f"{smtpd}: disconnect from mail{pid}.sender.example[{ip}] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5"),
            (t + 0.5, f"postfix/lmtp[{pid + 2}]: {qid}: to=<customer{rng.randint(1, 9999)}@isp.example>, relay=mailstore[private/dovecot-lmtp], delay=0.3, delays=0.1/0/0/0.2, dsn=2.0.0, status=sent (250 2.0.0 Saved)"),
            (t + 0.6, f"postfix/qmgr[900]: {qid}: removed")]


def noise(rng: random.Random, t: float, pid: int) -> list[tuple[float, str]]:
    ip = f"203.0.113.{rng.randint(1, 254)}"
    kind = rng.random()
    if kind < 0.3:
        return [(t, f"postfix/submission/smtpd[{pid}]: connect from unknown[{ip}]"),
                (t + 2, f"postfix/submission/smtpd[{pid}]: warning: unknown[{ip}]: SASL LOGIN authentication failed: UGFzc3dvcmQ6"),
                (t + 2.1, f"postfix/submission/smtpd[{pid}]: disconnect from unknown[{ip}] ehlo=1 auth=0/1 commands=1/2")]
    if kind < 0.5:
        return [(t, f"postfix/smtpd[{pid}]: NOQUEUE: reject: RCPT from unknown[{ip}]: 554 5.7.1 <x@elsewhere.example>: Relay access denied; from=<spam@bad.example> to=<x@elsewhere.example> proto=ESMTP helo=<bad>")]
    if kind < 0.55:
        return [(t, f"postfix/anvil[800]: statistics: max connection rate 3/60s for (smtp:{ip}) at {stamp(t)}")]
    return [(t, f"dovecot: imap-login: Login: user=<customer{pid}@isp.example>, method=PLAIN, rip={ip}, lip=192.0.2.1, mpid={pid}, TLS"),
            (t + 30, f"dovecot: imap(customer{pid}@isp.example)<{pid}><abc>: Logged out in=100 out=2000")]


def write_log(path: Path, target_lines: int, seed: int = 7, compress: bool = False) -> int:
    rng = random.Random(seed)
    events: list[tuple[float, int, str]] = []
    seq = 0
    count = 0
    pid = 10000
    while count < target_lines:
        t = DAY_START + rng.random() * 86400
        pid += 3
        kind = rng.random()
        if kind < 0.45:
            lines = submission(rng, t, rng.randint(1, 20000), pid)
        elif kind < 0.8:
            lines = inbound(rng, t, pid)
        else:
            lines = noise(rng, t, pid)
        for lt, text in lines:
            events.append((lt, seq, text))
            seq += 1
        count += len(lines)
    events.sort()
    opener = gzip.open if compress else open
    with opener(path, "wt", encoding="utf-8") as f:
        f.writelines(f"{stamp(t)} mx1 {text}\n" for t, _, text in events)
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", metavar="FILE", help="write the log here and keep it")
    parser.add_argument("--gzip", action="store_true", help="compress the log (times gzip too)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / ("maillog.gz" if args.gzip else "maillog")
        started = time.perf_counter()
        written = write_log(path, args.lines, compress=args.gzip)
        print(f"wrote {written:,} lines ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")
        best = None
        for _ in range(args.repeat):
            reader = MaillogReader(timezone=None, now=DAY_START + 2 * 86400)
            started, cpu_started = time.perf_counter(), time.process_time()
            with open_maillog(path) as (stream, _raw):
                records = sum(1 for _ in reader.read(stream))
            records += sum(1 for _ in reader.finish())
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            best = cpu if best is None else min(best, cpu)
            print(f"  {reader.stats.lines / cpu:,.0f} lines per CPU second ({cpu:.2f} s CPU); "
                  f"{reader.stats.lines / elapsed:,.0f} lines/s by the wall clock ({elapsed:.2f} s)")
        s = reader.stats
        print(f"best: {s.lines / best:,.0f} lines per CPU second; {s.lines:,} lines, {s.submissions:,} submissions "
              f"({records:,} records), {s.accounts:,} accounts, {s.skipped} skipped, {s.ignored:,} ignored")
    return 0


if __name__ == "__main__":
    sys.exit(main())
