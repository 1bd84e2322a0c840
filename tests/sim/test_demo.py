"""`fumidai demo --headless` end to end: real child processes, real traffic, a clean exit.

Each test runs the real command in an empty working folder and checks what a user would:
it ran, hijacks were stopped, nothing was left behind (files, folders, processes).
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process checks read /proc")

SUMMARY = re.compile(r"^\[sim \+\d+h\d\dm\] [\d.]+ messages/min, \d+ accounts sending, \d+ suspended")
FOLDER = re.compile(r"demo folder \(removed at the end\): (\S+)")
API = re.compile(r"API (http://127\.0\.0\.1:\d+)")
COMPLAINTS = re.compile(r"^complaints: 2 feedback-loop reports \(ARF\) from mail\.example about spam sent by (\S+@\S+) "
                        r"posted to the API: recorded 2; 2 of 3 complaints within the window")
LISTING = re.compile(r"^blocklist: the demo's DNS blocklist now lists egress 192\.0\.2\.25 on dnsbl\.demo\.example")
LISTED = re.compile(r"^blocklist: egress 192\.0\.2\.25 LISTED on dnsbl\.demo\.example \(seen by the server's monitor\); "
                    r"accounts that sent most in the 6 hours before: \S+@\S+ \(\d+\)")


class Demo:
    """`fumidai demo` as a child process, its output read line by line as it comes."""

    def __init__(self, cwd: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FUMIDAI_")}
        self.proc = subprocess.Popen([sys.executable, "-m", "fumidai.cli", "demo", "--headless", *args], cwd=cwd,
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     encoding="utf-8")
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._stderr: list[str] = []
        self._readers = [threading.Thread(target=self._read, daemon=True),
                         threading.Thread(target=lambda: self._stderr.extend(self.proc.stderr), daemon=True)]
        for t in self._readers:
            t.start()

    @property
    def stderr(self) -> str:
        return "".join(self._stderr)

    def _read(self) -> None:
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, pattern: re.Pattern, timeout: float) -> re.Match:
        for line in self.lines:
            if m := pattern.search(line):
                return m
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
            if m := pattern.search(line):
                return m
        pytest.fail(f"no line matching {pattern.pattern!r}; output so far:\n" + "\n".join(self.lines[-20:]))

    def finish(self, timeout: float) -> int:
        rc = self.proc.wait(timeout)
        for t in self._readers:
            t.join(5)
        while (line := self._queue.get_nowait()) is not None:
            self.lines.append(line)
        return rc

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that name ``text`` (the demo's folder) — its children."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(f"{entry.name}: {cmdline}")
    return found


def assert_cleaned_up(cwd: Path, demo: Demo) -> None:
    folder = FOLDER.search("\n".join(demo.lines)).group(1)
    assert Path(folder).name.startswith("fumidai-demo-")
    assert not Path(folder).exists(), f"the demo folder {folder} was left behind"
    assert list(cwd.iterdir()) == [], "the demo wrote into the working folder"
    deadline = time.monotonic() + 5  # a process group killed a moment ago may still be exiting
    while (left := processes_mentioning(folder)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == [], f"processes left behind: {left}"
    assert "Traceback" not in demo.stderr, demo.stderr
    assert demo.lines[-1] == "fumidai demo: everything stopped, demo folder removed"


def report_rows(lines: list[str]) -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    """From the text report: each hijack row's 'stopped after' column, and the honest table."""
    start = lines.index("Containment of hijacked accounts")
    hijacks, honest = {}, {}
    section = "hijacks"
    for line in lines[start + 1:]:
        if line.startswith("Honest mail"):
            section = "honest"
        elif section == "hijacks" and "@" in line:
            hijacks[line.split()[0]] = line
        elif section == "honest" and re.match(r"^\S+\s+(\d+\s+){6}\d+$", line):
            name, *numbers = line.split()
            keys = ("accounts", "messages", "accepted", "held", "filtered", "deferred", "rejected")
            honest[name] = dict(zip(keys, map(int, numbers)))
    return hijacks, honest


def test_headless_demo_stops_hijacks_and_leaves_nothing_behind(tmp_path):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    # 15 s at 240x: an hour of simulated traffic; with seed 1 every hijack has begun by minute 24.
    # One day of history (14 take a minute): written as a maillog and learned before the server starts.
    demo = Demo(cwd, "--seconds", "15", "--time-scale", "240", "--seed", "1", "--history-days", "1")
    try:
        rc = demo.finish(timeout=50)
    finally:
        demo.kill()
    out = "\n".join(demo.lines)
    assert rc == 0, out + demo.stderr
    summaries = [line for line in demo.lines if SUMMARY.match(line)]
    assert len(summaries) >= 2, out
    assert any("auto_suspend" in line for line in summaries), "no automatic stop was shown as it happened"
    assert "fumidai demo: stopping (15 s are over)" in demo.lines
    assert any(re.match(r"  \d+ submissions, \d+ maillog lines$", line) for line in demo.lines), out
    # A hijacked account's spam, traced by its header, comes back as complaints; then the listing.
    hijacked = re.search(r"hijacked: (.+)$", out, re.M).group(1)
    complained = demo.wait_for(COMPLAINTS, timeout=0).group(1)
    assert f"{complained} (" in hijacked, (complained, hijacked)
    demo.wait_for(LISTING, timeout=0)

    hijacks, honest = report_rows(demo.lines)
    assert len(hijacks) == 4, out
    for row in hijacks.values():
        assert "NOT STOPPED" not in row and re.search(r"\d+\.\d min", row), row
    assert "hijacks stopped: 4/4" in out
    # Honest users and the heavy senders given their own limits: nothing refused.
    # Heavy senders left on the defaults are stopped at the quota: that is the point of overrides.
    for kind in ("honest", "own-limits"):
        assert honest[kind]["messages"] > 0, (kind, out)
        assert honest[kind]["deferred"] + honest[kind]["rejected"] == 0, (kind, out)
    assert honest["traveller"]["messages"] > 0, out  # the busy one passes the abroad cap: refused today (issue 11)
    assert honest["heavy"]["rejected"] > 0, out
    assert_cleaned_up(cwd, demo)


def test_sigterm_midway_stops_everything_and_notices_reach_the_sink(tmp_path):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    demo = Demo(cwd, "--time-scale", "120", "--seed", "2", "--accounts", "300", "--history-days", "0")
    try:
        folder = Path(demo.wait_for(FOLDER, timeout=45).group(1))
        api = demo.wait_for(API, timeout=1).group(1)
        demo.wait_for(SUMMARY, timeout=15)
        children = processes_mentioning(str(folder))
        assert any(" serve " in c for c in children), children

        # "send notice" works: with the demo's token, through the API, into the demo's SMTP sink.
        token = (folder / "token").read_text().strip()
        account = re.search(r"hijacked: (\S+@\S+)", "\n".join(demo.lines)).group(1)
        req = urllib.request.Request(
            f"{api}/api/v1/accounts/{urllib.parse.quote(account, safe='')}/notices", method="POST",
            data=json.dumps({"template": "warning", "language": "ja", "idempotency_key": "test-1"}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 201
        demo.wait_for(re.compile(r"^notice mailed to \S+@example\.(jp|com): .+ \(kept as 0001\.eml"), timeout=20)
        assert (folder / "mail" / "0001.eml").exists()

        # The reputation story: complaints traced to a hijacked account, one egress address listed;
        # the desk reads the same through the API.
        complained = demo.wait_for(COMPLAINTS, timeout=60).group(1)
        demo.wait_for(LISTED, timeout=30)

        def get(path):
            req = urllib.request.Request(f"{api}/api/v1{path}", headers={"Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(req, timeout=10) as r:
                return json.loads(r.read())

        quoted = urllib.parse.quote(complained, safe="")
        assert len(get(f"/accounts/{quoted}/complaints")["items"]) == 2
        rows = get(f"/accounts?q={quoted}")["items"]
        assert [(r["account"], r["complaints"]) for r in rows] == [(complained, 2)]
        states = {(i["egress"], i["zone"]): i["status"] for i in get("/blocklists")["items"]}
        assert states == {("192.0.2.25", "dnsbl.demo.example"): "listed",
                          ("192.0.2.26", "dnsbl.demo.example"): "not_listed"}
        senders = get("/blocklists/192.0.2.25/senders")
        assert senders["listed"] is True and senders["items"], senders

        demo.proc.send_signal(signal.SIGTERM)
        rc = demo.finish(timeout=30)
    finally:
        demo.kill()
    out = "\n".join(demo.lines)
    assert rc == 0, out + demo.stderr
    assert "fumidai demo: stopping (SIGTERM)" in demo.lines
    assert "Containment of hijacked accounts" in demo.lines  # the report of what ran so far
    assert_cleaned_up(cwd, demo)
