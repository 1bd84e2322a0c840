"""The recipient hash through its cache of recent addresses (the policy path's): same answers, bounded."""

from __future__ import annotations

import pytest

from fumidai.behaviour import RecipientHasher


def test_a_cached_address_hashes_as_the_hasher_does():
    h = RecipientHasher(b"k" * 32)
    cached = h.cached()
    for address in ("Friend@Example.JP", "friend@example.jp", "other@example.jp", "Friend@Example.JP"):
        assert cached(address) == cached(address) == h(address) == RecipientHasher(b"k" * 32)(address)
    assert cached("Friend@Example.JP") == cached("friend@example.jp")  # case does not matter, cached or not
    assert cached("a@x.example") != RecipientHasher(b"j" * 32).cached()("a@x.example")


def test_the_cache_is_bounded():
    h = RecipientHasher(b"k" * 32)
    cached = h.cached(bound=100)
    first = cached("first@example.jp")
    for i in range(1000):
        assert cached(f"p{i}@d{i % 50}.example") == h(f"p{i}@d{i % 50}.example")
        assert len(cached.__self__) <= 100
    assert cached("first@example.jp") == first  # forgotten and hashed again: the same


def test_what_is_not_an_address_string_still_fails_as_the_hasher_does():
    cached = RecipientHasher(b"k" * 32).cached()
    with pytest.raises(AttributeError):
        cached(None)  # the policy path passes only strings (the parser's)
