"""Address ranges: the ones that are internal everywhere, and the operator's own (standard library only)."""

from __future__ import annotations

import ipaddress

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
RESERVED_INTERNAL: tuple[Network, ...] = tuple(ipaddress.ip_network(n) for n in (
    "127.0.0.0/8", "::1/128",  # loopback: webmail or a content filter on the mail server itself
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",  # RFC 1918 private
    "100.64.0.0/10",  # RFC 6598 shared address space: carrier-grade NAT
    "169.254.0.0/16", "fe80::/10",  # link-local
    "fc00::/7",  # unique-local IPv6
))


def parse_networks(texts: list[str] | tuple[str, ...]) -> tuple[Network, ...]:
    """CIDR blocks or single addresses; a ValueError names the first bad one."""
    nets = []
    for text in texts:
        try:
            nets.append(ipaddress.ip_network(text.strip()))
        except ValueError as err:  # "10.0.0.1/8" has host bits set; say which entry and why
            raise ValueError(f"{text!r} is not a network: {err}") from None
    return tuple(nets)


def normalise(text: str) -> str | None:
    """A plain address from the forms Postfix and people write ("[2001:db8::1]", "fe80::1%eth0")."""
    text = text.strip().strip("[]")
    if text[:5].lower() == "ipv6:":
        text = text[5:]
    try:
        addr = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if addr.version == 6 and addr.ipv4_mapped:  # a dual-stack socket's view of an IPv4 client
        return str(addr.ipv4_mapped)
    return str(addr)


def in_any(ip: str, networks: tuple[Network, ...]) -> bool:
    """Whether ``ip`` (in any form ``normalise`` reads) is in one of ``networks``; False for a non-address."""
    plain = normalise(ip) if isinstance(ip, str) else None
    if plain is None:
        return False
    addr = ipaddress.ip_address(plain)
    return any(addr in net for net in networks)
