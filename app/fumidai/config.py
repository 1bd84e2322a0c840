"""One TOML file, every key with a default, every key overridable from the environment.

    FUMIDAI_POLICY__LISTEN=unix:/run/fumidai/policy.sock
    FUMIDAI_LIMITS__COUNTRY__CN__MESSAGES_PER_DAY=5
    FUMIDAI_GEOIP__HOME_COUNTRIES='["JP", "KR"]'

An environment value is read as a TOML value when it parses as one (numbers, booleans,
arrays), else as a plain string. Unknown keys and bad values stop start-up with a message
that names the key.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, Mapping

from dataclasses import MISSING, asdict, fields as dataclass_fields

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator, model_validator

from .behaviour.config import BehaviourConfig
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


def is_loopback_host(host: str) -> bool:
    """True for "localhost" and loopback addresses; any other name or address is not."""
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class PolicySection(_Section):
    listen: str = "127.0.0.1:10040"
    unauthenticated: str = "DUNNO"
    on_error: str = "DUNNO"
    # A connection that sends half a request and then nothing for this long is closed.
    read_timeout: float = Field(default=100.0, gt=0)
    max_connections: int = Field(default=2000, ge=1)
    # Who may talk to the policy server (docs/policy-access.md).
    # A unix socket is made 0660 and given this group ("" keeps the process's own group).
    socket_group: str = "postfix"
    # TCP peers allowed to connect: addresses or CIDR networks; anyone else is closed at once.
    allow: list[str] = ["127.0.0.1", "::1"]
    # A connection with no request in progress is closed after this long. Longer than
    # Postfix's smtpd_policy_service_max_idle (300 s), so Postfix is the one that closes.
    idle_timeout: float = Field(default=330.0, gt=0)
    # Connections one peer (an address; a user id on a unix socket) may hold open at once.
    max_connections_per_peer: int = Field(default=500, ge=1)
    # Numbers in a request above these are malformed: answered on_error, never counted.
    max_recipients: int = Field(default=100_000, ge=1, le=10**9)
    max_size: int = Field(default=10 * 2**30, ge=1, le=2**53)
    # How SASL user names become account names (fumidai.policy.names).
    account_names: Literal["casefold", "exact"] = "casefold"
    # Realms removed from the end of a user name: "alice@example.jp" is "alice" when
    # "example.jp" is listed.
    strip_realms: list[str] = []

    _listen = field_validator("listen")(classmethod(lambda cls, v: _check_listen(v)))
    _actions = field_validator("unauthenticated", "on_error")(classmethod(lambda cls, v: _check_action(v)))

    @field_validator("allow")
    @classmethod
    def _networks(cls, v: list[str]) -> list[str]:
        for entry in v:
            try:
                ipaddress.ip_network(entry.strip(), strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or network (127.0.0.1, 10.0.0.0/8, ::1)") from None
        return [entry.strip() for entry in v]

    @model_validator(mode="after")
    def _reachable(self) -> PolicySection:
        # Listening off loopback while only loopback may connect refuses every MTA node: Postfix
        # would fail open (or defer everything) with nothing but our log lines to say why.
        host = self.listen.rpartition(":")[0].strip("[]")
        if not self.listen.startswith("unix:") and not is_loopback_host(host) and all(
                ipaddress.ip_network(a, strict=False).network_address.is_loopback for a in self.allow):
            raise ValueError(f"allow: listen is {self.listen!r} but only loopback peers are allowed; list the MTA "
                             "nodes' addresses or networks in policy.allow")
        return self

    @field_validator("strip_realms")
    @classmethod
    def _realms(cls, v: list[str]) -> list[str]:
        out = []
        for realm in v:
            realm = realm.strip().lstrip("@").casefold()
            if not realm or any(c.isspace() or c == "@" for c in realm):
                raise ValueError(f"{realm!r} is not a realm (a domain such as example.jp)")
            out.append(realm)
        return out


class ApiSection(_Section):
    listen: str = "127.0.0.1:8025"
    tls_cert: str = ""
    tls_key: str = ""
    # Staff tokens must not cross a network in clear: a listen address other than loopback
    # needs tls_cert/tls_key, unless this says a TLS proxy in front does the job.
    allow_plain_http: bool = False
    # Request bodies larger than this are refused (413) without being read.
    max_body: int = Field(default=2**20, ge=1024)
    # Failed token checks one client address may make per minute before it gets 429.
    auth_failures_per_minute: int = Field(default=30, ge=1)

    @field_validator("listen")
    @classmethod
    def _listen(cls, v: str) -> str:
        if v.startswith("unix:"):
            raise ValueError("the API listens on HOST:PORT")
        return _check_listen(v)

    @model_validator(mode="after")
    def _plain_http(self) -> ApiSection:
        host = self.listen.rpartition(":")[0].strip("[]")
        if not (self.tls_cert and self.tls_key) and not self.allow_plain_http and not is_loopback_host(host):
            raise ValueError(f"listen: {self.listen!r} is not a loopback address and TLS is off: staff tokens would "
                             "cross the network in clear. Set api.tls_cert and api.tls_key, or "
                             "api.allow_plain_http = true if a TLS proxy in front of it does the job")
        return self


class StorageSection(_Section):
    url: str = "sqlite:////var/lib/fumidai/fumidai.db"
    flush_interval: float = Field(default=1.0, gt=0, le=60)
    # Real seconds between tidy-ups: idle accounts' state forgotten, expired parts of the
    # others shed, old history removed. Shorter for `serve --time-scale` soaks.
    tidy_interval: float = Field(default=600.0, ge=1, le=86400)
    # Per-minute counts are kept this long for history, trends and the support desk's CSV.
    history_days: int = Field(default=90, ge=2)
    # Rows (count buckets, alerts, automatic suspensions) kept while the store is down; past it
    # the oldest counts are dropped and counted (automatic suspensions never).
    max_backlog: int = Field(default=1_000_000, ge=100)
    # A log line and an alert when the backlog reaches this many rows, and when it is written again.
    backlog_alert: int = Field(default=10_000, ge=1)


class CountersSection(_Section):
    backend: Literal["memory", "redis"] = "memory"
    # redis://, rediss:// (TLS: the server's certificate and host name are always checked) or
    # unix://; an ACL user and password may be in it (rediss://USER:PASSWORD@host:6380/0).
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = "fumidai"
    # With backend = "redis": one quota across nodes (counters/shared_quota.py) — each counted
    # message a node would accept is decided in Redis, waiting at most script_timeout seconds
    # (then this node decides alone until Redis answers again).
    shared_quota: bool = True
    script_timeout: float = Field(default=0.05, gt=0, le=5)
    redis_username: str = ""  # the ACL user, if not in redis_url
    redis_password_file: str = ""  # a file holding the password, so it is not in the configuration
    redis_ca_file: str = ""  # rediss: the CA certificates to trust ("" = the system's)
    redis_cert_file: str = ""  # rediss: a client certificate, if the server asks for one
    redis_key_file: str = ""
    # Sentinel: the master's address comes from these ("host:port"); redis_url then gives the
    # scheme (TLS or not, for the sentinels too), credentials and database only.
    redis_sentinels: list[str] = []
    redis_sentinel_master: str = ""
    redis_sentinel_username: str = ""  # if the sentinels have an ACL of their own
    redis_sentinel_password_file: str = ""

    @field_validator("redis_sentinels")
    @classmethod
    def _sentinels(cls, v: list[str]) -> list[str]:
        for item in v:
            host, sep, port = item.rpartition(":")
            host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
            if not sep or not host or not port.isdigit() or not 0 < int(port) <= 65535:
                raise ValueError(f"{item!r} is not host:port (e.g. \"10.0.0.5:26379\" or \"[::1]:26379\")")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> CountersSection:
        if bool(self.redis_sentinels) != bool(self.redis_sentinel_master):
            raise ValueError("redis_sentinels and redis_sentinel_master go together: the sentinels' addresses "
                             "and the name of the master they watch")
        tls = self.redis_url.lower().startswith("rediss://")
        for key in ("redis_ca_file", "redis_cert_file", "redis_key_file"):
            if getattr(self, key) and not tls:
                raise ValueError(f"{key} is for TLS: redis_url must start with rediss://")
        if self.redis_key_file and not self.redis_cert_file:
            raise ValueError("redis_key_file needs redis_cert_file")
        if self.redis_sentinels and self.redis_url.lower().startswith("unix://"):
            raise ValueError("with redis_sentinels, redis_url must be redis:// or rediss://")
        return self


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
    # The ISP's own networks (NAT pools, webmail hosts): home for every account, like the
    # loopback, private, CGNAT, link-local and unique-local ranges that always are.
    internal_networks: list[str] = []

    @field_validator("internal_networks")
    @classmethod
    def _networks(cls, v: list[str]) -> list[str]:
        from .geo.networks import parse_networks  # stdlib only: no GeoIP reader to load here

        return [str(net) for net in parse_networks(v)]

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


# [behaviour]: one key per BehaviourConfig field, same name, same default (documented in
# packaging/fumidai.example.toml); BehaviourConfig's own checks name the key on bad values.
_TOML_TYPES = {"int": int, "float": float, "bool": bool, "str": str, "tuple[str, ...]": list[str]}
_BehaviourKeys = create_model(  # type: ignore[call-overload]
    "_BehaviourKeys",
    __base__=_Section,
    **{
        f.name: (_TOML_TYPES[f.type], list(f.default) if isinstance(f.default, tuple) else f.default)
        for f in dataclass_fields(BehaviourConfig)
        if f.default is not MISSING
    },
)


class BehaviourSection(_BehaviourKeys):  # type: ignore[misc, valid-type]
    @model_validator(mode="after")
    def _consistent(self) -> "BehaviourSection":
        self.config()
        return self

    def config(self) -> BehaviourConfig:
        values = self.model_dump()
        values["exempt_networks"] = tuple(values["exempt_networks"])
        return BehaviourConfig(**values)


assert set(BehaviourSection.model_fields) == set(asdict(BehaviourConfig())), "every threshold has a key"

class ComplaintsSection(_Section):
    """[complaints]: the trace header on accepted mail, and strikes from complaints."""

    # PREPENDed at DATA with the account's opaque token; "" turns tracing off.
    trace_header: str = "X-Fumidai-Trace"
    # The key file. "" = trace.key in the state folder (the SQLite store's folder, else
    # /var/lib/fumidai), which `fumidai serve` makes at its first start; a file named here
    # must exist (`fumidai complaints keygen`): several nodes share one key.
    secret_file: str = ""
    # A key replaced by a newer one still resolves tokens this long (complaints come late).
    key_retention_days: float = Field(default=30.0, gt=0)
    suspend_after: int = Field(default=3, ge=1)
    window: float = Field(default=86400.0, gt=0, le=366 * 86400.0)

    @field_validator("trace_header")
    @classmethod
    def _header_name(cls, v: str) -> str:
        # RFC 5322 field name: printable ASCII but ':'; a name of ours, not a standard one.
        if v and not all(33 <= ord(c) <= 126 and c != ":" for c in v):
            raise ValueError("must be a header field name (letters, digits, '-'), or \"\" to turn tracing off")
        if v.lower() in _STANDARD_HEADERS:
            raise ValueError(f"{v!r} is a standard header; use a name of your own such as X-Fumidai-Trace")
        return v

    @property
    def key_retention(self) -> float:
        return self.key_retention_days * 86400.0


_STANDARD_HEADERS = frozenset({"from", "to", "cc", "bcc", "subject", "date", "message-id", "received", "sender",
                               "reply-to", "return-path", "mime-version", "content-type", "dkim-signature"})


class BlocklistZone(_Section):
    """One DNS blocklist: its zone, what its answers mean, and where to ask for delisting."""

    zone: str
    # Answer address -> meaning, e.g. {"127.0.0.2" = "SBL"}; empty = any 127.0.0.0/8 answer
    # below 127.255.255.0 means listed.
    listed: dict[str, str] = {}
    delist_url: str = ""

    @field_validator("zone")
    @classmethod
    def _zone(cls, v: str) -> str:
        return _check_zone(v)

    @field_validator("listed")
    @classmethod
    def _codes(cls, v: dict[str, str]) -> dict[str, str]:
        import ipaddress

        for code in v:
            try:
                addr = ipaddress.IPv4Address(code)
            except ValueError:
                raise ValueError(f"{code!r} is not an IPv4 answer address such as 127.0.0.2") from None
            if addr not in ipaddress.IPv4Network("127.0.0.0/8"):
                raise ValueError(f"{code!r}: blocklist answers are in 127.0.0.0/8")
        return v


def _check_zone(v: str) -> str:
    name = v.strip().rstrip(".").lower()
    labels = name.split(".")
    if len(labels) < 2 or not all(0 < len(x) <= 63 and x.replace("-", "").replace("_", "").isalnum() for x in labels):
        raise ValueError(f"{v!r} is not a DNS zone name such as zen.spamhaus.org")
    return name


def parse_nameserver(spec: str) -> tuple[str, int]:
    """``"127.0.0.1:53"``, ``"10.0.0.1"`` or ``"[2001:db8::53]:5353"`` → (address, port); ValueError if not."""
    import ipaddress

    host, port = spec, "53"
    if spec.startswith("["):
        host, _, rest = spec[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ("53" if not rest else "x")
    elif spec.count(":") == 1:
        host, port = spec.split(":")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"{spec!r}: a name server is an IP address[:port] (IPv6 as [addr]:port)") from None
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f"{spec!r}: bad port")
    return host, int(port)


# A sensible default set: Spamhaus ZEN (its PBL answers 127.0.0.10/11 list dynamic ranges,
# which an ISP's egress should never be in), SpamCop, Barracuda, PSBL.
DEFAULT_ZONES = (
    BlocklistZone(zone="zen.spamhaus.org", delist_url="https://check.spamhaus.org/",
                  listed={"127.0.0.2": "SBL", "127.0.0.3": "SBL CSS", "127.0.0.4": "XBL", "127.0.0.9": "SBL DROP",
                          "127.0.0.10": "PBL (ISP)", "127.0.0.11": "PBL (Spamhaus)"}),
    BlocklistZone(zone="bl.spamcop.net", delist_url="https://www.spamcop.net/bl.shtml", listed={"127.0.0.2": "SpamCop"}),
    BlocklistZone(zone="b.barracudacentral.org", delist_url="https://www.barracudacentral.org/rbl/removal-request",
                  listed={"127.0.0.2": "Barracuda"}),
    BlocklistZone(zone="psbl.surriel.com", delist_url="https://psbl.org/", listed={"127.0.0.2": "PSBL"}),
)


class BlocklistsSection(_Section):
    """[blocklists]: the egress addresses watched on DNS blocklists."""

    egress: list[str] = []  # the ISP's outbound addresses; none = the monitor does not run
    # A zone's name alone, or a table {zone, listed = {"127.0.0.2" = "SBL"}, delist_url}.
    zones: list[BlocklistZone] = list(DEFAULT_ZONES)
    nameservers: list[str] = []  # host[:port]; empty = the system's resolver
    interval: float = Field(default=300.0, ge=10)
    timeout: float = Field(default=5.0, gt=0, le=60)

    @field_validator("egress")
    @classmethod
    def _addresses(cls, v: list[str]) -> list[str]:
        import ipaddress

        out = []
        for a in v:
            try:
                out.append(str(ipaddress.ip_address(a.strip())))
            except ValueError:
                raise ValueError(f"{a!r} is not an IPv4 or IPv6 address") from None
        return list(dict.fromkeys(out))  # the same address twice (spelled two ways) is one

    @field_validator("zones", mode="before")
    @classmethod
    def _zone_names(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [{"zone": z} if isinstance(z, str) else z for z in v]
        return v

    @field_validator("nameservers")
    @classmethod
    def _servers(cls, v: list[str]) -> list[str]:
        for spec in v:
            parse_nameserver(spec.strip())
        return [spec.strip() for spec in v]


STATE_FOLDER = "/var/lib/fumidai"  # the service's own folder (systemd StateDirectory=fumidai)


def state_folder(settings: Settings) -> Path:
    """Where the service keeps its files: the SQLite store's folder, else /var/lib/fumidai."""
    url = settings.storage.url
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):].split("?", 1)[0]
        if path and path != ":memory:":
            return Path(path).parent
    return Path(STATE_FOLDER)


def trace_key_file(settings: Settings) -> Path:
    """``[complaints] secret_file``, else trace.key in the state folder."""
    named = settings.complaints.secret_file
    return Path(named) if named else state_folder(settings) / "trace.key"


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
    behaviour: BehaviourSection = BehaviourSection()
    complaints: ComplaintsSection = ComplaintsSection()
    blocklists: BlocklistsSection = BlocklistsSection()

    def default_limits(self) -> Limits:
        """The limits of every account that has no override of its own."""
        lim = self.limits
        return Limits(
            account=lim.quota(),
            home_countries=frozenset(self.geoip.home_countries),
            abroad=Cap(lim.abroad.quota(), lim.abroad.on_limit),
            countries={code: Cap(s.quota(), s.on_limit) for code, s in lim.country.items()},
        )


MASK = "********"
# scheme://user:PASSWORD@host: up to the last "@", so a password with a raw "@" or "/" is hidden whole.
_URL_PASSWORD = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://[^/@:]*:)(.*)@")


def mask_secrets(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of a settings dump (``Settings.model_dump(mode="json")``) fit to print.

    Every non-empty ``password`` key and the password in any URL (storage.url,
    counters.redis_url) become ``********``; nothing else changes.
    """
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out[key] = mask_secrets(value)
        elif key == "password" and value:
            out[key] = MASK
        elif isinstance(value, str):
            out[key] = _URL_PASSWORD.sub(lambda m: f"{m.group(1)}{MASK}@" if m.group(2) else m.group(0), value)
        else:
            out[key] = value
    return out


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


def _is_type_tag(part: str) -> bool:
    """A union branch's name in an error location ("int", "literal['unlimited']"), not a key."""
    return part == "int" or part.startswith(("function-", "literal[", "constrained"))


def _describe(err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"] if str(p) != "int" and not str(p).startswith(("function-", "literal[", "constrained")))
        loc = ".".join(str(p) for p in e["loc"] if not _is_type_tag(str(p)))
        if e["type"] == "extra_forbidden":
            lines.append(f"{loc}: unknown key")
        elif e["type"] == "value_error" and isinstance(e.get("input"), dict):
            # A check across a section's keys: its message starts with the key it is about.
            lines.append(f"{loc}.{str(e['msg']).removeprefix('Value error, ')}")
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
