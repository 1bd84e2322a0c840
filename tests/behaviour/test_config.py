"""[behaviour] in the TOML file and the environment maps onto BehaviourConfig."""

from __future__ import annotations

import dataclasses

import pytest

from fumidai.behaviour import BehaviourConfig
from fumidai.config import load_settings, settings_from_dict
from fumidai.errors import ConfigError


def test_defaults_are_the_dataclass_defaults_and_enabled():
    cfg = settings_from_dict({}).behaviour.config()
    assert cfg == BehaviourConfig() and cfg.enabled


def test_every_threshold_is_a_key_and_env_overrides_it(tmp_path):
    path = tmp_path / "f.toml"
    path.write_text('[behaviour]\nhold_score = 90\nexempt_networks = ["192.0.2.0/24"]\nhold_action = "filter"\n')
    cfg = load_settings(path, env={"FUMIDAI_BEHAVIOUR__PROBATION_BUDGET": "5", "FUMIDAI_BEHAVIOUR__ENABLED": "false"}).behaviour.config()
    assert (cfg.hold_score, cfg.probation_budget, cfg.enabled, cfg.hold_action) == (90, 5, False, "filter")
    assert cfg.exempt_networks == ("192.0.2.0/24",)
    names = {f.name for f in dataclasses.fields(BehaviourConfig)}
    assert names == set(settings_from_dict({}).behaviour.model_dump())


@pytest.mark.parametrize("values, message", [
    ({"bogus": 1}, "behaviour.bogus: unknown key"),
    ({"networks_kept": "many"}, "behaviour.networks_kept"),
    ({"networks_kept": 0}, "networks_kept must be at least 1"),
    ({"weight_cohort": -5}, "weight_cohort must be a number >= 0"),
    ({"watch_score": 200}, "watch_score <= probation_score"),
    ({"hold_action": "drop"}, "hold_action must be"),
    ({"new_recipient_share": 1.5}, "new_recipient_share"),
    ({"exempt_networks": ["webmail"]}, "exempt_networks: 'webmail' is not a network"),
])
def test_bad_values_stop_start_up_naming_the_key(values, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        settings_from_dict({"behaviour": values})
