"""Every query of the store, as plain functions taking a Session.

Conventions:
- Timestamps in and out are aware UTC datetimes; ``now=None`` means the wall clock
  (the service passes its own clock's time, which may run faster in simulations).
- Bucket queries speak epoch minutes (``int(t // 60)``), the buckets' own key; ranges
  are half-open: ``from_minute <= minute < to_minute``.
- Staff actions write their audit row in the caller's transaction, so the action and
  its record commit together or not at all.

One module per aggregate; this package is the one name callers use (``repo.suspend``).
"""

from __future__ import annotations

from ...errors import Conflict, NotFound
from ._common import AUTO
from .suspensions import (active_suspensions, active_suspension, suspension_dict, suspend, add_suspension,
                          record_auto_suspension, release, releases_since, suspended_since)
from .overrides import active_overrides, get_override, override_dict, set_override, clear_override
from .accounts import account_homes, LAST_SEEN_STEP_S, touch_accounts, get_account, get_accounts, upsert_accounts, search_accounts, count_accounts
from .audit import add_to_audit, audit_after, audit_ids_after, newest_audit_id
from .buckets import BucketRow, recent_buckets, add_buckets, delete_buckets_before, SeriesRow, series, hourly_history, SenderTotal, top_senders, CountryTotal, country_totals, DayTrend, daily_trends
from .alerts import add_alerts, alerts_after, newest_alert_id
from .staff import token_hash, add_staff, staff_for_token, list_staff, revoke_staff
from .incidents import ack_alert, ack_dict, alerts_with_acks_after, account_is_known, incident_dict, incident_notes, list_incidents, open_incident, update_incident
from .notices import create_notice, notice_by_key, due_notices, claim_notice, audit_notice, mark_notice_sent, mark_notice_attempt_failed, get_notice, notices_for_account

__all__ = [
    "ack_alert", "ack_dict", "alerts_with_acks_after", "account_is_known", "incident_dict",
    "incident_notes", "list_incidents", "open_incident", "update_incident",
    "AUTO", "BucketRow", "Conflict", "CountryTotal", "DayTrend", "LAST_SEEN_STEP_S", "NotFound", "SeriesRow",
    "account_homes", "active_overrides", "active_suspension", "active_suspensions", "add_alerts",
    "add_buckets", "add_staff", "add_to_audit", "alerts_after", "audit_after", "audit_notice", "claim_notice",
    "clear_override", "count_accounts", "country_totals", "create_notice", "daily_trends",
    "delete_buckets_before", "due_notices", "get_account", "get_accounts", "get_notice", "get_override",
    "hourly_history", "list_staff", "mark_notice_attempt_failed", "mark_notice_sent", "newest_alert_id",
    "audit_ids_after", "newest_audit_id", "notice_by_key", "notices_for_account", "override_dict", "recent_buckets",
    "record_auto_suspension", "suspended_since", "release", "revoke_staff", "search_accounts", "series", "set_override",
    "SenderTotal", "staff_for_token", "suspend", "add_suspension", "suspension_dict", "token_hash", "top_senders", "touch_accounts", "upsert_accounts",
]
