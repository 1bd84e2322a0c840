"""[policy] [api] [storage] [counters] [geoip] [notices]: what the service listens on and connects to."""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .checks import _Section, _check_action, _check_listen, _country_code, is_loopback_host


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
        from ..geo.networks import parse_networks  # stdlib only: no GeoIP reader to load here

        return [str(net) for net in parse_networks(v)]

    @field_validator("home_countries")
    @classmethod
    def _codes(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("at least one home country is needed")
        return [_country_code(c) for c in v]


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
