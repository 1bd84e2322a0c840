"""The history as a Postfix maillog: the shapes of Postfix 3.7's own lines (checked against the
fixture's real lines), every submission complete, in time order, ending where the live run starts."""

from __future__ import annotations

import gzip
import re
import time
from collections import defaultdict
from pathlib import Path

import pytest

from fumidai.sim.maillog import write_history
from fumidai.sim.population import Population, SimConfig

FIXTURE = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "postfix-maillog-sample.log"
if not FIXTURE.exists():  # a worktree under /work/wt/NAME: the shared folder is /work/shared
    FIXTURE = Path("/work/shared/fixtures/postfix-maillog-sample.log")

STAMP = r"(?P<stamp>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d) \S+ "
SMTPD = r"postfix/(?:[\w-]+/)?smtpd\[\d+\]: "
QID = r"(?P<qid>[0-9A-F]{10,12}): "
ADDR = r"(?P<host>[\w.-]+)\[(?P<addr>[0-9a-f.:]+)\]"
SHAPES = {
    "connect": STAMP + SMTPD + "connect from " + ADDR + "$",
    "submission": STAMP + SMTPD + QID + "client=" + ADDR + r", sasl_method=PLAIN, sasl_username=(?P<user>\S+)$",
    "inbound": STAMP + SMTPD + QID + "client=" + ADDR + "$",
    "cleanup": STAMP + r"postfix/cleanup\[\d+\]: " + QID + r"message-id=<[^<>\s]+>$",
    "queued": STAMP + r"postfix/qmgr\[\d+\]: " + QID + r"from=<(?P<sender>[^<>]*)>, size=\d+, nrcpt=(?P<nrcpt>\d+) \(queue active\)$",
    "delivery": STAMP + r"postfix/(?:smtp|virtual|lmtp)\[\d+\]: " + QID + r"to=<(?P<rcpt>[^<>]+)>, (?:orig_to=<[^<>]+>, )?"
                r"relay=[^,\s]+, delay=[\d.]+, delays=[\d.]+/[\d.]+/[\d.]+/[\d.]+, dsn=(?P<dsn>\d\.\d\.\d), "
                r"status=(?P<status>sent|deferred) \(.+\)$",
    "removed": STAMP + r"postfix/qmgr\[\d+\]: " + QID + "removed$",
    "disconnect": STAMP + SMTPD + "disconnect from " + ADDR + r"(?: \w+=\d+(?:/\d+)?)+$",
    # Not in the fixture (its clients all logged in): the shape of Postfix's failed-login warning.
    "failed_login": STAMP + SMTPD + "warning: " + ADDR + r": SASL \w+ authentication failed: \S*$",
}
PATTERNS = {name: re.compile(p) for name, p in SHAPES.items()}
END = time.mktime((2026, 12, 7, 20, 0, 0, 0, 0, -1))  # the live run starts at 20:00 local time on 7 December


def classify(line: str) -> tuple[str, re.Match] | None:
    for name, pattern in PATTERNS.items():
        m = pattern.match(line)
        if m:
            return name, m
    return None


def test_the_shapes_are_postfixs_own():
    seen = defaultdict(int)
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        found = classify(line)
        if found:
            seen[found[0]] += 1
    assert {name for name in SHAPES if name not in ("inbound", "failed_login")} <= set(seen), seen


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    pop = Population(SimConfig(accounts=200, rate=6, seed=5), _ranges())
    path = tmp_path_factory.mktemp("history") / "maillog"
    stats = write_history(pop, path, days=2, end=END)
    return pop, path, stats


def _ranges():
    from fumidai.sim.population import demo_ranges

    return demo_ranges()


def test_every_line_has_a_postfix_shape_and_every_submission_is_complete(written):
    pop, path, stats = written
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == stats.lines > 1000
    by_qid: dict[str, dict] = defaultdict(lambda: {"lines": [], "sent": [], "deferred": [], "nrcpt": []})
    kinds = defaultdict(int)
    for number, line in enumerate(lines):
        found = classify(line)
        assert found, f"line {number + 1} has no Postfix shape: {line}"
        name, m = found
        kinds[name] += 1
        if "qid" in m.groupdict():
            q = by_qid[m["qid"]]
            q["lines"].append(name)
            if name == "submission":
                q["user"], q["addr"] = m["user"], m["addr"]
            elif name == "queued":
                q["nrcpt"].append(int(m["nrcpt"]))
            elif name == "delivery":
                q[m["status"]].append(m["rcpt"])
                assert (m["status"] == "sent") == (m["dsn"] == "2.0.0")
    assert kinds["inbound"] > 0 and kinds["failed_login"] >= 0 and kinds["connect"] == kinds["disconnect"]

    planned = [f for day in pop.history(2) for _, f in day]
    submissions = {q: v for q, v in by_qid.items() if "user" in v}
    assert len(submissions) == len(planned) == stats.submissions
    greylisted = 0
    for qid, q in submissions.items():
        order = q["lines"]
        assert order[:3] == ["submission", "cleanup", "queued"] and order[-1] == "removed", (qid, order)
        assert q["nrcpt"][0] == len(q["sent"]) == len(set(q["sent"])), (qid, q)  # nrcpt= sent recipients
        assert set(q["deferred"]) <= set(q["sent"])  # deferred, then sent
        if q["deferred"]:
            greylisted += 1
            assert q["nrcpt"][1:] == [len(q["deferred"])]  # back to the active queue with those left
    assert greylisted > 0
    # The accounts and addresses planned; inbound mail (port 25) has no sasl_username.
    assert sorted((q["user"], q["addr"]) for q in submissions.values()) == \
        sorted((f["account"], f["client_address"]) for f in planned)
    inbound = [q for q in by_qid.values() if q["lines"][0] == "inbound"]
    assert inbound and len(inbound) + len(submissions) == len(by_qid)


def test_the_history_is_in_time_order_and_ends_where_the_live_run_starts(written):
    _, path, stats = written
    lines = path.read_text(encoding="utf-8").splitlines()
    stamps = [time.mktime(time.strptime(f"2026 {line[:15]}", "%Y %b %d %H:%M:%S")) for line in lines]
    assert stamps == sorted(stamps)
    assert END - 2 * 86400 - 65 <= stamps[0] and stamps[-1] <= END + 5  # the last deliveries take a few seconds
    assert lines[-1].startswith(("Dec  7 19:", "Dec  7 20:00:")), lines[-1]  # syslog form: day padded with a space
    assert stats.end <= END and stats.start >= END - 2 * 86400


def test_gz_output_holds_the_same_lines(written, tmp_path):
    pop, path, _ = written
    again = write_history(Population(pop.config, _ranges()), tmp_path / "maillog.gz", days=2, end=END)
    with gzip.open(tmp_path / "maillog.gz", "rt", encoding="utf-8") as f:
        assert f.read() == path.read_text(encoding="utf-8")
    assert again.lines > 0
