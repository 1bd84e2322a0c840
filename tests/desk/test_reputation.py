"""Egress reputation and complaints on the desk: the blocklist panel (hidden on a backend without
/blocklists), complaint and blocklist alerts in words, an account's complaints as plain text."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QLabel  # noqa: E402

from fumidai.desk.alerts_feed import alert_reason, kind_short, kind_text  # noqa: E402
from fumidai.desk.api.client import ApiClient  # noqa: E402
from fumidai.desk.api.models import AlertItem  # noqa: E402
from fumidai.desk.egress import EgressPanel  # noqa: E402
from fumidai.desk.main_window import MainWindow  # noqa: E402

from .conftest import load_account  # noqa: E402
from .fake_api import FakeApi  # noqa: E402

pytestmark = pytest.mark.desk
EVIL = "<img src=x onerror=alert(1)><b>FREE</b>"


@pytest.fixture
def egress(qtbot, runner):
    widget = EgressPanel(runner, refresh_s=0.2)
    qtbot.addWidget(widget)
    yield widget
    widget.stop()


def test_egress_panel_shows_each_address_and_list(qtbot, api, egress):
    api.set_blocklist("203.0.113.10", "bl.spamcop.net", "not_listed")
    api.set_blocklist("203.0.113.10", "zen.spamhaus.org", "listed", txt=EVIL,
                      delist_url="https://check.spamhaus.org/")
    with qtbot.waitSignal(egress.supportedChanged, timeout=5000) as blocker:
        egress.start()
    assert blocker.args == [True]
    qtbot.waitUntil(lambda: egress.table.rowCount() == 2, timeout=5000)
    first = [egress.table.item(0, c).text() for c in range(6)]
    assert first[:3] == ["203.0.113.10", "zen.spamhaus.org", "listed (SBL)"]  # listed first
    assert first[3] and first[4] == "https://check.spamhaus.org/" and first[5] == EVIL  # the TXT as it is
    assert egress.delist_url(0) == "https://check.spamhaus.org/" and egress.delist_url(1) == ""
    assert "&lt;img" in egress.table.item(0, 5).toolTip()  # tooltips render markup: escaped
    assert [egress.table.item(1, c).text() for c in (2, 4)] == ["not listed", ""]
    assert egress.listed_count() == 1 and "1 of 2" in egress.summary.text()
    for label in egress.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText
    # Delisted on the next slow poll.
    api.set_blocklist("203.0.113.10", "zen.spamhaus.org", "not_listed")
    qtbot.waitUntil(lambda: egress.listed_count() == 0, timeout=5000)
    assert egress.delist_url(0) == "" and "Not listed" in egress.summary.text()


@pytest.mark.parametrize("backend", ["older", "unconfigured"])
def test_egress_panel_hides_on_a_backend_without_blocklists(qtbot, api, egress, backend):
    if backend == "older":
        api.without_reputation = True  # 404
    else:
        api.egress = []  # [blocklists] egress empty: nothing checked
    with qtbot.waitSignal(egress.supportedChanged, timeout=5000) as blocker:
        egress.start()
    assert blocker.args == [False] and egress.supported is False
    assert not egress._timer.isActive()  # asks no more


def _alert(kind: str, account: str, reason: str, detail: dict) -> AlertItem:
    return AlertItem.from_json({"id": 1, "time": "2026-12-07T10:00:00Z", "account": account, "kind": kind,
                                "reason": reason, "country": None, "detail": detail})


def test_reputation_alerts_in_words():
    complaint = _alert("complaint", "taro@example.jp", "2 of 3 complaints within 86400 s",
                       {"complaint_ids": [5, 6], "suspend_after": 3, "window": 86400.0})
    assert alert_reason(complaint) == "2 of 3 complaints (stop at 3)"
    listed = _alert("blocklist_listed", "203.0.113.10",
                    f"203.0.113.10 listed on zen.spamhaus.org: SBL {EVIL}",
                    {"egress": "203.0.113.10", "zone": "zen.spamhaus.org", "event_id": 1,
                     "answers": ["127.0.0.2"], "delist_url": "https://check.spamhaus.org/"})
    assert alert_reason(listed) == f"203.0.113.10 listed on zen.spamhaus.org: SBL {EVIL}"
    delisted = _alert("blocklist_delisted", "203.0.113.10", "203.0.113.10 delisted on zen.spamhaus.org",
                      {"egress": "203.0.113.10", "zone": "zen.spamhaus.org"})
    assert alert_reason(delisted) == "203.0.113.10 no longer listed on zen.spamhaus.org"
    for kind in ("complaint", "blocklist_listed", "blocklist_delisted"):
        assert kind_text(kind) != kind
    assert [kind_short(k) for k in ("blocklist_listed", "blocklist_delisted")] == ["listed", "delisted"]


def test_reputation_alerts_in_japanese(japanese):
    assert kind_short("complaint") == "苦情" and kind_short("blocklist_listed") == "掲載"
    delisted = _alert("blocklist_delisted", "203.0.113.10", "", {"egress": "203.0.113.10", "zone": "bl.spamcop.net"})
    assert alert_reason(delisted) == "203.0.113.10 は bl.spamcop.net から削除されました"


def test_account_panel_lists_complaints_as_plain_text(qtbot, api, panel):
    api.add_complaint("user0001", subject=EVIL + "\r\nBcc: x")
    api.add_complaint("user0001", subject=None, reporter="abuse@yahoo.co.jp")
    api.add_complaint("user0002")
    load_account(qtbot, panel, "user0001")
    table = panel.complaints_table
    assert panel.tabs.isTabVisible(panel.tabs.indexOf(table))
    assert panel.tabs.tabText(panel.tabs.indexOf(table)) == "Complaints (2)"
    assert table.rowCount() == 2
    assert [table.item(0, c).text() for c in (1, 2, 3)] == ["", "abuse", "abuse@yahoo.co.jp"]  # newest first
    assert table.item(1, 1).text() == EVIL + " Bcc: x"  # one line, the markup as typed
    assert table.item(1, 0).text()  # the time it was received
    assert "2 complaints" in panel.badges.text()
    assert panel.badges.textFormat() == Qt.TextFormat.PlainText
    api.requests.clear()
    load_account(qtbot, panel, "user0003")
    assert table.rowCount() == 0 and "complaints" not in panel.badges.text()


def test_account_panel_without_complaint_intake(qtbot, api, panel):
    api.without_reputation = True
    load_account(qtbot, panel, "user0001")
    assert not panel.tabs.isTabVisible(panel.tabs.indexOf(panel.complaints_table))
    assert panel.detail is not None and panel.message.text() == ""


def test_the_main_window_shows_egress_reputation_only_where_the_backend_checks(qtbot, api, tmp_path):
    api.set_blocklist("203.0.113.10", "zen.spamhaus.org", "listed", delist_url="https://check.spamhaus.org/")
    api.senders["203.0.113.10"] = [{"account": "user0003", "messages": 50, "recipients": 400, "refused": 3}]
    api.add_alert("203.0.113.10", kind="blocklist_listed", reason="203.0.113.10 listed on zen.spamhaus.org",
                  country=None, detail={"egress": "203.0.113.10", "zone": "zen.spamhaus.org"})
    with FakeApi(accounts=5) as old:
        old.without_reputation = True
        windows = []
        for fake in (api, old):
            client = ApiClient(fake.url, fake.token("viewer"), timeout=5)
            w = MainWindow(client, client.me(), QSettings(str(tmp_path / f"{fake.url[-5:]}.ini"),
                                                          QSettings.Format.IniFormat), poll_interval=0.3)
            qtbot.addWidget(w)
            w.show()
            windows.append(w)
        try:
            new_w, old_w = windows
            qtbot.waitUntil(lambda: new_w.egress.supported is True and old_w.egress.supported is False,
                            timeout=5000)
            assert new_w.egress_dock.toggleViewAction().isVisible() and not new_w.egress_dock.isHidden()
            assert old_w.egress_dock.isHidden() and not old_w.egress_dock.toggleViewAction().isVisible()
            qtbot.waitUntil(lambda: new_w.egress.listed_count() == 1, timeout=5000)
            assert new_w.egress_dock.windowTitle() == "Egress reputation (1)"
            # The listing's senders open in the account panel, as from the accounts table.
            qtbot.waitUntil(lambda: new_w.egress.senders.table.rowCount() == 1, timeout=5000)
            new_w.egress.senders.table.cellDoubleClicked.emit(0, 0)
            qtbot.waitUntil(lambda: new_w.account_panel.detail is not None
                            and new_w.account_panel.detail.account == "user0003", timeout=5000)
            qtbot.waitUntil(lambda: new_w.alerts.model.rowCount() > 0, timeout=5000)
            shown = []
            new_w.account_panel.set_account = shown.append  # a blocklist alert is no account
            new_w.alerts._on_double_click(new_w.alerts.model.index(0, 0))
            assert shown == []
        finally:
            for w in windows:
                w.shutdown()


BEHAVIOUR = {"tier": "watch", "score": 0.4, "probation": False,
             "reasons": [{"code": "new_recipients", "params": {"new": 36, "total": 39},
                          "text": "36 of 39 recipients never written to", "text_ja": "宛先 39 件中 36 件が初めての相手"}]}


def test_behaviour_alerts_in_words():
    a = _alert("behaviour", "emi@isp.example", "behaviour:watch", BEHAVIOUR)
    assert kind_short("behaviour") == "risk" and kind_text("behaviour") == "behaviour analysis"
    assert alert_reason(a) == "Risk: watch · 36 of 39 recipients never written to"
    stop = _alert("auto_suspend", "emi@isp.example", "behaviour:new_country/RU", BEHAVIOUR)
    assert alert_reason(stop).startswith("Behaviour analysis · ")


def test_behaviour_reasons_in_japanese(japanese):
    a = _alert("behaviour", "emi@isp.example", "behaviour:watch", BEHAVIOUR)
    assert kind_short("behaviour") == "リスク"
    assert alert_reason(a) == "リスク: 監視 · 宛先 39 件中 36 件が初めての相手"


def test_a_listing_shows_the_accounts_that_sent_most_before_it_ready_to_open(qtbot, api, egress):
    api.egress = ["203.0.113.10", "203.0.113.11"]
    api.set_blocklist("203.0.113.11", "zen.spamhaus.org", "not_listed")
    api.senders["203.0.113.10"] = [
        {"account": EVIL, "messages": 1200, "recipients": 9000, "refused": 40},
        {"account": "user0002", "messages": 30, "recipients": 31, "refused": 0}]
    api.senders["203.0.113.11"] = [{"account": "user0003", "messages": 5, "recipients": 5, "refused": 0}]
    senders = egress.senders
    egress.start()
    qtbot.waitUntil(lambda: egress.table.rowCount() == 1, timeout=5000)
    assert senders.isHidden() and senders.egress == ""  # nothing listed: nothing to investigate
    with qtbot.waitSignal(senders.loaded, timeout=5000):
        api.set_blocklist("203.0.113.10", "zen.spamhaus.org", "listed")
        egress.refresh()
    assert not senders.isHidden() and senders.egress == "203.0.113.10"
    assert api.senders_asked[-1] == ("203.0.113.10", 6)
    table = senders.table
    assert [[table.item(r, c).text() for c in range(4)] for r in range(2)] == [
        [EVIL, "1,200", "9,000", "40"], ["user0002", "30", "31", "0"]]  # the name as typed, never markup
    heading = senders.heading.text()
    assert "203.0.113.10" in heading and "accounts that sent most in the 6 hours before the listing" in heading
    assert "per account, not per egress address" in senders.note.text()
    for label in senders.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText
    # Double-click and Enter open the account, as in the accounts table.
    with qtbot.waitSignal(egress.accountActivated, timeout=1000) as opened:
        table.cellDoubleClicked.emit(1, 0)
    assert opened.args == ["user0002"]
    table.setCurrentCell(0, 0)
    with qtbot.waitSignal(egress.accountActivated, timeout=1000) as opened:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened.args == [EVIL]
    # Another span of hours asks again; a late answer for the old span does not overwrite it.
    senders.hours.setValue(12)
    qtbot.waitUntil(lambda: "12 hours" in senders.heading.text(), timeout=5000)
    assert ("203.0.113.10", 12) in api.senders_asked
    senders._loaded({**senders.data, "hours": 6})
    assert "12 hours" in senders.heading.text()
    # Delisted: the senders go.
    api.set_blocklist("203.0.113.10", "zen.spamhaus.org", "not_listed")
    qtbot.waitUntil(lambda: senders.isHidden(), timeout=5000)
