"""The shipped files under packaging/ stay true to the code: example config, systemd unit."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from fumidai.config import Settings, load_settings, settings_from_dict

from .conftest import ROOT

PACKAGING = ROOT / "packaging"
EXAMPLE = PACKAGING / "fumidai.example.toml"


def _unlimited_is_none(value):
    if isinstance(value, dict):
        return {k: _unlimited_is_none(v) for k, v in value.items()}
    return None if value == "unlimited" else value


def _keys(model, prefix: str = "") -> list[str]:
    out = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if hasattr(type(value), "model_fields"):
            out += _keys(value, f"{prefix}{name}.")
        elif name != "country":  # per-country tables are examples, shown commented out
            out.append(f"{prefix}{name}")
    return out


def test_example_config_is_the_defaults():
    settings = load_settings(EXAMPLE, env={})
    assert _unlimited_is_none(settings.model_dump(mode="json")) == Settings().model_dump(mode="json")


def test_example_config_shows_every_key():
    text = EXAMPLE.read_text(encoding="utf-8")
    for key in _keys(Settings()):
        name = key.rsplit(".", 1)[1]
        # Set, or shown commented out where TOML cannot spell the default (no limit).
        assert re.search(rf"^(# )?{name} = ", text, re.M), f"{key} is missing from {EXAMPLE.name}"


def test_example_config_commented_keys_are_valid():
    """Uncommenting the examples gives a configuration that still loads."""
    text = re.sub(r"^# (\[limits\.country\.CN\]|\w+ = .*)$", r"\1", EXAMPLE.read_text(encoding="utf-8"), flags=re.M)
    settings = settings_from_dict(tomllib.loads(text))
    assert settings.limits.country["CN"].messages_per_day == 5
    assert settings.limits.unique_recipients_per_day == 300


def test_systemd_unit_verifies(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze not installed")
    unit = (PACKAGING / "systemd" / "fumidai.service").read_text()
    assert "ExecStart=/opt/fumidai/bin/fumidai serve --config /etc/fumidai/fumidai.toml" in unit
    # Documentation= names the copy the wheel installs (setup.py data_files, deploy.md step 2).
    assert "Documentation=file:///opt/fumidai/share/doc/fumidai/deploy.md" in unit
    assert "Type=notify" in unit
    # verify checks that ExecStart exists: point it at this checkout's entry point.
    entry = Path(sys.executable).with_name("fumidai")
    (tmp_path / "fumidai.service").write_text(unit.replace("/opt/fumidai/bin/fumidai", str(entry)))
    r = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "fumidai.service")],
                       capture_output=True, text=True, timeout=60)
    # verify exits 0 on unknown values and only complains on stderr.
    problems = [ln for ln in (r.stdout + r.stderr).splitlines() if "fumidai.service" in ln]
    assert r.returncode == 0 and not problems, r.stdout + r.stderr


def test_serve_tells_systemd_it_is_ready(tmp_path, mmdb_path):
    """The unit's Type=notify relies on READY=1 arriving on $NOTIFY_SOCKET once both ports listen."""
    from tests.conftest import free_port

    policy, api = free_port(), free_port()
    config = tmp_path / "fumidai.toml"
    config.write_text(f'[policy]\nlisten = "127.0.0.1:{policy}"\n[api]\nlisten = "127.0.0.1:{api}"\n'
                      f'[storage]\nurl = "sqlite:///{tmp_path}/f.db"\n[geoip]\ndatabase = "{mmdb_path}"\n')
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.bind(str(tmp_path / "notify"))
        notify.settimeout(60)
        proc = subprocess.Popen([sys.executable, "-m", "fumidai.cli", "serve", "--config", str(config)],
                                env=dict(os.environ, NOTIFY_SOCKET=str(tmp_path / "notify")),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert notify.recv(256) == b"READY=1"
            for port in (policy, api):  # ready means listening
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
            proc.send_signal(signal.SIGTERM)
            assert notify.recv(256) == b"STOPPING=1"
            assert proc.wait(30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
