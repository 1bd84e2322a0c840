"""Which notice fits an account's state (no Qt: the dialogs and tests share it).

The bundled templates (resources/templates/templates.toml) are ``suspended_auto``,
``suspended_staff``, ``warning`` and ``restored``; a backend with its own folder of templates may
name them otherwise, so each state lists its candidates, best first, and the first the backend
offers wins. Offering "restored" for a stopped account would tell its owner something untrue.
"""

from __future__ import annotations

from collections.abc import Iterable

SUSPENDED_AUTO = ("suspended_auto", "suspended", "suspended_staff")
SUSPENDED_STAFF = ("suspended_staff", "suspended", "suspended_auto")
RESTORED = ("restored",)
WARNING = ("warning",)
# Never offered first while the account is stopped, and never while it sends.
_WRONG_WHEN_STOPPED = set(RESTORED) | set(WARNING)
_WRONG_WHEN_SENDING = set(SUSPENDED_AUTO) | set(SUSPENDED_STAFF)


def released_recently(history: Iterable[dict]) -> bool:
    """True when the latest suspend-or-release in the audit entries is a release."""
    latest = None
    for entry in history:
        if not isinstance(entry, dict) or entry.get("action") not in ("suspend", "release"):
            continue
        if latest is None or int(entry.get("id") or 0) > int(latest.get("id") or 0):
            latest = entry
    return latest is not None and latest.get("action") == "release"


def suggested_template(status: str, suspended_by: str, available: Iterable[str],
                       released: bool = False) -> str:
    """The template to offer first for an account in this state ("" if the backend has none).

    ``status``: "suspended" | "limited" | "ok"; ``suspended_by``: "auto" or a staff name;
    ``released``: its latest suspension was lifted (audit shows a release).
    """
    names = [n for n in available if n]
    if status == "suspended":
        wanted = SUSPENDED_AUTO if suspended_by == "auto" else SUSPENDED_STAFF
        wrong = _WRONG_WHEN_STOPPED
    else:
        wanted = RESTORED + WARNING if released else WARNING
        wrong = _WRONG_WHEN_SENDING | (set() if released else set(RESTORED))
    for name in wanted:
        if name in names:
            return name
    fitting = [n for n in names if n not in wrong]
    return fitting[0] if fitting else ""


def fits_state(template: str, status: str) -> bool:
    """False for a letter that says the opposite of the account's state (the warning says "not stopped")."""
    return template not in (_WRONG_WHEN_STOPPED if status == "suspended" else _WRONG_WHEN_SENDING)
