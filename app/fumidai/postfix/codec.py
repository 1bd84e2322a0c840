"""The Postfix policy delegation wire format (SMTPD_POLICY_README).

A request is ``name=value`` lines ended by ``\\n`` and closed by an empty line; the reply
is one ``action=…`` line and an empty line. Anything else is a protocol error: the
server must log it and close the connection without a reply, and Postfix retries.
"""

from __future__ import annotations

import sys
from typing import Iterable, Mapping

try:  # the C parser (setup.py builds it where a compiler is found); the Python one else
    from ._speedups import parse as _parse_c
except ImportError:  # pragma: no cover - depends on the build
    _parse_c = None

MAX_LINE = 8192  # ccert_subject and friends can be long; nothing legitimate is near this
MAX_ATTRIBUTES = 128  # Postfix 3.12 sends about 35
MAX_REQUEST = 64 * 1024

# Every byte but "\n", "=" and NUL: deleting them leaves the request's skeleton, "=\n=\n==\n…".
_NOT_SKELETON = bytes(c for c in range(256) if c not in b"\n=\x00")


# The largest number each numeric attribute may carry: a request with more is malformed.
# recipient_count and size come from the configuration ([policy] max_recipients, max_size).
PORT_MAX = 65535
KEYSIZE_MAX = 65536


def numeric_limits(max_recipients: int = 100_000, max_size: int = 10 * 2**30) -> dict[str, int]:
    """Every numeric attribute Postfix sends, with the largest value accepted."""
    return {"recipient_count": max_recipients, "size": max_size, "client_port": PORT_MAX, "server_port": PORT_MAX,
            "encryption_keysize": KEYSIZE_MAX}


class ProtocolError(ValueError):
    """The peer sent something that is not a policy request."""


class NumberOutOfRange(ProtocolError):
    """A well-framed request whose number is not a whole number in range (a forged or broken peer).

    Unlike other protocol errors the connection stays usable: the server answers it
    ``[policy] on_error`` and never passes the request on.
    """


def check_numbers(attrs: dict[str, str], limits: tuple[tuple[str, int], ...]) -> None:
    """Raise NumberOutOfRange unless each limited attribute is absent, empty or 0…its maximum.

    Only ASCII digits: int() would also take " 5", "+5", "1_000" and "５".
    """
    for name, maximum in limits:
        value = attrs.get(name)
        if value and not (value.isascii() and value.isdigit() and int(value) <= maximum):
            raise NumberOutOfRange(f"{name}={value[:30]!r} is not a whole number from 0 to {maximum}")


def check_request(block: bytes) -> str:
    """Check one request (without its terminating empty line) and return it decoded.

    Every check runs over the whole block in C (count, find, translate), never line by
    line in Python: this is the hot path, once per request.
    """
    if not block:
        raise ProtocolError("empty request")
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ProtocolError(f"request is not UTF-8 (byte {err.start})") from None
    skeleton = block.translate(None, _NOT_SKELETON)
    if b"\x00" in skeleton:
        raise ProtocolError("NUL in request")
    if skeleton.count(b"\n") >= MAX_ATTRIBUTES:
        raise ProtocolError(f"more than {MAX_ATTRIBUTES} attributes")
    # A line without "=" leaves two newlines together in the skeleton, or one at an end.
    if b"\n\n" in skeleton or not skeleton.startswith(b"=") or not skeleton.endswith(b"="):
        bad = next(line for line in text.split("\n") if "=" not in line)
        raise ProtocolError(f"line without name=value: {bad[:60]!r}")
    if text[0] == "=" or "\n=" in text:
        raise ProtocolError("attribute without a name")
    if len(block) > MAX_LINE and max(map(len, block.split(b"\n"))) > MAX_LINE:
        raise ProtocolError(f"attribute line longer than {MAX_LINE} bytes")
    return text


def _limit_pairs(limits: Mapping[str, int] | None, names: tuple[str, ...] | None = None) -> tuple[tuple[str, int], ...] | None:
    if not limits:
        return None
    pairs = tuple((sys.intern(n), int(m)) for n, m in limits.items() if names is None or n in names)
    return pairs or None


def parse_request(block: bytes, limits: Mapping[str, int] | None = None) -> dict[str, str]:
    """Parse one request (without its terminating empty line) into all its attributes.

    A repeated attribute keeps the last value, which the protocol allows. ``limits``
    (see numeric_limits) range-checks numbers: NumberOutOfRange when one is out.
    """
    pairs = _limit_pairs(limits)
    if _parse_c is not None:
        attrs = _parse_c(block, None, pairs)
        if attrs is not None:
            return attrs
    # Malformed (the C parser only says so; check_request says why), or no C parser.
    attrs = dict([line.split("=", 1) for line in check_request(block).split("\n")])
    if pairs:
        check_numbers(attrs, pairs)
    return attrs


class AttributeReader:
    """Parses requests into only the attributes a handler reads (every one when ``names`` is None).

    A request carries about 35 attributes and the engine reads six: building only those
    costs far less than a dict of every line. ``limits`` range-checks the numbers among
    them (see numeric_limits); one out of range raises NumberOutOfRange.
    """

    __slots__ = ("names", "needles", "limits")

    def __init__(self, names: Iterable[str] | None, limits: Mapping[str, int] | None = None) -> None:
        self.names = tuple(sys.intern(name) for name in names) if names is not None else None
        self.needles = tuple((name, f"\n{name}=") for name in self.names or ())
        self.limits = _limit_pairs(limits, self.names)

    def __call__(self, block: bytes) -> dict[str, str]:
        if _parse_c is not None:
            attrs = _parse_c(block, self.names, self.limits)
            if attrs is not None:
                return attrs
        if self.names is None:
            attrs = dict([line.split("=", 1) for line in check_request(block).split("\n")])
        else:
            text = "\n" + check_request(block)
            attrs = {}
            for name, needle in self.needles:
                _, found, rest = text.rpartition(needle)  # the last one wins, as in parse_request
                if found:
                    attrs[name] = rest.partition("\n")[0]
        if self.limits:
            check_numbers(attrs, self.limits)
        return attrs


def encode_reply(action: str) -> bytes:
    # An action must be one line: a stray newline would desynchronise Postfix's reader.
    return b"action=" + action.replace("\r", " ").replace("\n", " ").encode("utf-8") + b"\n\n"


def encode_request(attrs: dict[str, str]) -> bytes:
    """The bytes Postfix would send for ``attrs`` (used by the simulator and tests)."""
    return "".join(f"{k}={v}\n" for k, v in attrs.items()).encode("utf-8") + b"\n"
