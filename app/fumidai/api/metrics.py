"""Prometheus metrics: one registry per app, fed by the API middleware and the service.

The policy server calls ``observe_decision`` for every request: it only bumps plain
integers (about a microsecond), which a collector turns into Prometheus families
when /metrics is read; prometheus_client's own Counter and Histogram cost three times that.
"""

from __future__ import annotations

from bisect import bisect_left

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

# Policy answers are meant to take well under a millisecond: resolve the sub-ms range.
POLICY_BUCKETS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1.0)
API_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
# A Postfix action text carries free text after its verb; only the verb is a label.
KNOWN_ACTIONS = frozenset({"DUNNO", "OK", "REJECT", "DEFER", "DEFER_IF_PERMIT", "DEFER_IF_REJECT", "HOLD",
                           "FILTER", "WARN", "INFO", "PREPEND", "DISCARD", "REDIRECT"})


def action_label(action: str) -> str:
    """``"REJECT 5.7.1 …"`` → ``"REJECT"``; ``"550 …"`` → ``"5xx"``; anything else → ``"other"``."""
    verb = action.split(None, 1)[0].upper() if action else ""
    if verb in KNOWN_ACTIONS:
        return verb
    if len(verb) == 3 and verb.isdigit() and verb[0] in "45":
        return verb[0] + "xx"
    return "other"


class PolicyCollector:
    """Policy answers by action verb and their latency, counted in plain integers."""

    def __init__(self) -> None:
        self.decisions = {verb: 0 for verb in ("DUNNO", "REJECT", "DEFER_IF_PERMIT", "HOLD", "FILTER")}
        self.label_of: dict[str, str] = {}  # action text -> verb label
        self.buckets = [0] * (len(POLICY_BUCKETS) + 1)  # the last one is +Inf
        self.total_seconds = 0.0

    def observe(self, action: str, seconds: float) -> None:
        label = self.label_of.get(action)
        if label is None:
            label = action_label(action)
            if len(self.label_of) < 256:  # action texts are config-bound; cap anyway
                self.label_of[action] = label
        self.decisions[label] = self.decisions.get(label, 0) + 1
        self.buckets[bisect_left(POLICY_BUCKETS, seconds)] += 1
        self.total_seconds += seconds

    def collect(self):
        c = CounterMetricFamily("fumidai_policy_decisions", "Policy answers by action verb", labels=["action"])
        for label, n in sorted(self.decisions.items()):
            c.add_metric([label], n)
        yield c
        cumulative, running = [], 0
        for bound, n in zip((*map(str, POLICY_BUCKETS), "+Inf"), self.buckets):
            running += n
            cumulative.append((bound, running))
        yield HistogramMetricFamily("fumidai_policy_latency_seconds", "Time to answer one policy request",
                                    buckets=cumulative, sum_value=self.total_seconds)


class ReplicationCollector:
    """The Redis replicator's state, read when /metrics is scraped (several policy servers)."""

    def __init__(self, service) -> None:
        self.service = service

    def collect(self):
        r = getattr(self.service, "replicator", None)
        if r is None:
            return
        yield GaugeMetricFamily("fumidai_redis_connected", "1 while the Redis replication link is up",
                                value=1 if r.connected else 0)
        yield GaugeMetricFamily("fumidai_redis_replication_lag_seconds",
                                "Age of the newest count applied from another node", value=r.lag)
        for name, value, text in (("published", r.published, "Counts sent to the other nodes"),
                                  ("applied", r.applied, "Counts from other nodes applied here"),
                                  ("dropped", r.dropped, "Counts not sent (Redis down too long, or after stop)")):
            yield CounterMetricFamily(f"fumidai_redis_{name}", text, value=value)
        shared = getattr(self.service, "shared", None)
        if shared is not None:  # one quota across nodes (counters/shared_quota.py)
            q = shared.quota
            yield GaugeMetricFamily("fumidai_shared_quota_available",
                                    "1 while counted messages are decided in Redis (0: this node decides alone)",
                                    value=1 if q.available else 0)
            for name, value, text in (
                    ("calls", q.calls, "Counted messages asked of Redis"),
                    ("refused", q.refused, "Of those, refused by the shared quota or a shared suspension"),
                    ("failures", q.failures, "Calls without a usable answer (timeout, error, unreadable)"),
                    ("backlog_lost", q.lost, "Counts decided alone that could not be kept for Redis")):
                yield CounterMetricFamily(f"fumidai_shared_quota_{name}", text, value=value)
            yield GaugeMetricFamily("fumidai_shared_quota_backlog", "Counts decided alone, waiting for Redis",
                                    value=len(q.backlog))


class StoreWriterCollector:
    """The write-behind's backlog and the rows it could not write (service/writebehind.StoreWriter)."""

    def __init__(self, service) -> None:
        self.service = service

    def collect(self):
        w = getattr(self.service, "writer", None)
        backlog, set_aside, dropped = (w.backlog, w.set_aside_total, w.dropped_total) if w is not None else (0, 0, 0)
        yield GaugeMetricFamily("fumidai_store_backlog", "Rows (counts, alerts, automatic suspensions) kept "
                                "for the store after a failed flush", value=backlog)
        yield CounterMetricFamily("fumidai_store_rows_set_aside", "Rows the database refused, set aside "
                                  "(logged; set_aside.jsonl beside a SQLite store)", value=set_aside)
        yield CounterMetricFamily("fumidai_store_rows_dropped", "Oldest rows dropped past [storage] max_backlog "
                                  "while the store was down", value=dropped)


class Metrics:
    """Everything /metrics exposes, in a registry of its own (several apps per process in tests)."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.policy = PolicyCollector()
        r.register(self.policy)
        self._suspensions = Counter("fumidai_suspensions", "Suspensions started, by who: auto or staff",
                                    ["by"], registry=r)
        self._releases = Counter("fumidai_releases", "Suspensions released by staff", registry=r)
        self._staff_actions = Counter("fumidai_staff_actions", "Staff actions by kind, from the API, the command line "
                                      "or another node (as the audit log records them)", ["action"], registry=r)
        self._api = Counter("fumidai_api_requests", "HTTP API requests by route and status",
                            ["method", "route", "status"], registry=r)
        self._api_latency = Histogram("fumidai_api_latency_seconds", "HTTP API response time by route",
                                      ["route"], buckets=API_BUCKETS, registry=r)
        self._flush_lag = Gauge("fumidai_flush_lag_seconds", "Age of the oldest count not yet written to the store",
                                registry=r)
        self._flush_pending = Gauge("fumidai_flush_pending", "Counts waiting to be written to the store", registry=r)
        # Pre-create the common children so a fresh server already shows zeros.
        for by in ("auto", "staff"):
            self._suspensions.labels(by)

    def watch_replication(self, service) -> None:
        """Export the Redis replicator's state (if the service has one) at each scrape."""
        self.registry.register(ReplicationCollector(service))

    def watch_store_writer(self, service) -> None:
        """Export the write-behind's backlog, rows set aside and rows dropped at each scrape."""
        self.registry.register(StoreWriterCollector(service))

    # --- called by the service / policy server -------------------------------------------
    def observe_decision(self, action: str, seconds: float) -> None:
        """One policy answer: its action text (only the verb is kept) and how long it took."""
        self.policy.observe(action, seconds)

    def observe_suspension(self, by: str) -> None:
        """A suspension started: ``by`` is "auto" or a staff name (counted as "staff")."""
        self._suspensions.labels("auto" if by == "auto" else "staff").inc()

    def observe_release(self) -> None:
        self._releases.inc()

    def observe_staff_action(self, action: str) -> None:
        """One audit entry by staff, whichever entry point wrote it (the server reads them all)."""
        if len(action) > 32 or not action.replace("_", "").isalnum():
            action = "other"  # an audit row is data: keep the label set small and clean
        self._staff_actions.labels(action).inc()
        if action == "suspend":
            self.observe_suspension("staff")
        elif action == "release":
            self.observe_release()

    def set_flush_lag(self, seconds: float, pending: int = 0) -> None:
        """After each flush (or tick): how far the store is behind the live counters."""
        self._flush_lag.set(seconds)
        self._flush_pending.set(pending)

    # --- called by the API middleware -----------------------------------------------------
    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self._api.labels(method, route, str(status)).inc()
        self._api_latency.labels(route).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
