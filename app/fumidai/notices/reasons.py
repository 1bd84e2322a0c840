"""Reason codes from the policy engine as sentences an account owner can read.

Codes: "suspended", "quota:KEY", "abroad:KEY", "country:CC:KEY" (KEY one of QUOTA_KEYS).
Anything else (a staff member's free text) is returned as it is.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..geo.countries import country_name

# (ja, en) names of each quota, as "the number of …" phrases.
_QUOTA = {
    "messages_per_hour": ("1時間あたりの送信メール数", "messages per hour"),
    "messages_per_day": ("24時間あたりの送信メール数", "messages per 24 hours"),
    "recipients_per_hour": ("1時間あたりの宛先数", "recipients per hour"),
    "recipients_per_day": ("24時間あたりの宛先数", "recipients per 24 hours"),
    "recipients_per_message": ("1通あたりの宛先数", "recipients per message"),
    "unique_recipients_per_day": ("24時間あたりの異なる宛先数", "distinct recipients per 24 hours"),
}


def quota_label(key: str, language: str) -> str:
    names = _QUOTA.get(key)
    if names is None:
        return key
    return names[0] if language == "ja" else names[1]


def _ja_limit(key: str, n: int | None) -> str:
    if n is None:
        return ""
    return f"（{n:,}{'通' if key.startswith('messages') else '件'}）"


def _value(limits: Mapping[str, Any] | None, *path: str) -> int | None:
    node: Any = limits
    for p in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(p)
    return node if isinstance(node, int) else None


def _home(limits: Mapping[str, Any] | None, language: str) -> str:
    codes = list((limits or {}).get("home_countries") or [])
    sep = "・" if language == "ja" else ", "
    return sep.join(country_name(c, language) for c in codes)


def reason_text(code: str, language: str, limits: Mapping[str, Any] | None = None) -> str:
    """One whole sentence, with its full stop, for a reason code."""
    ja = language == "ja"
    parts = code.split(":")
    if code == "suspended":
        return ("送信停止中のアカウントから送信が試みられました。" if ja
                else "Mail was submitted while sending from the account was suspended.")
    if len(parts) == 2 and parts[0] == "quota" and parts[1] in _QUOTA:
        key = parts[1]
        n = _value(limits, "account", key)
        if ja:
            return f"このアカウントからの送信が、{quota_label(key, 'ja')}の上限{_ja_limit(key, n)}に達しました。"
        limit = quota_label(key, "en") if n is None else f"{n:,} {quota_label(key, 'en')}"
        return f"The account reached its limit of {limit}."
    if len(parts) == 2 and parts[0] == "abroad" and parts[1] in _QUOTA:
        key = parts[1]
        n = _value(limits, "abroad", key)
        home = _home(limits, language)
        if ja:
            where = f"{home}以外" if home else "国外"
            return f"{where}の国・地域からの送信が、{quota_label(key, 'ja')}の上限{_ja_limit(key, n)}に達しました。"
        where = f"outside {home}" if home else "abroad"
        limit = quota_label(key, "en") if n is None else f"{n:,} {quota_label(key, 'en')}"
        return f"Mail sent from {where} reached the limit of {limit}."
    if len(parts) == 3 and parts[0] == "country" and parts[2] in _QUOTA:
        cc, key = parts[1], parts[2]
        n = _value(limits, "countries", cc, key)
        name = country_name(cc, language)
        if ja:
            return f"{name}からの送信が、{quota_label(key, 'ja')}の上限{_ja_limit(key, n)}に達しました。"
        limit = quota_label(key, "en") if n is None else f"{n:,} {quota_label(key, 'en')}"
        return f"Mail sent from {name} reached the limit of {limit}."
    return code


def is_reason_code(code: str) -> bool:
    return reason_text(code, "en") != code
