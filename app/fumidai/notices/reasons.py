"""Reason codes from the policy engine as sentences an account owner can read.

Codes: "suspended", "quota:KEY", "abroad:KEY", "country:CC:KEY" (KEY one of QUOTA_KEYS), and
"behaviour:SIGNAL[/CC][,SIGNAL…]" for a stop by behaviour analysis (signal codes of
fumidai.behaviour, a country with new_country), said in the owner's words by
behaviour.describe_for_owner: no addresses, networks or thresholds.
Anything else (a staff member's free text) is returned as it is.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..geo.countries import country_name, is_country_code

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


BEHAVIOUR_PREFIX = "behaviour:"
MAX_BEHAVIOUR_REASONS = 12


def behaviour_reason_code(reasons: Any) -> str:
    """The reason code of a stop by behaviour from its verdict's reasons (behaviour.Signal or
    their dicts): what a suspension or alert keeps, so a notice can say it to the owner."""
    parts = []
    for r in reasons:
        code, numbers = (r.get("code"), r) if isinstance(r, Mapping) else (r.code, r.numbers)
        country = str(numbers.get("country") or "") if code == "new_country" else ""
        parts.append(f"{code}/{country}" if is_country_code(country) else str(code))
    return BEHAVIOUR_PREFIX + ",".join(parts)


def _behaviour_reasons(code: str) -> list[dict[str, str]] | None:
    """The reasons of a behaviour code, or None when it is not one (anything unknown in it)."""
    from ..behaviour.permissions import TRUSTABLE_SIGNALS

    if not code.startswith(BEHAVIOUR_PREFIX):
        return None
    out = []
    for item in code[len(BEHAVIOUR_PREFIX):].split(","):
        signal, _, country = item.partition("/")
        if signal not in TRUSTABLE_SIGNALS and signal != "probation_budget":
            return None
        if country and (signal != "new_country" or not is_country_code(country)):
            return None
        out.append({"code": signal, "country": country} if country else {"code": signal})
    return out if 0 < len(out) <= MAX_BEHAVIOUR_REASONS else None


def reason_text(code: str, language: str, limits: Mapping[str, Any] | None = None) -> str:
    """One whole sentence, with its full stop, for a reason code."""
    ja = language == "ja"
    behaviour = _behaviour_reasons(code)
    if behaviour is not None:
        return _behaviour_text(behaviour, language)
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


def _behaviour_text(reasons: list[dict[str, str]], language: str) -> str:
    from ..behaviour import describe_for_owner

    ja = language == "ja"
    said: list[str] = []
    for r in reasons:
        text = describe_for_owner(r, language)
        if r.get("country"):  # the owner reads a country's name, not its code
            text = text.replace(f"({r['country']})", f"({country_name(r['country'], language)})")
        if text not in said:
            said.append(text)
    if ja:
        return "".join(f"{t}。" for t in said)
    return " ".join(f"{t[0].upper()}{t[1:]}." for t in said)


def is_behaviour_code(code: str) -> bool:
    return _behaviour_reasons(code) is not None


def is_reason_code(code: str) -> bool:
    return reason_text(code, "en") != code
