"""Client IP address → ISO country code, from any MaxMind-format (.mmdb) country database.

The ISP's own networks answer ``INTERNAL_COUNTRY`` (QI), which the engine counts as home for
every account: webmail submitting through localhost and customers behind the ISP's NAT must
not fall under the abroad cap. Which addresses are internal, in this order:

1. ``[geoip] internal_networks``, the operator's list (NAT pools, webmail hosts): always,
   even where the database places them in a country.
2. What the database places: its country.
3. ``RESERVED_INTERNAL`` (loopback, private, CGNAT, link-local, unique-local), which no
   public database places; a database built to place them (a test rig's) is believed.
Anything else the database cannot place is ``UNKNOWN_COUNTRY`` (ZZ), documentation
ranges such as 192.0.2.0/24 included.
"""

from __future__ import annotations

import os
import re
import socket
from functools import lru_cache
from pathlib import Path

import geoip2.database
import maxminddb

from ..errors import FumidaiError
from ..policy import INTERNAL_COUNTRY, UNKNOWN_COUNTRY
from .countries import COUNTRY_CODES
from .networks import RESERVED_INTERNAL, in_any, normalise, parse_networks

FIX_HINT = "build one with `fumidai geoip build --demo -o PATH` or point [geoip] database at a GeoLite2-Country.mmdb"
_NO_COUNTRY_DATA = re.compile(r"\bASN\b", re.IGNORECASE)  # GeoLite2-ASN, DBIP-ASN-Lite: no countries in them


def country_of(record: object) -> str:
    """The ISO code in one database record, whatever the vendor's shape; ZZ if none.

    GeoLite2/GeoIP2 and DB-IP: ``country.iso_code``, else ``registered_country.iso_code``
    (some networks have only the latter, or only a continent); IPinfo: ``country_code``.
    """
    try:  # the common shape first: this runs on every uncached lookup
        code = record["country"]["iso_code"]
        if code in COUNTRY_CODES:
            return code
    except (KeyError, TypeError):
        pass
    if not isinstance(record, dict):
        return UNKNOWN_COUNTRY
    sections = (record.get("country"), record.get("registered_country"))
    codes = [section.get("iso_code") for section in sections if isinstance(section, dict)]
    codes.append(record.get("country_code"))
    for code in codes:
        if isinstance(code, str) and code.upper() in COUNTRY_CODES:
            return code.upper()
    return UNKNOWN_COUNTRY  # none, or only a region such as "EU" or "AP"


class GeoLookup:
    """Country of an address, cached; ``country()`` never raises for a bad address.

    ``internal_networks``: the operator's own networks, answered as ``INTERNAL_COUNTRY``.
    """

    def __init__(self, path: str | os.PathLike[str], cache_size: int = 65536,
                 internal_networks: list[str] | tuple[str, ...] = ()):
        self.path = Path(path)
        self.internal_networks = parse_networks(internal_networks)
        try:
            reader = geoip2.database.Reader(str(self.path))
        except FileNotFoundError:
            raise FumidaiError(f"GeoIP database {self.path} does not exist: {FIX_HINT}") from None
        except OSError as err:
            raise FumidaiError(f"GeoIP database {self.path} cannot be read ({err.strerror or err}): {FIX_HINT}") from None
        except maxminddb.InvalidDatabaseError:  # also a folder, an empty or an HTML file
            raise FumidaiError(f"GeoIP database {self.path} is not a MaxMind-format (.mmdb) file: {FIX_HINT}") from None
        self.database_type: str = reader.metadata().database_type
        if _NO_COUNTRY_DATA.search(self.database_type):
            reader.close()
            raise FumidaiError(f"GeoIP database {self.path} is a {self.database_type} database with no countries: {FIX_HINT}")
        self._reader = reader
        # geoip2 builds a model object per lookup; the policy hot path wants only the
        # code, so it reads the raw record from geoip2's underlying maxminddb reader.
        self._db = reader._db_reader
        self._cached = lru_cache(maxsize=cache_size)(self._lookup) if cache_size else self._lookup

    def country(self, ip: str) -> str:
        """ISO 3166-1 alpha-2 code of ``ip``; QI for an internal address; ZZ when unplaceable or not an address."""
        return self._cached(ip)

    def _lookup(self, ip: str) -> str:
        if self.internal_networks and in_any(ip, self.internal_networks):
            return INTERNAL_COUNTRY
        code = self._database_country(ip)
        if code == UNKNOWN_COUNTRY and in_any(ip, RESERVED_INTERNAL):
            return INTERNAL_COUNTRY
        return code

    def _database_country(self, ip: str) -> str:
        try:
            if ":" not in ip:
                # The C reader parses IPv4 like inet_aton, so "10.1" and "0x0a.0.0.1" would pass.
                socket.inet_pton(socket.AF_INET, ip)
            record = self._db.get(ip)
        except (OSError, ValueError, TypeError):  # not a plain address, or IPv6 in an IPv4-only database
            record = None
        if record is None:
            plain = normalise(ip) if isinstance(ip, str) else None
            if plain is None or plain == ip:
                return UNKNOWN_COUNTRY
            try:
                record = self._db.get(plain)
            except ValueError:
                return UNKNOWN_COUNTRY
        return country_of(record)

    def close(self) -> None:
        self._reader.close()
        self._cached = self._lookup  # frees the cache; a closed reader places nothing (ZZ)

    def __enter__(self) -> GeoLookup:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
