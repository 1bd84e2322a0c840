"""Complaint parsing: abuse reports in, Complaint / Ignored / KeptAside records out.

Three shapes are read, all with the stdlib email package (policy.default):

- ARF (RFC 5965): ``multipart/report; report-type=feedback-report`` with a
  ``message/feedback-report`` part (Feedback-Type, Source-IP, Arrival-Date) and the
  original as ``message/rfc822`` or ``text/rfc822-headers`` (Microsoft JMRP, Yahoo, AOL).
- Reports that attach the original as ``message/rfc822`` or ``text/rfc822-headers``
  without the ARF part (SpamCop style, a user's "forward as attachment").
- Plain forwarded messages whose quoted text holds the original's headers.

The account comes from the trace header (``[complaints] trace_header``) of the
*original*; the report's own headers are never read for it, since a complaint sent
through this ISP by one of its own customers carries the reporter's token there.

Everything here is written by strangers: sizes are capped, header values are read raw and
decoded with limits (the email package's structured header parser is slow on huge
values), unknown charsets fall back to UTF-8 with replacement, NULs and control
characters are dropped, and any failure of the parser on one report makes that report a
KeptAside record, never an exception.
"""

from __future__ import annotations

import binascii
import email.header
import email.utils
import hashlib
import quopri
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email import policy
from email.message import Message
from email.parser import BytesParser, HeaderParser

from .report_sources import MAX_REPORT_BYTES, RawReport, read_bounded, read_sources  # noqa: F401 (the API of this module)
from .report_text import (
    MAX_HEADER_FIELDS, clean_text, decode_header_value, raw_header, read_address, read_date, read_feedback_type,
    read_ip, read_message_id, text_of, too_costly,
)
from .trace import MAX_TOKEN_CHARS, TokenRejected, TraceCodec

MAX_PARTS = 500  # MIME parts looked at per report
MAX_DEPTH = 3  # an ARF forwarded as an attachment is read; deeper nesting is not
MAX_TEXT_SCAN = 1024 * 1024  # characters of a forwarded message searched for quoted headers
KEPT_HEAD_BYTES = 256 * 1024  # what a KeptAside record keeps of the report for staff to look at

# Feedback types (RFC 5965 §7.3 and the IANA registry) that are not complaints about mail sent.
NOT_COMPLAINTS = {"not-spam": "the reporter says it is not spam", "auth-failure": "an authentication failure report"}

_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]+")
_QUOTE_RE = re.compile(r"^[ \t]*(?:>[ \t]?|\|[ \t]?)*")
_HEADER_LINE_RE = re.compile(r"^[!-9;-~]{1,76}:")


@dataclass(frozen=True)
class Complaint:
    """One complaint about one message; ``account`` is set once its token resolved."""

    origin: str  # where it was read: a file, a maildir entry, "mbox:N", "-"
    kind: str  # "arf" | "attached" | "forwarded"
    report_message_id: str  # the report's own Message-ID, else "sha256:<hex of the report>"
    reporter: str  # the report's From address ("" if none)
    received_at: float  # epoch seconds: when Fumidai read it
    reported_at: float | None  # the report's Date
    arrived_at: float | None  # ARF Arrival-Date: when the reporter's system got the original
    feedback_type: str  # ARF Feedback-Type (abuse, fraud, virus, other); "abuse" when not ARF
    original_message_id: str | None
    subject: str | None  # spammer-controlled text: data, escape it when shown
    original_date: float | None  # the original's Date
    source_ip: str | None  # ARF Source-IP (usually one of the ISP's egress addresses)
    user_agent: str | None  # ARF User-Agent (which feedback loop)
    token: str
    account: str | None = None


@dataclass(frozen=True)
class Ignored:
    """A report read on purpose and not recorded (no trace header, forged token, not-spam)."""

    origin: str
    reason: str
    report_message_id: str
    reporter: str
    token: str | None = None


@dataclass(frozen=True)
class KeptAside:
    """A report that could not be read; staff look at ``head`` (the first bytes of it)."""

    origin: str
    reason: str
    size: int
    sha256: str
    head: bytes = field(repr=False)


Outcome = Complaint | Ignored | KeptAside


class _Unreadable(Exception):
    """This report cannot be read (the message is the KeptAside reason)."""


# --- finding the original in a report ------------------------------------------------------


@dataclass
class _Findings:
    feedback: Message | None = None
    originals: list[tuple[str, Message]] = field(default_factory=list)  # (kind, header holder)
    texts: list[str] = field(default_factory=list)
    is_arf: bool = False


def _collect(msg: Message, found: _Findings, depth: int = 0, budget: list[int] | None = None) -> None:
    """Walk the report's parts, without descending into an original's own parts (spammer's text)."""
    budget = [MAX_PARTS] if budget is None else budget
    stack = [msg]
    while stack:
        part = stack.pop(0)
        budget[0] -= 1
        if budget[0] < 0:
            raise _Unreadable(f"more than {MAX_PARTS} MIME parts")
        ctype = part.get_content_type()
        report_type = email.utils.collapse_rfc2231_value(part.get_param("report-type", "") or "")
        if ctype == "multipart/report" and str(report_type).lower() == "feedback-report":
            found.is_arf = True
        if part.is_multipart() and ctype.startswith("multipart/"):
            stack.extend(p for p in part.get_payload() if isinstance(p, Message))
        elif ctype == "message/feedback-report":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                found.feedback = found.feedback or inner[0]
            else:  # sent with a transfer encoding: the fields are in the decoded text
                found.feedback = found.feedback or HeaderParser(policy=policy.default).parsestr(text_of(part))
        elif ctype in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            if not (isinstance(inner, list) and inner and isinstance(inner[0], Message)):
                continue
            original = _decoded_original(part, inner[0])
            if original.get_content_type() == "multipart/report" and depth < MAX_DEPTH:
                _collect(original, found, depth + 1, budget)  # an ARF forwarded as an attachment
            else:
                found.originals.append(("attached", original))
        elif ctype in ("text/rfc822-headers", "text/rfc822-header"):
            text = text_of(part)[:MAX_TEXT_SCAN]
            found.originals.append(("headers", HeaderParser(policy=policy.default).parsestr(text, headersonly=True)))
        elif ctype == "text/plain":
            found.texts.append(text_of(part)[:MAX_TEXT_SCAN])


def _decoded_original(part: Message, original: Message) -> Message:
    """The original itself when its message/rfc822 part was sent base64 or quoted-printable.

    RFC 2046 forbids encoding message/rfc822, but some feedback loops do it; the email
    package then parses the encoded text as a headerless message.
    """
    encoding = (raw_header(part, "Content-Transfer-Encoding") or "").strip().lower()
    if encoding not in ("base64", "quoted-printable"):
        return original
    encoded = original.as_bytes(policy=policy.default.clone(max_line_length=0)).lstrip(b"\r\n")
    try:
        data = binascii.a2b_base64(encoded) if encoding == "base64" else quopri.decodestring(encoded)
    except (binascii.Error, ValueError):
        return original
    costly = too_costly(data)
    if costly:
        raise _Unreadable(f"the encoded original: {costly}")
    return BytesParser(policy=policy.default).parsebytes(data)


def _quoted_headers(text: str, trace_header: str) -> Message | None:
    """The header block quoted in a forwarded message's text that holds the trace header."""
    lines = [_QUOTE_RE.sub("", line, count=1) for line in text.splitlines()]
    wanted = trace_header.lower() + ":"
    for index, line in enumerate(lines):
        if not line.lower().startswith(wanted):
            continue
        start = index
        while start > 0 and (_HEADER_LINE_RE.match(lines[start - 1]) or lines[start - 1][:1] in (" ", "\t")):
            start -= 1
        end = index + 1
        while end < len(lines) and (_HEADER_LINE_RE.match(lines[end]) or lines[end][:1] in (" ", "\t")):
            end += 1
        block = "\n".join(lines[start:end][: MAX_HEADER_FIELDS * 4]) + "\n\n"
        return HeaderParser(policy=policy.default).parsestr(block, headersonly=True)
    return None


def _token_in(headers: Message, trace_header: str) -> str | None:
    raw = raw_header(headers, trace_header)
    if raw is None:
        return None
    return " ".join(raw.split())[: MAX_TOKEN_CHARS + 1]


# --- one report ----------------------------------------------------------------------------


def parse_report(
    raw: bytes | RawReport,
    trace_header: str = "X-Fumidai-Trace",
    origin: str = "-",
    received_at: float | None = None,
) -> Outcome:
    """Read one report; never raises. A Complaint here has ``account`` None (see resolve)."""
    if isinstance(raw, RawReport):
        origin, size, data = raw.origin, raw.size, raw.data
    else:
        size, data = len(raw), raw
    received_at = time.time() if received_at is None else received_at
    digest = hashlib.sha256(data).hexdigest()

    def aside(reason: str) -> KeptAside:
        return KeptAside(origin, reason, size, digest, data[:KEPT_HEAD_BYTES])

    if size > MAX_REPORT_BYTES or len(data) > MAX_REPORT_BYTES:
        return aside(f"larger than {MAX_REPORT_BYTES // (1024 * 1024)} MiB ({size} bytes): not read")
    if not data.strip():
        return aside("empty")
    costly = too_costly(data)
    if costly:
        return aside(costly)
    try:
        return _parse(data, trace_header, origin, received_at, digest)
    except _Unreadable as err:
        return aside(str(err))
    except RecursionError:
        return aside("MIME nested too deeply")
    except Exception as err:  # the email package on hostile input: one report lost to staff review, not the run
        return aside(f"unparseable: {type(err).__name__}: {clean_text(str(err), 200)}")


def _parse(data: bytes, trace_header: str, origin: str, received_at: float, digest: str) -> Outcome:
    msg = BytesParser(policy=policy.default).parsebytes(data)
    if not any(True for _ in msg.raw_items()):
        raise _Unreadable("not an e-mail message (no header fields)")
    report_id = read_message_id(raw_header(msg, "Message-ID")) or f"sha256:{digest}"
    reporter = read_address(raw_header(msg, "From"))
    found = _Findings()
    _collect(msg, found)

    kind, headers = "attached", None
    token = None
    for how, candidate in found.originals:
        if len(list(candidate.raw_items())) > MAX_HEADER_FIELDS:
            raise _Unreadable(f"the original has more than {MAX_HEADER_FIELDS} header fields")
        token = _token_in(candidate, trace_header)
        if token is not None:
            headers = candidate
            break
    if token is None:
        for text in found.texts:
            quoted = _quoted_headers(text, trace_header)
            if quoted is not None:
                kind, headers, token = "forwarded", quoted, _token_in(quoted, trace_header)
                break
    if found.is_arf:
        kind = "arf"

    feedback = found.feedback
    feedback_type = read_feedback_type(raw_header(feedback, "Feedback-Type")) if feedback is not None else "abuse"
    if token is None:
        defects = _serious_defects(msg)
        if defects:
            raise _Unreadable(f"malformed MIME ({defects}) and no trace header found")
        if found.is_arf and not found.originals:
            return Ignored(origin, "ARF report without the original message or its headers", report_id, reporter)
        return Ignored(origin, f"no {trace_header} header in the original", report_id, reporter)
    if feedback_type in NOT_COMPLAINTS:
        return Ignored(origin, f"feedback type {feedback_type}: {NOT_COMPLAINTS[feedback_type]}", report_id, reporter, token)
    if not _TOKEN_RE.fullmatch(token) or len(token) > MAX_TOKEN_CHARS:
        return Ignored(origin, "forged token (not base64url)", report_id, reporter, clean_text(token, 100))

    assert headers is not None
    return Complaint(
        origin=origin,
        kind=kind,
        report_message_id=report_id,
        reporter=reporter,
        received_at=received_at,
        reported_at=read_date(raw_header(msg, "Date")),
        arrived_at=read_date(raw_header(feedback, "Arrival-Date") or raw_header(feedback, "Received-Date"))
        if feedback is not None
        else None,
        feedback_type=feedback_type,
        original_message_id=read_message_id(raw_header(headers, "Message-ID")),
        subject=decode_header_value(raw_header(headers, "Subject")),
        original_date=read_date(raw_header(headers, "Date")),
        source_ip=read_ip(raw_header(feedback, "Source-IP")) if feedback is not None else None,
        user_agent=clean_text(raw_header(feedback, "User-Agent"), 200) if feedback is not None else None,
        token=token,
    )


def _serious_defects(msg: Message) -> str:
    """Defects that mean the MIME structure itself is broken (a cut-off or mangled report)."""
    from email import errors

    serious = (errors.StartBoundaryNotFoundDefect, errors.CloseBoundaryNotFoundDefect,
               errors.MultipartInvariantViolationDefect, errors.MissingHeaderBodySeparatorDefect)
    names = []
    for part in _parts(msg):
        for defect in getattr(part, "defects", ()):
            if isinstance(defect, serious) and type(defect).__name__ not in names:
                names.append(type(defect).__name__)
    return ", ".join(names)


def _parts(msg: Message) -> Iterator[Message]:
    count = 0
    for part in msg.walk():
        count += 1
        if count > MAX_PARTS:
            return
        yield part


def resolve(outcome: Outcome, codec: TraceCodec, now: float | None = None) -> Outcome:
    """A Complaint with its account filled in, or Ignored when the token does not resolve."""
    if not isinstance(outcome, Complaint):
        return outcome
    try:
        account = codec.resolve(outcome.token, now)
    except TokenRejected as err:
        return Ignored(outcome.origin, err.reason, outcome.report_message_id, outcome.reporter, outcome.token)
    return replace(outcome, account=account)


def read_report(
    raw: bytes | RawReport,
    codec: TraceCodec,
    trace_header: str = "X-Fumidai-Trace",
    origin: str = "-",
    now: float | None = None,
) -> Outcome:
    """Parse and resolve one report: the one call the CLI and the API need."""
    now = time.time() if now is None else now
    return resolve(parse_report(raw, trace_header, origin, now), codec, now)
