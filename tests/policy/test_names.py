"""Canonical account names: every spelling of one SASL login is one account."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fumidai.policy.names import MAX_ACCOUNT_LENGTH, account_namer, canonical_account

REALMS = frozenset({"example.jp"})


@pytest.mark.parametrize("spelling", ["alice", "Alice", "ALICE", "ａｌｉｃｅ", "ＡＬＩＣＥ", "alice@example.jp",
                                      "ALICE@EXAMPLE.JP", "ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｊｐ", "alice@example.jp@example.jp"])
def test_spellings_of_one_login_are_one_account(spelling):
    assert canonical_account(spelling, "casefold", REALMS) == "alice"


def test_realms_not_listed_are_other_accounts():
    assert canonical_account("alice@example.jp") == "alice@example.jp"  # nothing listed: nothing stripped
    assert canonical_account("alice@other.example", strip_realms=REALMS) == "alice@other.example"
    assert canonical_account("Alice@Other.Example", strip_realms=REALMS) == "alice@other.example"


def test_exact_mode_keeps_the_name_as_authenticated():
    assert canonical_account("Alice", "exact") == "Alice"
    assert canonical_account("ａｌｉｃｅ", "exact") == "ａｌｉｃｅ"
    # Domains are case-insensitive even for a case-sensitive backend: the realm still goes.
    assert canonical_account("Alice@EXAMPLE.jp", "exact", REALMS) == "Alice"


@pytest.mark.parametrize("name", ["", "ali\x00ce", "alice\r", "al\tice", "\x7falice", "alice\u200b", "\u202eecila",
                                  "a\u2028b", "x" * (MAX_ACCOUNT_LENGTH + 1), "ｘ" * (MAX_ACCOUNT_LENGTH + 1),
                                  "@example.jp", "ﷺ" * 100])
def test_names_that_cannot_be_accounts_give_none(name):
    assert canonical_account(name, "casefold", REALMS) is None


def test_longest_name_is_kept():
    assert canonical_account("x" * MAX_ACCOUNT_LENGTH) == "x" * MAX_ACCOUNT_LENGTH


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="lower"):
        canonical_account("alice", "lower")
    with pytest.raises(ValueError):
        account_namer("lower")


def test_account_namer_binds_the_configuration():
    name = account_namer("casefold", ["@Example.JP"])
    assert name("ＡＬＩＣＥ@example.jp") == "alice" and name("bob") == "bob"


_names = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="aAｌＬıİßẞﬁǅΣσςＫKK@.ｊｐexample\u0301\u0345", max_size=20),
    st.tuples(st.text(alphabet="aliceALICEａｌ", min_size=1, max_size=8),
              st.sampled_from(["", "@example.jp", "@EXAMPLE.JP", "＠ｅｘａｍｐｌｅ．ｊｐ", "@other.example"])).map("".join),
)


@settings(max_examples=600, deadline=None)
@given(name=_names, mode=st.sampled_from(["casefold", "exact"]))
def test_canonical_names_are_fixed_points(name, mode):
    once = canonical_account(name, mode, REALMS)
    if once is not None:
        assert canonical_account(once, mode, REALMS) == once
        assert 0 < len(once) <= MAX_ACCOUNT_LENGTH
        assert not any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in once)


@settings(max_examples=300, deadline=None)
@given(name=st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", min_size=1,
                    max_size=30))
def test_case_and_width_do_not_make_another_account(name):
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in name)  # full-width forms
    expected = name.lower()
    for spelling in (name, name.upper(), name.lower(), wide, f"{name}@example.jp", f"{wide}@EXAMPLE.jp"):
        assert canonical_account(spelling, "casefold", REALMS) == expected


def test_namer_cache_is_bounded_and_remembers_refusals(monkeypatch):
    from fumidai.policy import names

    monkeypatch.setattr(names, "CACHE_SIZE", 8)
    name = account_namer()
    for i in range(100):
        assert name(f"User{i}") == f"user{i}"
    assert name("bad\x00") is None and name("bad\x00") is None
    cache = next(c.cell_contents for c in name.__closure__ if isinstance(c.cell_contents, dict))
    assert len(cache) <= 8
