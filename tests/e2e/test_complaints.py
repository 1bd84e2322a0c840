"""A complaint's whole loop through a real Postfix: the trace header on delivered mail, an ARF report
about it piped to `fumidai complaints import` (as a Postfix alias runs it), the complaint in the API."""

from __future__ import annotations

import email
import email.policy
import email.utils
import subprocess
from email.message import Message
from pathlib import Path

import httpx
import pytest

from .conftest import FUMIDAI, ROOT, _run

pytestmark = pytest.mark.e2e

TRACE = "X-Fumidai-Trace"


def _delivered(sink: Path, account: str) -> list[tuple[Path, Message]]:
    found = []
    for path in sorted((sink / "new").glob("*")):
        m = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
        if m["Return-Path"] == f"<{account}@example.test>":
            found.append((path, m))
    return found


def _arf_report(original: bytes) -> bytes:
    """A feedback-loop report (RFC 5965) about ``original``, as a mailbox provider sends it: the
    original's headers attached as text/rfc822-headers."""
    headers = original.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    return b"\n".join([
        b"From: fbl@mailbox-provider.example",
        b"To: abuse-fbl@isp.example",
        b"Subject: complaint about a message from 127.0.1.5",
        b"Message-ID: <fbl-e2e-1@mailbox-provider.example>",
        b"Date: " + email.utils.formatdate().encode(),
        b"MIME-Version: 1.0",
        b'Content-Type: multipart/report; report-type=feedback-report; boundary="b1"',
        b"",
        b"--b1",
        b"Content-Type: text/plain",
        b"",
        b"This is an email abuse report.",
        b"--b1",
        b"Content-Type: message/feedback-report",
        b"",
        b"Feedback-Type: abuse",
        b"User-Agent: e2e-fbl/1.0",
        b"Version: 1",
        b"Source-IP: 127.0.1.5",
        b"",
        b"--b1",
        b"Content-Type: text/rfc822-headers",
        b"",
        headers,
        b"",
        b"--b1--",
        b"",
    ])


def test_delivered_mail_is_traced_and_its_complaint_shows_in_the_api(mail, fumidai, ports):
    fumidai.ensure_running()
    assert mail.send("complain1").stage == "sent"
    assert mail.wait_delivered("complain1", 1) == 1
    ((path, delivered),) = _delivered(mail.sink, "complain1")
    # The policy server PREPENDed the account's opaque token at DATA (needs service/core.py's PREPEND).
    token = delivered[TRACE]
    assert token and "complain1" not in token, delivered.keys()
    assert fumidai.cli("complaints", "resolve", token).split() == [token, "complain1"]

    # The report goes in as Postfix's pipe would hand it over: on standard input, exit 0 when recorded.
    report = _arf_report(path.read_bytes())
    r = subprocess.run([*FUMIDAI, "complaints", "import", "--config", str(fumidai.config)], input=report,
                       capture_output=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    assert b"1 recorded" in r.stdout, r.stdout
    again = subprocess.run([*FUMIDAI, "complaints", "import", "--config", str(fumidai.config)], input=report,
                           capture_output=True, cwd=ROOT, timeout=120)
    assert again.returncode == 0 and b"1 already recorded" in again.stdout

    token_line = fumidai.cli("staff", "add", "e2e-complaints", "--role", "viewer").strip()
    api = httpx.Client(base_url=f"http://127.0.0.1:{ports['api']}", headers={"Authorization": f"Bearer {token_line}"},
                       timeout=10)
    with api:
        answer = api.get("/api/v1/accounts/complain1/complaints").json()
    (complaint,) = answer["items"]
    assert complaint["account"] == "complain1"
    assert complaint["original_message_id"] == delivered["Message-ID"]
    assert complaint["subject"] == delivered["Subject"]
    assert complaint["feedback_type"] == "abuse" and complaint["source_ip"] == "127.0.1.5"
    assert complaint["kind"] == "arf"


def test_check_config_reads_the_key_file(fumidai):
    fumidai.ensure_running()  # the first start made the key in the store's folder
    r = _run([*FUMIDAI, "check-config", "--config", str(fumidai.config)], cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert f"trace keys: {fumidai.base / 'trace.key'}, 1 key(s)" in r.stderr
