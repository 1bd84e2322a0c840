"""Settings: the whole configuration, one section per table; where the service keeps its files."""

from __future__ import annotations

from pathlib import Path

from ..policy.limits import Cap, Limits
from .behaviour_keys import BehaviourSection
from .checks import _Section
from .limits import ActionsSection, LimitsSection
from .reputation import BlocklistsSection, ComplaintsSection
from .servers import ApiSection, CountersSection, GeoipSection, NoticesSection, PolicySection, StorageSection


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
