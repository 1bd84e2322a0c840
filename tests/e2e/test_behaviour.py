"""Behaviour analysis through a real Postfix (issue 11): two accounts with a week of history
learned from the mail log (`fumidai baseline import`, picked up by the running server); then,
from the same foreign network, the traveller writing to usual contacts gets through and the
hijacker writing to strangers is held at its first message (Postfix's hold queue: nothing
reaches the recipients)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from .conftest import HOME_IP

pytestmark = pytest.mark.e2e

CONTACTS = [f"friend{i}@example.net" for i in range(4)]
TRAVEL_NET = "127.0.2.{}"  # US in the test GeoIP database: new to both accounts


def _history(path, accounts, days: int = 6) -> None:
    """A week of the accounts' mail from home to their contacts, as Postfix logs it (UTC)."""
    lines = []
    now = datetime.now(timezone.utc)
    n = 0
    for day in range(days, 0, -1):
        for account in accounts:
            for k in range(3):
                n += 1
                t = (now - timedelta(days=day, hours=k)).strftime("%b %e %H:%M:%S")
                qid = f"{n:05X}A1B2C"
                rcpts = CONTACTS[k:k + 2]
                lines += [
                    f"{t} mx postfix/submission/smtpd[100]: connect from unknown[{HOME_IP}]",
                    f"{t} mx postfix/submission/smtpd[100]: {qid}: client=unknown[{HOME_IP}], sasl_method=PLAIN, "
                    f"sasl_username={account}",
                    f"{t} mx postfix/cleanup[101]: {qid}: message-id=<{n}.{account}@e2e.test>",
                    f"{t} mx postfix/qmgr[102]: {qid}: from=<{account}@example.test>, size=900, nrcpt={len(rcpts)} "
                    "(queue active)",
                    *(f"{t} mx postfix/smtp[103]: {qid}: to=<{r}>, relay=mx.example.net[192.0.2.25]:25, delay=0.2, "
                      "delays=0.1/0/0.05/0.05, dsn=2.0.0, status=sent (250 2.0.0 Ok)" for r in rcpts),
                    f"{t} mx postfix/qmgr[102]: {qid}: removed",
                    f"{t} mx postfix/submission/smtpd[100]: disconnect from unknown[{HOME_IP}] ehlo=1 auth=1 mail=1 "
                    "rcpt=2 data=1 quit=1 commands=7",
                ]
    path.write_text("\n".join(lines) + "\n")


def _held(mail) -> int:
    hold = mail.base / "queue" / "hold"
    return sum(1 for p in hold.rglob("*") if p.is_file()) if hold.exists() else 0


def test_a_hijack_from_abroad_is_held_while_a_traveller_from_the_same_country_gets_through(mail, fumidai, ports,
                                                                                            e2e_base):
    fumidai.ensure_running()
    log = e2e_base / "history.log"
    _history(log, ["tourist1", "victim1"])
    out = fumidai.cli("baseline", "import", "--timezone", "UTC", str(log))
    assert "36 submissions" in out, out
    time.sleep(1.5)  # the running server picks the baselines up from the audit log (every 0.5 s)

    # The traveller writes to usual contacts from the US: more than the abroad cap of 2 a day.
    for i in range(4):
        assert mail.send("tourist1", TRAVEL_NET.format(10), to=CONTACTS[i % 3:i % 3 + 2]).stage == "sent"
    assert mail.wait_delivered("tourist1", 4) == 4

    # The hijacker of victim1 logs in from the same country and writes to strangers.
    held_before = _held(mail)
    outcome = mail.send("victim1", TRAVEL_NET.format(20), to=[f"target{j}@mailbox.example" for j in range(10)])
    assert outcome.stage == "sent"  # HOLD accepts the message into the hold queue
    time.sleep(2)
    assert mail.delivered("victim1") == 0
    assert _held(mail) >= held_before + 1
    assert "hold: DATA from unknown[127.0.2.20]: <DATA>: Data command unusual sending" in mail.maillog.read_text(
        errors="replace")  # Postfix logs the hold with our text

    token = fumidai.cli("staff", "add", "e2e-behaviour", "--role", "viewer").strip()
    detail = httpx.get(f"http://127.0.0.1:{ports['api']}/api/v1/accounts/victim1",
                       headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
    assert detail["risk"]["level"] in ("hold", "filter", "suspend")
    codes = {r["code"] for r in detail["risk"]["reasons"]}
    assert codes & {"new_country", "new_network"} and any(c.startswith("new_recipients") for c in codes), codes
