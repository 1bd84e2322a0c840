"""Every threshold of behaviour analysis, with its default ([behaviour] in the TOML file)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class BehaviourConfig:
    enabled: bool = True

    # -- what a baseline keeps ------------------------------------------------------
    networks_kept: int = 16  # /24 and /48 prefixes per account, least recently used out
    asns_kept: int = 8
    countries_kept: int = 16
    correspondents_per_generation: int = 256  # two generations: up to twice this many known
    domains_per_generation: int = 64
    volume_half_life_days: float = 14.0  # the usual hour/day is a high-water mark decaying this fast

    # -- when something counts as familiar --------------------------------------------
    familiar_after_days: int = 2  # a country/network/ASN used on this many separate days
    long_used_days: int = 5  # ... on this many: it vouches for mail from it
    history_days: int = 3  # an account with fewer active days has no usable history yet
    history_messages: int = 5  # ... or fewer learned messages
    vouch_known_share: float = 0.8  # a message this share of whose recipients are known is vouched for
    known_correspondents_min: int = 3  # fewer known correspondents: the new-recipient share says nothing

    # -- signal thresholds ------------------------------------------------------------
    countries_per_hour: int = 2  # distinct countries within an hour, one of them unfamiliar
    addresses_per_hour: int = 4  # distinct client addresses within an hour
    new_recipient_share: float = 0.5  # a message whose share of never-written recipients reaches this
    new_recipients_full: int = 3  # a message needs this many new recipients for the full share weight
    new_recipients_many: int = 10  # new recipients within an hour that give the full hourly weight
    new_recipients_streak: int = 4  # messages in a row mostly to new recipients from an unfamiliar place: full weight
    # Where-from signals count this much when writing to usual contacts: a traveller's first
    # mail from abroad (new country and network) then stays under watch_score.
    usual_contacts_discount: float = 0.45
    # new_recipients counts this much for an account whose memory of correspondents is full
    # (both generations: it writes to more people than a baseline keeps, a shop's customers)
    # sending from a familiar network and country: the share of strangers says little there.
    bulk_sender_discount: float = 0.5
    domains_per_message: int = 8  # distinct recipient domains in one message
    volume_factor: float = 3.0  # this hour's messages above this many times the usual busiest hour
    volume_floor_messages: int = 10  # ... and above this (an account that sends little may vary)
    cohort_accounts: int = 3  # accounts one client address authenticated as, new to that network
    cohort_window_s: float = 3600.0

    # -- weights (points added to the risk score) ---------------------------------------
    weight_new_country: int = 40
    weight_new_country_no_history: int = 20  # a foreign country for an account without history
    weight_new_home_country: int = 10  # a home country the account never used (rare, mild)
    weight_new_network: int = 20
    weight_new_network_known_asn: int = 5
    weight_countries_per_hour: int = 25
    weight_addresses_per_hour: int = 15
    weight_new_recipients: int = 25  # times the message's share of new recipients
    weight_new_recipients_hour: int = 20  # times (new recipients this hour / new_recipients_many)
    weight_new_recipients_streak: int = 20  # times (streak / new_recipients_streak)
    weight_domains: int = 15
    weight_volume: int = 30
    weight_cohort: int = 50  # at cohort_accounts, +weight_cohort_step per further account
    weight_cohort_step: int = 10
    weight_complaint: int = 40  # per complaint received recently

    # -- tiers (score at or above) ----------------------------------------------------
    watch_score: int = 30
    probation_score: int = 50
    hold_score: int = 80
    suspend_score: int = 130
    hold_action: str = "hold"  # "hold" (Postfix hold queue) or "filter" (the quarantine relay)
    probation_budget: int = 3  # messages mostly to new recipients allowed while on probation
    probation_calm_s: float = 3600.0  # probation ends this long after the last risky message

    # -- cohort index bounds ------------------------------------------------------------
    cohort_addresses_kept: int = 100_000
    cohort_accounts_per_address: int = 64
    exempt_networks: tuple[str, ...] = ()  # e.g. the ISP's webmail hosts: never a cohort

    # -- the service's: how often learned baselines are written to the store -------------
    # Seconds. A busy account learns at every message but is written once per interval (one
    # row, one database page, instead of one per message); on a crash (kill -9) at most this
    # much learning is lost: counts, suspensions and alerts keep [storage] flush_interval.
    save_interval: float = 60.0

    def __post_init__(self) -> None:
        problems = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type in ("int", "float") and (not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0):
                problems.append(f"{f.name} must be a number >= 0")
        if problems:
            raise ValueError("; ".join(problems))
        for net in self.exempt_networks:
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError:
                problems.append(f"exempt_networks: {net!r} is not a network (192.0.2.0/24, 2001:db8::/32)")
        for name in (
            "networks_kept", "asns_kept", "countries_kept", "correspondents_per_generation",
            "domains_per_generation", "familiar_after_days", "long_used_days", "cohort_accounts",
            "countries_per_hour", "addresses_per_hour", "new_recipients_many", "new_recipients_full", "new_recipients_streak", "domains_per_message",
            "cohort_addresses_kept", "cohort_accounts_per_address",
        ):
            if getattr(self, name) < 1:
                problems.append(f"{name} must be at least 1")
        if self.networks_kept > 255 or self.asns_kept > 255 or self.countries_kept > 255:
            problems.append("networks_kept, asns_kept and countries_kept are at most 255")
        if self.correspondents_per_generation > 4096 or self.domains_per_generation > 4096:
            problems.append("correspondents_per_generation and domains_per_generation are at most 4096")
        if not 0 < self.new_recipient_share <= 1 or not 0 < self.vouch_known_share <= 1:
            problems.append("new_recipient_share and vouch_known_share must be in (0, 1]")
        if self.usual_contacts_discount > 1 or self.bulk_sender_discount > 1:
            problems.append("usual_contacts_discount and bulk_sender_discount must be in [0, 1]")
        if not self.watch_score <= self.probation_score <= self.hold_score <= self.suspend_score:
            problems.append("scores must rise: watch_score <= probation_score <= hold_score <= suspend_score")
        if self.hold_action not in ("hold", "filter"):
            problems.append("hold_action must be 'hold' or 'filter'")
        if not 1 <= self.save_interval <= 3600:
            problems.append("save_interval must be between 1 and 3600 seconds")
        if self.volume_half_life_days <= 0 or self.cohort_window_s <= 0 or self.probation_calm_s < 0:
            problems.append("volume_half_life_days and cohort_window_s must be positive")
        if problems:
            raise ValueError("; ".join(problems))
