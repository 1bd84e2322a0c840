"""Travel and trust: self-expiring permissions the verdict honours (pure data).

- **travel**: the owner (through a member portal, the API or staff) allows sending from
  some countries until a time: mail from them is neither a "new country" nor "several
  countries", and the baseline vouches for it (the abroad caps do not count it).
- **trust**: staff waive some signals (their codes, or "*" for all) until a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

ALL_SIGNALS = "*"
# The signals staff may waive with a trust permission (signals.py and verdict.py name them).
TRUSTABLE_SIGNALS = frozenset({"new_country", "new_network", "countries_per_hour", "addresses_per_hour",
                               "new_recipients", "many_domains", "volume", "cohort", "complaints"})


@dataclass(frozen=True, slots=True)
class Permissions:
    travel: Mapping[str, float] = field(default_factory=dict)  # country -> expires at (epoch s)
    trust: Mapping[str, float] = field(default_factory=dict)  # signal code or "*" -> expires at

    def allows_travel(self, country: str, now: float) -> bool:
        until = self.travel.get(country)
        return until is not None and now < until

    def waives(self, code: str, now: float) -> bool:
        trust = self.trust
        if not trust:
            return False
        until = trust.get(code)
        if until is not None and now < until:
            return True
        until = trust.get(ALL_SIGNALS)
        return until is not None and now < until

    def active(self, now: float) -> Permissions:
        """Only what has not expired (what to keep in memory, what the API shows)."""
        return Permissions({c: t for c, t in self.travel.items() if now < t}, {s: t for s, t in self.trust.items() if now < t})

    def __bool__(self) -> bool:
        return bool(self.travel or self.trust)


NONE = Permissions()
