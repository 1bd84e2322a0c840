"""One TOML file, every key with a default, every key overridable from the environment.

    FUMIDAI_POLICY__LISTEN=unix:/run/fumidai/policy.sock
    FUMIDAI_LIMITS__COUNTRY__CN__MESSAGES_PER_DAY=5
    FUMIDAI_GEOIP__HOME_COUNTRIES='["JP", "KR"]'

An environment value is read as a TOML value when it parses as one (numbers, booleans,
arrays), else as a plain string. Unknown keys and bad values stop start-up with a message
that names the key.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError
from .policy.engine import Texts
from .policy.limits import Action, Cap, Limits, Quota, QUOTA_KEYS

ENV_PREFIX = "FUMIDAI_"
CONFIG_ENV = "FUMIDAI_CONFIG"

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


class PolicySection(_Section):
    listen: str = "127.0.0.1:10040"
    unauthenticated: str = "DUNNO"
    on_error: str = "DUNNO"
    # A connection that sends half a request and then nothing for this long is closed.
    read_timeout: float = Field(default=100.0, gt=0)
    max_connections: int = Field(default=2000, ge=1)

    _listen = field_validator("listen")(classmethod(lambda cls, v: _check_listen(v)))
    _actions = field_validator("unauthenticated", "on_error")(classmethod(lambda cls, v: _check_action(v)))


class ApiSection(_Section):
    listen: str = "127.0.0.1:8025"
    tls_cert: str = ""
    tls_key: str = ""

    @field_validator("listen")
    @classmethod
    def _listen(cls, v: str) -> str:
        if v.startswith("unix:"):
            raise ValueError("the API listens on HOST:PORT")
        return _check_listen(v)


class StorageSection(_Section):
    url: str = "sqlite:////var/lib/fumidai/fumidai.db"
    flush_interval: float = Field(default=1.0, gt=0, le=60)
    # Real seconds between tidy-ups: idle accounts' state forgotten, expired parts of the
    # others shed, old history removed. Shorter for `serve --time-scale` soaks.
    tidy_interval: float = Field(default=600.0, ge=1, le=86400)
    # Per-minute counts are kept this long for history, trends and the support desk's CSV.
    history_days: int = Field(default=90, ge=2)


class CountersSection(_Section):
    backend: Literal["memory", "redis"] = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = "fumidai"


def _country_code(code: str) -> str:
    from .geo.countries import is_country_code  # stdlib-only table

    up = code.strip().upper()
    if not is_country_code(up):
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return up


class GeoipSection(_Section):
    database: str = "/var/lib/GeoIP/GeoLite2-Country.mmdb"
    home_countries: list[str] = ["JP"]
    unknown_country: Literal["home", "abroad"] = "abroad"
    cache_size: int = Field(default=65536, ge=0)

    @field_validator("home_countries")
    @classmethod
    def _codes(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("at least one home country is needed")
        return [_country_code(c) for c in v]


class QuotaSection(_Section):
    messages_per_hour: LimitValue = None
    messages_per_day: LimitValue = None
    recipients_per_hour: LimitValue = None
    recipients_per_day: LimitValue = None
    recipients_per_message: LimitValue = None
    unique_recipients_per_day: LimitValue = None

    def quota(self) -> Quota:
        return Quota(**{k: _limit(getattr(self, k)) for k in QUOTA_KEYS})


class CapSection(QuotaSection):
    on_limit: Action = Action.REJECT


class AbroadSection(CapSection):
    # A default of its own, so a [limits.abroad] table that sets only on_limit keeps the cap.
    messages_per_day: LimitValue = 20


class LimitsSection(QuotaSection):
    messages_per_hour: LimitValue = 100
    messages_per_day: LimitValue = 500
    recipients_per_hour: LimitValue = 300
    recipients_per_day: LimitValue = 1500
    recipients_per_message: LimitValue = 100
    unique_recipients_per_day: LimitValue = None
    abroad: AbroadSection = AbroadSection()
    country: dict[str, CapSection] = {}

    @field_validator("country")
    @classmethod
    def _codes(cls, v: dict[str, CapSection]) -> dict[str, CapSection]:
        return {_country_code(k): s for k, s in v.items()}


_TEXTS = Texts()  # the engine's own defaults


class ActionsSection(_Section):
    """[actions]: what happens at an account quota, and the texts Postfix relays to the client."""

    on_limit: Action = _TEXTS.on_limit
    suspend_text: str = _TEXTS.suspend_text
    defer_text: str = _TEXTS.defer_text
    reject_text: str = _TEXTS.reject_text
    country_text: str = _TEXTS.country_text
    recipients_text: str = _TEXTS.recipients_text
    hold_text: str = _TEXTS.hold_text
    filter_transport: str = _TEXTS.filter_transport

    def texts(self) -> Texts:
        return Texts(**self.model_dump())

    @field_validator("suspend_text", "reject_text", "country_text", "recipients_text")
    @classmethod
    def _permanent(cls, v: str) -> str:
        if not v[:1] == "5":
            raise ValueError("must start with a 5.x.x enhanced status code")
        return _one_line(v)

    @field_validator("defer_text")
    @classmethod
    def _temporary(cls, v: str) -> str:
        if not v[:1] == "4":
            raise ValueError("must start with a 4.x.x enhanced status code")
        return _one_line(v)

    @field_validator("hold_text")
    @classmethod
    def _line(cls, v: str) -> str:
        return _one_line(v)

    @field_validator("filter_transport")
    @classmethod
    def _transport(cls, v: str) -> str:
        if ":" not in v or any(c.isspace() for c in v):
            raise ValueError("must be transport:nexthop, e.g. smtp:[quarantine.example]:25")
        return v


class NoticesSection(_Section):
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    security: Literal["none", "starttls", "tls"] = "none"
    username: str = ""
    password: str = ""
    timeout: float = Field(default=30.0, gt=0)
    sender: str = "abuse@isp.example"
    sender_name: str = ""
    bcc: str = ""
    templates: str = ""
    support_contact: str = "support@isp.example"
    timezone: str = "Asia/Tokyo"
    default_language: Literal["ja", "en"] = "ja"
    retry_delays: list[float] = [10, 30, 120, 600, 1800, 3600]


class Settings(_Section):
    """The whole configuration; every section has defaults."""

    policy: PolicySection = PolicySection()
    api: ApiSection = ApiSection()
    storage: StorageSection = StorageSection()
    counters: CountersSection = CountersSection()
    geoip: GeoipSection = GeoipSection()
    limits: LimitsSection = LimitsSection()
    actions: ActionsSection = ActionsSection()
    notices: NoticesSection = NoticesSection()

    def default_limits(self) -> Limits:
        """The limits of every account that has no override of its own."""
        lim = self.limits
        return Limits(
            account=lim.quota(),
            home_countries=frozenset(self.geoip.home_countries),
            abroad=Cap(lim.abroad.quota(), lim.abroad.on_limit),
            countries={code: Cap(s.quota(), s.on_limit) for code, s in lim.country.items()},
        )


def _limit(value: int | str | None) -> int | None:
    return None if value in (None, "unlimited") else int(value)


def _one_line(v: str) -> str:
    if "\n" in v or "\r" in v:
        raise ValueError("must be one line")
    return v.strip()


def _env_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _apply_env(data: dict[str, Any], env: Mapping[str, str]) -> None:
    for name, raw in sorted(env.items()):
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV or "__" not in name:
            continue
        path = name[len(ENV_PREFIX):].split("__")
        # Country sections are keyed by upper-case ISO codes; everything else is lower case.
        keys = [p if (i >= 2 and path[:2] == ["LIMITS", "COUNTRY"] and i == 2) else p.lower() for i, p in enumerate(path)]
        node = data
        for key in keys[:-1]:
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                raise ConfigError(f"{name}: {'.'.join(keys[:-1])} is not a table")
            node = child
        node[keys[-1]] = _env_value(raw)


def _describe(err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"] if not str(p).startswith(("function-", "literal[", "int", "constrained")))
        if e["type"] == "extra_forbidden":
            lines.append(f"{loc}: unknown key")
        else:
            lines.append(f"{loc}: {e['msg']} (got {e.get('input')!r})")
    # Unions report once per branch; keep each key's first message.
    seen: dict[str, str] = {}
    for line in lines:
        seen.setdefault(line.split(":", 1)[0], line)
    return "; ".join(seen.values())


def settings_from_dict(data: dict[str, Any], source: str = "configuration") -> Settings:
    try:
        return Settings.model_validate(data)
    except ValidationError as err:
        raise ConfigError(f"{source}: {_describe(err)}") from None


def load_settings(path: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read the TOML file (``path``, else $FUMIDAI_CONFIG, else none) and the environment."""
    env = os.environ if env is None else env
    path = path or env.get(CONFIG_ENV) or None
    data: dict[str, Any] = {}
    source = "defaults"
    if path:
        source = str(path)
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such configuration file") from None
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(f"{path}: cannot read: {err}") from None
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{path}: not valid TOML: {err}") from None
    _apply_env(data, env)
    return settings_from_dict(data, source)
