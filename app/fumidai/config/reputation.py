"""[complaints] and [blocklists]: the trace header and strikes, the egress addresses watched on DNS blocklists."""

from __future__ import annotations

import ipaddress
from typing import Any

from pydantic import Field, field_validator

from .checks import _Section


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
