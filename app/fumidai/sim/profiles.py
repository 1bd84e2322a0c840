"""Who is in a simulated population: its options (SimConfig), the account profiles (Account),
the countries, names and domains they are drawn from. sim/population.py makes them and their traffic."""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from typing import Mapping, Sequence

from ..errors import FumidaiError
from .kinds import HIJACK_KINDS

# Where hijackers and travellers log in from (only those present in the ranges are used).
SPAM_COUNTRIES = ("CN", "RU", "NG", "BR", "VN", "IN", "UA", "ID")
TRAVEL_COUNTRIES = ("US", "KR", "TW", "TH", "FR", "GB", "DE", "SG", "AU")
RELAY_COUNTRIES = ("US",)  # where the big webmail providers' outbound servers are
VPN_COUNTRIES = ("US", "NL", "SG", "DE", "GB", "HK", "CA", "FR")
HONEST_MAX_PER_HOUR = 30  # an ordinary user's busiest hour; heavy senders are separate
HEAVY_OVERRIDE = {"messages_per_hour": 1000, "messages_per_day": 5000,
                  "recipients_per_hour": 10000, "recipients_per_day": 50000}  # fmt: skip
NEWSLETTER_BATCH = 50  # recipients per message of a newsletter issue
DAY = 86400.0
_GIVEN = ("taro", "hanako", "yuki", "kenji", "sakura", "hiroshi", "aiko", "daisuke", "emi", "kaito",
          "mai", "ryo", "naoko", "sho", "yumi", "takeshi", "rina", "kazuki", "ayaka", "jun")  # fmt: skip
_FAMILY = ("sato", "suzuki", "takahashi", "tanaka", "ito", "watanabe", "yamamoto", "nakamura", "kobayashi",
           "kato", "yoshida", "yamada", "sasaki", "matsumoto", "inoue", "kimura")  # fmt: skip
# Big mailbox providers: where spam goes, and where many honest contacts are too (the
# domain alone tells nothing).
MAILBOX_DOMAINS = ("gmail.com", "yahoo.co.jp", "outlook.com", "icloud.com", "docomo.ne.jp", "ezweb.ne.jp",
                   "hotmail.com", "yahoo.com")  # fmt: skip
_WORK_DOMAINS = ("shoji.example.co.jp", "city.example.lg.jp", "univ.example.ac.jp", "clinic.example.jp",
                 "isp.example", "kogyo.example.co.jp")  # fmt: skip

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Ranges = Mapping[str, Sequence[Network]]
Planned = tuple[float, dict]  # (simulated seconds, the Submission's other fields)


def demo_ranges() -> dict[str, list[Network]]:
    """The networks of each country in the demo GeoIP database (resources/geoip/demo-ranges.csv)."""
    from ..geo.build import parse_range, ranges_by_country

    out: dict[str, list] = {}
    for country, texts in ranges_by_country().items():
        for text in texts:
            version, first, last = parse_range(text)
            kind = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
            out.setdefault(country, []).extend(ipaddress.summarize_address_range(kind(first), kind(last)))
    return out


@dataclass(frozen=True, slots=True)
class SimConfig:
    accounts: int = 1000
    rate: float = 20.0  # honest messages per simulated minute at the office-hours peak
    duration: float = 3600.0  # simulated seconds
    hijacks: int = len(HIJACK_KINDS)  # a cohort of several accounts is one hijack
    hijack_kinds: tuple[str, ...] = HIJACK_KINDS  # assigned in turn
    seed: int = 1
    home: str = "JP"
    start_offset: float = 9 * 3600.0  # home time of day (seconds after midnight) at the start
    domain: str = "isp.example"
    # Hijacks start 5-40 % into this span (default: the whole duration); the demo plays a
    # long day but wants its hijacks within the first hour.
    hijack_start_within: float | None = None

    def check(self, ranges: Ranges) -> None:
        if self.accounts < 1:
            raise FumidaiError("--accounts must be at least 1")
        if self.rate < 0 or self.duration <= 0:
            raise FumidaiError("--rate must be >= 0 and --duration > 0")
        if self.hijacks < 0 or self.hijacks > self.accounts:
            raise FumidaiError(f"--hijacks must be between 0 and the number of accounts ({self.accounts})")
        bad = [k for k in self.hijack_kinds if k not in HIJACK_KINDS]
        if bad or not self.hijack_kinds:
            raise FumidaiError(f"--hijack-kinds: unknown kind {bad[0] if bad else '(none)'!r}; use {','.join(HIJACK_KINDS)}")
        if self.home not in ranges:
            raise FumidaiError(f"no address ranges for the home country {self.home}")
        if self.rate > self.accounts * HONEST_MAX_PER_HOUR / 60:
            need = math.ceil(self.rate * 60 / HONEST_MAX_PER_HOUR)
            raise FumidaiError(f"--rate {self.rate:g} needs at least {need} accounts "
                               f"(an honest user sends at most {HONEST_MAX_PER_HOUR} messages an hour)")


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    kind: str  # one of HONEST_KINDS
    weight: float  # share of the honest traffic
    hijack: str | None = None  # one of HIJACK_KINDS
    wants_override: bool = False  # a heavy sender staff would give higher limits
    trip: tuple[str, float, float] | None = None  # (country, start, end) in simulated seconds
    networks: tuple[tuple[str, Network], ...] = ()  # (country, network) it usually sends from
    contacts: tuple[str, ...] = ()  # whom it writes to: contacts, a list's members
    has_history: bool = True  # new customers have none
    hijack_id: str | None = None  # the hijack it is part of: its own name, or its cohort's
    trip_network: Network | None = None  # a traveller's hotel or roaming network
    issue_at: float = 0.0  # newsletters: each day's issue, seconds after the live start (mod a day)

    @property
    def address(self) -> str:
        return self.name  # SASL user names are mail addresses at this ISP


def office_activity(hour: float) -> float:
    """How busy honest users are at a home time of day, 1.0 at the peak."""
    h = hour % 24
    if 9 <= h < 12 or 13 <= h < 18:
        return 1.0
    if 12 <= h < 13:
        return 0.6
    if 7 <= h < 9 or 18 <= h < 22:
        return 0.3
    return 0.04


def _water_fill(weights: list[float], cap: float) -> list[float]:
    """Normalise to a sum of 1 with no share above ``cap``; the excess goes to the others."""
    total = sum(weights)
    shares = [w / total for w in weights]
    if cap >= 1:
        return shares
    fixed: set[int] = set()
    while True:
        free = [i for i in range(len(shares)) if i not in fixed]
        free_total = sum(weights[i] for i in free)
        room = 1.0 - cap * len(fixed)
        over = [i for i in free if weights[i] / free_total * room > cap]
        if not over:
            for i in free:
                shares[i] = weights[i] / free_total * room
            for i in fixed:
                shares[i] = cap
            return shares
        fixed.update(over)
