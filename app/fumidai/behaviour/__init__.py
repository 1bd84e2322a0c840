"""Behaviour analysis: per-account baselines, signals and an explained, graduated verdict.

Pure like ``fumidai.policy``: standard library only, no I/O, the clock is passed in.
What the policy path does (see docs/behaviour.md for the whole contract)::

    hasher = RecipientHasher(secret_key)           # once, per installation key
    engine = BehaviourEngine(BehaviourConfig())    # once; holds the Cohorts index
    # RCPT, once per recipient: one keyed hash, kept with the recipients of its message
    message_recipients.add(hasher(recipient))
    # DATA, once per message:
    verdict = engine.message(now, account, baselines.get(account), recent, client_address,
                             country, asn, tuple(message_recipients), permissions, complaints=0)
    verdict.tier, verdict.reasons, verdict.vouched   # learning happened if verdict.learned
"""

from .baseline import Baseline, BaselineError, RecipientHasher, network_of
from .config import BehaviourConfig
from .permissions import NONE as NO_PERMISSIONS, Permissions
from .signals import Cohorts, Recent, Signal
from .table import BaselineTable
from .verdict import BehaviourEngine, Tier, Verdict, describe, describe_for_owner

__all__ = [
    "Baseline", "BaselineError", "BaselineTable", "BehaviourConfig", "BehaviourEngine", "Cohorts",
    "NO_PERMISSIONS", "Permissions", "Recent", "RecipientHasher", "Signal", "Tier", "Verdict", "describe",
    "describe_for_owner", "network_of",
]
