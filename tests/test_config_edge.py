"""Configuration keys of the edge: who may talk to the policy server, the API's plain HTTP
guard, and masking secrets for printing."""

from __future__ import annotations

import pytest

from fumidai.config import MASK, load_settings, mask_secrets, settings_from_dict
from fumidai.errors import ConfigError


def test_policy_access_defaults():
    policy = settings_from_dict({}).policy
    assert policy.allow == ["127.0.0.1", "::1"]
    assert policy.socket_group == "postfix"
    assert policy.idle_timeout > 300  # Postfix's smtpd_policy_service_max_idle closes first
    assert policy.account_names == "casefold" and policy.strip_realms == []


@pytest.mark.parametrize(
    "section, key, value",
    [("policy", "allow", ["10.0.0.0/8", "mailhost"]), ("policy", "max_recipients", -1),
     ("policy", "max_size", 0), ("policy", "idle_timeout", 0), ("policy", "max_connections_per_peer", 0),
     ("policy", "account_names", "lower"), ("policy", "strip_realms", ["a b"]), ("api", "max_body", 10)],
)
def test_bad_values_name_the_key(section, key, value):
    with pytest.raises(ConfigError, match=f"{section}.{key}"):
        settings_from_dict({section: {key: value}})


def test_networks_and_realms_are_normalised():
    policy = settings_from_dict({"policy": {"allow": [" 10.1.0.0/16 ", "::1"], "strip_realms": ["@Example.JP"]}}).policy
    assert policy.allow == ["10.1.0.0/16", "::1"] and policy.strip_realms == ["example.jp"]


@pytest.mark.parametrize("listen", ["0.0.0.0:8025", "192.0.2.1:8025", "[::]:8025", "api.example:8025"])
def test_plain_http_off_loopback_stops_start_up(listen):
    with pytest.raises(ConfigError, match=r"api\.listen: .*api\.allow_plain_http"):
        settings_from_dict({"api": {"listen": listen}})
    assert settings_from_dict({"api": {"listen": listen, "allow_plain_http": True}}).api.listen == listen
    # With TLS the address is fine (the files are checked when the API starts).
    assert settings_from_dict({"api": {"listen": listen, "tls_cert": "c.pem", "tls_key": "k.pem"}}).api.listen == listen


@pytest.mark.parametrize("listen", ["127.0.0.1:8025", "[::1]:8025", "localhost:8025", "127.0.0.2:0"])
def test_loopback_needs_no_tls(listen):
    assert settings_from_dict({"api": {"listen": listen}}).api.listen == listen


def test_the_guard_reads_the_environment_too():
    with pytest.raises(ConfigError, match="api.listen"):
        load_settings(env={"FUMIDAI_API__LISTEN": "0.0.0.0:8025"})
    env = {"FUMIDAI_API__LISTEN": "0.0.0.0:8025", "FUMIDAI_API__ALLOW_PLAIN_HTTP": "true"}
    assert load_settings(env=env).api.allow_plain_http is True


def test_mask_secrets_hides_passwords_and_keeps_the_rest():
    settings = settings_from_dict({
        "storage": {"url": "postgresql+psycopg://fumidai:pa@ss/w0rd@db.example:5432/fumidai"},
        "counters": {"redis_url": "redis://:hunter2@redis.example:6379/0"},
        "notices": {"username": "relay", "password": "smtp-secret"},
    })
    data = settings.model_dump(mode="json")
    masked = mask_secrets(data)
    text = repr(masked)
    for secret in ("pa@ss", "w0rd", "hunter2", "smtp-secret"):
        assert secret not in text
    assert masked["notices"]["password"] == MASK and masked["notices"]["username"] == "relay"
    assert masked["counters"]["redis_url"] == f"redis://:{MASK}@redis.example:6379/0"
    assert masked["storage"]["url"].endswith("@db.example:5432/fumidai")
    assert masked["policy"] == data["policy"]
    assert data["notices"]["password"] == "smtp-secret"  # the input is not changed


def test_mask_secrets_leaves_urls_without_passwords_alone():
    data = settings_from_dict({"storage": {"url": "sqlite:////var/lib/fumidai/fumidai.db"}}).model_dump(mode="json")
    masked = mask_secrets(data)
    assert masked["storage"]["url"] == "sqlite:////var/lib/fumidai/fumidai.db"
    assert masked["counters"]["redis_url"] == "redis://127.0.0.1:6379/0"
    assert masked["notices"]["password"] == ""


def test_listening_off_loopback_needs_an_allow_list_that_admits_someone_else():
    with pytest.raises(ConfigError, match=r"policy\.allow: listen is '0\.0\.0\.0:10040'"):
        settings_from_dict({"policy": {"listen": "0.0.0.0:10040"}})
    ok = settings_from_dict({"policy": {"listen": "0.0.0.0:10040", "allow": ["127.0.0.1", "192.0.2.0/28"]}})
    assert ok.policy.allow == ["127.0.0.1", "192.0.2.0/28"]
    assert settings_from_dict({"policy": {"listen": "unix:/run/fumidai/policy.sock"}}).policy.allow
