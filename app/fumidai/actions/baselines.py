"""Baselines in the application layer: the installation's recipient-hash key, and
`fumidai baseline import` learning from Postfix's log into the stored baselines.

The import reads the store while it learns (which baselines exist, which submissions an
earlier import learned) and writes once at the end: the submission ids, every baseline it
changed and one audit entry ``baseline_import``, in one short transaction, so a running
server's flushes are not held up during a long read. The server's audit sync sees the entry
and loads the baselines written at ``after.written_at``.

Known limit: an account the running server learns from while an import reads is written
by whichever comes last (the import, or the server's next flush); a bootstrap imports
history once, before or beside a quiet start, so this loses little.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from ..errors import Conflict
from ..store.baselines import (IMPORTED_KEPT_DAYS, already_imported, baseline_blobs, prune_imported,
                               record_imported, upsert_baselines)
from ..store.baselines import recipient_hash_key as _stored_key
from ..store.records import to_datetime
from ..store.repo._common import _audit

CHUNK = 20_000  # submissions checked against the store per read
PLACES_CACHED = 100_000


def recipient_hash_key(store: Any) -> bytes:
    """The per-installation key of the keyed recipient hashes (made on first use; the same for
    every node and the import). Blocking: call it in a thread, at start-up."""
    with store.session() as s:
        return _stored_key(s)


class BaselineImport:
    """A sink for ``behaviour.commands.run_import``: learns each submission not learned before;
    ``commit(actor)`` writes what it learned."""

    def __init__(self, store: Any, settings: Any, clock: Callable[[], float], geo: Any = None) -> None:
        from ..behaviour import BaselineTable, RecipientHasher
        from ..behaviour.baseline import network_of
        from ..policy.names import account_namer

        self.store = store
        self.clock = clock
        self.cfg = settings.behaviour.config()
        self.table = BaselineTable(self.cfg, max_live=CHUNK)
        self.hasher = RecipientHasher(recipient_hash_key(store))
        self.namer = account_namer(settings.policy.account_names, settings.policy.strip_realms)
        self.network_of = network_of
        if geo is None:
            from ..geo.lookup import GeoLookup

            g = settings.geoip
            geo = GeoLookup(g.database, g.cache_size, g.internal_networks)
        self.geo = geo
        self.unchecked: list[Any] = []  # submissions not yet checked against the store
        self.new_ids: list[str] = []  # learned in this run: recorded at commit
        self.seen_ids: set[str] = set()  # read in this run (a line given twice in one run)
        self.loaded: set[str] = set()  # accounts whose stored baseline is in the table
        self.names: dict[str, str] = {}  # sasl_username -> account ("" = refused)
        self.places: dict[str, tuple[int | None, str]] = {}  # client address -> (network, country)
        self.learned = 0
        self.duplicates = 0
        self.unnamed = 0  # sasl_username the configured account names refuse

    def __call__(self, submission: Any) -> None:
        self.unchecked.append(submission)
        if len(self.unchecked) >= CHUNK:
            self._drain()

    def _drain(self) -> None:
        batch, self.unchecked = self.unchecked, []
        seen_ids, names, named = self.seen_ids, self.names, []
        for sub in batch:
            if sub.id in seen_ids:
                self.duplicates += 1
                continue
            seen_ids.add(sub.id)
            raw = sub.account
            account = names.get(raw)
            if account is None:
                account = names[raw] = self.namer(raw) or ""
            if account:
                named.append((account, sub))
            else:
                self.unnamed += 1
        with self.store.session() as s:
            known = already_imported(s, [sub.id for _, sub in named])
            wanted = sorted({a for a, sub in named if sub.id not in known} - self.loaded)
            for account, blob in baseline_blobs(s, wanted).items():
                self.table.load(account, blob)
        self.loaded.update(wanted)
        self.table.shrink(CHUNK)  # the rest wait as bytes (~400 B each)
        learn, hasher, places, new_ids = self.table.learn, self.hasher, self.places, self.new_ids
        named.sort(key=lambda item: item[1].time)  # baselines count hours forward in time
        for account, sub in named:
            if sub.id in known:
                self.duplicates += 1
                continue
            addr = sub.client_address
            place = places.get(addr)
            if place is None:  # a client address repeats: look it up once
                if len(places) >= PLACES_CACHED:
                    places.clear()
                place = places[addr] = (self.network_of(addr), self.geo.country(addr))
            learn(account, sub.time, place[0], place[1], None, [hasher(r) for r in sub.recipients])
            new_ids.append(sub.id)
        self.learned = len(new_ids)

    def commit(self, actor: str, reason: str = "") -> dict[str, Any]:
        """Write what was learned (ids, baselines, one audit entry) in one transaction; returns
        the counts (the audit entry's ``after``)."""
        self._drain()
        blobs = self.table.take_dirty()
        now = to_datetime(self.clock())
        after = {"submissions": self.learned, "duplicates": self.duplicates, "unnamed": self.unnamed,
                 "accounts": len(blobs), "written_at": now.isoformat()}
        from sqlalchemy.exc import IntegrityError

        try:
            with self.store.session() as s:
                record_imported(s, self.new_ids, now)
                upsert_baselines(s, blobs, now)
                after["pruned"] = prune_imported(s, now - timedelta(days=IMPORTED_KEPT_DAYS))
                after["audit_id"] = _audit(s, actor, "baseline_import", None, reason, None, dict(after), now)
        except IntegrityError as err:  # another import of the same lines committed first
            raise Conflict("another import of some of the same lines finished first; nothing was "
                           "written: run this import again") from err
        return after
