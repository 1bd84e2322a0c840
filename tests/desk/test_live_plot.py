"""LivePlot stacks, refusals, quota line and unit, and the alerts feed (newest first, double-click, no duplicates)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from fumidai.desk.alerts_feed import AlertsFeed
from fumidai.desk.api.client import ApiClient
from fumidai.desk.api.models import AccountDetail, AlertItem, Series
from fumidai.desk.live_plot import PALETTE, REFUSED_RGB, LegendRow, LivePlot
from fumidai.desk.plot_data import binding_quota

from .fake_api import FakeApi, iso


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
        assert len(plot.legend.names) == 2 and plot.legend.names[0] in plot.legend.text()
        assert plot.quota_line.isVisible() and plot.quota_line.value() == 2.0  # 120/h as msg/min
        assert plot.legend.names[1] == "hourly quota 120/h"  # the dashed line's entry
        plot.wait()


def shown_plot(qtbot, api: FakeApi) -> LivePlot:
    """A LivePlot on the fake backend, shown at 600x400."""
    plot = LivePlot(ApiClient(api.url, api.token("viewer")))
    qtbot.addWidget(plot)
    plot.resize(600, 400)
    plot.show()
    qtbot.waitExposed(plot)
    return plot


def hijacked_series(api: FakeApi, detail: bool = False):
    """Series of a hijacked account: 4 messages (40 recipients) a minute, then suspended at minute 40
    and refused 30 attempts a minute from then on.

    As an older backend answers unless ``detail``; with it, a newer one's: the accepted messages
    come 3 from RU (30 recipients) and 1 from CN (10), each refused attempt names 3 recipients.
    """
    def series(a: dict, window: int, step: int) -> dict:
        n = max(1, window // step)
        start = int(api.now // step) * step - (n - 1) * step
        pts = []
        for k in range(n):
            m = 0 if k >= 40 else 4
            refused = 30 if k >= 40 else 0
            p = {"time": iso(start + k * step), "messages": m, "recipients": 10 * m, "refused": refused,
                 "by_country": {"RU": m} if m else {}}
            if detail:
                p["by_country"] = {"RU": 3, "CN": 1} if m else {}
                p["recipients_by_country"] = {"RU": 30, "CN": 10} if m else {}
                p["refused_recipients"] = 3 * refused
            pts.append(p)
        return {"account": a["account"], "start": iso(start), "step": step, "points": pts}
    return series


def red_pixels(widget) -> int:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    w, h = image.width(), image.height()
    rgb = np.frombuffer(image.constBits(), np.uint8).reshape(h, image.bytesPerLine() // 4, 4)[:, :w, 2::-1]
    return int((np.abs(rgb.astype(int) - REFUSED_RGB).max(axis=2) < 40).sum())


def test_refused_attempts_stacked_on_accepted_with_legend(qtbot):
    with FakeApi(accounts=5) as api:
        api.series = hijacked_series(api)  # the fake answers through this attribute
        plot = shown_plot(qtbot, api)
        plot.set_selected(["user0003"], 120)
        qtbot.waitUntil(lambda: plot.refused_bars.isVisible(), timeout=5000)
        assert plot.legend.names == ["RU", "refused attempts", "hourly quota 120/h"]
        assert "▨" in plot.legend.text()
        heights = np.asarray(plot.refused_bars.opts["height"])
        assert heights.tolist() == [0] * 40 + [30] * 20  # refused per minute, where they happened
        # On top of what was accepted: each bar's total is what the account attempted.
        accepted = np.asarray(plot.bar_items()[0].opts["height"])
        assert np.asarray(plot.refused_bars.opts["y0"]).tolist() == accepted.tolist()
        assert plot.plot.getViewBox().viewRange()[1][1] >= 30  # the refusals fit in the view
        assert red_pixels(plot.plot) > 500  # and are drawn: the hatch and edges of 20 bars
        assert plot.unit == "messages" and not plot.refused_line.isVisible()
        plot.wait()


def test_nothing_refused_draws_no_refusals(qtbot):
    with FakeApi(accounts=5) as api:
        plot = LivePlot(ApiClient(api.url, api.token("viewer")))
        qtbot.addWidget(plot)
        plot.set_selected(["user0003"], 120)
        qtbot.waitUntil(lambda: len(plot.bar_items()) == 1, timeout=5000)
        assert not plot.refused_bars.isVisible() and not plot.refused_line.isVisible()
        assert "refused attempts" not in plot.legend.names
        plot.wait()


def test_recipient_quota_plots_recipients_with_their_quota_line(qtbot):
    """From an older backend (no recipients by country, no refused recipients): recipients in one
    stack, and refused messages as a line of their own."""
    with FakeApi(accounts=5) as api:
        api.series = hijacked_series(api)
        plot = LivePlot(ApiClient(api.url, api.token("viewer")))
        qtbot.addWidget(plot)
        plot.set_selected(["user0003"], 120)
        qtbot.waitUntil(lambda: plot.refused_bars.isVisible(), timeout=5000)
        requests = len(api.requests)
        plot.set_binding_quota("user0003", ("recipients_per_hour", 300))
        # Redrawn from the data at hand: recipients per minute against 300/h as 5 a minute.
        assert plot.unit == "recipients"
        assert plot.plot.getAxis("left").labelText == "recipients / minute"
        assert [np.asarray(b.opts["height"]).tolist() for b in plot.bar_items()] == [[40] * 40 + [0] * 20]
        assert plot.quota_line.isVisible() and plot.quota_line.value() == 5.0
        assert plot.title.text() == "Recipients of user0003, all source countries"
        # Refused attempts are messages: a line of their own, named with its unit.
        assert plot.refused_line.isVisible() and not plot.refused_bars.isVisible()
        assert plot.legend.names == ["accepted recipients", "refused attempts (messages)",
                                     "hourly recipient quota 300/h"]
        assert len(api.requests) == requests
        # A daily message quota: messages again, its pace 1440/day = 1 a minute.
        plot.set_binding_quota("user0003", ("messages_per_day", 1440))
        assert plot.unit == "messages" and plot.plot.getAxis("left").labelText == "messages / minute"
        assert plot.quota_line.value() == 1.0 and "daily quota 1440/day" in plot.legend.names
        assert plot.title.text() == "Sending of user0003, by source country"
        # Another account's quota does not touch this plot; selecting two drops the quota line.
        plot.set_binding_quota("user0004", ("recipients_per_hour", 10))
        assert plot.unit == "messages"
        plot.set_selected(["user0003", "user0004"])
        assert plot.quota is None and plot.unit == "messages"
        qtbot.waitUntil(lambda: not plot.quota_line.isVisible(), timeout=5000)
        plot.wait()


def test_recipient_mode_stacks_recipients_by_country_with_refused_recipients_on_top(qtbot):
    with FakeApi(accounts=5) as api:
        api.series = hijacked_series(api, detail=True)
        plot = shown_plot(qtbot, api)
        plot.set_selected(["user0003"], 120)
        qtbot.waitUntil(lambda: plot.refused_bars.isVisible(), timeout=5000)
        # Messages first: by country, the refused messages stacked on them.
        assert plot.legend.names == ["RU", "CN", "refused attempts", "hourly quota 120/h"]
        assert np.asarray(plot.refused_bars.opts["height"]).tolist() == [0] * 40 + [30] * 20
        requests = len(api.requests)
        plot.set_binding_quota("user0003", ("recipients_per_hour", 300))
        assert len(api.requests) == requests  # redrawn from the data at hand
        assert plot.unit == "recipients"
        # Recipients per minute by source country, biggest first, coloured as the message stacks are.
        bars = plot.bar_items()
        assert [np.asarray(b.opts["height"]).tolist() for b in bars] == [[30] * 40 + [0] * 20, [10] * 40 + [0] * 20]
        assert [b.opts["brush"].color().getRgb()[:3] for b in bars] == [PALETTE[0], PALETTE[1]]
        assert np.asarray(bars[1].opts["y0"]).tolist() == [30] * 40 + [0] * 20  # CN on RU
        # Refused recipients in the same unit, hatched on top of the accepted ones: no line.
        assert plot.refused_bars.isVisible() and not plot.refused_line.isVisible()
        assert np.asarray(plot.refused_bars.opts["height"]).tolist() == [0] * 40 + [90] * 20
        assert np.asarray(plot.refused_bars.opts["y0"]).tolist() == [40] * 40 + [0] * 20
        assert plot.legend.names == ["RU", "CN", "refused recipients", "hourly recipient quota 300/h"]
        assert "▨\u00a0refused recipients" in plot.legend.text()
        assert plot.title.text() == "Recipients of user0003, by source country"
        assert plot.plot.getViewBox().viewRange()[1][1] >= 90  # the refused recipients fit in the view
        QApplication.processEvents()
        assert red_pixels(plot.plot) > 500  # and are drawn
        # Back to messages: the refused messages again, and the recipients' labels gone.
        plot.set_binding_quota("user0003", ("messages_per_hour", 120))
        assert np.asarray(plot.refused_bars.opts["height"]).tolist() == [0] * 40 + [30] * 20
        assert plot.legend.names == ["RU", "CN", "refused attempts", "hourly quota 120/h"]
        plot.wait()


def test_old_shaped_series_renders_in_both_units(qtbot):
    """An older backend's series (no refused_recipients, no recipients_by_country) still draws:
    what it has, nothing made up."""
    with FakeApi(accounts=5) as api:
        api.series = hijacked_series(api)
        plot = shown_plot(qtbot, api)
        plot.set_selected(["user0003"], 120)
        plot.set_binding_quota("user0003", ("recipients_per_day", 7200))
        qtbot.waitUntil(lambda: plot.refused_line.isVisible(), timeout=5000)
        assert plot.unit == "recipients" and not plot.refused_bars.isVisible()
        assert [np.asarray(b.opts["height"]).tolist() for b in plot.bar_items()] == [[40] * 40 + [0] * 20]
        assert plot.legend.names == ["accepted recipients", "refused attempts (messages)",
                                     "daily recipient quota 7200/day"]
        assert plot.title.text() == "Recipients of user0003, all source countries"
        QApplication.processEvents()
        assert red_pixels(plot.plot) > 100  # the refusals' line is drawn
        plot.set_binding_quota("user0003", None)  # messages: as ever
        assert plot.legend.names == ["RU", "refused attempts"]
        assert plot.refused_bars.isVisible() and not plot.refused_line.isVisible()
        plot.wait()


def test_series_reads_the_recipient_fields_and_defaults_them_for_an_older_backend():
    new = Series.from_json({"account": "a", "start": "2027-01-15T08:00:00Z", "step": 60, "points": [
        {"time": "2027-01-15T08:00:00Z", "messages": 2, "recipients": 5, "refused": 1, "refused_recipients": 4,
         "by_country": {"JP": 1, "US": 1}, "recipients_by_country": {"JP": 2, "US": 3}}]})
    p = new.points[0]
    assert new.recipient_detail
    assert (p.refused, p.refused_recipients, p.recipients_by_country) == (1, 4, {"JP": 2, "US": 3})
    old = Series.from_json({"account": "a", "start": "2027-01-15T08:00:00Z", "step": 60, "points": [
        {"time": "2027-01-15T08:00:00Z", "messages": 2, "recipients": 5, "refused": 1, "by_country": {"JP": 2}}]})
    q = old.points[0]
    assert not old.recipient_detail
    assert (q.messages, q.recipients, q.refused, q.by_country) == (2, 5, 1, {"JP": 2})  # unchanged
    assert (q.refused_recipients, q.recipients_by_country) == (0, {})
    # Wrong types never raise.
    odd = Series.from_json({"points": [{"time": "2027-01-15T08:00:00Z", "refused_recipients": "x",
                                        "recipients_by_country": ["JP"]}]})
    assert (odd.points[0].refused_recipients, odd.points[0].recipients_by_country) == (0, {})


def _detail(status="ok", reason="", recent=(), hour=(0, 0), day=(0, 0), **limits) -> AccountDetail:
    return AccountDetail.from_json({
        "account": "a", "status": status,
        "suspension": {"by": "auto", "reason": reason} if status == "suspended" else None,
        "limits": {"account": limits or {"messages_per_hour": 100, "messages_per_day": 500,
                                         "recipients_per_hour": 300, "recipients_per_day": 1500,
                                         "recipients_per_message": 100}},
        "usage": {"hour": {"messages": hour[0], "recipients": hour[1]},
                  "day": {"messages": day[0], "recipients": day[1]}},
        "recent": [{"reason": r} for r in recent]})


@pytest.mark.parametrize("detail, expected", [
    (_detail("suspended", "quota:recipients_per_hour", hour=(20, 300)), ("recipients_per_hour", 300)),
    (_detail("suspended", "quota:messages_per_day ×3", hour=(20, 300)), ("messages_per_day", 500)),
    # A staff suspension with words for a reason: the quota nearest its end.
    (_detail("suspended", "owner phoned", hour=(20, 290), day=(40, 600)), ("recipients_per_hour", 300)),
    (_detail("limited", recent=["", "quota:recipients_per_day", "quota:messages_per_hour"]),
     ("recipients_per_day", 1500)),
    (_detail(hour=(90, 100), day=(90, 200)), ("messages_per_hour", 100)),
    (_detail(hour=(10, 20), day=(450, 1000)), ("messages_per_day", 500)),
    (_detail(), ("messages_per_hour", 100)),  # nothing sent yet
    (_detail(hour=(5, 200), recipients_per_hour=300), ("recipients_per_hour", 300)),
    (_detail(recipients_per_message=5), None),  # no quota a pace can be drawn for
])
def test_binding_quota(detail, expected):
    assert binding_quota(detail) == expected


class Opened(QObject):
    def __init__(self):
        super().__init__()
        self.accounts = []

    @Slot(str)
    def on(self, account):
        self.accounts.append(account)


def test_legend_row_draws_names_as_plain_text_and_escapes_its_tooltip(qtbot):
    legend = LegendRow()
    qtbot.addWidget(legend)
    legend.set_entries([((31, 119, 180), "<b>x</b>@evil.example"), ("#ff0000", "other")])
    assert legend.names == ["<b>x</b>@evil.example", "other"]
    assert "<b>x</b>@evil.example" in legend.text()  # painted with QPainter.drawText: never rendered
    tip = legend.tooltip_html()
    assert "&lt;b&gt;x&lt;/b&gt;@evil.example" in tip and "<b>" not in tip
    assert "#1f77b4" in tip and "#ff0000" in tip
    legend.set_entries([("#ff0000", "refused", "▨")])  # a mark of its own
    assert "▨" in legend.text() and "■" not in legend.text()


def test_legend_shortens_names_so_every_entry_fits_its_lines(qtbot):
    legend = LegendRow(lines=2)
    qtbot.addWidget(legend)
    legend.resize(300, legend.sizeHint().height())
    legend.show()
    qtbot.waitExposed(legend)
    names = [f"user{i:05d}@mail.example.jp" for i in range(5)]
    legend.set_entries([(PALETTE[i], n) for i, n in enumerate(names)] + [(REFUSED_RGB, "refused attempts", "▨")])
    shown = legend.shown()
    assert len(shown) == 6 and shown[-1].startswith("▨\u00a0refused")
    for full, text in zip(names, shown):  # cut at the right: the part that tells accounts apart stays
        name = text.split("\u00a0", 1)[1]
        assert name.endswith("…") and full.startswith(name[:-1]) and len(name) >= len("user00000…")
    assert {line for line, *_ in legend.placed()} == {0, 1}
    fm = legend.fontMetrics()
    assert all(x + fm.horizontalAdvance(mark + "\u00a0" + text) <= 300 for _, x, _, mark, text in legend.placed())
    # Far too many for two lines: a final "…", and the tooltip has them all.
    many = [f"account-{i:03d}@mail.example.jp" for i in range(40)]
    legend.set_entries([(PALETTE[0], n) for n in many])
    assert legend.shown()[-1] == "…" and 1 < len(legend.shown()) < 40
    assert all(n in legend.tooltip_html() for n in many)


class LayoutRequests(QObject):
    def __init__(self):
        super().__init__()
        self.count = 0

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def test_new_legend_entries_repaint_without_a_relayout(qtbot):
    """Each poll may bring other top accounts: the plot's layout (and the live tab's) stays put."""
    plot = LivePlot(None)
    qtbot.addWidget(plot)
    plot.resize(420, 360)
    plot.show()
    qtbot.waitExposed(plot)
    plot.legend.set_entries([(PALETTE[0], "RU")])
    QApplication.processEvents()
    geometry, hint = plot.legend.geometry(), plot.legend.sizeHint()
    requests = LayoutRequests()
    plot.installEventFilter(requests)
    try:
        for k in range(3):
            plot.legend.set_entries([(PALETTE[i], f"{'x' * (k * 9 + i)}user{i}@mail.example.jp") for i in range(5)]
                                    + [(REFUSED_RGB, "refused attempts", "▨")])
            QApplication.processEvents()
            assert plot.legend.geometry() == geometry and plot.legend.sizeHint() == hint
    finally:
        plot.removeEventFilter(requests)
    assert requests.count == 0


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


def test_time_axis_writes_dates_in_numbers_not_english_names(qtbot):  # qtbot: a QApplication
    import time

    from fumidai.desk.live_plot import NumericDateAxis

    import pyqtgraph as pg

    axis = NumericDateAxis(orientation="bottom")
    widget = pg.PlotWidget(axisItems={"bottom": axis})
    qtbot.addWidget(widget)
    widget.resize(700, 300)
    widget.grab()  # the axis learns its font metrics when it is first painted
    now = time.time()
    strings = []
    for span in (2 * 3600, 86400, 3 * 86400, 40 * 86400):  # hour, day, days and month zoom levels
        for spacing, values in axis.tickValues(now - span, now, 600):
            strings += axis.tickStrings(values, 1, spacing)
    assert strings and any("/" in s for s in strings)  # a day tick such as "11/28"
    names = {time.strftime(f, time.gmtime(86400 * d)) for d in range(400) for f in ("%a", "%b")}
    assert not [s for s in strings if any(n in s for n in names)]
