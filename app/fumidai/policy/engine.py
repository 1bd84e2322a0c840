"""The policy engine: one request, the account's state and limits in; a verdict out.

No I/O and standard library only: the server, the API and the simulator share it, and
tests can drive it exhaustively with an explicit clock.

How a message is counted (see reference/peers-and-postfix-protocol.md §1.2, §1.5):
RCPT requests arrive once per recipient with ``recipient_count=0``; the message is
counted once, at DATA or END-OF-MESSAGE (whichever comes first for its ``instance``),
with the number of recipients Postfix accepted. A later stage of the same message gets
the same answer and is not counted again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .limits import Action, Cap, Limits, Quota
from .usage import Usage, recipient_hash

UNKNOWN_COUNTRY = "ZZ"  # CLDR's code for an unknown region: GeoIP could not place the address
# The ISP's own networks (loopback, private, CGNAT, [geoip] internal_networks): home for every
# account, whatever its home countries. QI is in ISO 3166's user-assigned range (QM-QZ would
# do too): no GeoIP database emits it and no country will ever get it.
INTERNAL_COUNTRY = "QI"
COUNTING_STAGES = frozenset({"DATA", "END-OF-MESSAGE"})
# A suspended account is refused at every stage where the client is already authenticated.
REFUSED_WHEN_SUSPENDED = frozenset({"MAIL", "RCPT", "DATA", "END-OF-MESSAGE", "BDAT"})
_SEVERITY = {Action.FILTER: 1, Action.HOLD: 2, Action.DEFER: 3, Action.REJECT: 4, Action.SUSPEND: 5}
_TRACKED_MESSAGES = 64  # open messages remembered per account (concurrent sessions)
# Minutes after an account's last counted message when its messages are surely finished
# (a message's stages come seconds apart): their instance marks can go.
TRACKED_FOR = 15
RECENT_DECISIONS = 50
LIMITED_FOR = 300.0  # an account refused, held or filtered this recently counts as "limited"


class Request:
    """The parts of a Postfix policy request the engine needs."""

    # A plain slotted class: built once per request, a frozen dataclass costs several µs more.
    __slots__ = ("account", "stage", "instance", "recipient", "recipient_count", "client_address", "country",
                 "vouched", "risk", "risk_reason")

    def __init__(self, account: str, stage: str, instance: str = "", recipient: str = "", recipient_count: int = 0,
                 client_address: str = "", country: str = UNKNOWN_COUNTRY, vouched: bool = False,
                 risk: Action | None = None, risk_reason: str = "") -> None:
        self.account = account
        self.stage = stage  # protocol_state
        self.instance = instance
        self.recipient = recipient
        self.recipient_count = recipient_count
        self.client_address = client_address
        self.country = country
        # From behaviour analysis, when it runs: the account's own history vouches for this
        # message (the abroad and country caps do not count it), or the action its risk calls for.
        self.vouched = vouched
        self.risk = risk
        self.risk_reason = risk_reason  # "behaviour:<signal>,…" (notices.reasons.behaviour_reason_code)


@dataclass(slots=True)
class Suspension:
    """A persistent "sending suspended" state."""

    by: str  # "auto" or a staff name
    reason: str
    since: float
    until: float | None = None

    def active(self, now: float) -> bool:
        return self.until is None or now < self.until


@dataclass(frozen=True, slots=True)
class Texts:
    """The replies, from [actions]."""

    on_limit: Action = Action.SUSPEND
    suspend_text: str = "5.7.1 Sending from this account is suspended; please contact support"
    defer_text: str = "4.7.1 Sending quota reached; please try again later"
    reject_text: str = "5.7.1 Sending limit reached for this account"
    country_text: str = "5.7.1 Sending from this country is limited for this account"
    recipients_text: str = "5.5.3 Too many recipients in one message"
    hold_text: str = "sending quota reached"
    filter_transport: str = "smtp:[quarantine-relay.example]:25"


@dataclass(slots=True)
class Decision:
    """The reply to one request and what it changed."""

    action: str = "DUNNO"
    reason: str = ""  # why it is not DUNNO: "suspended", "quota:messages_per_hour", "abroad:…", "country:CN:…"
    applied: Action | None = None  # the limit action taken, if a limit was hit
    messages: int = 0  # counted by this request
    recipients: int = 0
    accepted: bool = True  # whether what was counted was accepted or refused
    suspension: Suspension | None = None  # a new automatic suspension, to persist
    recipient_hashes: frozenset[int] = frozenset()


@dataclass(slots=True)
class AccountState:
    """Everything the engine keeps about one account between requests."""

    usage: Usage = field(default_factory=Usage)
    suspension: Suspension | None = None
    # Recipients seen at RCPT for a message not yet counted, by instance.
    message_recipients: dict[str, set[int]] = field(default_factory=dict)
    # The answer given to each counted message, by instance, so a later stage gets the same.
    decided: dict[str, str] = field(default_factory=dict)
    limited_at: float = 0.0  # when a limit last refused, held or filtered a message
    limited_since: float = 0.0  # when the current run of such answers began
    limited_reason: str = ""
    recent: list | None = None  # the last decisions on messages, oldest first
    name: str = ""  # the account: the one string object the service keys its tables with

    def is_suspended(self, now: float) -> bool:
        s = self.suspension
        return s is not None and s.active(now)

    def shed(self, minute: int) -> None:
        """Drop what no longer matters (a periodic sweep; the request path never scans)."""
        usage = self.usage
        usage.shed(minute)
        if minute - usage.last >= TRACKED_FOR:
            if self.decided:
                self.decided = {}
            message_recipients = self.message_recipients
            if len(message_recipients) > 1:  # the newest may be a message being submitted right now
                newest = next(reversed(message_recipients))
                self.message_recipients = {newest: message_recipients[newest]}

    def remember(self, decision: tuple) -> None:
        recent = self.recent
        if recent is None:
            recent = self.recent = []
        recent.append(decision)
        if len(recent) > RECENT_DECISIONS:
            del recent[0]


def _remember(table: dict, key: str, value) -> None:
    table[key] = value
    if len(table) > _TRACKED_MESSAGES:
        del table[next(iter(table))]


class Engine:
    """Decides each request. ``unknown_is_abroad``: an address GeoIP cannot place counts as abroad."""

    def __init__(self, texts: Texts = Texts(), unknown_is_abroad: bool = True,
                 recipient_hash: Callable[[str], int] = recipient_hash) -> None:
        self.texts = texts
        self.unknown_is_abroad = unknown_is_abroad
        # One hash per recipient at RCPT; behaviour analysis gives its keyed one (the same ints
        # then serve distinct-recipient counts and the account's correspondents).
        self.recipient_hash = recipient_hash
        t = texts
        self._reply = {
            Action.SUSPEND: f"REJECT {t.suspend_text}",
            Action.REJECT: f"REJECT {t.reject_text}",
            Action.DEFER: f"DEFER_IF_PERMIT {t.defer_text}",
            Action.HOLD: f"HOLD {t.hold_text}",
            Action.FILTER: f"FILTER {t.filter_transport}",
        }
        self._cap_reply = dict(self._reply, **{Action.REJECT: f"REJECT {t.country_text}"})
        # Behaviour analysis holds a message for staff to look at (HOLD's text goes to Postfix's log).
        self._risk_reply = dict(self._reply, **{Action.HOLD: "HOLD unusual sending for this account"})
        self.suspended_reply = self._reply[Action.SUSPEND]
        self.too_many_rcpts_at_rcpt = "452 4.5.3 Too many recipients for one message"
        self.too_many_rcpts = f"REJECT {t.recipients_text}"

    def check_limits(self, req: Request, state: AccountState, limits: Limits, now: float, rcpts: int,
                     hashes) -> Decision:
        """What the limits say of one more message, its own count not in ``state`` (the service's
        second look when a shared quota could not be asked)."""
        return self._check(req, state, limits, int(now // 60), now, rcpts, set(hashes))

    def reply_for(self, action: Action, cap: bool) -> str:
        """The answer for a limit's action (a cap's refusal has its own text)."""
        return (self._cap_reply if cap else self._reply)[action]

    def is_abroad(self, country: str, limits: Limits) -> bool:
        if country == UNKNOWN_COUNTRY:
            return self.unknown_is_abroad
        if country == INTERNAL_COUNTRY:
            return False
        return country not in limits.home_countries

    def decide(self, req: Request, state: AccountState, limits: Limits, now: float) -> Decision:
        stage = req.stage
        minute = int(now // 60)
        if state.is_suspended(now) and stage in REFUSED_WHEN_SUSPENDED:
            return self._refuse_suspended(req, state, minute, now)
        if stage == "RCPT":
            action = self.rcpt(state, limits, req.instance, req.recipient)
            return Decision() if action == "DUNNO" else Decision(action=action, reason="quota:recipients_per_message")
        if stage in COUNTING_STAGES:
            return self._message(req, state, limits, minute, now)
        return Decision()

    def _refuse_suspended(self, req: Request, state: AccountState, minute: int, now: float) -> Decision:
        # The attempts still count (as refused), so staff can see a hijacker hammering.
        d = Decision(action=self.suspended_reply, reason="suspended", accepted=False)
        inst = req.instance
        first = not inst or inst not in state.decided
        if req.stage == "RCPT":
            d.messages, d.recipients = (1 if first else 0), 1
        elif req.stage in COUNTING_STAGES and first:
            d.messages, d.recipients = 1, max(req.recipient_count, 1)
        if inst and first:
            _remember(state.decided, inst, d.action)
        if d.messages or d.recipients:
            state.usage.record(minute, req.country, d.messages, d.recipients, accepted=False)
        if d.messages:
            state.remember((now, req.stage, d.action, d.reason, req.country, req.client_address, d.recipients))
        return d

    def rcpt(self, state: AccountState, limits: Limits, instance: str, recipient: str) -> str:
        """The answer to a RCPT request of an account not suspended.

        The recipient is remembered for its message (counted at DATA); only a limit on
        recipients per message can refuse here. The policy server calls this directly for
        most requests: no Request, no Decision.
        """
        recipients = state.message_recipients.get(instance)
        if recipients is None:
            recipients = set()
            _remember(state.message_recipients, instance, recipients)
        if recipient:
            h = self.recipient_hash(recipient)
            per_message = limits.account.recipients_per_message
            if per_message is not None and len(recipients) >= per_message and h not in recipients:
                return self.too_many_rcpts_at_rcpt
            recipients.add(h)
        return "DUNNO"

    def _message(self, req: Request, state: AccountState, limits: Limits, minute: int, now: float) -> Decision:
        inst = req.instance
        if inst and inst in state.decided:
            return Decision(action=state.decided[inst])
        hashes = state.message_recipients.pop(inst, set()) if inst else set()
        if req.recipient:
            hashes.add(self.recipient_hash(req.recipient))
        rcpts = req.recipient_count or len(hashes) or 1
        d = self._check(req, state, limits, minute, now, rcpts, hashes)
        d.messages, d.recipients = 1, rcpts
        if inst:
            _remember(state.decided, inst, d.action)
        state.usage.record(minute, req.country, 1, rcpts, d.accepted)
        if req.vouched and d.accepted and (self.is_abroad(req.country, limits) or req.country in limits.countries):
            state.usage.record_vouched(minute, req.country, 1, rcpts)
        if d.accepted and hashes:
            # Kept only where that limit needs them: a day of hashes per account otherwise.
            if limits.account.unique_recipients_per_day is not None:
                state.usage.unique_add(minute, hashes)
            d.recipient_hashes = frozenset(hashes)
        if d.applied is not None or not d.accepted:
            if now - state.limited_at >= LIMITED_FOR:
                state.limited_since = now
            state.limited_at, state.limited_reason = now, d.reason
        stage, client = req.stage, req.client_address
        if state.recent:
            # Up to RECENT_DECISIONS per account: share the previous decision's strings
            # when equal rather than keep a copy of each (new objects for every request).
            last = state.recent[-1]
            if last[1] == stage:
                stage = last[1]
            if last[5] == client:
                client = last[5]
        state.remember((now, stage, d.action, d.reason, req.country, client, rcpts))
        return d

    def _check(self, req, state, limits, minute, now, rcpts, hashes) -> Decision:
        account = limits.account
        if account.recipients_per_message is not None and rcpts > account.recipients_per_message:
            return Decision(action=self.too_many_rcpts, reason="quota:recipients_per_message", accepted=False)
        usage = state.usage
        # (action, reason, what it came from: True a cap, False a quota, None behaviour analysis)
        worst: tuple[Action, str, bool | None] | None = None

        over = _over(account, usage.hour(minute), usage.day(minute), rcpts)
        if over is None and account.unique_recipients_per_day is not None:
            if usage.unique_count(minute) + usage.unique_new(minute, hashes) > account.unique_recipients_per_day:
                over = "unique_recipients_per_day"
        if over:
            worst = (self.texts.on_limit, f"quota:{over}", False)

        country = req.country
        caps: list[tuple[str, Cap, list[str]]] = []
        # A message the account's history vouches for is never refused by a cap, and the caps
        # count only the rest (usage.cap_totals): a traveller writing to usual contacts is not
        # a hijacker abroad.
        if not req.vouched and limits.abroad.limiting and self.is_abroad(country, limits):
            home = limits.home_countries
            abroad_codes = [c for c in usage.by_country
                            if c not in home and c != INTERNAL_COUNTRY and (c != UNKNOWN_COUNTRY or self.unknown_is_abroad)]
            if country not in abroad_codes:
                abroad_codes.append(country)
            caps.append(("abroad", limits.abroad, abroad_codes))
        cap = limits.countries.get(country) if not req.vouched else None
        if cap is not None:
            caps.append((f"country:{country}", cap, [country]))
        for name, cap, codes in caps:
            over = _over(cap.quota, usage.cap_totals(minute, codes, True), usage.cap_totals(minute, codes, False), rcpts)
            if over and (worst is None or _SEVERITY[cap.on_limit] > _SEVERITY[worst[0]]):
                worst = (cap.on_limit, f"{name}:{over}", True)

        risk = req.risk
        if risk is not None and (worst is None or _SEVERITY[risk] > _SEVERITY[worst[0]]):
            worst = (risk, req.risk_reason, None)
        if worst is None:
            return Decision()
        action, reason, is_cap = worst
        reply = (self._risk_reply if is_cap is None else self._cap_reply if is_cap else self._reply)[action]
        d = Decision(action=reply, reason=reason, applied=action, accepted=action in (Action.HOLD, Action.FILTER))
        if action is Action.SUSPEND:
            d.suspension = state.suspension = Suspension(by="auto", reason=reason, since=now)
        return d


def _over(quota: Quota, hour: tuple[int, int], day: tuple[int, int], rcpts: int) -> str | None:
    """The first limit of ``quota`` that one more message with ``rcpts`` recipients would pass."""
    # Spelled out rather than looped over the keys: this runs for every message.
    limit = quota.messages_per_hour
    if limit is not None and hour[0] + 1 > limit:
        return "messages_per_hour"
    limit = quota.messages_per_day
    if limit is not None and day[0] + 1 > limit:
        return "messages_per_day"
    limit = quota.recipients_per_hour
    if limit is not None and hour[1] + rcpts > limit:
        return "recipients_per_hour"
    limit = quota.recipients_per_day
    if limit is not None and day[1] + rcpts > limit:
        return "recipients_per_day"
    return None
