"""The Postfix policy delegation wire format (SMTPD_POLICY_README).

A request is ``name=value`` lines ended by ``\\n`` and closed by an empty line; the reply
is one ``action=…`` line and an empty line. Anything else is a protocol error: the
server must log it and close the connection without a reply, and Postfix retries.
"""

from __future__ import annotations

MAX_LINE = 8192  # ccert_subject and friends can be long; nothing legitimate is near this
MAX_ATTRIBUTES = 128  # Postfix 3.12 sends about 35
MAX_REQUEST = 64 * 1024


class ProtocolError(ValueError):
    """The peer sent something that is not a policy request."""


def parse_request(block: bytes) -> dict[str, str]:
    """Parse one request (without its terminating empty line) into attributes.

    A repeated attribute keeps the last value, which the protocol allows. The checks run
    on the whole block at once: this is the hot path, a few microseconds per request.
    """
    if not block:
        raise ProtocolError("empty request")
    if b"\x00" in block:
        raise ProtocolError("NUL in request")
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ProtocolError(f"request is not UTF-8 (byte {err.start})") from None
    lines = text.split("\n")
    if len(lines) > MAX_ATTRIBUTES:
        raise ProtocolError(f"more than {MAX_ATTRIBUTES} attributes")
    if len(text) > MAX_LINE and max(map(len, lines)) > MAX_LINE:
        raise ProtocolError(f"attribute line longer than {MAX_LINE} bytes")
    try:
        attrs = dict([line.split("=", 1) for line in lines])
    except ValueError:  # a line without "=" splits into one part
        bad = next(line for line in lines if "=" not in line)
        raise ProtocolError(f"line without name=value: {bad[:60]!r}") from None
    if "" in attrs:
        raise ProtocolError("attribute without a name")
    return attrs


def encode_reply(action: str) -> bytes:
    # An action must be one line: a stray newline would desynchronise Postfix's reader.
    return b"action=" + action.replace("\r", " ").replace("\n", " ").encode("utf-8") + b"\n\n"


def encode_request(attrs: dict[str, str]) -> bytes:
    """The bytes Postfix would send for ``attrs`` (used by the simulator and tests)."""
    return "".join(f"{k}={v}\n" for k, v in attrs.items()).encode("utf-8") + b"\n"
