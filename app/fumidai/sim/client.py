"""A policy-protocol client that speaks to a policy server exactly as Postfix's smtpd does.

One message is played the way Postfix 3.7 queries ``check_policy_service`` on a
submission port (see shared/fixtures/postfix-policy-requests.txt): one RCPT request per
recipient (``recipient_count=0``; ``queue_id`` empty until a recipient was accepted), then
DATA and END-OF-MESSAGE with the number of accepted recipients, every request of the
message with the same ``instance``. Like Postfix it stops at the first refusing stage:
no DATA when every recipient was refused, no END-OF-MESSAGE after a refused DATA.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field

from ..errors import FumidaiError

# Every attribute Postfix 3.7 sends, in its order.
ATTRIBUTES = (
    "request", "protocol_state", "protocol_name", "client_address", "client_name", "client_port",
    "reverse_client_name", "server_address", "server_port", "helo_name", "sender", "recipient",
    "recipient_count", "queue_id", "instance", "size", "etrn_domain", "stress", "sasl_method",
    "sasl_username", "sasl_sender", "ccert_subject", "ccert_issuer", "ccert_fingerprint",
    "ccert_pubkey_fingerprint", "encryption_protocol", "encryption_cipher", "encryption_keysize",
    "policy_context",
)  # fmt: skip

OUTCOMES = ("accepted", "held", "filtered", "deferred", "rejected")
REFUSALS = frozenset({"deferred", "rejected"})
# What smtpd answers when its policy service fails (smtpd_policy_service_default_action).
POLICY_FAILURE = "451 4.3.5 Server configuration problem"


@dataclass(frozen=True, slots=True)
class Submission:
    """One message an authenticated client submits; ``at`` is simulated seconds from the start."""

    account: str
    recipients: tuple[str, ...]
    client_address: str
    at: float = 0.0
    seq: int = 0  # position in the plan: makes instance and queue id unique within a run
    kind: str = "honest"
    spam: bool = False
    country: str = ""
    sender: str = ""
    client_port: int = 50000
    helo_name: str = "mua.invalid"
    size: int = 4096
    hijack: str = ""  # spam only: the hijack it belongs to (the account, or a cohort's id)


@dataclass(slots=True)
class MessageResult:
    """What happened to one submission."""

    submission: Submission
    outcome: str  # one of OUTCOMES
    action: str  # the answer that decided the outcome
    accepted_recipients: int = 0
    sent_at: float = 0.0  # simulated seconds from the start when its first request went out
    latency: float = 0.0  # wall seconds from its first request to its last answer
    requests: int = 0
    request_latencies: list[float] = field(default_factory=list)
    trace: str = ""  # "Header: token" the policy server PREPENDed at DATA (what a complaint traces back)

    @property
    def account(self) -> str:
        return self.submission.account

    @property
    def kind(self) -> str:
        return self.submission.kind


def classify(action: str) -> str:
    """The outcome a Postfix access action means for the message (or recipient) it answers."""
    word = action.split(None, 1)[0].upper() if action.strip() else "DUNNO"
    if word == "REJECT" or (len(word) == 3 and word.isdigit() and word[0] == "5"):
        return "rejected"
    # DEFER_IF_PERMIT defers: after the policy check a submission port permits authenticated mail.
    if word in ("DEFER", "DEFER_IF_PERMIT") or (len(word) == 3 and word.isdigit() and word[0] == "4"):
        return "deferred"
    if word == "HOLD":
        return "held"
    # All three take the message out of normal delivery without refusing it.
    if word in ("FILTER", "REDIRECT", "DISCARD"):
        return "filtered"
    return "accepted"  # DUNNO, OK, PREPEND, WARN, INFO, DEFER_IF_REJECT …


def encode_request(attrs: dict[str, str]) -> bytes:
    """``name=value`` lines in ``ATTRIBUTES`` order and an empty line, as Postfix writes them."""
    lines = []
    for name in ATTRIBUTES:
        value = str(attrs.get(name, ""))
        if "\n" in value or "\0" in value:
            raise ValueError(f"policy attribute {name} must not contain a newline or NUL")
        lines.append(f"{name}={value}\n")
    return ("".join(lines) + "\n").encode("utf-8")


def parse_address(policy: str) -> tuple[str, int] | str:
    """``HOST:PORT`` (``[::1]:10040`` for IPv6) or ``unix:/path`` → (host, port) or the path."""
    if policy.startswith("unix:"):
        if len(policy) <= 5:
            raise FumidaiError("--policy unix: needs a socket path")
        return policy[5:]
    host, sep, port = policy.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise FumidaiError(f"--policy {policy!r} is not HOST:PORT or unix:/path")
    return host, int(port)


class PolicyClient:
    """A pool of persistent connections; each message uses one connection for all its stages.

    ``connections`` bounds the messages in flight, like the number of smtpd processes.
    """

    def __init__(
        self,
        policy: str,
        *,
        connections: int = 8,
        timeout: float = 10.0,
        server_address: str = "192.0.2.25",
        server_port: int = 587,
        policy_context: str = "submission",
        tls: bool = True,
    ) -> None:
        self.policy = policy
        self.address = parse_address(policy)
        self.connections = max(1, connections)
        self.timeout = timeout
        self.server_address = server_address
        self.server_port = server_port
        self.policy_context = policy_context
        # Submission clients use STARTTLS; Postfix then reports the session's protocol and cipher.
        self.tls = ("TLSv1.3", "TLS_AES_256_GCM_SHA384", "256") if tls else ("", "", "0")
        # Differs per run, so replaying the same plan never repeats an instance the server remembers.
        self._salt = int.from_bytes(os.urandom(4), "big")
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._slots = asyncio.Semaphore(self.connections)
        self.failures = 0  # requests that got no answer

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            if isinstance(self.address, str):
                coro = asyncio.open_unix_connection(self.address)
            else:
                coro = asyncio.open_connection(*self.address)
            return await asyncio.wait_for(coro, self.timeout)
        except TimeoutError:  # before OSError: it is one
            reason = "no answer"
        except ConnectionRefusedError:
            reason = "connection refused (is `fumidai serve` running there?)"
        except OSError as err:
            reason = err.strerror or str(err) or type(err).__name__
        raise FumidaiError(f"cannot reach the policy server at {self.policy}: {reason}")

    async def check(self) -> None:
        """Open one connection now, so an unreachable server is reported before any traffic."""
        self._idle.append(await self._open())

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for _, writer in idle:
            writer.close()
        for _, writer in idle:
            try:
                await writer.wait_closed()
            except OSError:
                pass

    async def __aenter__(self) -> PolicyClient:
        await self.check()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    def instance(self, sub: Submission) -> str:
        # Postfix: "%x.%lx.%lx.%x" of smtpd pid, arrival seconds, microseconds, message number.
        pid = 0x100 + (self._salt + sub.seq // 1_000_000) % 0x7F00
        return f"{pid:x}.{0x6A000000 + int(sub.at):x}.{sub.seq % 1_000_000:x}.0"

    def queue_id(self, sub: Submission) -> str:
        return f"{(self._salt * 1_000_003 + sub.seq) & 0xFFFFFFFFFFF:011X}"

    def request(self, sub: Submission, stage: str, *, recipient: str = "", recipient_count: int = 0,
                queue_id: str = "") -> dict[str, str]:
        """The attributes of one request of ``sub`` at ``stage``."""
        return {
            "request": "smtpd_access_policy",
            "protocol_state": stage,
            "protocol_name": "ESMTP",
            "client_address": sub.client_address,
            "client_name": "unknown",
            "client_port": str(sub.client_port),
            "reverse_client_name": "unknown",
            "server_address": self.server_address,
            "server_port": str(self.server_port),
            "helo_name": sub.helo_name,
            "sender": sub.sender,
            "recipient": recipient,
            "recipient_count": str(recipient_count),
            "queue_id": queue_id,
            "instance": self.instance(sub),
            "size": str(sub.size),
            "etrn_domain": "",
            "stress": "",
            "sasl_method": "PLAIN",
            "sasl_username": sub.account,
            "sasl_sender": "",
            "ccert_subject": "",
            "ccert_issuer": "",
            "ccert_fingerprint": "",
            "ccert_pubkey_fingerprint": "",
            "encryption_protocol": self.tls[0],
            "encryption_cipher": self.tls[1],
            "encryption_keysize": self.tls[2],
            "policy_context": self.policy_context,
        }

    async def send(self, sub: Submission, sent_at: float = 0.0) -> MessageResult:
        """Play one message through the policy server and report how it ended."""
        async with self._slots:
            conn = self._idle.pop() if self._idle else await self._open()
            result = MessageResult(sub, "accepted", "DUNNO", sent_at=sent_at)
            start = time.perf_counter()
            try:
                await self._play(conn, sub, result)
            except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, asyncio.LimitOverrunError):
                # smtpd logs a warning and answers with its default action; so do we.
                self.failures += 1
                result.outcome, result.action, result.accepted_recipients = "deferred", POLICY_FAILURE, 0
                conn[1].close()
            else:
                self._idle.append(conn)
            result.latency = time.perf_counter() - start
            return result

    async def _ask(self, conn, attrs: dict[str, str], result: MessageResult) -> str:
        reader, writer = conn
        t = time.perf_counter()
        writer.write(encode_request(attrs))
        reply = await asyncio.wait_for(reader.readuntil(b"\n\n"), self.timeout)
        result.request_latencies.append(time.perf_counter() - t)
        result.requests += 1
        for line in reply.decode("utf-8", "replace").splitlines():
            if line.startswith("action="):
                return line[len("action="):].strip()
        return "DUNNO"  # a reply without action: smtpd logs it and carries on

    async def _play(self, conn, sub: Submission, result: MessageResult) -> None:
        disposition, disposition_action = "accepted", ""
        refusal: tuple[str, str] | None = None
        accepted = 0
        queue_id = ""
        for rcpt in sub.recipients:
            action = await self._ask(conn, self.request(sub, "RCPT", recipient=rcpt, queue_id=queue_id), result)
            kind = classify(action)
            if kind in REFUSALS:
                refusal = refusal if refusal and refusal[0] == "rejected" else (kind, action)
                continue
            if kind in ("held", "filtered"):
                disposition, disposition_action = kind, action
            accepted += 1
            queue_id = queue_id or self.queue_id(sub)  # the queue file is opened at the first accepted RCPT
        result.accepted_recipients = accepted
        if not accepted:
            result.outcome, result.action = refusal or ("rejected", "")
            return
        for stage in ("DATA", "END-OF-MESSAGE"):
            action = await self._ask(conn, self.request(sub, stage, recipient_count=accepted, queue_id=queue_id), result)
            if stage == "DATA" and action.startswith("PREPEND "):
                result.trace = action[len("PREPEND "):]
            kind = classify(action)
            if kind in REFUSALS:
                result.outcome, result.action = kind, action
                return
            if kind in ("held", "filtered"):
                disposition, disposition_action = kind, action
        result.outcome = disposition
        result.action = disposition_action or "DUNNO"
