"""The shipped files under packaging/ stay true to the code: example config, systemd unit."""

from __future__ import annotations

import re
import shutil
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
    assert "ExecStart=/usr/bin/fumidai serve --config /etc/fumidai/fumidai.toml" in unit
    assert "Type=notify" in unit
    # verify checks that ExecStart exists: point it at this checkout's entry point.
    entry = Path(sys.executable).with_name("fumidai")
    (tmp_path / "fumidai.service").write_text(unit.replace("/usr/bin/fumidai", str(entry)))
    r = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "fumidai.service")],
                       capture_output=True, text=True, timeout=60)
    # verify exits 0 on unknown values and only complains on stderr.
    problems = [ln for ln in (r.stdout + r.stderr).splitlines() if "fumidai.service" in ln]
    assert r.returncode == 0 and not problems, r.stdout + r.stderr
