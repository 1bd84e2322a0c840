"""LivePlot stacks and quota line, and the alerts feed (newest first, double-click, no duplicates)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot

from fumidai.desk.alerts_feed import AlertsFeed
from fumidai.desk.api.client import ApiClient
from fumidai.desk.api.models import AlertItem
from fumidai.desk.live_plot import LegendRow, LivePlot

from .fake_api import FakeApi


def test_selected_account_by_country_with_quota_line(qtbot):
    with FakeApi(accounts=5) as api:
        plot = LivePlot(ApiClient(api.url, api.token("viewer")))
        qtbot.addWidget(plot)
        plot.set_top_accounts(["user0001", "user0002"])
        qtbot.waitUntil(lambda: len(plot.bar_items()) == 2, timeout=5000)  # one stack per top account
        assert not plot.quota_line.isVisible()
        # The legend is a row under the plot, not an item over the bars.
        assert plot.legend.names == ["user0001", "user0002"] or plot.legend.names == ["user0002", "user0001"]
        assert not plot.plot.plotItem.legend
        plot.set_selected(["user0003"], 120)
        qtbot.waitUntil(lambda: len(plot.bar_items()) == 1, timeout=5000)  # one source country
        assert len(plot.legend.names) == 1 and plot.legend.names[0] in plot.legend.text()
        assert plot.quota_line.isVisible() and plot.quota_line.value() == 2.0  # 120/h as msg/min
        plot.wait()


class Opened(QObject):
    def __init__(self):
        super().__init__()
        self.accounts = []

    @Slot(str)
    def on(self, account):
        self.accounts.append(account)


def test_legend_row_escapes_names(qtbot):
    legend = LegendRow()
    qtbot.addWidget(legend)
    legend.set_entries([((31, 119, 180), "<b>x</b>@evil.example"), ("#ff0000", "other")])
    assert "&lt;b&gt;x&lt;/b&gt;@evil.example" in legend.text() and "<b>" not in legend.text()
    assert "#1f77b4" in legend.text() and "#ff0000" in legend.text()


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


def test_stop_summary_names_every_new_stop_of_the_poll(qtbot):
    feed = AlertsFeed()
    qtbot.addWidget(feed)
    messages = []
    feed.notified.connect(messages.append)
    mk = lambda i: AlertItem(i, 1.8e9 + i, f"acct{i}", "auto_suspend", "quota:messages_per_hour", "CN", {})  # noqa: E731
    feed.add_alerts([])  # the poller's first answer: an empty backlog
    feed.add_alerts([mk(1), mk(2), mk(3), mk(4)])  # so these four are news
    assert len(messages) == 1 and "4 accounts" in messages[0]
    assert all(f"acct{i}" in messages[0] for i in (1, 2, 3, 4))
    feed.add_alerts([mk(5)])  # the next poll, while the message is still up: it joins the others
    assert "5 accounts" in messages[-1] and all(f"acct{i}" in messages[-1] for i in range(1, 6))
    feed.add_alerts([mk(i) for i in range(6, 10)])
    assert "9 accounts" in messages[-1] and "and 4 more" in messages[-1]
    assert messages[-1].index("acct9") < messages[-1].index("acct5")  # newest first


def test_reasons_in_words_with_the_code_in_the_tooltip(qtbot):
    feed = AlertsFeed()
    qtbot.addWidget(feed)
    codes = ["quota:messages_per_hour", "quota:recipients_per_hour", "quota:recipients_per_message",
             "quota:unique_recipients_per_day", "abroad:messages_per_day", "country:CN:messages_per_day",
             "suspended", "quota:<b>new</b>"]
    feed.add_alerts([AlertItem(i, 1.8e9, "a", "cap", c, "CN", {}) for i, c in enumerate(codes, 1)])
    shown = {codes[-1 - r]: (feed.model.index(r, 3).data(), feed.model.data(feed.model.index(r, 3), Qt.ItemDataRole.ToolTipRole))
             for r in range(feed.model.rowCount())}
    assert shown["quota:messages_per_hour"] == ("Hourly message quota", "Hourly message quota (quota:messages_per_hour)")
    assert shown["quota:recipients_per_hour"][0] == "Hourly recipient quota"
    assert shown["abroad:messages_per_day"][0] == "Abroad cap: messages per day"
    assert shown["country:CN:messages_per_day"][0] == "CN cap: messages per day"
    assert shown["suspended"][0] == "Account suspended"
    # Unknown: as it is, escaped in the tip.
    assert shown["quota:<b>new</b>"] == ("quota:<b>new</b>", "quota:&lt;b&gt;new&lt;/b&gt;")
    # The kind in one short word, the long one in the tooltip; text that does not fit is cut at the right.
    kind = feed.model.index(0, 2)
    assert (kind.data(), kind.data(Qt.ItemDataRole.ToolTipRole)) == ("cap", "country cap")
    assert feed.view.textElideMode() == Qt.TextElideMode.ElideRight
    header = feed.view.horizontalHeader()
    feed.resize(440, 300)
    feed.show()
    qtbot.waitExposed(feed)
    assert all(header.sectionSize(c) <= 64 for c in (0, 2, 4))
    assert min(header.sectionSize(1), header.sectionSize(3)) > max(header.sectionSize(c) for c in (0, 2, 4))


def test_reasons_in_japanese(qtbot, japanese):
    from fumidai.desk.alerts_feed import reason_text

    assert reason_text("quota:messages_per_hour") == "1時間あたりの送信通数の上限"
    assert reason_text("abroad:messages_per_day") == "海外からの1日の送信通数の上限"
    assert reason_text("country:CN:messages_per_day") == "CNからの1日の送信通数の上限"
