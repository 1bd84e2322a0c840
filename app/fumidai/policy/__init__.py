"""The policy engine: pure decision logic, standard library only (imports no other part)."""

from .engine import AccountState, Decision, Engine, INTERNAL_COUNTRY, Request, Suspension, Texts, UNKNOWN_COUNTRY
from .limits import Action, Cap, Limits, Override, Quota, QUOTA_KEYS, effective_limits

__all__ = [
    "AccountState", "Action", "Cap", "Decision", "Engine", "INTERNAL_COUNTRY", "Limits", "Override", "Quota",
    "QUOTA_KEYS", "Request", "Suspension", "Texts", "UNKNOWN_COUNTRY", "effective_limits",
]
