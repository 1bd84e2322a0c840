"""Alerts queued for the store: one per account and reason an hour at most, a behaviour verdict's
reasons with them. A part of Service (service/core.py): its methods use the live state's fields."""

from __future__ import annotations

from ..behaviour import Tier
from ..store.records import to_datetime
from .views import reasons_in_words

ALERT_REPEAT = 3600.0  # the same account and reason alert again after this many seconds
_ALERTED_TIERS = frozenset({"watch", "probation"})
_TIER_REASONS = {t: f"behaviour:{t}" for t in Tier}  # the alert reason of a tier, made once


def risk_detail(verdict) -> dict:
    """What an alert keeps of a behaviour verdict: tier, score and the reasons in words."""
    return {
        "tier": str(verdict.tier), "score": verdict.score, "probation": verdict.probation,
        "reasons": reasons_in_words(verdict.reasons),
    }


class AlertQueue:
    """Queues alerts into the write-behind batch (``self.unflushed``), throttled by ``self._last_alert``."""

    def _note_risk(self, now: float, account: str, verdict, country: str, acted: bool) -> None:
        """Keep the account's latest risk for the live reads; alert for watch and probation (a
        hold or a suspension alerts as such, with these reasons)."""
        self.risk[account] = (now, verdict)
        if not acted and verdict.tier in _ALERTED_TIERS:
            self._alert(now, account, "behaviour", _TIER_REASONS[verdict.tier], country, verdict=verdict)

    def _alert(self, now: float, account: str, kind: str, reason: str, country: str, force: bool = False,
               verdict=None) -> None:
        """Queue an alert, unless the same account and reason alerted within ALERT_REPEAT.
        ``verdict``: the behaviour verdict whose reasons go with it (its detail is built here,
        for an alert written: a busy account on watch is not described at every message)."""
        key = (account, reason)
        last = self._last_alert.get(key)
        if not force and last is not None and now - last < ALERT_REPEAT:
            return
        self._last_alert[key] = now
        detail = None if verdict is None else risk_detail(verdict)
        self.unflushed.alerts.append({"at": to_datetime(now), "account": account, "kind": kind, "reason": reason,
                                    "country": country, "detail": detail})

    def _backlog_alert(self, alert: dict | None) -> None:
        if alert is not None:
            self.unflushed.alerts.append({"at": to_datetime(self.clock()), "account": "", "country": None, **alert})
