"""The action dialogs: validation, the bodies they produce (as the fake API records them), plain text."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QDateTime, Qt  # noqa: E402
from PySide6.QtWidgets import QLabel, QPlainTextEdit  # noqa: E402

from fumidai.desk.dialogs import NoticeDialog, QuotaDialog, ReleaseDialog, SuspendDialog  # noqa: E402
from fumidai.desk.dialogs.quota import INHERIT, PRESETS, QUOTA_KEYS, parse_limit  # noqa: E402

from .fake_api import iso  # noqa: E402

pytestmark = pytest.mark.desk


# ----- QuotaDialog -----

def test_parse_limit():
    assert parse_limit("") is INHERIT
    assert parse_limit(" unlimited ") is None
    assert parse_limit("120") == 120
    assert parse_limit("0") == 0
    for bad in ("-1", "1.5", "lots", "1e3"):
        with pytest.raises(ValueError):
            parse_limit(bad)


def test_quota_dialog_refuses_negatives_and_needs_a_reason(qtbot):
    dialog = QuotaDialog("alice")
    qtbot.addWidget(dialog)
    assert not dialog.save_button.isEnabled()  # no reason yet
    assert "reason" in dialog.error.text()
    dialog.reason.setText("traveller")
    assert dialog.save_button.isEnabled()
    dialog.fields["messages_per_hour"].edit.setText("-5")
    assert not dialog.save_button.isEnabled()
    assert dialog.error.text().startswith("messages_per_hour:")
    dialog.fields["messages_per_hour"].edit.setText("50")
    dialog.abroad["messages_per_day"].edit.setText("x")
    assert dialog.error.text().startswith("abroad messages_per_day:")
    dialog.abroad["messages_per_day"].edit.setText("")
    assert dialog.save_button.isEnabled()


def test_quota_dialog_validates_country_rows(qtbot):
    dialog = QuotaDialog("alice")
    qtbot.addWidget(dialog)
    dialog.reason.setText("r")
    row = dialog.add_country_row("ZZ")
    assert not dialog.save_button.isEnabled() and "ISO 3166" in dialog.error.text()
    dialog.countries.item(row, 0).setText("cn")
    assert dialog.save_button.isEnabled()
    dialog.countries.item(row, 1).setText("-3")
    assert not dialog.save_button.isEnabled()
    dialog.countries.item(row, 1).setText("3")
    dialog.add_country_row("CN")
    assert "twice" in dialog.error.text()
    dialog.countries.setCurrentCell(1, 0)
    dialog.remove_country_button.click()
    assert dialog.countries.rowCount() == 1 and dialog.save_button.isEnabled()
    dialog.home.setText("JP, XX")
    assert "home countries" in dialog.error.text()


def test_quota_presets_fill_every_key(qtbot):
    dialog = QuotaDialog("alice")
    qtbot.addWidget(dialog)
    dialog.reason.setText("abroad for a month")
    dialog.preset.setCurrentIndex(dialog.preset.findData("Traveller"))
    dialog.preset.activated.emit(dialog.preset.currentIndex())
    body = dialog.body()
    assert set(body["limits"]) == set(QUOTA_KEYS)
    assert body["limits"] == PRESETS["Traveller"]["limits"]
    assert body["limits"]["unique_recipients_per_day"] is None  # "unlimited" travels as null
    assert body["abroad"] == {"messages_per_hour": 100, "messages_per_day": 500}


def test_quota_body_reaches_the_backend(qtbot, api, runner):
    dialog = QuotaDialog("user0001", defaults={"account": {"messages_per_hour": 100}})
    qtbot.addWidget(dialog)
    assert dialog.fields["messages_per_hour"].edit.placeholderText() == "default: 100"
    dialog.fields["messages_per_hour"].edit.setText("400")
    dialog.fields["recipients_per_message"].unlimited.setChecked(True)
    dialog.abroad["messages_per_day"].edit.setText("200")
    dialog.home.setText("jp kr")
    row = dialog.add_country_row("CN")
    dialog.countries.item(row, 2).setText("5")  # messages_per_day
    dialog.add_country_row("RU")  # empty row: drop RU's default cap
    dialog.temporary.setChecked(True)
    until = QDateTime.currentDateTimeUtc().addDays(3)
    dialog.expires.setDateTime(until)
    dialog.reason.setText("newsletter week")
    dialog.save_button.click()
    assert dialog.result() == QuotaDialog.DialogCode.Accepted
    change = dialog.value()
    expected = {"limits": {"messages_per_hour": 400, "recipients_per_message": None},
                "home_countries": ["JP", "KR"], "abroad": {"messages_per_day": 200},
                "countries": {"CN": {"messages_per_day": 5}, "RU": {}},
                "expires_at": until.toString("yyyy-MM-dd'T'HH:mm:ss'Z'"), "reason": "newsletter week"}
    assert change.body == expected
    done = []
    runner.set_limits("user0001", change.body, on_success=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    assert api.posts == [("PUT", "/accounts/user0001/limits", expected, "bob")]


def test_quota_expiry_must_be_in_the_future(qtbot):
    dialog = QuotaDialog("alice")
    qtbot.addWidget(dialog)
    dialog.reason.setText("r")
    dialog.temporary.setChecked(True)
    dialog.expires.setDateTime(QDateTime.currentDateTimeUtc().addSecs(-3600))
    assert not dialog.save_button.isEnabled() and "future" in dialog.error.text()


def test_quota_dialog_starts_from_the_override_and_can_go_back(qtbot):
    override = {"limits": {"messages_per_day": 900}, "countries": {"CN": {"messages_per_day": 5}},
                "home_countries": ["JP", "TH"], "expires_at": "2099-01-02T03:04:00Z", "set_by": "bob", "reason": "x"}
    dialog = QuotaDialog("alice", override=override)
    qtbot.addWidget(dialog)
    assert dialog.fields["messages_per_day"].edit.text() == "900"
    assert dialog.countries.rowCount() == 1 and dialog.temporary.isChecked()
    assert dialog.expires.dateTime().toUTC().toString(Qt.DateFormat.ISODate) == "2099-01-02T03:04:00Z"
    dialog.defaults_button.click()
    assert dialog.result() != QuotaDialog.DialogCode.Accepted  # a reason is required first
    dialog.reason.setText("back to normal")
    dialog.defaults_button.click()
    assert dialog.result() == QuotaDialog.DialogCode.Accepted
    assert dialog.value().body is None and dialog.value().reason == "back to normal"


# ----- ReleaseDialog -----

def test_release_needs_confirmation_and_shows_steps_first(qtbot):
    dialog = ReleaseDialog("<b>mallory</b>")
    qtbot.addWidget(dialog)
    texts = [box.text() for box in dialog.steps.values()]
    assert any("password" in t for t in texts) and any("malware" in t for t in texts)
    assert any("orwarding" in t for t in texts)
    assert not dialog.ok_button.isEnabled()
    dialog.reason.setText("owner called")
    assert not dialog.ok_button.isEnabled()
    dialog.accept()  # Enter must not bypass the confirmation
    assert dialog.result() != ReleaseDialog.DialogCode.Accepted
    dialog.steps["password"].setChecked(True)
    dialog.confirm.setChecked(True)
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    assert dialog.result() == ReleaseDialog.DialogCode.Accepted
    assert dialog.value() == "owner called [checked: password]"
    labels = [w for w in dialog.findChildren(QLabel) if "mallory" in w.text()]
    assert labels and all(w.textFormat() == Qt.TextFormat.PlainText for w in labels)


# ----- SuspendDialog -----

def test_suspend_dialog_presets_and_notify(qtbot):
    dialog = SuspendDialog(["alice"], language="en")
    qtbot.addWidget(dialog)
    assert dialog.ok_button.isEnabled() and not dialog.template.isEnabled()
    dialog.reason.setEditText("  ")
    assert not dialog.ok_button.isEnabled()
    dialog.reason.setEditText("phishing kit sent from this login")
    dialog.notify.setChecked(True)
    value = dialog.value()
    assert (value.reason, value.notify, value.template, value.language) == (
        "phishing kit sent from this login", True, "suspended_staff", "en")


def test_bulk_suspend_lists_the_accounts_and_defaults_to_cancel(qtbot):
    names = ["<i>a</i>", "bob", "carol"]
    dialog = SuspendDialog(names, notify=True)
    qtbot.addWidget(dialog)
    assert [dialog.listing.item(i).text() for i in range(3)] == names
    assert dialog.ok_button.text() == "Suspend 3 accounts"
    assert dialog.buttons.button(dialog.buttons.StandardButton.Cancel).isDefault()
    assert dialog.value().language is None  # each owner in their own language


# ----- NoticeDialog -----

def test_notice_preview_is_plain_text(qtbot, api, runner):
    api.set_account("user0001", owner_name="<b>Evil</b><img src=x>")
    dialog = NoticeDialog(runner, "user0001", language="en", status="suspended", suspended_by="bob")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.send_button.isEnabled(), timeout=5000)
    assert isinstance(dialog.preview, QPlainTextEdit) and dialog.preview.isReadOnly()
    text = dialog.preview.toPlainText()
    assert "<b>Evil</b><img src=x>" in text  # shown literally, not rendered
    assert dialog.template.currentText() == "suspended_staff" and dialog.language.currentText() == "en"
    assert dialog.letter.recipient.text() == "user0001@example.jp"
    assert dialog.letter.recipient.textFormat() == Qt.TextFormat.PlainText
    assert dialog.letter.description.text() == "Sending stopped"


def test_notice_retry_uses_the_same_idempotency_key(qtbot, api, runner):
    dialog = NoticeDialog(runner, "user0002", language="ja")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.send_button.isEnabled(), timeout=5000)
    key = dialog.idempotency_key
    api.fail_next(1, 500)
    dialog.send_button.click()
    qtbot.waitUntil(lambda: dialog.send_button.isEnabled(), timeout=5000)  # failed; staff may retry
    assert "backend failed" in dialog.status.text() and dialog.sent is None
    dialog.send_button.click()
    qtbot.waitUntil(lambda: dialog.sent is not None, timeout=5000)
    sends = [p for p in api.posts if p[1] == "/accounts/user0002/notices"]
    assert [p[2]["idempotency_key"] for p in sends] == [key]
    # the same key again (a click whose answer was lost) sends nothing more
    again = []
    runner.send_notice("user0002", dialog.template.currentText(), "ja", key, on_success=again.append)
    qtbot.waitUntil(lambda: bool(again), timeout=5000)
    assert again[0]["id"] == dialog.sent["id"] and len(api.notices) == 1


def test_notice_key_changes_with_the_choice(qtbot, api, runner):
    dialog = NoticeDialog(runner, "user0002")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.send_button.isEnabled(), timeout=5000)
    key = dialog.idempotency_key
    dialog.template.setCurrentText("warning")
    assert dialog.idempotency_key != key
    qtbot.waitUntil(lambda: dialog.send_button.isEnabled(), timeout=5000)
    assert "warning" in dialog.preview.toPlainText()


def test_notice_warns_about_a_recent_notice(qtbot, api, runner):
    previous = [{"id": 1, "template": "suspended_staff", "language": "ja", "status": "sent", "staff": "<b>bob</b>",
                 "created_at": iso(time.time() - 2 * 3600)},
                {"id": 0, "template": "warning", "language": "ja", "status": "sent", "staff": "amy",
                 "created_at": iso(time.time() - 50 * 3600)}]
    dialog = NoticeDialog(runner, "user0002", previous=previous)
    qtbot.addWidget(dialog)
    assert dialog.previous.text() == "Last notice 2 h ago: suspended_staff (ja), sent, by <b>bob</b>"
    assert dialog.previous.textFormat() == Qt.TextFormat.PlainText
    assert "bold" in dialog.previous.styleSheet()
    quiet = NoticeDialog(runner, "user0002", previous=previous[1:])
    qtbot.addWidget(quiet)
    assert quiet.previous.text().startswith("Last notice 50 h ago") and not quiet.previous.styleSheet()
    qtbot.waitUntil(lambda: dialog.send_button.isEnabled() and quiet.send_button.isEnabled(), timeout=5000)


# ----- the letter follows the account's state -----

@pytest.mark.parametrize("state, expected", [
    ({"status": "suspended", "suspended_by": "auto"}, "suspended_auto"),
    ({"status": "suspended", "suspended_by": "bob"}, "suspended_staff"),
    ({"status": "ok", "released": True}, "restored"),
    ({"status": "ok"}, "warning"),
    ({"status": "limited"}, "warning"),
])
def test_notice_offers_the_letter_for_the_accounts_state(qtbot, api, runner, state, expected):
    dialog = NoticeDialog(runner, "user0002", language="en", **state)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.send_button.isEnabled(), timeout=5000)
    assert dialog.template.currentText() == expected  # the backend lists "restored" first
    assert dialog.letter.mismatch.isHidden()


def test_notice_marks_a_letter_that_contradicts_the_state(qtbot, api, runner):
    dialog = NoticeDialog(runner, "user0002", language="en", status="suspended", suspended_by="auto")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.send_button.isEnabled(), timeout=5000)
    dialog.template.setCurrentText("restored")
    assert not dialog.letter.mismatch.isHidden() and "suspended" in dialog.letter.mismatch.text()


def test_suspend_and_notify_previews_the_letter_and_takes_an_until(qtbot, api, runner):
    dialog = SuspendDialog(["user0002"], language="en", notify=True, runner=runner)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.ok_button.isEnabled()  # not before the letter is on screen
    qtbot.waitUntil(lambda: dialog.ok_button.isEnabled(), timeout=5000)
    assert dialog.letter.isVisible() and "user0002" in dialog.letter.preview.toPlainText()
    assert dialog.letter.template.currentText() == "suspended_staff"
    assert dialog.ok_button.text() == "Suspend and send this letter"
    assert dialog.value().until is None
    dialog.temporary.setChecked(True)
    value = dialog.value()
    assert value.until and value.until.endswith("Z") and value.idempotency_key == dialog.letter.idempotency_key
    dialog.notify.setChecked(False)
    assert dialog.letter.isHidden() and dialog.ok_button.text() == "Suspend" and dialog.ok_button.isEnabled()


def test_release_offers_the_restored_letter(qtbot, api, runner):
    dialog = ReleaseDialog("user0002", runner=runner, language="en")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.notify.isVisible() and dialog.letter.ready, timeout=5000)
    assert dialog.notify.isChecked() and dialog.letter.template.currentText() == "restored"
    assert dialog.letter.template.count() == 1  # nothing else is offered on release
    dialog.reason.setText("owner reset the password")
    dialog.confirm.setChecked(True)
    assert dialog.ok_button.text() == "Release and send the restored letter" and dialog.ok_button.isEnabled()
    request = dialog.request()
    assert (request.notify, request.template, request.language) == (True, "restored", "en")


def test_release_without_a_restored_template_offers_no_letter(qtbot, api, runner):
    api.templates = ["suspended_staff", "warning"]  # an older backend
    dialog = ReleaseDialog("user0002", runner=runner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.wait(300)
    runner.wait()
    qtbot.wait(50)
    assert dialog.notify.isHidden() and dialog.letter.isHidden()
    dialog.reason.setText("ok")
    dialog.confirm.setChecked(True)
    assert dialog.ok_button.text() == "Release" and dialog.request().notify is False


# ----- limits: consistency, country picker, local time from the server's clock -----

def test_quota_dialog_refuses_an_hour_above_its_day(qtbot):
    defaults = {"account": {"messages_per_hour": 100, "messages_per_day": 500, "recipients_per_hour": 300,
                            "recipients_per_day": 1500, "recipients_per_message": 100}}
    dialog = QuotaDialog("a", defaults, None)
    qtbot.addWidget(dialog)
    dialog.reason.setText("newsletter")
    dialog.fields["recipients_per_hour"].edit.setText("3000")  # the day stays at its default 1,500
    assert not dialog.save_button.isEnabled()
    assert dialog.error.text() == "Recipients per hour (3,000) is more than Recipients per day (1,500)"
    dialog.fields["recipients_per_day"].edit.setText("20000")
    assert dialog.save_button.isEnabled() and dialog.error.text() == ""
    dialog.abroad["messages_per_hour"].edit.setText("50")
    dialog.abroad["messages_per_day"].edit.setText("20")
    assert not dialog.save_button.isEnabled() and dialog.error.text().startswith("abroad: ")
    dialog.abroad["messages_per_day"].unlimited.setChecked(True)  # unlimited is never too small
    assert dialog.save_button.isEnabled()


def test_quota_dialog_adds_a_country_by_name(qtbot, monkeypatch):
    dialog = QuotaDialog("a", {}, None)
    qtbot.addWidget(dialog)
    monkeypatch.setattr(QuotaDialog, "ask_country", lambda self: "UA")
    dialog.add_country_button.click()
    assert dialog.countries.item(0, 0).text() == "UA" and dialog.countries.item(0, 0).toolTip() == "Ukraine"
    dialog.countries.item(0, 1).setText("5")
    dialog.reason.setText("x")
    assert dialog.body()["countries"] == {"UA": {"messages_per_hour": 5}}


def test_expiry_defaults_from_the_servers_clock_in_local_time(qtbot):
    from fumidai.desk import clock

    clock.learn_server_time(time.time() + 10 * 86400)  # the server is ten days ahead of this desk
    try:
        dialog = QuotaDialog("a", {}, None)
        qtbot.addWidget(dialog)
        shown = dialog.expires.dateTime()
        assert shown.timeSpec() != Qt.TimeSpec.UTC or shown.timeZone().id() != b"UTC"
        days = QDateTime.currentDateTime().daysTo(shown)
        assert days in (16, 17)  # seven days after the server's now
        assert dialog.expires.toolTip().endswith("UTC")
        suspend = SuspendDialog(["a"])
        qtbot.addWidget(suspend)
        assert QDateTime.currentDateTime().daysTo(suspend.until.dateTime()) in (10, 11)
    finally:
        clock.learn_server_time(time.time())
