"""Read Postfix's mail log: what each SASL-authenticated account submitted.

Pure standard library; reads only the streams it is given. A submission is the smtpd line
with ``sasl_username=`` (any service or syslog_name: ``postfix/submission/smtpd``,
``postfix-out/smtps/smtpd``...), tied by host and queue id to cleanup's ``message-id=``,
qmgr's ``from=<...>, size=..., nrcpt=N`` and the delivery agents' ``to=<...>`` lines. Only
mail that reached the queue (qmgr saw it) is a submission: a message refused at DATA or by
cleanup is not. Inbound mail (smtpd ``client=`` without SASL), local pickup, bounce notices,
failed logins and every other line are ignored.

Timestamps: traditional syslog / Postfix ``maillog_file`` (``Dec  7 20:07:26``; the year is
the latest one that does not put the line more than a day after ``now``, so a log that spans
New Year reads right; local time or ``timezone``), RFC 3339 (rsyslog's high precision
format) and ``journalctl -o short-iso`` (``+0900``).

Lines may come interleaved, from several files, rotated files in any order: a record is
emitted when its message is removed from the queue if all its lines were in that one input
(a file), else at :meth:`MaillogReader.finish` (a message split across rotated files).
Each record's id is a hash of host, queue id, submission time and account, so importing the
same lines again gives the same ids (the caller dedupes). Nothing in a file can stop the
reader: undecodable bytes are replaced, lines it cannot parse are counted and skipped.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import BinaryIO

__all__ = ["MaillogReader", "Stats", "Submission", "open_maillog"]


@dataclass(frozen=True, slots=True)
class Submission:
    """One message an authenticated account submitted and Postfix queued."""

    id: str  # stable across imports of the same lines
    time: float  # epoch seconds (UTC) of the smtpd ``client=`` line
    account: str  # sasl_username as Postfix wrote it (the caller canonicalises)
    client_address: str  # IPv4 or IPv6 as Postfix writes it
    sasl_method: str
    sender: str  # envelope sender, "" for <>
    message_id: str  # "" when cleanup's line was not in the input
    recipients: tuple[str, ...]  # sorted, lowercased; orig_to when present; each once
    nrcpt: int  # qmgr's count (recipients accepted at RCPT)
    size: int


@dataclass(slots=True)
class Stats:
    """What an import read: the summary at the end."""

    lines: int = 0  # non-empty lines read
    submissions: int = 0  # records emitted
    accounts: int = 0  # distinct accounts among them
    skipped: int = 0  # malformed: not a syslog line, or a known line with broken fields
    ignored: int = 0  # well-formed but of no use: other daemons, connects, rejects, logins


# "Dec  7 20:07:26" | "2026-12-07T20:07:26.123456+09:00" | "2026-12-07T20:07:26+0900", host, tag[pid]:
_HEADER = re.compile(
    r"(?:([A-Z][a-z]{2} [ 0-3]\d \d\d:\d\d:\d\d)"
    r"|(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?))"
    r" (\S+) ([^\s\[:]+)(?:\[\d+\])?: "
)
# Short (hex) and long (enable_long_queue_ids) queue ids; not NOQUEUE, warning, etc.
_QUEUE_ID = re.compile(r"[0-9A-F]{5,12}|[0-9A-Za-z]{12,24}")
_CLIENT = re.compile(r"client=[^\[\s]*\[([^\]\s]*)\]")
_QMGR_FROM = re.compile(r"from=<(.*)>, size=(\d+), nrcpt=(\d+)")
_AFTER_USERNAME = (", sasl_sender=", ", orig_queue_id=", ", orig_client=")
_NOTIFICATION = re.compile(r"notification: ([0-9A-Za-z]+)$")

_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
# A line may be this far "ahead" of now (a wrong --timezone, clocks apart) and keep this year.
_FUTURE_SLACK = 86400.0
# Beyond this, a queue id seen again is a new message (Postfix reuses short ids).
_MAX_MESSAGE_LIFE = 10 * 86400.0
_HEAD_BEFORE_CLEANUP = 3600.0
_CHUNK = 1 << 20
_MAX_LINE = 4 << 20


class _Message:
    """What the log has said so far about one queue id on one host."""

    __slots__ = ("first", "start", "file", "account", "client", "method", "inbound", "message_id",
                 "sender", "size", "nrcpt", "recipients")

    def __init__(self, first: float) -> None:
        self.first = first  # earliest time seen for it
        self.start: float | None = None  # time of the smtpd client= line
        self.file = 0  # which input held that line
        self.account: str | None = None
        self.client = ""
        self.method = ""
        self.inbound = False  # smtpd without SASL, pickup or a bounce notice: never a submission
        self.message_id = ""
        self.sender: str | None = None  # set once qmgr has it: the message was queued
        self.size = 0
        self.nrcpt = 0
        self.recipients: set[str] = set()


class MaillogReader:
    """Turns Postfix log lines into :class:`Submission` records.

    Feed it lines (:meth:`feed`) or binary streams (:meth:`read`), from as many files as
    needed and in any order, then call :meth:`finish` for what is still open. ``stats``
    counts as it goes.
    """

    def __init__(self, *, timezone: tzinfo | None = None, now: float | None = None) -> None:
        self.timezone = timezone  # for traditional timestamps; None = this machine's local time
        self.now = time.time() if now is None else now
        self.stats = Stats()
        self._accounts: set[str] = set()
        self._messages: dict[str, dict[str, _Message]] = {}  # host -> queue id -> message
        self._stamp_cache: dict[str, float] = {}
        self._file = 0  # inputs read so far: a message whose lines all came in one is complete at "removed"
        self._input_start: float | None = None  # time of the current input's first queue line

    # --- input ---

    def read(self, stream: BinaryIO, on_chunk: Callable[[], None] | None = None) -> Iterator[Submission]:
        """Read a binary stream to its end; bytes that are not UTF-8 are replaced, never fatal."""
        self._file += 1
        self._input_start = None
        tail = b""
        # read1: a truncated .gz then fails only on the piece it cannot inflate.
        read = getattr(stream, "read1", stream.read)
        while True:
            try:
                chunk = read(_CHUNK)
            except (OSError, EOFError, zlib.error):  # a damaged or truncated .gz: keep what was read
                self.stats.skipped += 1
                break
            if not chunk:
                break
            chunk = tail + chunk
            cut = chunk.rfind(b"\n") + 1
            if cut == 0:  # a line longer than a chunk: keep reading, up to a point
                if len(chunk) > _MAX_LINE:  # no log line is this long: count it, drop it
                    self.stats.lines += 1
                    self.stats.skipped += 1
                    chunk = b""
                tail = chunk
                continue
            tail = chunk[cut:]
            yield from self._lines(chunk[:cut].decode("utf-8", "replace").split("\n"))
            if on_chunk is not None:
                on_chunk()
        if tail:
            yield from self._lines(tail.decode("utf-8", "replace").split("\n"))

    def feed(self, lines: Iterable[str]) -> Iterator[Submission]:
        """Read one input's lines (with or without their newline); yield the messages they complete."""
        self._file += 1
        self._input_start = None
        yield from self._lines(lines)

    def _lines(self, lines: Iterable[str]) -> Iterator[Submission]:
        stats = self.stats
        header = _HEADER.match
        queue_id = _QUEUE_ID.fullmatch
        for line in lines:
            if not line or line == "\r":
                continue
            stats.lines += 1
            m = header(line)
            if m is None:
                stats.skipped += 1
                continue
            msg = line[m.end():]
            colon = msg.find(": ")
            if colon < 5 or queue_id(msg, 0, colon) is None:
                stats.ignored += 1
                continue
            rest = msg[colon + 2:].rstrip("\r\n")
            first = rest[:2]
            if first == "cl" and rest.startswith("client="):
                done = self._client(m, msg[:colon], rest)
            elif first == "to" and rest.startswith("to=<"):
                done = self._delivery(m, msg[:colon], rest)
            elif first == "fr" and rest.startswith("from=<"):
                done = self._queued(m, msg[:colon], rest)
            elif rest == "removed":
                done = self._removed(m, msg[:colon])
            elif first == "me" and rest.startswith("message-id="):
                done = self._message_id(m, msg[:colon], rest)
            elif first == "re" and rest.startswith(("reject: DATA", "reject: END-OF-MESSAGE")):
                self._forget_unqueued(m, msg[:colon])  # refused whole: never queued
                stats.ignored += 1
                continue
            elif first == "ui" and rest.startswith("uid="):  # pickup: local mail
                self._mark_local(m, msg[:colon])
                continue
            elif "notification: " in rest:  # bounce: the notice it queued is not a submission
                n = _NOTIFICATION.search(rest)
                if n:
                    self._mark_local(m, n.group(1))
                continue
            else:
                stats.ignored += 1
                continue
            if done is not None:
                yield done

    @property
    def open_messages(self) -> int:
        """Messages held open: not removed yet, or split across inputs."""
        return sum(len(messages) for messages in self._messages.values())

    def finish(self) -> Iterator[Submission]:
        """Everything still open at the end of all input: queued submissions not yet removed."""
        for host, messages in self._messages.items():
            for qid, msg in messages.items():
                if msg.account is not None and msg.sender is not None:
                    yield self._emit(host, qid, msg)
        self._messages.clear()

    # --- one kind of line each; return a record when it completes one ---

    def _time(self, m: re.Match) -> float:
        stamp = m.group(1)
        if stamp is not None:
            t = self._stamp_cache.get(stamp)
            if t is None:
                t = self._traditional(stamp)
                if len(self._stamp_cache) > 200_000:
                    self._stamp_cache.clear()
                self._stamp_cache[stamp] = t
            return t
        stamp = m.group(2)
        dt = datetime.fromisoformat(stamp)
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=self.timezone) if self.timezone else dt
        return dt.timestamp()

    def _traditional(self, stamp: str) -> float:
        month = _MONTHS.get(stamp[:3])
        if month is None:
            raise ValueError(stamp)
        day, hour, minute, second = int(stamp[4:6]), int(stamp[7:9]), int(stamp[10:12]), int(stamp[13:15])
        year = datetime.fromtimestamp(self.now, self.timezone).year
        for y in range(year, year - 8, -1):  # Feb 29 exists only in leap years
            try:
                t = datetime(y, month, day, hour, minute, second, tzinfo=self.timezone).timestamp()
            except ValueError:
                continue
            if t <= self.now + _FUTURE_SLACK:
                return t
        raise ValueError(stamp)

    def _known(self, m: re.Match, qid: str) -> _Message | None:
        """The message with this queue id on this line's host; None if the line's time is bad."""
        host = m.group(3)
        messages = self._messages.get(host)
        if messages is None:
            messages = self._messages[host] = {}
        msg = messages.get(qid)
        if msg is None:
            try:
                msg = messages[qid] = _Message(self._time(m))
            except (ValueError, OverflowError, OSError):  # a date that does not exist
                self.stats.skipped += 1
                return None
            if self._input_start is None:
                self._input_start = msg.first
        return msg

    def _forget_unqueued(self, m: re.Match, qid: str) -> None:
        messages = self._messages.get(m.group(3))
        msg = messages.get(qid) if messages else None
        if msg is not None and msg.sender is None and msg.start is not None:
            del messages[qid]

    def _mark_local(self, m: re.Match, qid: str) -> None:
        msg = self._known(m, qid)
        if msg is not None:
            msg.inbound = True

    def _client(self, m: re.Match, qid: str, rest: str) -> Submission | None:
        c = _CLIENT.match(rest)
        try:
            t = self._time(m)
        except (ValueError, OverflowError, OSError):
            c = None
        if c is None:
            self.stats.skipped += 1
            return None
        messages = self._messages.setdefault(m.group(3), {})
        msg = messages.get(qid)
        if msg is not None and (msg.start is not None or msg.inbound or not 0 <= msg.first - t < _MAX_MESSAGE_LIFE):
            # The queue id was used before (or its lines came from an unrelated older message):
            # what we had is finished; this line starts a new message.
            done = self._emit(m.group(3), qid, msg) if msg.account is not None and msg.sender is not None else None
            msg = None
        else:
            done = None
        if msg is None:
            msg = messages[qid] = _Message(t)
        if self._input_start is None:
            self._input_start = t
        msg.start = msg.first = t
        msg.file = self._file
        user = rest.find("sasl_username=")
        if user < 0:
            msg.inbound = True
            self.stats.ignored += 1
            return done
        account = rest[user + 14:]
        for after in _AFTER_USERNAME:  # what smtpd may write after it
            end = account.find(after)
            if end >= 0:
                account = account[:end]
        account = account.strip()
        if not account:
            msg.inbound = True
            self.stats.ignored += 1
            return done
        msg.account = account
        msg.client = c.group(1)
        method = rest.find("sasl_method=")
        if method >= 0:
            end = rest.find(",", method)
            msg.method = rest[method + 12:end if end >= 0 else None]
        return done

    def _message_id(self, m: re.Match, qid: str, rest: str) -> Submission | None:
        msg = self._known(m, qid)
        if msg is None:
            return None
        msg.message_id = rest[11:].strip()
        if msg.start is None and msg.first - (self._input_start or msg.first) > _HEAD_BEFORE_CLEANUP:
            # smtpd's client= line comes minutes at most before cleanup's: it would be in this
            # input. Without one this is local mail (a .forward, a re-injection): forget it at "removed".
            msg.inbound = True
        return None

    def _queued(self, m: re.Match, qid: str, rest: str) -> Submission | None:
        f = _QMGR_FROM.match(rest)
        if f is None:  # "from=<>, status=expired, returned to sender" and the like
            self.stats.ignored += 1
            return None
        msg = self._known(m, qid)
        if msg is None:
            return None
        msg.sender, msg.size, msg.nrcpt = f.group(1), int(f.group(2)), int(f.group(3))
        return None

    def _delivery(self, m: re.Match, qid: str, rest: str) -> Submission | None:
        if "status=" not in rest:
            self.stats.skipped += 1
            return None
        msg = self._known(m, qid)
        if msg is None or msg.inbound:
            return None
        # The address the sender wrote: orig_to when an alias or virtual map rewrote it.
        orig = rest.find(", orig_to=<")
        if orig >= 0:
            start = orig + 11
        else:
            start = 4
        end = rest.find(">", start)
        if end < 0:
            self.stats.skipped += 1
            return None
        msg.recipients.add(rest[start:end].lower())
        return None

    def _removed(self, m: re.Match, qid: str) -> Submission | None:
        host = m.group(3)
        messages = self._messages.get(host)
        msg = messages.get(qid) if messages else None
        if msg is None:
            return None  # its other lines were not in the input, or of no interest
        if msg.inbound or (msg.account is not None and msg.sender is None and msg.file == self._file):
            del messages[qid]  # inbound, or submitted but never queued (held and deleted)
            return None
        if msg.start is not None and msg.file == self._file and msg.sender is not None:
            # Its first and last lines were in this input, so every line between them was too.
            del messages[qid]
            return self._emit(host, qid, msg)
        return None  # it spans inputs: the rest may be in one not read yet; finish() emits it

    def _emit(self, host: str, qid: str, msg: _Message) -> Submission:
        key = f"{host}\0{qid}\0{msg.start:.6f}\0{msg.account}".encode("utf-8", "surrogatepass")
        self.stats.submissions += 1
        if msg.account not in self._accounts:
            self._accounts.add(msg.account)
            self.stats.accounts += 1
        return Submission(
            id=hashlib.blake2b(key, digest_size=16).hexdigest(),
            time=msg.start,
            account=msg.account,
            client_address=msg.client,
            sasl_method=msg.method,
            sender=msg.sender,
            message_id=msg.message_id,
            recipients=tuple(sorted(msg.recipients)),
            nrcpt=msg.nrcpt,
            size=msg.size,
        )


@contextmanager
def open_maillog(path: str | Path, stdin: BinaryIO | None = None) -> Iterator[tuple[BinaryIO, BinaryIO]]:
    """Open a log for reading as bytes: a file, ``-`` for standard input, gzip by its magic.

    Yields ``(stream, raw)``: read ``stream``; ``raw.tell()`` is how far into the file
    (compressed bytes for .gz) it has got, for a progress bar.
    """
    if str(path) == "-":
        raw = stdin if stdin is not None else sys.stdin.buffer
        peekable = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
        if peekable.peek(2)[:2] == b"\x1f\x8b":
            yield gzip.GzipFile(fileobj=peekable), peekable
        else:
            yield peekable, peekable
        return
    with open(path, "rb") as raw:
        if raw.read(2) == b"\x1f\x8b":
            raw.seek(0)
            with gzip.GzipFile(fileobj=raw) as stream:
                yield stream, raw
        else:
            raw.seek(0)
            yield raw, raw
