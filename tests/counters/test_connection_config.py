"""[counters] keys for TLS, ACL and Sentinel: clear errors for bad values, passwords never shown."""

from __future__ import annotations

import json

import pytest

from fumidai.cli import main
from fumidai.config import load_settings, mask_secrets, settings_from_dict
from fumidai.counters.connection import connection_kwargs, describe
from fumidai.errors import ConfigError, FumidaiError
from tests.conftest import REDIS_URL, free_port


def counters(**keys):
    return settings_from_dict({"counters": {"backend": "redis", **keys}}).counters


@pytest.mark.parametrize("keys, words", [
    ({"redis_sentinels": ["10.0.0.5:26379"]}, "redis_sentinels and redis_sentinel_master go together"),
    ({"redis_sentinel_master": "main"}, "go together"),
    ({"redis_sentinels": ["10.0.0.5"], "redis_sentinel_master": "m"}, "counters.redis_sentinels: .*not host:port"),
    ({"redis_sentinels": ["h:70000"], "redis_sentinel_master": "m"}, "not host:port"),
    ({"redis_ca_file": "/etc/ssl/ca.pem"}, "redis_ca_file is for TLS: redis_url must start with rediss://"),
    ({"redis_url": "rediss://h/0", "redis_key_file": "/k"}, "redis_key_file needs redis_cert_file"),
    ({"redis_url": "unix:///run/redis.sock", "redis_sentinels": ["h:1"], "redis_sentinel_master": "m"},
     "must be redis:// or rediss://"),
    ({"redis_password": "x"}, "counters.redis_password"),  # no such key: a password belongs in a file
])
def test_bad_values_name_the_key(keys, words):
    with pytest.raises(ConfigError, match=words):
        counters(**keys)


@pytest.mark.parametrize("url, words", [
    ("http://127.0.0.1:6379/0", "is not a Redis URL: use redis://"),
    ("rediss://h:6380/0?ssl_cert_reqs=none", r"no \?options"),
    ("redis://h:99999/0", "is not a Redis URL"),
    ("redis://h/zero", "the database 'zero' is not a number"),
])
def test_bad_urls_are_refused_before_connecting(url, words):
    with pytest.raises(FumidaiError, match=words):
        connection_kwargs(counters(redis_url=url))


def test_rediss_always_checks_the_certificate_and_the_host_name(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("not read here")
    kw, tls = connection_kwargs(counters(redis_url="rediss://u:p%40ss@redis.example:6380/3", redis_ca_file=str(ca)))
    assert tls and kw["ssl_cert_reqs"] == "required" and kw["ssl_check_hostname"] is True
    assert (kw["host"], kw["port"], kw["db"], kw["username"], kw["password"]) == ("redis.example", 6380, 3, "u", "p@ss")
    assert kw["ssl_ca_certs"] == str(ca)
    with pytest.raises(FumidaiError, match="redis_ca_file .* is not a readable file"):
        connection_kwargs(counters(redis_url="rediss://h/0", redis_ca_file=str(tmp_path / "missing.pem")))


def test_environment_sets_sentinels_and_show_masks_passwords(tmp_path, monkeypatch):
    monkeypatch.setenv("FUMIDAI_COUNTERS__REDIS_SENTINELS", '["10.0.0.5:26379", "[::1]:26380"]')
    monkeypatch.setenv("FUMIDAI_COUNTERS__REDIS_SENTINEL_MASTER", "fumidai")
    monkeypatch.setenv("FUMIDAI_COUNTERS__REDIS_URL", "rediss://fumidai:hunter2@/0")
    settings = load_settings(None)
    assert settings.counters.redis_sentinels == ["10.0.0.5:26379", "[::1]:26380"]
    shown = json.dumps(mask_secrets(settings.model_dump(mode="json")))
    assert "hunter2" not in shown and "rediss://fumidai:********@/0" in shown
    assert "hunter2" not in describe(settings.counters)


def test_check_config_pings_redis_and_says_how(tmp_path, mmdb_path, capsys, monkeypatch):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as err:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {err}")
    config = tmp_path / "fumidai.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{tmp_path}/f.db"\n[geoip]\ndatabase = "{mmdb_path}"\n'
                      f'[counters]\nbackend = "redis"\nredis_url = "{REDIS_URL}"\n')
    assert main(["check-config", "--config", str(config)]) == 0
    assert f"counters: Redis at {REDIS_URL} answers" in capsys.readouterr().err
    config.write_text(config.read_text().replace(REDIS_URL, f"redis://127.0.0.1:{free_port()}/0"))
    assert main(["check-config", "--config", str(config)]) == 2
    assert "cannot use Redis at redis://127.0.0.1:" in capsys.readouterr().err
