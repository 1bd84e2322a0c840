"""The notice as an Internet message: UTF-8, RFC 2047 headers, no header injection.

Every address and display name is checked before it reaches a header: line breaks,
NUL and other control characters, and anything that is not one plain addr-spec are
refused, whatever the email package would have made of them.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from . import NoticeError

# A conservative addr-spec: dot-atom local part and a host name. Quoted local parts and
# non-ASCII (SMTPUTF8) addresses are refused; ISPs' customer contacts never need them.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDR_RE = re.compile(rf"^{_LOCAL}@{_DOMAIN}$")
# C0/C1 controls, DEL, line/paragraph separators and bidi overrides.
_BAD_NAME_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def check_address(addr: str, what: str = "address") -> str:
    """The address itself, or NoticeError if it is not one plain, safe addr-spec."""
    if not isinstance(addr, str) or not addr:
        raise NoticeError(f"{what} is empty")
    if len(addr) > 254 or not _ADDR_RE.match(addr) or len(addr.split("@", 1)[0]) > 64:
        raise NoticeError(f"{what} {addr!r} is not a valid mail address")
    return addr


def check_display_name(name: str, what: str = "name") -> str:
    if _BAD_NAME_CHARS.search(name or ""):
        raise NoticeError(f"{what} {name!r} contains a line break or control character; refused")
    if len(name) > 200:
        raise NoticeError(f"{what} is longer than 200 characters")
    return (name or "").strip()


def format_address(name: str, addr: str) -> str:
    """'Name <addr>' as stored with a notice (the owner's name is kept for the To header)."""
    name, addr = check_display_name(name, "the owner's name"), check_address(addr, "the owner's address")
    value = str(Address(display_name=name, addr_spec=addr))
    # A name that reads back differently (e.g. one holding an encoded-word) could hide text.
    if parse_address(value) != (name, addr):
        raise NoticeError(f"the owner's name {name!r} cannot be used in a mail header; refused")
    return value


def parse_address(value: str) -> tuple[str, str]:
    """(display name, addr-spec) of a stored address, checked again."""
    from email.headerregistry import HeaderRegistry

    try:
        header = HeaderRegistry()("To", value)
        [address] = header.addresses
    except (ValueError, IndexError, TypeError):
        raise NoticeError(f"stored address {value!r} is not one mail address") from None
    return check_display_name(address.display_name, "the owner's name"), check_address(address.addr_spec)


def check_subject(subject: str) -> str:
    if _BAD_NAME_CHARS.search(subject) or not subject.strip():
        raise NoticeError("the subject is empty or contains a line break or control character; refused")
    return subject


def message_id(notice_id: int, created_at: float, sender: str) -> str:
    """A Message-ID fixed for a notice, so a retry after a crash carries the same one."""
    domain = sender.rsplit("@", 1)[1]
    token = hashlib.sha256(f"{notice_id}:{created_at!r}:{sender}".encode()).hexdigest()[:16]
    return f"<notice.{notice_id}.{token}@{domain}>"


def build_message(
    *,
    sender: str,
    sender_name: str,
    to_address: str,
    to_name: str,
    subject: str,
    text: str,
    html: str | None = None,
    msg_id: str,
    date: float,
    tz: str = "UTC",
) -> EmailMessage:
    check_address(sender, "[notices] sender")
    check_address(to_address, "the owner's address")
    sender_name = check_display_name(sender_name, "[notices] sender_name")
    to_name = check_display_name(to_name, "the owner's name")
    check_subject(subject)
    msg = EmailMessage(policy=SMTP)
    msg["From"] = Address(display_name=sender_name, addr_spec=sender)
    msg["To"] = Address(display_name=to_name, addr_spec=to_address)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(_local(date, tz))
    msg["Message-ID"] = msg_id
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to us
    msg.set_content(text, charset="utf-8", cte=_cte(text))
    if html is not None:
        msg.add_alternative(html, subtype="html", charset="utf-8", cte=_cte(html))
    return msg


def _cte(text: str) -> str:
    # 8bit needs the relay's 8BITMIME; base64 is what Japanese mail clients expect.
    return "7bit" if text.isascii() and max(map(len, text.splitlines() or [""])) <= 998 else "base64"


def _local(epoch: float, tz: str) -> datetime:
    try:
        from zoneinfo import ZoneInfo

        return datetime.fromtimestamp(epoch, ZoneInfo(tz))
    except Exception:  # a bad zone name must not stop a notice; UTC is always right
        return datetime.fromtimestamp(epoch, timezone.utc)
