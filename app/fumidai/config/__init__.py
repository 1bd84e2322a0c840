"""One TOML file, every key with a default, every key overridable from the environment.

    FUMIDAI_POLICY__LISTEN=unix:/run/fumidai/policy.sock
    FUMIDAI_LIMITS__COUNTRY__CN__MESSAGES_PER_DAY=5
    FUMIDAI_GEOIP__HOME_COUNTRIES='["JP", "KR"]'

An environment value is read as a TOML value when it parses as one (numbers, booleans,
arrays), else as a plain string. Unknown keys and bad values stop start-up with a message
that names the key.

One module per group of sections (servers, limits, behaviour_keys, reputation), the whole
(settings) and the loader; everything is imported from here, as before the split.
"""

from .behaviour_keys import BehaviourSection
from .checks import LimitValue, is_loopback_host
from .limits import AbroadSection, ActionsSection, CapSection, LimitsSection, QuotaSection
from .loader import CONFIG_ENV, ENV_PREFIX, MASK, load_settings, mask_secrets, settings_from_dict
from .reputation import DEFAULT_ZONES, BlocklistsSection, BlocklistZone, ComplaintsSection, parse_nameserver
from .servers import ApiSection, CountersSection, GeoipSection, NoticesSection, PolicySection, StorageSection
from .settings import STATE_FOLDER, Settings, state_folder, trace_key_file

__all__ = [
    "AbroadSection", "ActionsSection", "ApiSection", "BehaviourSection", "BlocklistZone", "BlocklistsSection",
    "CONFIG_ENV", "CapSection", "ComplaintsSection", "CountersSection", "DEFAULT_ZONES", "ENV_PREFIX",
    "GeoipSection", "LimitValue", "LimitsSection", "MASK", "NoticesSection", "PolicySection", "QuotaSection",
    "STATE_FOLDER", "Settings", "StorageSection", "is_loopback_host", "load_settings", "mask_secrets",
    "parse_nameserver", "settings_from_dict", "state_folder", "trace_key_file",
]
