"""The verdict: a risk score from the signals, a tier, the reasons in words (en, ja).

Tiers, from the score (thresholds in BehaviourConfig):
- none, watch (alert only),
- probation: mail flows, but at most ``probation_budget`` messages with new recipients an
  hour; past it the message is held. Lasts until staff clear it or no message has scored
  that high for ``probation_calm_s``;
- hold or filter (``hold_action``): Postfix's hold queue or the quarantine relay;
- suspend.

Anti-poisoning: a message teaches the baseline only when its tier is none (or watch, for
mail to usual contacts: a traveller), never while on probation and never with complaints
pending; a country or network becomes familiar only after use on ``familiar_after_days``
separate days. A hijacker cannot make himself familiar in minutes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from .baseline import Baseline, days_used, network_of
from .config import BehaviourConfig
from .permissions import NONE, Permissions
from .signals import (
    _ONE_KNOWN, HOUR_S, RECENT_KEPT, UNKNOWN_COUNTRY, Cohorts, Recent, Signal, compute, known_counts,
    to_usual_contacts, vouches,
)


class Tier(StrEnum):
    NONE = "none"
    WATCH = "watch"
    PROBATION = "probation"
    HOLD = "hold"
    FILTER = "filter"
    SUSPEND = "suspend"


SEVERITY = {Tier.NONE: 0, Tier.WATCH: 1, Tier.PROBATION: 2, Tier.FILTER: 3, Tier.HOLD: 3, Tier.SUSPEND: 4}
_NO_REASONS: tuple[Signal, ...] = ()
_NO_COHORT = (0, 0.0)


class Verdict(NamedTuple):
    """Immutable. A NamedTuple rather than a frozen dataclass: one is made for every message
    that is not clean, and a frozen dataclass sets each field through object.__setattr__."""

    tier: Tier
    score: int
    reasons: tuple[Signal, ...]
    vouched: bool  # the abroad/country caps do not count this message
    learned: bool  # the baseline learned from it (the caller marks the account dirty)
    probation: bool = False  # the account is on probation after this message

    def describe(self, language: str = "en") -> str:
        return "; ".join(describe(r, language) for r in self.reasons)


class BehaviourEngine:
    """Decides one message at DATA; owns the node's Cohorts index.

    Not thread-safe (like policy.Engine it runs on the service's loop).
    """

    def __init__(self, cfg: BehaviourConfig = BehaviourConfig(), home_countries: frozenset[str] = frozenset({"JP"})) -> None:
        self.cfg = cfg
        self.home_countries = home_countries
        self.cohorts = Cohorts(cfg.cohort_window_s, cfg.cohort_addresses_kept, cfg.cohort_accounts_per_address,
                               cfg.exempt_networks)
        self._hold = Tier.FILTER if cfg.hold_action == "filter" else Tier.HOLD
        self.fast_path = True  # tests turn it off to hold both paths to the same answers
        # Called with (now, client address, account) for each account counted in a cohort:
        # other nodes count it too (service/behaviour_sharing.py). None: this node alone.
        self.cohort_noted = None
        # The tier of the volume signal alone (what an account without history can show while it
        # sends from home), None if that reaches probation: then the full path decides.
        self._volume_tier = (None if cfg.weight_volume >= cfg.probation_score
                             else Tier.WATCH if cfg.weight_volume >= cfg.watch_score else Tier.NONE)
        self._unscored_is_clean = cfg.watch_score > 0  # (a score of 0 is no tier: not so with watch_score = 0)

    def _usual_volume(self, baseline: Baseline, recent: Recent, now: float) -> bool:
        """This hour's messages are within the account's usual (the volume signal's test).

        A busy account sends past ``volume_floor_messages`` every hour: after its first
        message of the hour the baseline's peak is as of this hour, so the usual is the peak
        itself (no decay to compute) and its messages stay on the fast path."""
        cfg = self.cfg
        usual = (baseline.peak_hour_messages if baseline.cur_hour == int(now // 3600)
                 else baseline.usual_hour_messages(now, cfg))
        return recent.messages <= cfg.volume_factor * usual

    def _steady_without_history(self, steady: tuple, messages: int, within: bool, usual: float) -> Verdict:
        """The steady path's answer for an account without history: the path for those accounts'
        (vouched as vouches() says without permissions; past the usual, the volume signal alone)."""
        cfg = self.cfg
        network_entry = steady[4]
        vouched = (days_used(steady[3]) >= cfg.long_used_days
                   or (network_entry is not None and days_used(network_entry) >= cfg.long_used_days))
        if within or not cfg.weight_volume:
            return _CLEAN_VOUCHED if vouched else _CLEAN
        return Verdict(self._volume_tier, cfg.weight_volume,
                       (Signal("volume", cfg.weight_volume, {"hour": messages, "usual": round(usual)}),), vouched, True, False)

    def message(self, now: float, account: str, baseline: Baseline, recent: Recent, client_address: str,
                country: str, asn: int | None, recipients: tuple[int, ...], permissions: Permissions = NONE,
                complaints: int = 0, home_countries: frozenset[str] | None = None) -> Verdict:
        """One message at DATA: count it in ``recent`` and the cohorts, judge it, and learn
        from it if it is clean. ``recipients`` are RecipientHasher ints (duplicates allowed)."""
        cfg = self.cfg
        steady = recent.steady
        if steady is not None:
            # The steady path: the last message took the fast path (and set recent.steady) and
            # this one comes from the same address and country in the same hour (the baseline's
            # current one), with no complaints and no probation. With the baseline's country
            # and network entries still the same objects (their days only grow, as does the
            # history; another node's learning may have pushed one out), what made the last
            # message clean still holds: its country the only one of the hour, no new address.
            # Left to test: the recipients (all in recent.known: known_counts' first test) and
            # the hour's volume. Anything else: the paths below, with nothing changed here.
            if (steady[0] is baseline and steady[5] <= now < steady[6] and steady[2] == baseline.cur_hour
                    and client_address == recent.address and country == steady[1] and recipients
                    and not complaints and not asn and not recent.probation_since and self.fast_path
                    and baseline.countries.get(country) is steady[3] and baseline.networks.get(recent.network) is steady[4]
                    and recent.known_in is baseline.correspondents and recent.known_domains_in is baseline.domains
                    and recent.entries):
                known = recent.known
                for r in recipients:
                    if r not in known:
                        break
                else:
                    entries = recent.entries
                    first = entries[0]
                    oldest = now - HOUR_S
                    swap = False
                    if first[0] <= oldest or len(entries) >= RECENT_KEPT:
                        # A busy account (RECENT_KEPT messages this hour): its oldest message makes
                        # way for this one. From the same place to usual contacts: the counts stay.
                        if (len(entries) >= RECENT_KEPT and entries[1][0] > oldest and first[1] == country
                                and first[2] == client_address and not first[3]):
                            swap = True
                        else:
                            recent.expire(now)  # (what the full path does first: the same either way)
                    messages = recent.messages if swap else recent.messages + 1
                    within = messages <= cfg.volume_floor_messages or messages <= cfg.volume_factor * baseline.peak_hour_messages
                    steady_here = within
                    no_history = steady[8]  # None: set by the fast path of an account with history
                    if no_history is not None:
                        # Set by the path of accounts without history (no_history: its country is
                        # all right wherever its home is). Still without history (another node's
                        # learning may have added a day), no permissions, the country still all
                        # right; past the usual volume, that path's answer is the volume signal.
                        steady_here = not (
                            (baseline.messages >= cfg.history_messages
                             and baseline.active[0] + baseline.active[2].bit_count() >= cfg.history_days)
                            or permissions.travel or permissions.trust
                            or not (no_history or country in (self.home_countries if home_countries is None
                                                              else home_countries))
                        ) and (within or self._volume_tier is not None)
                    if steady_here:
                        # Counted in recent as the full path does (the country and address are there).
                        entries.append((now, country, client_address, 0))
                        if swap:
                            entries.popleft()
                        else:
                            recent.messages = messages
                            recent.countries[country] += 1
                            recent.addresses[client_address] += 1
                        # baseline.learn(now, network, country, None, recipients, cfg, True) spelled
                        # out for a message in the current hour and day from a country and network
                        # used today: counts only.
                        n = len(recipients)
                        baseline.messages += 1
                        baseline.recipients += n
                        baseline.hour_messages += 1
                        baseline.hour_recipients += n
                        baseline.day_messages += 1
                        baseline.day_recipients += n
                        hours = baseline.hours
                        h = steady[7]
                        if hours[h] == 255:
                            hours = baseline.hours = bytearray(c >> 1 for c in hours)
                        hours[h] += 1
                        steady[3][3] += 1
                        recent.streak = 0
                        if no_history is None:
                            return _CLEAN_VOUCHED  # (recent.steady stays)
                        return self._steady_without_history(steady, messages, within, baseline.peak_hour_messages)
            recent.steady = None  # not steady: the paths below (the fast one may set it again)
        if client_address == recent.address:  # most messages come from the address of the last one
            network = recent.network
        else:
            network = recent.network = network_of(client_address)
            recent.address = client_address
        if (len(recipients) == 1 and recipients[0] in recent.known and recent.known_in is baseline.correspondents
                and recent.known_domains_in is baseline.domains):
            counts = _ONE_KNOWN  # known_counts' first answer, without the call
        else:
            counts = known_counts(baseline, recipients, recent)
        total, new = counts[0], counts[1]
        # The baseline's days for this country and network, and whether it has history, read
        # once (spelled out: this runs for every message).
        country_entry = baseline.countries.get(country)
        country_days = country_entry[0] + country_entry[2].bit_count() if country_entry is not None else 0
        network_entry = baseline.networks.get(network) if network is not None else None
        network_days = network_entry[0] + network_entry[2].bit_count() if network_entry is not None else 0
        history = (baseline.messages >= cfg.history_messages
                   and baseline.active[0] + baseline.active[2].bit_count() >= cfg.history_days)
        # recent.count(now, country, client_address, new if baseline.messages else 0), spelled out.
        entries = recent.entries
        if entries and (entries[0][0] <= now - HOUR_S or len(entries) >= RECENT_KEPT):
            recent.expire(now)
        counted_new = new if baseline.messages else 0
        entries.append((now, country, client_address, counted_new))
        recent.messages += 1
        if counted_new:
            recent.new_recipients += counted_new
            recent.new_messages += 1
        seen = recent.countries
        seen[country] = seen.get(country, 0) + 1
        seen = recent.addresses
        seen[client_address] = seen.get(client_address, 0) + 1
        familiar = cfg.familiar_after_days
        if (self.fast_path and not new and total and country_days >= familiar and network_days >= familiar and not complaints
                and not recent.probation_since and len(recent.countries) == 1
                and len(recent.addresses) < cfg.addresses_per_hour
                and (recent.messages <= cfg.volume_floor_messages
                     or recent.messages <= cfg.volume_factor * (baseline.peak_hour_messages  # _usual_volume, spelled out
                                                                if baseline.cur_hour == int(now // HOUR_S)
                                                                else baseline.usual_hour_messages(now, cfg)))):
            # Most messages: the usual place, usual contacts, an ordinary hour. No signal can
            # fire (compute() would find none; the tests hold the two paths to the same answer).
            baseline.learn(now, network, country, asn, recipients, cfg, counts[4])
            recent.streak = 0
            # Usual contacts vouch only for an account with history (see vouches).
            if history:
                # The next message from here this hour may go steady: this one marked today on
                # the country and network entries and counted in the baseline's current hour.
                if counts[4] and not asn:
                    hour = int(now // HOUR_S)
                    if hour == baseline.cur_hour:
                        # (learn kept both entries: known, so not pushed out)
                        start = hour * HOUR_S
                        recent.steady = (baseline, country, hour, country_entry, network_entry, start, start + HOUR_S,
                                         hour % 24, None)
                return _CLEAN_VOUCHED
            # (vouches' own test of a long-used country or network first: no call for most.)
            if (country_days >= cfg.long_used_days or network_days >= cfg.long_used_days
                    or vouches(cfg, baseline, country, network, asn, total, new, permissions, now, country_days,
                               network_days, history)):
                return _CLEAN_VOUCHED
            return _CLEAN
        if (not history and self.fast_path and self._unscored_is_clean and not complaints and not asn
                and not recent.probation_since
                and not permissions.travel and not permissions.trust
                and len(recent.countries) < cfg.countries_per_hour and len(recent.addresses) < cfg.addresses_per_hour
                and (country in (self.home_countries if home_countries is None else home_countries)
                     or country_days >= familiar or country == UNKNOWN_COUNTRY)
                and (counts[2] < cfg.domains_per_message or 2 * counts[3] < counts[2])):
            # An account without history (a new customer, or every account of an installation that
            # imported no log), at home or from a familiar country, one country and few addresses
            # this hour, few domains: of compute()'s signals only the volume one can fire (a new
            # network, new recipients and cohorts need history; a home country is not new). What
            # the full path does, without its calls (the tests hold the two to the same answers).
            messages = recent.messages
            usual = 0.0
            within = (messages <= cfg.volume_floor_messages
                      or messages <= cfg.volume_factor * (usual := baseline.usual_hour_messages(now, cfg)))
            tier = Tier.NONE if within else self._volume_tier
            if tier is not None:
                if total and new >= cfg.new_recipient_share * total and (network_days < familiar or country_days < familiar):
                    recent.streak += 1
                else:
                    recent.streak = 0
                # vouches() for an account without history and without permissions:
                vouched = bool(baseline.messages) and (country_days >= cfg.long_used_days
                                                       or network_days >= cfg.long_used_days)
                learned = tier is Tier.NONE or to_usual_contacts(cfg, total, new)
                if learned:
                    baseline.learn(now, network, country, asn, recipients, cfg, counts[4])
                    hour = int(now // HOUR_S)
                    if counts[4] and hour == baseline.cur_hour:
                        # The next message from here this hour may go steady (the entries as learn left them).
                        start = hour * HOUR_S
                        recent.steady = (baseline, country, hour, baseline.countries.get(country),
                                         baseline.networks.get(network) if network is not None else None,
                                         start, start + HOUR_S, hour % 24,
                                         country_days >= familiar or country == UNKNOWN_COUNTRY)
                score = 0 if within else cfg.weight_volume
                if not score and learned:
                    return _CLEAN_VOUCHED if vouched else _CLEAN
                return Verdict(tier, score, (Signal("volume", score, {"hour": messages, "usual": round(usual)}),),
                               vouched, learned, False)
        vouched = vouches(cfg, baseline, country, network, asn, total, new, permissions, now, country_days, network_days,
                          history)
        usual_contacts = to_usual_contacts(cfg, total, new)
        if total and new >= cfg.new_recipient_share * total and (network_days < familiar or country_days < familiar):
            recent.streak += 1
        else:
            recent.streak = 0
        # Only established accounts join a cohort: a hijacked account has a history elsewhere. New
        # customers (and every account of a new installation) behind one NAT address are not one.
        if network_days < familiar and not usual_contacts and history:
            cohort = self.cohorts.note(now, client_address, account, True)
            if self.cohort_noted is not None:
                self.cohort_noted(now, client_address, account)
        else:
            cohort = _NO_COHORT  # an account at its usual network, or writing to its contacts, joins no cohort
        signals = compute(cfg, baseline, now, network, country, asn, counts, recent, cohort, complaints, permissions,
                          self.home_countries if home_countries is None else home_countries,
                          country_days, network_days, history, usual_contacts)
        score = 0
        for s in signals:
            score += s.weight
        reasons = tuple(signals) if signals else _NO_REASONS

        if score >= cfg.suspend_score:
            tier = Tier.SUSPEND
        elif score >= cfg.hold_score:
            tier = self._hold
        else:
            tier = Tier.WATCH if score >= cfg.watch_score else Tier.NONE
            if score >= cfg.probation_score or (recent.probation_since and recent.on_probation(now, cfg.probation_calm_s)):
                if score >= cfg.probation_score:
                    if not recent.probation_since:
                        recent.probation_since = now
                        # What led here counts against the budget: a slow run is not restarted.
                        recent.probation_new = max(0, recent.new_messages - 1)
                    recent.probation_at = now
                if permissions.waives("*", now):
                    recent.clear_probation()
                else:
                    tier = Tier.PROBATION
                    if new and not usual_contacts:
                        if recent.probation_new >= cfg.probation_budget:
                            tier = self._hold
                            reasons += (Signal("probation_budget", 0, {"sent": recent.probation_new,
                                                                       "budget": cfg.probation_budget}),)
                        else:
                            recent.probation_new += 1

        # Anti-poisoning: only clean mail teaches (a traveller's to usual contacts included).
        learned = not complaints and (tier is Tier.NONE or (tier is Tier.WATCH and usual_contacts))
        if learned:  # (nothing has changed the baseline since recipient_counts: counts[4] still holds)
            baseline.learn(now, network, country, asn, recipients, cfg, counts[4])
        if not score and learned and not recent.probation_since:
            return _CLEAN_VOUCHED if vouched else _CLEAN  # most messages: no new object
        return Verdict(tier, score, reasons, vouched, learned, bool(recent.probation_since))


def _days(cfg: BehaviourConfig, baseline: Baseline, country: str, network: int | None) -> tuple[int, int, bool]:
    """The days this country and network were used on, and whether the account has history."""
    return (baseline.country_days(country), baseline.network_days(network), baseline.has_history(cfg))


_CLEAN = Verdict(Tier.NONE, 0, _NO_REASONS, False, True)
_CLEAN_VOUCHED = Verdict(Tier.NONE, 0, _NO_REASONS, True, True)


# -- words ------------------------------------------------------------------------------

_TEXTS = {
    "new_country": {
        "en": lambda n: f"first mail ever from {n['country']}" if not n.get("days")
        else f"mail from {n['country']}, used on only {n['days']} day(s) before",
        "ja": lambda n: f"{n['country']} からの初めての送信" if not n.get("days")
        else f"{n['country']} からの送信 (過去の利用は {n['days']} 日のみ)",
    },
    "new_network": {
        "en": lambda n: f"first mail from network {n['network']}" + (f" (AS{n['asn']})" if n.get("asn") else ""),
        "ja": lambda n: f"ネットワーク {n['network']} からの初めての送信" + (f" (AS{n['asn']})" if n.get("asn") else ""),
    },
    "countries_per_hour": {
        "en": lambda n: f"mail from {n['countries']} countries within an hour ({', '.join(n['list'])})",
        "ja": lambda n: f"1時間以内に {n['countries']} か国から送信 ({', '.join(n['list'])})",
    },
    "addresses_per_hour": {
        "en": lambda n: f"{n['addresses']} client addresses within an hour",
        "ja": lambda n: f"1時間以内に {n['addresses']} 個の接続元アドレス",
    },
    "new_recipients": {
        "en": lambda n: f"{n['new']} of {n['total']} recipients never written to",
        "ja": lambda n: f"宛先 {n['total']} 件中 {n['new']} 件が初めての宛先",
    },
    "many_domains": {
        "en": lambda n: f"{n['domains']} recipient domains in one message ({n['new']} new)",
        "ja": lambda n: f"1通に {n['domains']} 個の宛先ドメイン (うち新規 {n['new']})",
    },
    "volume": {
        "en": lambda n: f"{n['hour']} messages this hour, usually at most {n['usual']}",
        "ja": lambda n: f"この1時間に {n['hour']} 通 (普段は最大 {n['usual']} 通)",
    },
    "cohort": {
        "en": lambda n: f"the same address logged in as {n['accounts']} accounts in {n['minutes']} min",
        "ja": lambda n: f"同じアドレスが {n['minutes']} 分間に {n['accounts']} 個のアカウントでログイン",
    },
    "complaints": {
        "en": lambda n: f"{n['complaints']} complaint(s) received recently",
        "ja": lambda n: f"最近 {n['complaints']} 件の苦情を受信",
    },
    "probation_budget": {
        "en": lambda n: f"on probation: {n['sent']} messages to new recipients already, {n['budget']} allowed",
        "ja": lambda n: f"仮制限中: 新しい宛先への送信がすでに {n['sent']} 通 (上限 {n['budget']} 通)",
    },
}

# For the owner: what happened, in plain words, without addresses, networks or thresholds.
_OWNER_TEXTS = {
    "new_country": {"en": "mail was sent from a country this account had not used ({country})",
                    "ja": "普段と異なる国 ({country}) からメールが送信されました"},
    "new_network": {"en": "mail was sent from an unfamiliar network",
                    "ja": "普段と異なるネットワークからメールが送信されました"},
    "countries_per_hour": {"en": "mail was sent from several countries within a short time",
                           "ja": "短時間に複数の国からメールが送信されました"},
    "addresses_per_hour": {"en": "the account logged in from many places within a short time",
                           "ja": "短時間に多数の場所からログインがありました"},
    "new_recipients": {"en": "mail was sent to many addresses this account had never written to",
                       "ja": "これまで送信したことのない多数の宛先にメールが送信されました"},
    "many_domains": {"en": "mail was sent to many different domains at once",
                     "ja": "多数の異なるドメイン宛てに一度にメールが送信されました"},
    "volume": {"en": "much more mail than usual was sent", "ja": "普段より大幅に多くのメールが送信されました"},
    "cohort": {"en": "the login pattern matches the use of stolen passwords",
               "ja": "盗まれたパスワードが使われた場合と同じログインの傾向が見られました"},
    "complaints": {"en": "recipients complained about mail from this account",
                   "ja": "このアカウントからのメールについて受信者から苦情がありました"},
    "probation_budget": {"en": "sending is limited while the account is being checked",
                         "ja": "確認が終わるまで送信を制限しています"},
}


def _language(language: str) -> str:
    return "ja" if language[:2].lower() == "ja" else "en"


def describe(reason: Signal | dict, language: str = "en") -> str:
    """A reason in a short line for staff (en or ja), with its numbers."""
    code, numbers = (reason.code, reason.numbers) if isinstance(reason, Signal) else (reason.get("code", ""), reason)
    texts = _TEXTS.get(code)
    if texts is None:
        return str(code)
    try:
        return texts[_language(language)](numbers)
    except (KeyError, TypeError):  # a reason stored by another version: the code says enough
        return str(code)


def describe_for_owner(reason: Signal | dict, language: str = "en") -> str:
    """A reason in the owner's words (notices): nothing internal, the country at most."""
    code, numbers = (reason.code, reason.numbers) if isinstance(reason, Signal) else (reason.get("code", ""), reason)
    texts = _OWNER_TEXTS.get(code)
    if texts is None:
        return "不審な送信が検知されました" if _language(language) == "ja" else "unusual sending was detected"
    text = texts[_language(language)]
    return text.format(country=str(numbers.get("country", "?"))[:2]) if "{country}" in text else text
