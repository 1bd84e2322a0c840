"""The population's past weeks as Postfix 3.7 writes them to its mail log.

Lines have the shapes of Postfix's own (see shared/fixtures/postfix-maillog-sample.log)
in the traditional syslog form (``Dec  7 20:07:26 mx1 postfix/submission/smtpd[4242]: …``,
local time), sessions interleaved as several smtpd processes would write them:

    connect from unknown[ADDR]
    QUEUEID: client=unknown[ADDR], sasl_method=PLAIN, sasl_username=ACCOUNT
    QUEUEID: message-id=<…>                                   (cleanup)
    QUEUEID: from=<SENDER>, size=N, nrcpt=N (queue active)    (qmgr)
    disconnect from unknown[ADDR] ehlo=2 starttls=1 auth=1 mail=1 rcpt=N data=1 quit=1 commands=N
    QUEUEID: to=<RCPT>, relay=HOST[IP]:25, delay=…, delays=…, dsn=2.0.0, status=sent (250 …)   (smtp)
    QUEUEID: removed                                          (qmgr)

About one recipient in a hundred is greylisted first (``status=deferred``) and sent on a
later attempt (qmgr logs ``from=… nrcpt=`` again when the message comes back to the
active queue, as Postfix does). Inbound mail on port 25 (no ``sasl_username``, delivered
by ``virtual``) and failed logins are mixed in, as in a real log.
"""

from __future__ import annotations

import functools
import gzip
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .population import MAILBOX_DOMAINS, Population

SUBMISSION = "postfix/submission/smtpd"
INBOUND = "postfix/smtpd"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
GREYLISTED = 0.01  # share of recipients deferred once, then sent
INBOUND_SHARE = 0.15  # inbound messages per submission
FAILED_LOGINS = 0.005  # failed SASL logins per submission
NO_DEFERRAL_BEFORE_END = 3600.0  # the last hour's mail is delivered at once: the history ends on time


@dataclass(slots=True)
class HistoryStats:
    path: str
    lines: int = 0
    submissions: int = 0
    recipients: int = 0
    accounts: int = 0
    start: float = 0.0  # epoch seconds of the first and last submission
    end: float = 0.0


class _Stamps:
    """``Mon DD HH:MM:SS`` (day space-padded, as syslog writes it) in local time, cached per second."""

    def __init__(self) -> None:
        self._cache: dict[int, str] = {}

    def __call__(self, t: float) -> str:
        sec = int(t)
        text = self._cache.get(sec)
        if text is None:
            if len(self._cache) > 100_000:
                self._cache.clear()
            tm = time.localtime(sec)
            text = self._cache[sec] = f"{_MONTHS[tm.tm_mon - 1]} {tm.tm_mday:>2} {tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d}"
        return text


class MaillogWriter:
    """Turns planned messages (simulated seconds, fields) into interleaved Postfix log lines."""

    def __init__(self, out: TextIO, *, end: float, seed: int, host: str = "mx1") -> None:
        self.out = out
        self.end = end  # epoch seconds of simulated second 0 (the live run's start)
        self.host = host
        self.rng = random.Random(f"maillog:{seed}")
        self.stamp = _Stamps()
        self._seq = 0
        self._salt = self.rng.getrandbits(44)
        self._pending: list[tuple[float, int, str]] = []  # (epoch, order, line) not yet written
        self._order = 0
        self.smtpd_pids = [self.rng.randint(2000, 60000) for _ in range(24)]
        self.inbound_pids = [self.rng.randint(2000, 60000) for _ in range(8)]
        self.smtp_pids = [self.rng.randint(2000, 60000) for _ in range(12)]
        self.cleanup_pid = self.rng.randint(2000, 60000)
        self.qmgr_pid = self.rng.randint(1000, 2000)
        self.lines = 0
        # Formatting floats is most of the cost of a delivery line: a few hundred timings, reused.
        self._timings = [(dt, f"delay={dt + 0.3:.1f}, delays=0.1/0.01/{dt / 2:.2f}/{dt / 2:.2f}",
                          f"delay={dt + 0.3:.1f}, delays=0.1/0.01/{dt / 2:.2f}/0.05")
                         for dt in (self.rng.uniform(0.2, 3.0) for _ in range(512))]
        self._to: dict[str, tuple[str, str]] = {}  # recipient → "to=<…>, relay=…"

    def _queue_id(self) -> str:
        # An odd multiplier modulo 2**44 is a bijection: unique ids that do not look sequential.
        self._seq += 1
        return f"{(self._seq * 0x9E3779B97 + self._salt) & 0xFFFFFFFFFFF:011X}"

    def _emit(self, t: float, daemon: str, text: str) -> None:
        self._order += 1
        self._pending.append((t, self._order, f"{self.stamp(t)} {self.host} {daemon}: {text}\n"))

    def submission(self, at: float, f: dict) -> None:
        """One accepted submission and its deliveries; ``at`` in simulated seconds (negative)."""
        rng = self.rng
        t = self.end + at
        qid = self._queue_id()
        smtpd = f"{SUBMISSION}[{rng.choice(self.smtpd_pids)}]"
        client = f"unknown[{f['client_address']}]"
        rcpts = f["recipients"]
        self._emit(t - rng.uniform(0.3, 1.5), smtpd, f"connect from {client}")
        self._emit(t, smtpd, f"{qid}: client={client}, sasl_method=PLAIN, sasl_username={f['account']}")
        done = t + rng.uniform(0.02, 0.3)
        self._emit(done - 0.01, f"postfix/cleanup[{self.cleanup_pid}]",
                   f"{qid}: message-id=<{int(t * 1e6)}.{self._seq}@{f['sender'].rpartition('@')[2] or 'localhost'}>")
        size = f["size"] + 600  # headers Postfix and the client add
        qmgr = f"postfix/qmgr[{self.qmgr_pid}]"
        self._emit(done, qmgr, f"{qid}: from=<{f['sender']}>, size={size}, nrcpt={len(rcpts)} (queue active)")
        self._emit(done + rng.uniform(0.01, 0.2), smtpd,
                   f"disconnect from {client} ehlo=2 starttls=1 auth=1 mail=1 rcpt={len(rcpts)} data=1 quit=1 "
                   f"commands={len(rcpts) + 7}")
        late = []
        last = done
        greylist = at < -NO_DEFERRAL_BEFORE_END
        # The hot loop (most lines are deliveries): locals, no per-line method calls.
        rand, stamp, pending, pids, timings = rng.random, self.stamp, self._pending, self.smtp_pids, self._timings
        head = f" {self.host} postfix/smtp["
        order = self._order
        for rcpt in rcpts:
            dt, sent_timing, deferred_timing = timings[int(rand() * len(timings))]
            when = done + dt
            to = self._to.get(rcpt)
            if to is None:
                to = self._to[rcpt] = (f"to=<{rcpt}>, relay={_relay(rcpt.rpartition('@')[2])}", rcpt)
            order += 1
            if greylist and rand() < GREYLISTED:
                late.append(rcpt)
                relay = _relay(rcpt.rpartition("@")[2])
                pending.append((when, order, f"{stamp(when)}{head}{pids[int(rand() * len(pids))]}]: {qid}: {to[0]}, "
                                f"{deferred_timing}, dsn=4.7.1, status=deferred (host {relay[:-3]} said: 450 4.7.1 "
                                f"<{rcpt}>: Recipient address rejected: Greylisted, please try again later (in reply "
                                "to RCPT TO command))\n"))
            else:
                pending.append((when, order, f"{stamp(when)}{head}{pids[int(rand() * len(pids))]}]: {qid}: {to[0]}, "
                                f"{sent_timing}, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)\n"))
                if when > last:
                    last = when
        self._order = order
        if late:
            retry = done + rng.uniform(300, 1200)
            self._emit(retry, qmgr, f"{qid}: from=<{f['sender']}>, size={size}, nrcpt={len(late)} (queue active)")
            for rcpt in late:
                dt = rng.uniform(0.2, 3.0)
                relay = _relay(rcpt.rpartition("@")[2])
                self._emit(retry + dt, f"postfix/smtp[{rng.choice(self.smtp_pids)}]",
                           f"{qid}: to=<{rcpt}>, relay={relay}, delay={retry + dt - t:.0f}, "
                           f"delays={retry - t:.0f}/0.01/{dt / 2:.2f}/{dt / 2:.2f}, dsn=2.0.0, "
                           "status=sent (250 2.0.0 Ok: queued)")
                last = max(last, retry + dt)
        self._emit(last + 0.001, qmgr, f"{qid}: removed")

    def inbound(self, at: float, account: str) -> None:
        """A message from the Internet on port 25 to one of the accounts: no sasl_username."""
        rng = self.rng
        t = self.end + at
        qid = self._queue_id()
        smtpd = f"{INBOUND}[{rng.choice(self.inbound_pids)}]"
        domain = rng.choice(MAILBOX_DOMAINS)
        client = f"mail-out{rng.randint(1, 90)}.{domain}[192.0.2.{rng.randint(1, 254)}]"
        self._emit(t - 0.4, smtpd, f"connect from {client}")
        self._emit(t, smtpd, f"{qid}: client={client}")
        self._emit(t + 0.05, f"postfix/cleanup[{self.cleanup_pid}]", f"{qid}: message-id=<{qid.lower()}.{self._seq}@{domain}>")
        self._emit(t + 0.06, f"postfix/qmgr[{self.qmgr_pid}]",
                   f"{qid}: from=<news{rng.randrange(100)}@{domain}>, size={rng.randint(3000, 60000)}, nrcpt=1 (queue active)")
        self._emit(t + 0.08, smtpd, f"disconnect from {client} ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5")
        self._emit(t + 0.1, f"postfix/virtual[{rng.choice(self.smtp_pids)}]",
                   f"{qid}: to=<{account}>, relay=virtual, delay=0.1, delays=0.06/0.01/0/0.03, dsn=2.0.0, "
                   "status=sent (delivered to maildir)")
        self._emit(t + 0.11, f"postfix/qmgr[{self.qmgr_pid}]", f"{qid}: removed")

    def failed_login(self, at: float, address: str) -> None:
        t = self.end + at
        smtpd = f"{SUBMISSION}[{self.rng.choice(self.smtpd_pids)}]"
        client = f"unknown[{address}]"
        self._emit(t - 0.5, smtpd, f"connect from {client}")
        self._emit(t, smtpd, f"warning: {client}: SASL LOGIN authentication failed: UGFzc3dvcmQ6")
        self._emit(t + 0.2, smtpd, f"disconnect from {client} ehlo=1 auth=0/1 quit=1 commands=2/3")

    def flush(self, until: float | None = None) -> None:
        """Write the lines up to epoch ``until`` (all when None), in time order."""
        self._pending.sort()
        if until is None:
            ready, self._pending = self._pending, []
        else:
            cut = next((i for i, item in enumerate(self._pending) if item[0] >= until), len(self._pending))
            ready, self._pending = self._pending[:cut], self._pending[cut:]
        self.out.writelines(line for _, _, line in ready)
        self.lines += len(ready)


@functools.lru_cache(maxsize=4096)
def _relay(domain: str) -> str:
    n = sum(domain.encode()) % 250 + 2  # the same MX address for a domain, every time
    return f"mx1.{domain}[198.18.{n % 200}.{n}]:25"


def write_history(population: Population, path: str | Path, *, days: float = 14, end: float | None = None,
                  host: str = "mx1") -> HistoryStats:
    """Write the population's ``days`` before the live run to ``path`` (``.gz``: compressed).

    ``end`` is the epoch second at which the live run starts (default: now); the last
    line is at most a few seconds after it.
    """
    end = time.time() if end is None else end
    path = Path(path)
    stats = HistoryStats(path=str(path))
    accounts: set[str] = set()
    names = [a.name for a in population.accounts]
    opener = (lambda: gzip.open(path, "wt", encoding="utf-8", compresslevel=3)) if path.suffix == ".gz" \
        else (lambda: open(path, "w", encoding="utf-8"))
    with opener() as out:
        writer = MaillogWriter(out, end=end, seed=population.config.seed, host=host)
        rng = writer.rng
        for day in population.history(days):
            for at, fields in day:
                writer.submission(at, fields)
                accounts.add(fields["account"])
                stats.submissions += 1
                stats.recipients += len(fields["recipients"])
                if rng.random() < INBOUND_SHARE:
                    writer.inbound(at - rng.uniform(1, 60), rng.choice(names))  # before: the history ends on time
                if rng.random() < FAILED_LOGINS:
                    writer.failed_login(at - rng.uniform(1, 60), f"203.0.113.{rng.randint(1, 254)}")
            if day:
                stats.start = stats.start or end + day[0][0]
                stats.end = end + day[-1][0]
                writer.flush(until=end + day[-1][0] - 1500)  # later lines may still get company
        writer.flush()
        stats.lines = writer.lines
    stats.accounts = len(accounts)
    return stats
