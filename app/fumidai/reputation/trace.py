"""The opaque per-account trace token of ``PREPEND X-Fumidai-Trace: <token>``.

A token is the account name encrypted with AES-SIV (RFC 5297), which is deterministic (the
same account gives the same token under one key, so tokens are stable and cacheable) and
authenticated (a token changed by one bit, or made up, fails to decrypt: forgery is
detected). The name goes back out of the token itself, so no lookup table is kept.

    token = base64url( key id (2 bytes) ‖ SIV tag (16) ‖ ciphertext of the padded name )

The name is padded to a multiple of 16 bytes so the token's length tells only the name's
length to within 16 bytes; the key id (from a hash of the key) only picks which key to
try. A 20-character account gives a 68-character token.

Keys live in one text file (``[complaints] secret_file``), newest first, one per line:

    2026-12-07T21:30:00Z  <32 random bytes, base64url>

New tokens use the newest key. An older key still resolves tokens until ``retention``
seconds after the next newer key was made (the mail it traced may be complained about
days later); after that its tokens are refused as expired. ``fumidai complaints keygen``
writes the file (mode 0600) or adds a key at its top.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import secrets
import stat
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

from ..errors import FumidaiError

log = logging.getLogger(__name__)

KEY_BYTES = 32  # AES-SIV with two 128-bit AES keys
KEY_ID_BYTES = 2
TAG_BYTES = 16
BLOCK = 16
# Binds tokens to this use and format: a ciphertext made for anything else does not verify.
ASSOCIATED_DATA = [b"fumidai-trace-v1"]
# A token must fit one header line (998 octets) with its field name: longer names are not traced.
MAX_ACCOUNT_BYTES = 640
# Tokens remembered per account; the cache is emptied when full (accounts are bounded in practice).
CACHE_SIZE = 100_000
# A header value longer than this cannot be a token (read from hostile reports).
MAX_TOKEN_CHARS = 4 * (KEY_ID_BYTES + TAG_BYTES + MAX_ACCOUNT_BYTES + BLOCK) // 3 + 4


class TokenRejected(Exception):
    """A token that does not give an account; ``reason`` says why (forged, expired, malformed)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TraceKey:
    created: float  # epoch seconds
    secret: bytes

    @property
    def key_id(self) -> bytes:
        return hashlib.sha256(b"fumidai-trace-key-id\0" + self.secret).digest()[:KEY_ID_BYTES]

    def line(self) -> str:
        when = datetime.fromtimestamp(self.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"{when}  {base64.urlsafe_b64encode(self.secret).decode().rstrip('=')}"


def new_key(now: float | None = None) -> TraceKey:
    return TraceKey(created=time.time() if now is None else now, secret=secrets.token_bytes(KEY_BYTES))


def _pad(data: bytes) -> bytes:
    # ISO/IEC 7816-4: 0x80 then zeros, always at least one byte, up to a whole block.
    data += b"\x80"
    return data + b"\x00" * (-len(data) % BLOCK)


def _unpad(data: bytes) -> bytes:
    end = data.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        raise ValueError("bad padding")
    return end[:-1]


def _b64decode(token: str) -> bytes:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


class TraceCodec:
    """Makes and resolves tokens with a list of keys, newest first.

    ``token_for`` is the policy path's call: about a microsecond from its cache, a few
    microseconds for an account's first message (see tests/reputation/test_trace.py).
    """

    def __init__(self, keys: list[TraceKey], retention: float) -> None:
        if not keys:
            raise ValueError("at least one trace key is needed")
        self.keys = sorted(keys, key=lambda k: k.created, reverse=True)
        self.retention = retention
        self._newest = self.keys[0]
        self._prefix = self._newest.key_id
        self._cipher = AESSIV(self._newest.secret)
        self._ciphers = [(k, AESSIV(k.secret)) for k in self.keys]
        self._cache: dict[str, str | None] = {}

    def token_for(self, account: str) -> str | None:
        """The account's token under the newest key; None for a name too long to fit a header."""
        token = self._cache.get(account, "")
        if token != "":
            return token
        raw = account.encode("utf-8", "surrogateescape")
        if len(raw) > MAX_ACCOUNT_BYTES:
            token = None
        else:
            sealed = self._cipher.encrypt(_pad(raw), ASSOCIATED_DATA)
            token = base64.urlsafe_b64encode(self._prefix + sealed).decode("ascii").rstrip("=")
        if len(self._cache) >= CACHE_SIZE:
            self._cache.clear()
        self._cache[account] = token
        return token

    def usable_until(self, index: int) -> float:
        """Until when tokens of ``self.keys[index]`` resolve: forever for the newest."""
        if index == 0:
            return float("inf")
        return self.keys[index - 1].created + self.retention

    def resolve(self, token: str, now: float | None = None) -> str:
        """The account a token was made for; raises TokenRejected (with the reason) otherwise."""
        now = time.time() if now is None else now
        token = token.strip()
        if not token or len(token) > MAX_TOKEN_CHARS:
            raise TokenRejected("not a trace token (empty or too long)")
        try:
            blob = _b64decode(token)
        except (binascii.Error, ValueError):
            raise TokenRejected("not a trace token (not base64url)") from None
        # One token, one spelling: base64's spare bits in the last character must be zero.
        if base64.urlsafe_b64encode(blob).decode("ascii").rstrip("=") != token.rstrip("="):
            raise TokenRejected("forged token (not in canonical form)")
        if len(blob) < KEY_ID_BYTES + TAG_BYTES + BLOCK or (len(blob) - KEY_ID_BYTES - TAG_BYTES) % BLOCK:
            raise TokenRejected("not a trace token (wrong length)")
        key_id, sealed = blob[:KEY_ID_BYTES], blob[KEY_ID_BYTES:]
        expired = False
        for index, (key, cipher) in enumerate(self._ciphers):
            if key.key_id != key_id:
                continue
            try:
                padded = cipher.decrypt(sealed, ASSOCIATED_DATA)
            except InvalidTag:
                continue  # two keys may share an id; the other one may be it
            if now > self.usable_until(index):
                expired = True
                continue
            try:
                return _unpad(padded).decode("utf-8", "surrogateescape")
            except ValueError:
                raise TokenRejected("forged token (authenticates but is malformed)") from None
        if expired:
            raise TokenRejected("token made with a key retired more than the retention ago")
        raise TokenRejected("forged token, or made with a key no longer in the key file")


# --- the key file --------------------------------------------------------------------------


def parse_keys(text: str, source: str = "key file") -> list[TraceKey]:
    """Read the key file's lines (``DATE KEY``; ``#`` comments); one error names the line."""
    keys = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2:
            raise FumidaiError(f"{source}:{number}: expected 'CREATED KEY', e.g. '2026-12-07T21:30:00Z  <base64url>'")
        try:
            created = datetime.fromisoformat(parts[0].replace("Z", "+00:00"))
            if created.tzinfo is None:
                created = created.replace(tzinfo=UTC)
        except ValueError:
            raise FumidaiError(f"{source}:{number}: {parts[0]!r} is not an ISO 8601 date") from None
        try:
            secret = _b64decode(parts[1])
        except (binascii.Error, ValueError):
            raise FumidaiError(f"{source}:{number}: the key is not base64url") from None
        if len(secret) != KEY_BYTES:
            raise FumidaiError(f"{source}:{number}: the key has {len(secret)} bytes, not {KEY_BYTES}")
        keys.append(TraceKey(created.timestamp(), secret))
    return keys


def format_keys(keys: list[TraceKey]) -> str:
    lines = ["# Fumidai trace keys, newest first: CREATED (UTC)  KEY (base64url). Keep secret (mode 0600).",
             "# Add a key with `fumidai complaints keygen`; old ones resolve tokens for [complaints] key_retention_days."]
    lines += [k.line() for k in sorted(keys, key=lambda k: k.created, reverse=True)]
    return "\n".join(lines) + "\n"


def load_keys(path: str | os.PathLike[str]) -> list[TraceKey]:
    """The keys of ``[complaints] secret_file``; a missing, unsafe or empty file is a FumidaiError."""
    p = Path(path)
    name = f"[complaints] secret_file {p}"
    try:
        st = p.stat()
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FumidaiError(f"{name}: no such file; make one with `fumidai complaints keygen`") from None
    except (OSError, UnicodeDecodeError) as err:
        raise FumidaiError(f"{name}: cannot read: {err}") from None
    if st.st_mode & (stat.S_IROTH | stat.S_IWOTH | stat.S_IWGRP):
        raise FumidaiError(f"{name}: mode {stat.S_IMODE(st.st_mode):04o} lets others read or change the key; chmod 600")
    keys = parse_keys(text, str(p))
    if not keys:
        raise FumidaiError(f"{name}: holds no key; add one with `fumidai complaints keygen`")
    return keys


def load_codec(path: str | os.PathLike[str], retention: float) -> TraceCodec:
    return TraceCodec(load_keys(path), retention)


def add_key(path: str | os.PathLike[str], retention: float, now: float | None = None) -> tuple[TraceKey, int]:
    """Put a new key at the top of the key file (made with mode 0600 if absent).

    Keys that can no longer resolve anything (retired more than ``retention`` ago) are
    dropped. Returns the new key and how many were dropped. The file is replaced
    atomically, so a policy server reading it sees the old or the new file, never half.
    """
    now = time.time() if now is None else now
    p = Path(path)
    keys = load_keys(p) if p.exists() else []
    key = new_key(now)
    codec = TraceCodec([key, *keys], retention)
    kept = [k for i, k in enumerate(codec.keys) if codec.usable_until(i) >= now]
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(format_keys(kept))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise FumidaiError(f"[complaints] secret_file {p}: cannot write: {err.strerror or err}") from None
    return key, len(keys) + 1 - len(kept)


# --- the policy path's one call ------------------------------------------------------------


class Tracer:
    """The DATA-stage answer for a message the policy server lets through.

    ``action(account)`` is ``"PREPEND X-Fumidai-Trace: <token>"`` (cached per account, so a
    dict lookup after an account's first message), or None when the account cannot be
    traced (a name longer than a header allows): answer DUNNO then. PREPEND is not final
    in Postfix: the restrictions after check_policy_service still run, as with DUNNO.
    """

    def __init__(self, header: str, codec: TraceCodec) -> None:
        self.header = header
        self.codec = codec
        self._actions: dict[str, str | None] = {}

    def action(self, account: str) -> str | None:
        action = self._actions.get(account, "")
        if action != "":
            return action
        token = self.codec.token_for(account)
        action = None if token is None else f"PREPEND {self.header}: {token}"
        if len(self._actions) >= CACHE_SIZE:
            self._actions.clear()
        self._actions[account] = action
        return action


def load_tracer(header: str, secret_file: str | os.PathLike[str], retention: float) -> Tracer | None:
    """The tracer of ``[complaints]`` at start-up: None when ``trace_header`` is "" (off).

    A missing or unsafe key file raises FumidaiError naming ``[complaints] secret_file``
    and the command that makes one: ``serve`` should refuse to start rather than let mail
    through untraced without anyone noticing.
    """
    if not header:
        return None
    return Tracer(header, load_codec(secret_file, retention))
