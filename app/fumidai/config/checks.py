"""What several sections share: the frozen no-extra-keys base, and checks of one value."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

# A limit is a whole number >= 0 (0 allows nothing) or "unlimited".
LimitValue = Annotated[int, Field(ge=0)] | Literal["unlimited"] | None


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_action(value: str) -> str:
    action = value.split(None, 1)[0].upper() if value.strip() else ""
    allowed = {"DUNNO", "OK", "REJECT", "DEFER", "DEFER_IF_PERMIT", "DEFER_IF_REJECT", "HOLD", "WARN", "INFO"}
    if action not in allowed and not (len(action) == 3 and action[0] in "45" and action.isdigit()):
        raise ValueError(f"{value!r} is not a Postfix access action (DUNNO, REJECT text, DEFER text, 4NN/5NN text …)")
    return value.strip()


def _check_listen(value: str) -> str:
    if value.startswith("unix:"):
        if len(value) <= 5:
            raise ValueError("unix: needs a socket path, e.g. unix:/run/fumidai/policy.sock")
        return value
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"{value!r} is not HOST:PORT or unix:/path")
    return value


def is_loopback_host(host: str) -> bool:
    """True for "localhost" and loopback addresses; any other name or address is not."""
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _country_code(code: str) -> str:
    from ..geo.countries import is_country_code  # stdlib-only table

    up = code.strip().upper()
    if not is_country_code(up):
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return up


def _limit(value: int | str | None) -> int | None:
    return None if value in (None, "unlimited") else int(value)


def _one_line(v: str) -> str:
    if "\n" in v or "\r" in v:
        raise ValueError("must be one line")
    return v.strip()
