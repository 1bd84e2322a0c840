"""LivePlot stacks and quota line, and the alerts feed (newest first, double-click, no duplicates)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot

from fumidai.desk.alerts_feed import AlertsFeed
from fumidai.desk.api.client import ApiClient
from fumidai.desk.api.models import AlertItem
from fumidai.desk.live_plot import LivePlot

from .fake_api import FakeApi


def test_selected_account_by_country_with_quota_line(qtbot):
    with FakeApi(accounts=5) as api:
        plot = LivePlot(ApiClient(api.url, api.token("viewer")))
        qtbot.addWidget(plot)
        plot.set_top_accounts(["user0001", "user0002"])
        qtbot.waitUntil(lambda: len(plot.bar_items()) == 2, timeout=5000)  # one stack per top account
        assert not plot.quota_line.isVisible()
        plot.set_selected(["user0003"], 120)
        qtbot.waitUntil(lambda: len(plot.bar_items()) == 1, timeout=5000)  # one source country
        assert plot.quota_line.isVisible() and plot.quota_line.value() == 2.0  # 120/h as msg/min
        plot.wait()


class Opened(QObject):
    def __init__(self):
        super().__init__()
        self.accounts = []

    @Slot(str)
    def on(self, account):
        self.accounts.append(account)


def test_alerts_feed_newest_first_no_duplicates_and_activation(qtbot):
    feed = AlertsFeed()
    qtbot.addWidget(feed)
    messages = []
    feed.notified.connect(messages.append)
    mk = lambda i, kind="auto_suspend": AlertItem(i, 1.8e9 + i, f"<b>acct{i}</b>", kind, "quota", "CN", {})  # noqa: E731
    feed.add_alerts([mk(1), mk(2)])
    assert messages == []  # the start-up backlog is history, not news
    feed.add_alerts([mk(2), mk(3, "cap"), mk(4)])
    assert [a.id for a in feed.model.items()] == [4, 3, 2, 1]
    assert len(messages) == 1 and "<b>acct4</b>" in messages[0]  # status bar text, shown as plain text
    opened = Opened()
    feed.accountActivated.connect(opened.on)
    feed.view.doubleClicked.emit(feed.model.index(0, 1))
    assert opened.accounts == ["<b>acct4</b>"]
    assert feed.model.index(0, 1).data(Qt.ItemDataRole.DisplayRole) == "<b>acct4</b>"
