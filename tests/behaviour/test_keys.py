"""The recipient hash's cache of recent addresses: same answers, bounded."""

from __future__ import annotations

from fumidai.behaviour import RecipientHasher


def test_a_cached_address_hashes_as_a_fresh_hasher_would():
    h, fresh = RecipientHasher(b"k" * 32), RecipientHasher(b"k" * 32)
    for address in ("Friend@Example.JP", "friend@example.jp", "other@example.jp", "Friend@Example.JP"):
        assert h(address) == h(address) == fresh(address) == RecipientHasher(b"k" * 32)(address)
    assert h("a@x.example") != RecipientHasher(b"j" * 32)("a@x.example")


def test_the_cache_is_bounded():
    h = RecipientHasher(b"k" * 32)
    cache = h.args[2]
    first = h("first@example.jp")
    for i in range(RecipientHasher.ADDRESSES_CACHED + 10):
        h(f"p{i}@d{i % 50}.example")
    assert len(cache) <= RecipientHasher.ADDRESSES_CACHED
    assert h("first@example.jp") == first  # forgotten and hashed again: the same
