"""Every account's baseline in one node: live objects for the accounts sending now, bytes for the rest."""

from __future__ import annotations

from collections import OrderedDict
from typing import Iterable

from .baseline import Baseline
from .blob import BaselineError
from .config import BehaviourConfig

_DEFAULT = BehaviourConfig()


class BaselineTable:
    """Every account's baseline: the ones in use as ``Baseline`` objects (least recently
    used beyond ``max_live`` go back to bytes), the others as their ``to_bytes()`` blob.

    ``dirty`` collects the accounts learned since ``take_dirty()``, for the store's flush
    and for replication. A blob that does not read (BaselineError) is dropped and counted
    in ``unreadable``: the account starts afresh rather than the policy path failing.
    """

    __slots__ = ("_blobs", "_live", "_dirty", "max_live", "cfg", "unreadable", "touched")

    def __init__(self, cfg: BehaviourConfig = _DEFAULT, max_live: int = 100_000) -> None:
        self._blobs: dict[str, bytes] = {}
        self._live: OrderedDict[str, Baseline] = OrderedDict()
        self._dirty: set[str] = set()
        self.max_live = max_live
        self.cfg = cfg
        self.unreadable = 0
        # touched(account): mark an account learned by the caller through Baseline.learn. The
        # set's own add (called from C: once per message on the policy path, no frame).
        self.touched = self._dirty.add

    def __len__(self) -> int:
        return len(self._blobs) + len(self._live)

    def __contains__(self, account: str) -> bool:
        return account in self._live or account in self._blobs

    def get(self, account: str) -> Baseline | None:
        b = self._live.get(account)
        if b is not None:
            self._live.move_to_end(account)
            return b
        blob = self._blobs.pop(account, None)
        if blob is None:
            return None
        try:
            b = Baseline.from_bytes(blob)
        except BaselineError:
            self.unreadable += 1
            return None
        self._live[account] = b
        if len(self._live) > self.max_live:
            self.shrink(self.max_live)
        return b

    def get_or_create(self, account: str) -> Baseline:
        live = self._live
        b = live.get(account)
        if b is not None:  # once per message: get()'s first lines spelled out (one frame less)
            live.move_to_end(account)
            return b
        b = self.get(account)
        if b is None:
            b = self._live[account] = Baseline()
            if len(self._live) > self.max_live:
                self.shrink(self.max_live)
        return b

    def learn(self, account: str, now: float, network: int | None, country: str, asn: int | None,
              recipients: Iterable[int]) -> Baseline:
        """Learn one message of ``account`` (creating its baseline): the import's bulk path."""
        b = self._live.get(account)
        if b is None:
            b = self.get_or_create(account)
        b.learn(now, network, country, asn, recipients, self.cfg)
        self._dirty.add(account)
        return b

    def load(self, account: str, blob: bytes) -> None:
        """A baseline from the store (at start, or written by an import); replaces what is
        held. One this node learned since its last save is merged with it instead
        (Baseline.merge): what either learned is kept, and saved at the next save."""
        if account in self._dirty:
            live = self.get(account)
            if live is not None:
                try:
                    live.merge(Baseline.from_bytes(blob), self.cfg)
                except BaselineError:  # unreadable: what this node learned stays
                    self.unreadable += 1
                return
        self._live.pop(account, None)
        self._blobs[account] = bytes(blob)

    def take_dirty(self, limit: int | None = None) -> dict[str, bytes]:
        """The blobs of the accounts learned since they were last taken: all, or at most ``limit``
        (a caller on the event loop encodes a slice at a time)."""
        dirty = self._dirty  # the same set object always: ``touched`` is its add
        if limit is None or len(dirty) <= limit:
            accounts = list(dirty)
            dirty.clear()
        else:
            accounts = [dirty.pop() for _ in range(limit)]
        out = {}
        for account in accounts:
            b = self._live.get(account)
            out[account] = b.to_bytes() if b is not None else self._blobs[account]
        return out

    def dirty_count(self) -> int:
        return len(self._dirty)

    def shrink(self, max_live: int) -> None:
        """Turn the least recently used live baselines back into bytes."""
        live = self._live
        while len(live) > max_live:
            account, b = live.popitem(last=False)
            self._blobs[account] = b.to_bytes()
