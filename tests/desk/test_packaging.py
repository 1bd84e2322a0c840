"""The PyInstaller build of the desk: it builds, and the binary starts (offscreen) and reports its version.

The build is slow (minutes; build.sh installs PyInstaller into the venv when missing), so it runs
only with FUMIDAI_BUILD_DESK=1 (CI sets it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fumidai import __version__

from .fake_api import FakeApi

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "packaging" / "desk" / "build.sh"

needs_build = pytest.mark.skipif(os.environ.get("FUMIDAI_BUILD_DESK") != "1",
                                 reason="set FUMIDAI_BUILD_DESK=1 to build the desk with PyInstaller")


def test_desktop_file_is_valid():
    text = (REPO / "packaging" / "desk" / "fumidai-desk.desktop").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "[Desktop Entry]"
    keys = dict(line.split("=", 1) for line in lines[1:] if "=" in line)
    assert keys["Type"] == "Application" and keys["Exec"].startswith("fumidai-desk")
    assert keys["Icon"] == "fumidai" and (REPO / "resources" / "icons" / "fumidai.png").is_file()


@needs_build
@pytest.mark.timeout(1200)
def test_build_and_run_version(tmp_path):
    env = dict(os.environ, PYTHON=sys.executable, TMPDIR=str(tmp_path))
    build = subprocess.run(["sh", str(BUILD), str(tmp_path / "dist")], env=env, capture_output=True, text=True,
                           timeout=1150)
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-4000:]
    folder = tmp_path / "dist" / "fumidai-desk"
    exe = folder / ("fumidai-desk.exe" if sys.platform == "win32" else "fumidai-desk")
    assert exe.is_file()
    bundled = folder / "_internal" / "fumidai" / "resources"
    assert (bundled / "icons" / "fumidai.svg").is_file()
    assert any((bundled / "worldmap").glob("*.json.gz"))
    assert not (bundled / "templates").exists()  # notices render on the server
    run = subprocess.run([str(exe), "--version"], env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"fumidai {__version__}"

    # The real desk from the bundle, signed in to the fake API: it must poll and stay up.
    token = tmp_path / "token"
    token.write_text(FakeApi.token("operator"))
    with FakeApi(accounts=30, alerts=2) as api:
        desk = subprocess.Popen([str(exe), "--backend", api.url, "--token-file", str(token), "--language", "ja"],
                                env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and desk.poll() is None:
                if any(path.startswith("/api/v1/overview") for _, path in list(api.requests)):
                    break
                time.sleep(0.2)
            time.sleep(2)  # a few polls and repaints with the world map
            assert desk.poll() is None, desk.communicate()[1][-3000:]
        finally:
            desk.terminate()
            _, err = desk.communicate(timeout=30)
    assert any(path.startswith("/api/v1/overview") for _, path in api.requests)
    assert "Traceback" not in err, err[-3000:]
