"""A client's place in a feed the server numbers by id (alerts, complaints); no Qt.

Ids are taken when a row is written and seen when it commits, so a row can appear below
one already shown. The server answers ``next_after_id``, an id below any row that may still
appear; the client asks again from there and drops by id what it already has.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")


def _id_of(item: Any) -> int:
    return item["id"] if isinstance(item, dict) else item.id


class FeedCursor:
    def __init__(self, after_id: int = 0, key: Callable[[Any], int] = _id_of) -> None:
        self.after_id = after_id  # ask from here: nothing at or below it can still appear
        self._key = key
        self._seen: set[int] = set()  # ids above after_id already taken

    def copy(self) -> FeedCursor:
        twin = FeedCursor(self.after_id, self._key)
        twin._seen = set(self._seen)
        return twin

    @property
    def high(self) -> int:
        """The highest id taken (where to page on from when a page is full)."""
        return max(self._seen, default=self.after_id)

    def take(self, asked_after: int, items: Iterable[T], next_after_id: int | None) -> list[T]:
        """The items of a page read with ``after_id=asked_after`` not taken before, oldest first.

        ``next_after_id`` is the server's (None from a server that does not send it: then its
        last item, as before). It moves the cursor only for a page read from the cursor itself.
        """
        items = sorted(items, key=self._key)
        fresh = [it for it in items if self._key(it) > self.after_id and self._key(it) not in self._seen]
        self._seen.update(self._key(it) for it in fresh)
        if asked_after == self.after_id:
            if next_after_id is None:
                next_after_id = self._key(items[-1]) if items else asked_after
            if next_after_id > self.after_id:
                self.after_id = next_after_id
                self._seen = {i for i in self._seen if i > next_after_id}
        return fresh
