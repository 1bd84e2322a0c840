"""AccountPanel against the fake API: what it shows, roles, and the actions its buttons start."""

from __future__ import annotations

import csv

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel  # noqa: E402

from fumidai.desk.account_panel import AccountPanel  # noqa: E402
from fumidai.desk.dialogs import NoticeDialog, QuotaChange, QuotaDialog, ReleaseDialog, ReleaseRequest, SuspendDialog, SuspendRequest  # noqa: E402
from fumidai.desk.export import HEADER  # noqa: E402

from .fake_api import iso  # noqa: E402


pytestmark = pytest.mark.desk


def load(qtbot, panel, account):
    with qtbot.waitSignal(panel.accountLoaded, timeout=5000):
        panel.set_account(account)


def cells(table):
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_shows_the_account_as_plain_text(qtbot, api, panel):
    api.set_account("user0001", owner_name="<b>Boss</b><img src=http://x/y>")
    load(qtbot, panel, "user0001")
    assert panel.title.text() == "user0001"
    assert "<b>Boss</b><img src=http://x/y>" in panel.owner.text()
    for label in panel.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert panel.status.text() == "Sending normally"
    limits = cells(panel.limits_table)
    assert ["Messages per hour", "100", "100", "default"] in limits
    assert cells(panel.countries_table) == [["JP", "140", "420", "840", "0"]]
    assert cells(panel.recent_table)[0][1:5] == ["DATA", "DUNNO", "", "JP"]
    assert panel.act_suspend.isEnabled() and not panel.act_release.isEnabled()


def test_home_countries_have_a_label(qtbot, api, panel, translations):
    assert panel.home.isHidden() and panel.home.text() == ""  # nothing selected, no bare label
    load(qtbot, panel, "user0001")
    assert panel.home.text() == "Home countries: JP" and not panel.home.isHidden()
    assert not panel.owner.text().endswith("JP")  # no longer an unexplained code after the language
    assert "abroad" in panel.home.toolTip()
    translations.set("ja")  # re-shown in the new language
    qtbot.waitUntil(lambda: panel.home.text() == "利用国: JP", timeout=2000)
    assert panel.home.textFormat() == Qt.TextFormat.PlainText


def test_viewer_cannot_act_but_can_export(qtbot, api, panel):
    panel.set_role("viewer")
    load(qtbot, panel, "user0001")
    assert not any(a.isEnabled() for a in panel.mutating_actions)
    assert panel.act_export.isEnabled()
    panel.suspend()  # a shortcut press while disabled does nothing
    panel.set_role("operator")
    assert panel.act_suspend.isEnabled()
    assert api.posts == []


def test_automatic_stop_reason_in_words(qtbot, api, panel, japanese):
    api.set_account("user0003", status="suspended", suspended_by="auto", _reason="quota:recipients_per_hour")
    load(qtbot, panel, "user0003")
    assert panel.status.text().endswith(": 1時間あたりの宛先数の上限"), panel.status.text()
    assert "quota:" not in panel.status.text()
    japanese.set("en")  # the panel re-shows the loaded account in the new language
    qtbot.waitUntil(lambda: panel.status.text().endswith(": Hourly recipient quota"), timeout=2000)


def test_shortcut_keys(qtbot, panel):
    assert [a.shortcut().toString() for a in panel.mutating_actions[:5]] == ["Ctrl+Shift+S", "Ctrl+Shift+M", "Ctrl+Shift+R",
                                                                    "Ctrl+Shift+Q", "Ctrl+Shift+N"]
    assert all(a in panel.actions() for a in panel.mutating_actions)


def test_suspend_then_release_through_the_dialogs(qtbot, api, panel, monkeypatch):
    load(qtbot, panel, "user0002")
    monkeypatch.setattr(SuspendDialog, "ask", classmethod(
        lambda cls, parent, account, language="ja", notify=False, runner=None: SuspendRequest("spam run", False)))
    with qtbot.waitSignal(panel.accountLoaded, timeout=5000):
        panel.act_suspend.trigger()
    assert api.posts[-1][:3] == ("POST", "/accounts/user0002/suspend",
                                 {"reason": "spam run", "until": None, "notice": None, "unless_suspended": True})
    assert panel.status.text().startswith("Suspended by bob since") and panel.status.text().endswith(": spam run")
    assert panel.act_release.isEnabled() and not panel.act_suspend.isEnabled()
    assert cells(panel.history_table)[0][1:4] == ["bob", "suspend", "spam run"]
    assert cells(panel.history_table)[0][4] == "status=ok → status=suspended"

    asked = []
    monkeypatch.setattr(ReleaseDialog, "ask", classmethod(
        lambda cls, parent, account, runner=None, language="ja":
        asked.append(account) or ReleaseRequest("password reset [checked: password]")))
    with qtbot.waitSignal(panel.accountLoaded, timeout=5000):
        panel.act_release.trigger()
    assert asked == ["user0002"]
    assert api.posts[-1][:3] == ("POST", "/accounts/user0002/release", {"reason": "password reset [checked: password]"})
    assert panel.status.text() == "Sending normally"


def test_suspend_acts_on_the_table_selection(qtbot, api, panel, monkeypatch):
    load(qtbot, panel, "user0001")
    panel.selection_provider = lambda: ["user0001", "user0003"]
    asked = []
    monkeypatch.setattr(SuspendDialog, "ask", classmethod(
        lambda cls, parent, accounts, language="ja", notify=False, runner=None:
        asked.append(accounts) or SuspendRequest("botnet", True, "suspended_staff", None)))
    with qtbot.waitSignal(panel.accountLoaded, timeout=5000):
        panel.act_suspend.trigger()
    qtbot.waitUntil(lambda: len([p for p in api.posts if p[1].endswith("/suspend")]) == 2, timeout=5000)
    assert asked == [["user0001", "user0003"]]
    languages = {p[1]: p[2]["notice"]["language"] for p in api.posts}
    assert languages == {"/accounts/user0001/suspend": "ja", "/accounts/user0003/suspend": "en"}  # each its own
    assert api.accounts["user0003"]["status"] == "suspended"


def test_suspend_and_notify_uses_the_owners_language(qtbot, api, panel, monkeypatch):
    api.set_account("user0003", language="en")
    load(qtbot, panel, "user0003")
    seen = {}

    def ask(cls, parent, account, language="ja", notify=False, runner=None):
        seen.update(language=language, notify=notify)
        return SuspendRequest("hijacked", True, "suspended_staff", language)

    monkeypatch.setattr(SuspendDialog, "ask", classmethod(ask))
    with qtbot.waitSignal(panel.accountLoaded, timeout=5000):
        panel.act_suspend_notify.trigger()
    assert seen == {"language": "en", "notify": True}
    assert panel.message.text() == "user0003: suspended; notice sent"
    assert api.posts[-1][2]["notice"] == {"template": "suspended_staff", "language": "en"}
    assert cells(panel.notices_table)[0][1:5] == ["suspended_staff", "en", "sent", "bob"]


def test_quota_change_and_back_to_defaults(qtbot, api, panel, monkeypatch):
    load(qtbot, panel, "user0001")
    body = {"limits": {"messages_per_hour": 300}, "expires_at": "2099-01-01T00:00:00Z", "reason": "event"}
    monkeypatch.setattr(QuotaDialog, "ask", classmethod(lambda cls, *a, **k: QuotaChange(body, "event")))
    with qtbot.waitSignal(panel.accountLoaded, timeout=5000):
        panel.act_quota.trigger()
    assert api.posts[-1][:3] == ("PUT", "/accounts/user0001/limits", body)
    row = next(r for r in cells(panel.limits_table) if r[0] == "Messages per hour")
    assert row[1] == "300" and row[3].startswith("override by bob until 2099-01-01")

    seen = []
    monkeypatch.setattr(QuotaDialog, "ask", classmethod(
        lambda cls, parent, account, defaults=None, override=None: seen.append(override) or QuotaChange(None, "done")))
    with qtbot.waitSignal(panel.accountLoaded, timeout=5000):
        panel.act_quota.trigger()
    assert seen[0]["limits"] == {"messages_per_hour": 300}  # the dialog starts from the current override
    assert api.posts[-1][:3] == ("DELETE", "/accounts/user0001/limits", {"reason": "done"})


def test_failure_is_shown_in_plain_words(qtbot, api, panel, monkeypatch):
    load(qtbot, panel, "user0001")
    monkeypatch.setattr(SuspendDialog, "ask", classmethod(lambda cls, *a, **k: SuspendRequest("x", False)))
    api.fail_next(1, 500)
    with qtbot.waitSignal(panel.statusMessage, timeout=5000) as blocker:
        panel.act_suspend.trigger()
    assert blocker.args[0].startswith("user0001: the backend failed (500")


def test_export_history_csv(qtbot, api, panel, monkeypatch, tmp_path):
    load(qtbot, panel, "user0001")
    target = tmp_path / "out.csv"
    monkeypatch.setattr(panel, "ask_export_path", lambda: str(target))
    with qtbot.waitSignal(panel.statusMessage, timeout=5000) as blocker:
        panel.act_export.trigger()
    assert blocker.args[0] == "Exported 1 rows to out.csv"
    with open(target, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(HEADER)
    assert rows[1][1:] == ["JP", "140", "280", "0", "0"]


def test_export_falls_back_to_the_series_of_the_live_day(qtbot, api, panel, monkeypatch, tmp_path):
    api.without_history_csv = True
    load(qtbot, panel, "user0001")
    target = tmp_path / "out.csv"
    monkeypatch.setattr(panel, "ask_export_path", lambda: str(target))
    with qtbot.waitSignal(panel.statusMessage, timeout=5000) as blocker:
        panel.act_export.trigger()
    assert blocker.args[0].startswith("Exported ") and blocker.args[0] != "Exported 0 rows to out.csv"
    with open(target, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(HEADER) and len(rows) > 2


def test_action_shortcut_acts_but_typing_never_does(qtbot, api, panel, monkeypatch):
    from PySide6.QtWidgets import QLineEdit, QTableWidget, QVBoxLayout, QWidget

    window = QWidget()
    qtbot.addWidget(window)
    search, table = QLineEdit(), QTableWidget(1, 1)
    layout = QVBoxLayout(window)
    for w in (search, table, panel):
        layout.addWidget(w)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    load(qtbot, panel, "user0001")
    asked = []
    monkeypatch.setattr(SuspendDialog, "ask", classmethod(lambda cls, *a, **k: asked.append(a[1])))
    search.setFocus()
    qtbot.keyClick(search, Qt.Key.Key_S)
    assert search.text() == "s" and asked == []
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_S)  # a letter where nothing takes text: still nothing
    assert asked == []
    qtbot.keyClick(table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert asked == [["user0001"]]
    panel.setParent(None)  # the fixture owns the panel; the window must not delete it


def test_release_and_send_the_restored_letter(qtbot, api, panel, monkeypatch):
    api.set_account("user0002", status="suspended", suspended_by="auto", status_since="2026-01-01T00:00:00Z")
    load(qtbot, panel, "user0002")
    monkeypatch.setattr(ReleaseDialog, "ask", classmethod(
        lambda cls, parent, account, runner=None, language="ja":
        ReleaseRequest("password reset", True, "restored", "en", "key-1")))
    with qtbot.waitSignal(panel.accountLoaded, timeout=5000):
        panel.act_release.trigger()
    assert [p[1] for p in api.posts] == ["/accounts/user0002/release", "/accounts/user0002/notices"]
    assert api.posts[1][2] == {"template": "restored", "language": "en", "idempotency_key": "key-1"}
    assert panel.status.text() == "Sending normally" and "notice sent" in panel.message.text()


def test_send_notice_offers_the_letter_for_the_state(qtbot, api, panel, monkeypatch):
    seen = {}
    monkeypatch.setattr(NoticeDialog, "ask", classmethod(lambda cls, parent, runner, account, language="ja",
                                                          previous=None, **state: seen.update(state)))
    api.set_account("user0002", status="suspended", suspended_by="auto", status_since="2026-01-01T00:00:00Z")
    load(qtbot, panel, "user0002")
    panel.act_notice.trigger()
    assert seen == {"status": "suspended", "suspended_by": "auto", "released": False}
    api.set_account("user0002", status="ok", suspended_by=None)
    api._audit("bob", "release", "user0002", "owner back", None, None)
    panel.detail = None
    load(qtbot, panel, "user0002")
    panel.act_notice.trigger()
    assert seen == {"status": "ok", "suspended_by": "", "released": True}


def test_notices_tab_follows_delivery(qtbot, api, panel, monkeypatch):
    import fumidai.desk.account_panel as module

    monkeypatch.setattr(module, "NOTICE_RECHECK_MS", 100)
    panel._recheck.setInterval(100)
    api.notice_status = "queued"
    load(qtbot, panel, "user0002")
    sent = []
    panel._runner.send_notice("user0002", "warning", "ja", "k", on_success=sent.append)
    qtbot.waitUntil(lambda: bool(sent), timeout=5000)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.notices_table.rowCount() == 1, timeout=5000)
    assert panel.notices_table.item(0, 3).text() == "queued"
    api.deliver_notices()  # the outbox delivers it: the tab shows it without a click
    qtbot.waitUntil(lambda: panel.notices_table.item(0, 3).text() == "sent", timeout=5000)
    assert panel.notices_table.item(0, 5).text() != ""
    qtbot.wait(300)
    assert not panel._recheck.isActive()  # nothing on its way: no more reads


def test_action_buttons_stay_put_whatever_the_status_text(qtbot, api, panel):
    """Clicks land where staff aimed: a long reason or owner line never moves the buttons."""
    panel.resize(440, 700)
    panel.show()
    qtbot.waitExposed(panel)
    load(qtbot, panel, "user0001")

    def places():
        QApplication.processEvents()
        return [panel.toolbar.widgetForAction(a).mapTo(panel, panel.toolbar.widgetForAction(a).rect().topLeft())
                for a in panel.mutating_actions if panel.toolbar.widgetForAction(a) is not None]

    before = places()
    assert before
    api.set_account("user0002", status="suspended", suspended_by="auto", status_since="2026-01-01T00:00:00Z",
                    _reason="a very long staff reason " * 12, owner_name="An Owner With A Long Name " * 4)
    load(qtbot, panel, "user0002")
    QApplication.processEvents()
    assert panel.status.height() > panel.fontMetrics().height() * 2  # it wrapped onto several lines
    assert places() == before


def test_raising_the_quota_of_a_stopped_account_offers_release(qtbot, api, panel, monkeypatch):
    api.set_account("user0002", status="suspended", suspended_by="auto", status_since=iso(api.now),
                    _reason="quota:messages_per_hour")
    load(qtbot, panel, "user0002")
    monkeypatch.setattr(QuotaDialog, "ask", classmethod(
        lambda cls, *a, **k: QuotaChange({"limits": {"messages_per_hour": 2000}, "reason": "newsletter"}, "newsletter")))
    offered = []
    monkeypatch.setattr(AccountPanel, "ask_release_after_quota", lambda self, account: offered.append(account) or True)
    monkeypatch.setattr(ReleaseDialog, "ask", classmethod(
        lambda cls, parent, account, runner=None, language="ja": ReleaseRequest("quota raised")))
    panel.act_quota.trigger()
    qtbot.waitUntil(lambda: api.accounts["user0002"]["status"] == "ok", timeout=5000)
    assert offered == ["user0002"]
    assert [p[:2] for p in api.posts] == [("PUT", "/accounts/user0002/limits"), ("POST", "/accounts/user0002/release")]
