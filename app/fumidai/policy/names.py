"""One canonical account name for every spelling of a SASL user name. Standard library only.

Postfix passes ``sasl_username`` as the client typed it; most SASL backends (Dovecot with
a case-insensitive user database, LDAP, most SQL setups) accept ``Alice``, ``ALICE`` and
full-width ``ａｌｉｃｅ`` as the same login. Counting each spelling separately gives a
hijacker one quota per spelling, and a suspension of one spelling misses the others.

``[policy] account_names``:
  "casefold" (default): NFKC, then Unicode case folding (``ALICE``, ``ａｌｉｃｅ`` → ``alice``).
  "exact": the name as the backend authenticated it, for backends where ``Alice`` and
    ``alice`` are two users. No normalisation at all: another spelling may be another user.
``[policy] strip_realms``: realms (domains, compared case-insensitively) removed from the
  end of a name, so ``alice@example.jp`` is ``alice`` when ``example.jp`` is listed. A realm
  not listed is kept: ``alice@other.example`` stays a different account.

A name that cannot be an account (empty, control or format characters, longer than
MAX_ACCOUNT_LENGTH, nothing left after its realm) gives None: the caller treats the request
as malformed.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Callable, Iterable

MODES = ("casefold", "exact")
MAX_ACCOUNT_LENGTH = 256  # characters; an e-mail address is at most 254
CACHE_SIZE = 65536  # distinct (name, mode, realms) remembered: the policy path asks per request

# Control, format (zero-width, bidi overrides), surrogate, private-use, unassigned, line and
# paragraph separators: nothing a person types as a user name, and some hide what is shown.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def canonical_account(name: str, mode: str = "casefold", strip_realms: frozenset[str] = frozenset()) -> str | None:
    """The account ``name`` stands for, or None if it cannot be one (see the module docstring).

    Idempotent: ``canonical_account(canonical_account(n)) == canonical_account(n)``.
    ``strip_realms`` must hold case-folded realms (the configuration stores them so).
    """
    if mode not in MODES:
        raise ValueError(f"account name mode {mode!r}: one of {', '.join(MODES)}")
    # Bound the work before normalising: NFKC can lengthen a string many times over.
    if not name or len(name) > MAX_ACCOUNT_LENGTH * 4:
        return None
    return _canonical(name, mode, strip_realms)


@lru_cache(maxsize=CACHE_SIZE)
def _canonical(name: str, mode: str, strip_realms: frozenset[str]) -> str | None:
    if name.isascii():
        if not name.isprintable():  # ASCII control characters
            return None
        folded = name.lower() if mode == "casefold" else name  # casefold() == lower() on ASCII
    else:
        if any(unicodedata.category(c) in _REFUSED_CATEGORIES for c in name):
            return None
        folded = _nfkc_casefold(name) if mode == "casefold" else name
    # Every listed realm at the end ("bob@example.jp@example.jp" too), so that the result
    # is canonical when fed back.
    while strip_realms and "@" in folded:
        local, _, realm = folded.rpartition("@")
        if realm.casefold() not in strip_realms:
            break
        folded = local
    if not folded or len(folded) > MAX_ACCOUNT_LENGTH:
        return None
    return folded


def _nfkc_casefold(name: str) -> str:
    # Folding can undo normal form (and NFKC can make new foldable characters): repeat to a
    # fixed point, so that the result is canonical again when fed back.
    for _ in range(4):
        folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
        if folded == name:
            break
        name = folded
    return name


def account_namer(mode: str = "casefold", strip_realms: Iterable[str] = ()) -> Callable[[str], str | None]:
    """``canonical_account`` bound to ``[policy] account_names`` and ``strip_realms``, for the hot path.

    Its own cache is a plain dict (one lookup per request; cleared when CACHE_SIZE names
    are in it): calling ``canonical_account`` through its LRU cache costs ten times that.
    """
    if mode not in MODES:
        raise ValueError(f"account name mode {mode!r}: one of {', '.join(MODES)}")
    realms = frozenset(r.strip().lstrip("@").casefold() for r in strip_realms)
    cache: dict[str, str] = {}  # "" stands for None

    def name(raw: str) -> str | None:
        found = cache.get(raw)
        if found is None:
            if len(cache) >= CACHE_SIZE:
                cache.clear()
            found = cache[raw] = canonical_account(raw, mode, realms) or ""
        return found or None

    return name
