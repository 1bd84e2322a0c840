"""Small, defensive readers of hostile text: the header values and bodies of abuse reports.

Used by reports.py. Everything here is written by strangers: values are read raw and cut before
decoding (the email package's structured header parser is slow on huge values), unknown charsets
fall back to UTF-8 with replacement, NULs and control characters are dropped, and
``too_costly`` refuses a report whose parsing would take too long, by linear scans only.
"""

from __future__ import annotations

import codecs
import email.header
import email.utils
import ipaddress
import re
from datetime import UTC
from email.message import Message

MAX_HEADER_FIELDS = 1000  # per header block; a report with more is a header bomb
# The email parser's cost grows with lines × open multipart levels, and its structured
# header parser is quadratic on long parameter lists: measured, 9 M short lines took 24 s,
# 50 nested levels over 5 M lines 135 s, a Content-Type with 20,000 parameters 44 s.
# A real 10 MB report (76-character lines) has about 140,000 lines and a few levels.
MAX_LINES = 400_000
MAX_MULTIPART = 25  # multipart declarations in the whole report, the original's included
MAX_CONTENT_FIELD = 4096  # bytes of one Content-* header field, folded lines included
MAX_HEADER_DECODE = 8192  # longer raw header values are cut before RFC 2047 decoding
FIELD_LIMIT = 998  # one header line: Message-IDs, subjects, reporters are cut to this

CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\ud800-\udfff]")
MSGID_RE = re.compile(r"<[^<>\s]{1,990}>")


def clean_text(value: str | None, limit: int = FIELD_LIMIT) -> str | None:
    """One line of displayable text: control characters and NULs dropped, whitespace folded."""
    if value is None:
        return None
    value = CONTROL_RE.sub(" ", value[: limit * 4])
    value = " ".join(value.split())[:limit]
    return value or None


def raw_header(msg: Message, name: str) -> str | None:
    """The first raw value of a header, without the email package's structured parsing."""
    lname = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == lname:
            return value if isinstance(value, str) else str(value)
    return None


# Raw 8-bit header bytes (against RFC 5322, common from Japanese mailers) are tried in this order.
EIGHT_BIT_GUESSES = ("utf-8", "cp932", "euc-jp")


def undo_surrogates(raw: str) -> str:
    """The email package keeps 8-bit header bytes as surrogates: guess their charset."""
    if not any("\udc80" <= ch <= "\udcff" for ch in raw):
        return raw
    data = raw.encode("utf-8", "surrogateescape")
    for charset in EIGHT_BIT_GUESSES:
        try:
            return data.decode(charset)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def decode_header_value(raw: str | None) -> str | None:
    """RFC 2047 words decoded (unknown charsets replaced), as one clean line."""
    if raw is None:
        return None
    raw = undo_surrogates(raw[:MAX_HEADER_DECODE])
    try:
        pieces = []
        for chunk, charset in email.header.decode_header(raw):
            if isinstance(chunk, bytes):
                pieces.append(decode_bytes(chunk, charset))
            else:
                pieces.append(chunk)
        text = "".join(pieces)
    except Exception:  # malformed encoded words: keep the raw text
        text = raw
    return clean_text(text)


def decode_bytes(data: bytes, charset: str | None) -> str:
    name = (charset or "utf-8").strip().lower()
    try:
        codecs.lookup(name)
    except (LookupError, ValueError):
        name = "utf-8"
    try:
        return data.decode(name, "replace")
    except Exception:  # a codec that fails on its own replacement (rare multibyte ones)
        return data.decode("utf-8", "replace")


def read_message_id(raw: str | None) -> str | None:
    if raw is None:
        return None
    found = MSGID_RE.search(raw[:MAX_HEADER_DECODE])
    return clean_text(found.group(0) if found else raw)


def read_date(raw: str | None) -> float | None:
    if not raw:
        return None
    try:
        when = email.utils.parsedate_to_datetime(raw[:200].strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if not 1990 <= when.year <= 2100:
        return None
    return when.timestamp()


def read_address(raw: str | None) -> str:
    if not raw:
        return ""
    try:
        _, addr = email.utils.parseaddr(raw[:FIELD_LIMIT])
    except Exception:
        addr = ""
    return clean_text(addr or raw, 320) or ""


def read_ip(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return str(ipaddress.ip_address(raw.strip().strip("[]")[:64]))
    except ValueError:
        return None


def read_feedback_type(raw: str | None) -> str:
    value = (raw or "").strip().lower()[:32]
    return value if re.fullmatch(r"[a-z][a-z0-9-]*", value) else "other"


def text_of(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    return decode_bytes(payload, charset)


_MULTIPART_RE = re.compile(rb"(?im)^content-type:[ \t]*(?:\r?\n[ \t]+)?multipart/")
_CONTENT_FIELD_RE = re.compile(rb"(?im)^content-[a-z-]*:[^\n]*(?:\n[ \t][^\n]*)*")


def too_costly(data: bytes) -> str | None:
    """Why parsing this report would take too long (see MAX_LINES), or None. Linear scans only."""
    end = re.search(rb"\r?\n\r?\n", data)
    head = data[: end.start()] if end else data
    if len(re.findall(rb"(?m)^[^ \t\r\n]", head)) > MAX_HEADER_FIELDS:
        return f"more than {MAX_HEADER_FIELDS} header fields"
    if data.count(b"\n") > MAX_LINES:
        return f"more than {MAX_LINES} lines"
    if len(_MULTIPART_RE.findall(data, 0)) > MAX_MULTIPART:
        return f"more than {MAX_MULTIPART} multipart levels or parts"
    for m in _CONTENT_FIELD_RE.finditer(data):
        if m.end() - m.start() > MAX_CONTENT_FIELD:
            return f"a {m.group(0).split(b':', 1)[0][:40].decode('ascii', 'replace')} header field longer than {MAX_CONTENT_FIELD} bytes"
    return None
