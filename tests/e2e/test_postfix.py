"""Enforcement through a real Postfix: what an SMTP client sees and what reaches the sink.

One Postfix + Dovecot and one `fumidai serve` for the module (conftest.py); each scenario
uses its own accounts. The default limits are 5 messages an hour and, from abroad
(127.0.2.0/24 is "US"; home is JP = 127.0.1.0/24), 2 a day.
"""

from __future__ import annotations

import pytest

from .conftest import ABROAD_IP, HOME_IP, Outcome

pytestmark = pytest.mark.e2e

SUSPENDED = "Sending from this account is suspended"
COUNTRY_CAPPED = "Sending from this country is limited"


def assert_refused(out: Outcome, stage: str, text: str) -> None:
    assert out.stage == stage, out
    assert out.code in (550, 554), out
    assert "5.7.1" in out.text and text in out.text, out


def test_account_over_quota_is_stopped(mail, fumidai):
    fumidai.ensure_running()
    for _ in range(5):
        assert mail.send("quota1", recipients=2).stage == "sent"
    # The sixth message crosses the hourly quota: refused at DATA, and the account is suspended.
    assert_refused(mail.send("quota1"), "DATA", SUSPENDED)
    # From now on the first RCPT TO is refused: the client cannot even start a message.
    assert_refused(mail.send("quota1"), "RCPT", SUSPENDED)
    assert_refused(mail.send("quota1", source=ABROAD_IP), "RCPT", SUSPENDED)
    assert mail.wait_delivered("quota1", 5) == 5
    assert "suspended" in fumidai.cli("account", "show", "quota1")


def test_other_account_keeps_sending(mail, fumidai):
    fumidai.ensure_running()
    for _ in range(4):
        assert mail.send("normal1", recipients=3).stage == "sent"
    assert mail.wait_delivered("normal1", 4) == 4


def test_abroad_cap_leaves_home_mail_flowing(mail, fumidai):
    fumidai.ensure_running()
    assert mail.send("traveller1", source=ABROAD_IP).stage == "sent"
    assert mail.send("traveller1", source=ABROAD_IP).stage == "sent"
    # The third from abroad is over [limits.abroad]: that message is refused, the account is not suspended.
    assert_refused(mail.send("traveller1", source=ABROAD_IP), "DATA", COUNTRY_CAPPED)
    assert mail.send("traveller1", source=HOME_IP).stage == "sent"
    assert mail.send("traveller1", source=HOME_IP).stage == "sent"
    assert mail.wait_delivered("traveller1", 4) == 4


def test_suspend_and_release_from_the_command_line(mail, fumidai):
    fumidai.ensure_running()
    assert mail.send("suspend1").stage == "sent"
    # The command returns once the server confirms (or after 3 s): no sleep needed here.
    assert "sending suspended" in fumidai.cli("account", "suspend", "suspend1", "--reason", "e2e: hijacked")
    assert_refused(mail.send("suspend1"), "RCPT", SUSPENDED)
    assert "sending released" in fumidai.cli("account", "release", "suspend1", "--reason", "e2e: password changed")
    assert mail.send("suspend1").stage == "sent"
    assert mail.wait_delivered("suspend1", 2) == 2


def test_account_command_waits_for_the_running_server(mail, fumidai):
    fumidai.ensure_running()
    out = fumidai.cli("account", "suspend", "suspend2", "--reason", "e2e: confirmation")
    assert "the running server has applied it" in out, out


def test_counts_and_suspension_survive_a_restart(mail, fumidai):
    fumidai.ensure_running()
    for _ in range(3):
        assert mail.send("restart1").stage == "sent"
    fumidai.cli("account", "suspend", "restart2", "--reason", "e2e: before restart")
    fumidai.stop()
    fumidai.start()
    assert_refused(mail.send("restart2"), "RCPT", SUSPENDED)
    # 3 before the restart + 2 after = the hourly quota of 5; the next one crosses it.
    assert mail.send("restart1").stage == "sent"
    assert mail.send("restart1").stage == "sent"
    assert_refused(mail.send("restart1"), "DATA", SUSPENDED)
    assert mail.wait_delivered("restart1", 5) == 5
    assert mail.wait_delivered("restart2", 0) == 0


def test_unauthenticated_client_cannot_relay(mail, fumidai):
    fumidai.ensure_running()
    out = mail.send("nobody", login=False)
    assert out.stage == "RCPT" and out.code == 554, out
    assert mail.wait_delivered("nobody", 0) == 0


def test_policy_server_down_fails_open(mail, fumidai):
    """default_action=DUNNO: with fumidai stopped, mail flows and Postfix logs why."""
    fumidai.stop()
    try:
        assert mail.send("down1").stage == "sent"
        assert mail.wait_delivered("down1", 1) == 1
        log = mail.log()
        assert f"connect to 127.0.0.1:{mail.policy_port}: Connection refused" in log
        assert f"problem talking to server 127.0.0.1:{mail.policy_port}" in log
    finally:
        fumidai.ensure_running()
