"""Baselines and cohorts shared between nodes: the service's end of counters/behaviour_stream.

What this node's behaviour engine learned, and every account it counted in a client
address's cohort, go out on the behaviour stream; what the other nodes observed is applied
here to the same baselines and cohort index. Learning another node's message does not mark
the account dirty: the node that saw the message writes the baseline to the store.
"""

from __future__ import annotations

import logging

log = logging.getLogger("fumidai.service.behaviour")

# Baselines another node's events may create here, at most: an account new to this node is
# learned from the stream only while the table holds fewer than this. Bounds what a hostile
# writer to Redis could make this node keep (every event names an account); a million real
# accounts and their baselines fit well under it.
MAX_BASELINES_FROM_STREAM = 3_000_000


class SharedBehaviour:
    """Joins a Service's behaviour state to the stream; ``start`` returns None when there is nothing to share."""

    def __init__(self, service, stream) -> None:
        self.service = service
        self.stream = stream
        self.publish_learn = stream.publish_learn  # the policy path calls these directly
        self.max_baselines = MAX_BASELINES_FROM_STREAM
        self.refused_new = 0  # events for accounts new here, past MAX_BASELINES_FROM_STREAM

    @classmethod
    async def start(cls, service) -> SharedBehaviour | None:
        """With behaviour on and ``[counters] backend = "redis"``: connect and start sharing."""
        if service.behaviour is None or service.settings.counters.backend != "redis":
            return None
        from ..counters.behaviour_stream import BehaviourStream

        stream = BehaviourStream(service.settings.counters, service.clock)
        self = cls(service, stream)
        await stream.start(self.apply_learn, self.apply_cohort)
        service.behaviour.cohort_noted = stream.publish_cohort
        return self

    async def stop(self) -> None:
        if self.service.behaviour is not None:
            self.service.behaviour.cohort_noted = None
        await self.stream.stop()

    def apply_learn(self, account: str, now: float, network: int | None, country: str, recipients: tuple) -> None:
        svc = self.service
        table = svc.baselines
        if account not in table and len(table) >= self.max_baselines:
            if self.refused_new % 10_000 == 0:
                log.warning("behaviour stream: %d baselines held; events for accounts new to this node are "
                            "not learned (%d so far)", len(table), self.refused_new + 1)
            self.refused_new += 1
            return
        table.get_or_create(account).learn(now, network, country, None, recipients, svc.behaviour.cfg)

    def apply_cohort(self, address: str, account: str, now: float) -> None:
        self.service.behaviour.cohorts.note(now, address, account, True)
