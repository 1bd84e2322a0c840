"""The egress blocklist monitor: each of the ISP's outbound addresses on each DNSBL zone.

A probe asks ``<reversed address>.<zone>`` for A records (IPv4 reversed by octet, IPv6 by
nibble): no such name means not listed; an answer in 127.0.0.0/8 below 127.255.255.0
means listed (a zone's table may name each code); the TXT record of the same name is the
list's own explanation. Answers in 127.255.255.0/24 are the list refusing the question —
Spamhaus answers 127.255.255.254 to queries through public resolvers, 252 to a typo in
the zone, 255 when over its free limit — and are errors, never listings: believing them
would page the desk about a listing that does not exist (or hide a real one).

``transition`` is pure: a state and a new observation give the next state and its events
(listed, delisted, error, recovered). ``BlocklistMonitor`` probes on dnspython's asyncio
resolver every ``interval`` seconds and hands each round's states and events to a
callback (the integrator stores them: store/complaints.py save_blocklist_round).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from enum import Enum

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.rdatatype
import dns.resolver

from ..config import BlocklistsSection, BlocklistZone, parse_nameserver
from ..tasks import cancel_and_wait

log = logging.getLogger(__name__)

LISTED_NETWORK = ipaddress.IPv4Network("127.0.0.0/8")
ERROR_NETWORK = ipaddress.IPv4Network("127.255.255.0/24")
# What the refusals mean (Spamhaus's documented codes; other lists use the same block for errors).
ERROR_CODES = {
    "127.255.255.252": "the zone name is mistyped (127.255.255.252)",
    "127.255.255.254": "the list refuses queries through public or open resolvers (127.255.255.254); "
    "set [blocklists] nameservers to a resolver of your own",
    "127.255.255.255": "too many queries: over the list's free-use limit (127.255.255.255)",
}
MAX_TXT = 500
PARALLEL_QUERIES = 16


class Status(str, Enum):
    LISTED = "listed"
    NOT_LISTED = "not_listed"
    ERROR = "error"


@dataclass(frozen=True)
class Observation:
    """What one probe saw."""

    egress: str
    zone: str
    status: Status
    answers: tuple[str, ...] = ()
    meaning: str | None = None  # the zone table's name for the answer (e.g. "SBL")
    txt: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class ZoneState:
    """One egress address on one zone: the last known listing, and the current error if any.

    An error does not forget the listing: after a timeout the address is still taken to be
    listed (or not) as last seen, and the answer coming back says "recovered", not
    "listed" again.
    """

    egress: str
    zone: str
    listed: bool | None  # None: never had an answer
    listed_since: float | None
    error: str | None
    error_since: float | None
    checked_at: float
    answers: tuple[str, ...] = ()
    meaning: str | None = None
    txt: str | None = None

    @property
    def status(self) -> str:
        if self.error is not None:
            return Status.ERROR.value
        return Status.LISTED.value if self.listed else Status.NOT_LISTED.value

    @property
    def since(self) -> float:
        """When the current status began."""
        if self.error is not None:
            return self.error_since or self.checked_at
        return self.listed_since or self.checked_at


@dataclass(frozen=True)
class BlocklistEvent:
    at: float
    kind: str  # listed | delisted | error | recovered
    before: ZoneState | None
    after: ZoneState
    delist_url: str = ""


def transition(
    previous: ZoneState | None, seen: Observation, now: float, delist_url: str = ""
) -> tuple[ZoneState, list[BlocklistEvent]]:
    """The next state of one egress × zone, and what changed (oldest event first)."""
    events: list[str] = []
    listed, listed_since = (previous.listed, previous.listed_since) if previous else (None, None)
    error, error_since = (previous.error, previous.error_since) if previous else (None, None)
    answers, meaning, txt = (previous.answers, previous.meaning, previous.txt) if previous else ((), None, None)
    if seen.status is Status.ERROR:
        if error is None:
            events.append("error")
            error_since = now
        error = seen.error or "error"
    else:
        if error is not None:
            events.append("recovered")
            error, error_since = None, None
        now_listed = seen.status is Status.LISTED
        if now_listed != listed:
            if now_listed:
                events.append("listed")
            elif listed:  # was listed; None → False is the first look, not news
                events.append("delisted")
            listed, listed_since = now_listed, now
        answers, meaning, txt = seen.answers, seen.meaning, seen.txt
    state = ZoneState(seen.egress, seen.zone, listed, listed_since, error, error_since, now, answers, meaning, txt)
    return state, [BlocklistEvent(now, kind, previous, state, delist_url) for kind in events]


def state_from_row(row) -> ZoneState:
    """A stored state (store.models.BlocklistState) back as a ZoneState, for a restart.

    The store keeps the current status only: a row in error comes back with its listing
    unknown, so the first answer after the restart reports "recovered" and, if listed,
    "listed" again.
    """
    listed = {"listed": True, "not_listed": False}.get(row.status)
    since = row.since.timestamp()
    return ZoneState(
        egress=row.egress, zone=row.zone, listed=listed, listed_since=since if listed is not None else None,
        error=row.error if row.status == Status.ERROR.value else None,
        error_since=since if row.status == Status.ERROR.value else None,
        checked_at=row.checked_at.timestamp(), answers=tuple(row.answers or ()), meaning=row.meaning, txt=row.txt)


# --- probing -------------------------------------------------------------------------------


def query_name(egress: str, zone: str) -> str:
    """``203.0.113.10`` → ``10.113.0.203.zone``; IPv6 by reversed nibbles."""
    addr = ipaddress.ip_address(egress)
    reverse = addr.reverse_pointer  # "...in-addr.arpa" / "...ip6.arpa"
    return f"{reverse.rsplit('.', 2)[0]}.{zone}."


def classify(egress: str, zone: BlocklistZone, answers: Iterable[str]) -> Observation:
    """An A answer set → listed (with the zone's meaning), or an error for refusal codes."""
    answers = tuple(sorted(set(answers)))
    errors = []
    for a in answers:
        try:
            addr = ipaddress.IPv4Address(a)
        except ValueError:
            errors.append(f"{a!r} is not an address")
            continue
        if addr in ERROR_NETWORK:
            errors.append(ERROR_CODES.get(a, f"the list answered an error code ({a})"))
        elif addr not in LISTED_NETWORK:
            errors.append(f"answer {a} is outside 127.0.0.0/8: the resolver rewrites answers, or the zone is not a DNSBL")
    if errors:
        return Observation(egress, zone.zone, Status.ERROR, answers, error="; ".join(errors))
    if not answers:
        return Observation(egress, zone.zone, Status.NOT_LISTED)
    meanings = [zone.listed.get(a, f"code {a}") for a in answers] if zone.listed else []
    return Observation(egress, zone.zone, Status.LISTED, answers, meaning=", ".join(meanings) or None)


def _clean_txt(strings: Iterable[bytes]) -> str:
    text = b"".join(strings).decode("utf-8", "replace")
    return re.sub(r"[\x00-\x1f\x7f]", " ", text)[:MAX_TXT]


def make_resolver(settings: BlocklistsSection) -> dns.asyncresolver.Resolver:
    """A resolver on ``[blocklists] nameservers`` (host[:port]), else the system's; no cache."""
    resolver = dns.asyncresolver.Resolver(configure=not settings.nameservers)
    if settings.nameservers:
        resolver.nameservers = [dns.nameserver.Do53Nameserver(*parse_nameserver(spec)) for spec in settings.nameservers]
    resolver.timeout = settings.timeout
    resolver.lifetime = settings.timeout
    resolver.cache = None  # a listing must be seen when it happens, not after a cached NXDOMAIN
    return resolver


async def probe(resolver: dns.asyncresolver.Resolver, egress: str, zone: BlocklistZone) -> Observation:
    """Ask one zone about one address; never raises."""
    name = query_name(egress, zone.zone)
    try:
        answer = await resolver.resolve(name, "A", search=False, raise_on_no_answer=False)
        addresses = [r.address for r in answer] if answer.rrset is not None else []
    except dns.resolver.NXDOMAIN:
        return Observation(egress, zone.zone, Status.NOT_LISTED)
    except dns.exception.Timeout:
        return Observation(egress, zone.zone, Status.ERROR, error=f"no answer within {resolver.lifetime:g} s")
    except dns.resolver.NoNameservers as err:
        return Observation(egress, zone.zone, Status.ERROR, error=f"the name servers failed (SERVFAIL or refused): {_short(err)}")
    except dns.exception.DNSException as err:
        return Observation(egress, zone.zone, Status.ERROR, error=f"DNS error: {type(err).__name__}: {_short(err)}")
    except Exception as err:  # a broken socket or resolver: one error state, never the monitor's end
        return Observation(egress, zone.zone, Status.ERROR, error=f"{type(err).__name__}: {_short(err)}")
    seen = classify(egress, zone, addresses)
    if seen.status is Status.LISTED:
        try:
            txt = await resolver.resolve(name, "TXT", search=False, raise_on_no_answer=False)
            if txt.rrset is not None:
                seen = replace(seen, txt=" / ".join(_clean_txt(r.strings) for r in txt)[:MAX_TXT] or None)
        except Exception:  # the TXT record is an explanation; the listing stands without it
            pass
    return seen


def _short(err: BaseException) -> str:
    return (str(err) or type(err).__name__)[:300]


RoundCallback = Callable[[list[ZoneState], list[BlocklistEvent]], Awaitable[None] | None]


class BlocklistMonitor:
    """Probes every egress × zone each ``interval``; ``probe_round()`` is one round (tests call it).

    ``on_round(states, events)`` runs after every round (sync or async): store the states
    and events there. A failing callback is logged and the monitor carries on.
    """

    def __init__(
        self,
        settings: BlocklistsSection,
        on_round: RoundCallback | None = None,
        clock: Callable[[], float] = time.time,
        states: Iterable[ZoneState] = (),
    ) -> None:
        self.settings = settings
        self.zones = {z.zone: z for z in settings.zones}
        self.on_round = on_round
        self.clock = clock
        self.resolver = make_resolver(settings)
        self.states: dict[tuple[str, str], ZoneState] = {(s.egress, s.zone): s for s in states}
        self.rounds = 0
        self._task: asyncio.Task | None = None

    async def probe_round(self) -> list[BlocklistEvent]:
        limit = asyncio.Semaphore(PARALLEL_QUERIES)

        async def one(egress: str, zone: BlocklistZone) -> Observation:
            async with limit:
                return await probe(self.resolver, egress, zone)

        pairs = [(e, z) for e in self.settings.egress for z in self.zones.values()]
        seen = await asyncio.gather(*(one(e, z) for e, z in pairs))
        now = self.clock()
        events: list[BlocklistEvent] = []
        for observation in seen:
            key = (observation.egress, observation.zone)
            state, changes = transition(self.states.get(key), observation, now, self.zones[observation.zone].delist_url)
            self.states[key] = state
            events += changes
        for ev in events:
            self._log(ev)
        self.rounds += 1
        if self.on_round is not None:
            try:
                result = self.on_round(list(self.states.values()), events)
                if asyncio.iscoroutine(result):
                    await result
            except Exception:
                log.exception("storing the blocklist round failed; the next round tries again")
        return events

    def _log(self, ev: BlocklistEvent) -> None:
        s = ev.after
        if ev.kind == "listed":
            log.warning("egress %s is LISTED on %s (%s): %s", s.egress, s.zone, s.meaning or ", ".join(s.answers), s.txt or "")
        elif ev.kind == "error":
            log.warning("blocklist %s cannot be checked for %s: %s", s.zone, s.egress, s.error)
        else:
            log.info("egress %s on %s: %s", s.egress, s.zone, ev.kind)

    async def _run(self) -> None:
        while True:
            started = self.clock()
            try:
                await self.probe_round()
            except Exception:  # probe() never raises; this keeps the loop alive whatever happens
                log.exception("blocklist probe round failed")
            await asyncio.sleep(max(1.0, self.settings.interval - (self.clock() - started)))

    def start(self) -> None:
        """Run rounds in the background on the running loop (no-op without egress addresses)."""
        if self._task is None and self.settings.egress and self.zones:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="blocklist-monitor")

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait([self._task], log)
            self._task = None


# --- Prometheus ----------------------------------------------------------------------------


class BlocklistCollector:
    """The monitor's states as gauges, read at each scrape (follows api/metrics.py's collectors)."""

    def __init__(self, monitor: BlocklistMonitor) -> None:
        self.monitor = monitor

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        labels = ["egress", "zone"]
        listed = GaugeMetricFamily("fumidai_blocklist_listed",
                                   "1 while the egress address is listed on the zone (last known answer)", labels=labels)
        error = GaugeMetricFamily("fumidai_blocklist_error", "1 while the zone cannot be checked for the address",
                                  labels=labels)
        since = GaugeMetricFamily("fumidai_blocklist_since_timestamp_seconds",
                                  "When the current status (listed, not listed, error) began", labels=labels)
        checked = GaugeMetricFamily("fumidai_blocklist_checked_timestamp_seconds", "When the zone was last asked",
                                    labels=labels)
        for (egress, zone), s in sorted(self.monitor.states.items()):
            listed.add_metric([egress, zone], 1.0 if s.listed else 0.0)
            error.add_metric([egress, zone], 1.0 if s.error is not None else 0.0)
            since.add_metric([egress, zone], s.since)
            checked.add_metric([egress, zone], s.checked_at)
        yield listed
        yield error
        yield since
        yield checked


def register_metrics(registry, monitor: BlocklistMonitor) -> BlocklistCollector:
    """Export the monitor's states on ``registry`` (e.g. ``Metrics().registry``)."""
    collector = BlocklistCollector(monitor)
    registry.register(collector)
    return collector
