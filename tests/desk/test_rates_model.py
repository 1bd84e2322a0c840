"""AccountRatesModel: in-place updates, Qt's model tester, 5,000 rows, filters, sort, and an order held under the mouse."""

from __future__ import annotations

import dataclasses
import time

import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTableView

from fumidai.desk.api.models import AccountRow
from fumidai.desk.rates_model import (
    COL_ACCOUNT,
    COL_QUOTA,
    COL_RATE,
    COL_SINCE,
    COL_STATUS,
    SORT_ROLE,
    AccountRatesModel,
)

from .fake_api import make_account


def rows(n, start=0, **kw):
    return [AccountRow.from_json(make_account(i, **kw)) for i in range(start, start + n)]


def test_modeltester_through_updates(qtmodeltester):
    model = AccountRatesModel()
    model.apply_snapshot(rows(50))
    qtmodeltester.check(model, force_py=False)
    model.apply_snapshot(rows(30, start=10))  # 10 gone at the top, 10 gone at the bottom
    model.apply_snapshot(rows(40, start=5) + [dataclasses.replace(rows(1)[0], account="new", rate=99.0)])
    qtmodeltester.check(model, force_py=False)
    # The attached tester now checks every signal of filtering, sorting, holding and releasing.
    model.set_search("user00")
    model.sort(COL_RATE, Qt.SortOrder.DescendingOrder)
    model.apply_snapshot(rows(40, start=3))
    model.set_search("")
    model.set_states({"limited"})
    model.set_states(set())
    model.hold_order(True)
    model.apply_snapshot(rows(20, start=30))
    model.hold_order(False)
    assert [model.index(r, COL_ACCOUNT).data() for r in range(model.rowCount())] == \
        [r.account for r in sorted(rows(20, start=30), key=lambda r: -r.rate)]
    qtmodeltester.check(model, force_py=False)


def test_updates_in_place_never_reset(qtbot):
    model = AccountRatesModel()
    model.apply_snapshot(rows(10))
    resets, changed = [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda a, b, roles: changed.append((a.row(), b.row())))
    fresh = rows(10)
    fresh[3] = dataclasses.replace(fresh[3], rate=500.0)
    fresh[6] = dataclasses.replace(fresh[6], status="suspended", suspended_by="auto")
    model.apply_snapshot(fresh)
    assert resets == [] and changed == [(3, 6)]
    assert model.index(6, COL_STATUS).data() == "auto-stopped"
    assert model.index(3, COL_RATE).data() == "500.0"
    model.apply_snapshot(fresh)  # nothing changed: no signal
    assert changed == [(3, 6)]


def test_selection_survives_updates_and_resort(qtbot):
    model = AccountRatesModel()
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    model.apply_snapshot(rows(20))
    model.sort(COL_RATE, Qt.SortOrder.DescendingOrder)
    target = model.row_of("user0007")
    view.selectionModel().select(model.index(target, 0),
                                 QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    view.selectionModel().setCurrentIndex(model.index(target, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
    fresh = rows(20)
    fresh[7] = dataclasses.replace(fresh[7], rate=1000.0)
    model.apply_snapshot(fresh[1:])  # user0000 leaves, user0007 jumps to the top
    selected = {model.account_at(i) for i in view.selectionModel().selectedRows()}
    assert selected == {"user0007"}
    assert model.account_at(view.currentIndex()) == "user0007"
    assert model.index(0, 0).data() == "user0007"  # now the top sender
    assert model.row_for("user0000") is None and model.rowCount() == model.total_count() == 19


def test_five_thousand_rows_fast(qtbot):
    model = AccountRatesModel()
    model.sort(COL_RATE, Qt.SortOrder.DescendingOrder)
    model.apply_snapshot(rows(5000))
    fresh = [dataclasses.replace(r, rate=r.rate + 1, messages_hour=r.messages_hour + 3) for r in rows(5000)]
    t0 = time.perf_counter()
    model.apply_snapshot(fresh)
    apply_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    model.set_search("user00")
    model.set_search("")
    filter_ms = (time.perf_counter() - t0) * 1000
    print(f"5000 rows: apply+sort {apply_ms:.0f} ms, filter and back {filter_ms:.0f} ms")
    assert model.rowCount() == 5000
    assert apply_ms < 300 and filter_ms < 800


def test_filters_search_status_country():
    model = AccountRatesModel()
    data = rows(30)
    data[4] = dataclasses.replace(data[4], status="suspended", suspended_by="bob")
    data[5] = dataclasses.replace(data[5], status="limited")
    model.apply_snapshot(data)

    def shown():
        return {model.index(r, COL_ACCOUNT).data() for r in range(model.rowCount())}

    model.set_search("USER001")  # case-insensitive
    assert shown() == {f"user{i:04d}" for i in range(10, 20)}
    model.set_search("user0021@example")  # contact matches too
    assert shown() == {"user0021"}
    model.set_search("")
    model.set_states({"staff_stopped", "limited"})
    assert shown() == {"user0004", "user0005"}
    assert model.index(model.row_of("user0004"), COL_STATUS).data() == "stopped by bob"
    assert model.total_count() == 30 and model.row_for("user0007") is not None  # filtered out, still known
    model.set_states(set())
    model.set_country("cn")
    assert model.country == "CN"
    assert shown() == {r.account for r in data if r.top_country == "CN"} and shown()
    # A poll while filtered: an account that now passes appears, one that no longer passes goes.
    fresh = [dataclasses.replace(r, top_country="CN") if r.account == "user0001" else
             dataclasses.replace(r, top_country="JP") if r.top_country == "CN" and r.account != "user0001" else r
             for r in data]
    model.apply_snapshot(fresh)
    assert shown() == {"user0001"}
    model.set_country("")
    assert model.rowCount() == 30


def test_a_filter_with_many_gaps_keeps_selection_and_order(qtbot):
    """A search over rows scattered through the table: removed in one block, the rest in order."""
    model = AccountRatesModel()
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    model.sort(COL_RATE, Qt.SortOrder.DescendingOrder)
    model.apply_snapshot(rows(300))
    removed = []
    model.rowsRemoved.connect(lambda parent, first, last: removed.append((first, last)))
    view.selectionModel().select(model.index(model.row_of("user0105"), 0),
                                 QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    model.set_search("user01")
    names = [model.index(r, COL_ACCOUNT).data() for r in range(model.rowCount())]
    assert sorted(names) == [f"user{i:04d}" for i in range(100, 200)]
    expected = [r.account for r in sorted((r for r in rows(300) if r.account.startswith("user01")),
                                          key=lambda r: -r.rate)]
    assert names == expected  # stable: equal rates keep the order they had on screen
    assert len(removed) == 1  # one block, not one removal per gap
    assert [model.account_at(i) for i in view.selectionModel().selectedRows()] == ["user0105"]


def test_spammer_text_is_plain_display_and_escaped_tooltip():
    model = AccountRatesModel()
    evil = "<b>x</b><img src=x>"
    model.apply_snapshot([AccountRow.from_json(make_account(1, evil, owner_name="<script>", override=True))])
    assert model.index(0, COL_ACCOUNT).data() == evil  # DisplayRole text is never rendered as HTML
    tip = model.index(0, COL_ACCOUNT).data(Qt.ItemDataRole.ToolTipRole)
    assert "<img" not in tip and "&lt;img src=x&gt;" in tip and "&lt;script&gt;" in tip
    assert model.index(0, COL_QUOTA).data() == "100/h ◆"  # compact: the full text is in the tooltip
    quota_tip = model.index(0, COL_QUOTA).data(Qt.ItemDataRole.ToolTipRole)
    assert "100/h" in quota_tip and "Staff override" in quota_tip


def test_status_is_a_coloured_cell_and_a_row_tint():
    model = AccountRatesModel()
    data = rows(4)
    data[1] = dataclasses.replace(data[1], status="suspended", suspended_by="auto")
    data[2] = dataclasses.replace(data[2], status="suspended", suspended_by="bob")
    data[3] = dataclasses.replace(data[3], status="limited")
    model.apply_snapshot(data)
    bg = Qt.ItemDataRole.BackgroundRole
    assert model.index(0, COL_STATUS).data(bg) is None and model.index(0, COL_ACCOUNT).data(bg) is None
    colours = set()
    for r in (1, 2, 3):
        cell, tint = model.index(r, COL_STATUS).data(bg), model.index(r, COL_ACCOUNT).data(bg)
        assert cell.color().alpha() > tint.color().alpha() > 0  # a strong status cell, a faint row
        assert cell.color().rgb() == tint.color().rgb()
        assert model.index(r, COL_STATUS).data(Qt.ItemDataRole.DecorationRole).isValid()  # a swatch
        colours.add(cell.color().rgb())
    assert len(colours) == 3  # auto-stopped, stopped by staff and limited look different


def test_resort_is_silent_when_the_order_holds():
    model = AccountRatesModel()
    model.apply_snapshot(rows(20))
    layouts = []
    model.layoutChanged.connect(lambda *a: layouts.append(1))
    model.sort(COL_RATE, Qt.SortOrder.DescendingOrder)
    assert layouts == [1]
    rates = [model.index(r, COL_RATE).data(SORT_ROLE) for r in range(20)]
    assert rates == sorted(rates, reverse=True)
    model.sort(COL_RATE, Qt.SortOrder.DescendingOrder)
    assert layouts == [1]


def test_since_is_one_compact_format_with_the_full_time_in_the_tooltip():
    import datetime as dt

    model = AccountRatesModel()
    today = dt.datetime(2026, 11, 28, 0, 59, 5).timestamp()
    yesterday = dt.datetime(2026, 11, 27, 22, 49).timestamp()
    model.apply_snapshot([dataclasses.replace(r, status_since=t) for r, t in zip(rows(3), (today, yesterday, None))])
    texts = [model.index(r, COL_SINCE).data() for r in range(3)]
    tips = [model.index(r, COL_SINCE).data(Qt.ItemDataRole.ToolTipRole) for r in range(3)]
    assert sorted(texts) == ["", "11-27 22:49", "11-28 00:59"]
    assert sorted(t or "" for t in tips) == ["", "2026-11-27 22:49:00", "2026-11-28 00:59:05"]


def test_header_tips_say_what_counts(japanese):
    from fumidai.desk.rates_model import COL_DAY, COL_HOUR, COL_USED

    model = AccountRatesModel()

    def tip(col):
        return model.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)

    assert "受付・拒否の両方" in tip(COL_RATE)
    assert all("受け付けた" in tip(c) for c in (COL_HOUR, COL_DAY))
    assert "最も高い使用率" in tip(COL_USED)
    japanese.set("en")
    assert "accepted and refused" in tip(COL_RATE) and "accepted in the last hour" in tip(COL_HOUR)
    assert "quotas" in tip(COL_USED)


# -- rows never move under the mouse --------------------------------------------------------------------
@pytest.fixture
def panel(qtbot):
    """A RatesPanel sorted by rate (highest first), shown, with 30 accounts."""
    from fumidai.desk.rates_panel import RatesPanel

    model = AccountRatesModel()
    panel = RatesPanel(model)
    qtbot.addWidget(panel)
    panel.resize(900, 700)
    panel.show()
    qtbot.waitExposed(panel)
    model.apply_snapshot(rows(30))
    return panel


def shown_names(model):
    return [model.index(r, COL_ACCOUNT).data() for r in range(model.rowCount())]


def shown_rates(model):
    return [model.index(r, COL_RATE).data(SORT_ROLE) for r in range(model.rowCount())]


def reshuffled(gone: str):
    """The next poll: every rate reversed (the order turns over), one account gone, a newcomer on top."""
    fresh = [dataclasses.replace(r, rate=100.0 - r.rate) for r in rows(30) if r.account != gone]
    return fresh + [dataclasses.replace(rows(1)[0], account="newcomer", rate=500.0)]


def test_rows_hold_still_while_the_pointer_is_over_the_table(panel):
    model = panel.model
    before = shown_names(model)
    assert shown_rates(model) == sorted(shown_rates(model), reverse=True)
    QTest.mouseMove(panel.table.viewport(), QPoint(40, 30))
    assert model.order_held
    gone = before[5]
    model.apply_snapshot(reshuffled(gone))
    # Nothing moved, nothing left: the numbers changed in place, the newcomer waits at the bottom.
    assert shown_names(model) == before + ["newcomer"]
    old_top_rate = next(r.rate for r in rows(30) if r.account == before[0])
    assert model.index(0, COL_RATE).data() == f"{100.0 - old_top_rate:,.1f}"
    QTest.mouseMove(panel.search, QPoint(5, 5))  # the pointer leaves the table ...
    assert model.order_held  # ... still close, and within the grace: nothing jumps yet
    go_far(panel)  # gone for good: order and removals catch up
    assert not model.order_held
    names = shown_names(model)
    assert names[0] == "newcomer" and gone not in names and len(names) == 30
    assert shown_rates(model) == sorted(shown_rates(model), reverse=True)


def go_far(panel):
    """The pointer far from the table, longer ago than the grace."""
    panel.pointer = lambda: QPoint(-100000, -100000)
    panel.hold_grace_s = 0.0
    panel.check_pointer()


def test_rows_hold_still_while_the_pointer_approaches(panel):
    model = panel.model
    before = shown_names(model)
    top_left = panel.table.mapToGlobal(QPoint(0, 0))
    panel.pointer = lambda: top_left + QPoint(200, panel.table.height() + 30)  # 30 px below, on its way
    panel.check_pointer()
    assert model.order_held
    model.apply_snapshot(reshuffled(before[3]))
    assert shown_names(model) == before + ["newcomer"]
    panel.pointer = lambda: top_left + QPoint(200, panel.table.height() + 200)  # wandered off
    panel.check_pointer()
    assert model.order_held  # within the grace
    panel.hold_grace_s = 0.0
    panel.check_pointer()
    assert not model.order_held and shown_names(model)[0] == "newcomer"


def test_a_drag_holds_wherever_the_pointer_goes(panel):
    model = panel.model
    before = shown_names(model)
    top_left = panel.table.mapToGlobal(QPoint(0, 0))
    panel.pointer = lambda: top_left + QPoint(40, 40)
    panel.check_pointer()
    panel.buttons = lambda: Qt.MouseButton.LeftButton  # selecting rows by dragging, far outside
    panel.pointer = lambda: QPoint(-100000, -100000)
    panel.hold_grace_s = 0.0
    panel.check_pointer()
    model.apply_snapshot(reshuffled(before[4]))
    assert model.order_held and shown_names(model) == before + ["newcomer"]
    panel.buttons = lambda: Qt.MouseButton.NoButton  # released
    panel.check_pointer()
    assert not model.order_held


def test_a_drag_that_leaves_the_table_still_holds_until_release(panel, qtbot):
    model = panel.model
    before = shown_names(model)
    y = panel.table.rowViewportPosition(2) + 3
    QTest.mouseMove(panel.table.viewport(), QPoint(40, y))
    QTest.mousePress(panel.table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(40, y))
    QTest.mouseMove(panel.search, QPoint(5, 5))  # dragged out, the button still down
    model.apply_snapshot(reshuffled(before[7]))
    assert shown_names(model) == before + ["newcomer"]
    QTest.mouseRelease(panel.table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       QPoint(40, y))
    QTest.mouseMove(panel.search, QPoint(6, 6))
    go_far(panel)
    assert not model.order_held
    assert shown_names(model)[0] == "newcomer" and before[7] not in shown_names(model)
    assert panel.selected_accounts() == [before[2]]  # the row pressed stays selected after the re-sort


def test_refresh_order_sorts_at_once_even_under_the_pointer(panel):
    """F5 (and a header click or filter change) re-sorts now; the pointer keeps holding after."""
    model = panel.model
    QTest.mouseMove(panel.table.viewport(), QPoint(40, 30))
    model.apply_snapshot(reshuffled("user0003"))
    assert shown_rates(model) != sorted(shown_rates(model), reverse=True)
    panel.refresh_order()
    assert shown_rates(model) == sorted(shown_rates(model), reverse=True)
    assert "user0003" not in shown_names(model) and model.order_held
    model.apply_snapshot(rows(30))  # the next poll is held again
    assert shown_names(model)[-1] == "user0003"
    panel.table.sortByColumn(COL_ACCOUNT, Qt.SortOrder.AscendingOrder)  # a header click sorts now
    assert shown_names(model) == sorted(shown_names(model))


def test_a_search_typed_while_held_applies_at_once(panel):
    QTest.mouseMove(panel.table.viewport(), QPoint(40, 30))
    panel.search.setText("user001")
    assert sorted(shown_names(panel.model)) == [f"user{i:04d}" for i in range(10, 20)]
    assert panel.count_label.text() == "10 of 30 accounts"


def test_clearing_a_filter_that_hid_every_row_shows_them_all_again():
    model = AccountRatesModel()
    model.apply_snapshot(rows(12))
    model.set_search("nobody")
    assert model.rowCount() == 0 and model.total_count() == 12
    model.set_search("")
    assert model.rowCount() == 12 and model.row_of("user0011") >= 0


def test_random_polls_filters_holds_and_sorts_keep_the_model_consistent(qtmodeltester):
    """Whatever the sequence, a released model shows exactly the filtered poll in a sorted order,
    its row lookup agrees with its rows, and Qt's tester (attached throughout) sees valid signals."""
    import random

    from fumidai.desk.rates_model import _SORT_KEYS

    rnd = random.Random(20261128)
    model = AccountRatesModel()
    qtmodeltester.check(model, force_py=False)
    pool = rows(60)
    for _step in range(300):
        op = rnd.random()
        if op < 0.45:
            poll = [dataclasses.replace(r, rate=float(rnd.randint(0, 9)),
                                        status=rnd.choice(("ok", "ok", "limited", "suspended")))
                    for r in rnd.sample(pool, rnd.randint(0, 60))]
            model.apply_snapshot(poll)
        elif op < 0.6:
            model.set_search(rnd.choice(("", "", "user00", "user001", "4", "nobody")))
        elif op < 0.7:
            model.set_states(rnd.choice((set(), set(), {"ok"}, {"limited", "auto_stopped"})))
        elif op < 0.8:
            model.set_country(rnd.choice(("", "", "JP", "CN")))
        elif op < 0.9:
            model.hold_order(not model.order_held)
        else:
            model.sort(rnd.randrange(11), rnd.choice((Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder)))
        shown = model.rows()
        assert all(model.row_of(r.account) == i for i, r in enumerate(shown))
        assert len({r.account for r in shown}) == len(shown)
        if not model.order_held:
            expected = {r.account for r in model._all.values() if model._accepts(r)}
            assert {r.account for r in shown} == expected
            if model.sort_column >= 0:
                keys = [_SORT_KEYS[model.sort_column](r) for r in shown]
                assert keys == sorted(keys, reverse=model.sort_order == Qt.SortOrder.DescendingOrder)


def test_f5_in_the_window_resorts_a_table_held_under_the_pointer(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from fumidai.desk.api.client import ApiClient
    from fumidai.desk.api.models import Me
    from fumidai.desk.main_window import MainWindow

    # Nothing listens on port 9 and nothing polls: the test feeds the model itself.
    window = MainWindow(ApiClient("http://127.0.0.1:9", "none"), Me("t", "operator"),
                        QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat), start_polling=False)
    qtbot.addWidget(window)
    try:
        window.plot.set_live(False)
        window.plot._client = None
        window.show()
        qtbot.waitExposed(window)
        model = window.model
        model.apply_snapshot(rows(30))
        QTest.mouseMove(window.rates.table.viewport(), QPoint(40, 30))
        model.apply_snapshot(reshuffled("user0004"))
        assert shown_rates(model) != sorted(shown_rates(model), reverse=True)
        window.act_refresh.trigger()  # F5
        assert shown_rates(model) == sorted(shown_rates(model), reverse=True)
        assert "user0004" not in shown_names(model)
    finally:
        window.shutdown()


# -- column widths: sized for what a later poll can show ------------------------------------------------
def _cell_fits(panel, account: str, column: int) -> tuple[int, int, str]:
    """(column width, font-metrics width of the cell's text, the text) for an account's cell."""
    from PySide6.QtGui import QFontMetrics

    index = panel.model.index(panel.model.row_of(account), column)
    font = index.data(Qt.ItemDataRole.FontRole)  # only what it sets (bold): the rest is the table's, as painted
    font = font.resolve(panel.table.font()) if font is not None else panel.table.font()
    text = index.data()
    return panel.table.columnWidth(column), QFontMetrics(font).horizontalAdvance(text), text


def test_status_and_since_fit_a_stop_that_comes_after_the_first_poll(panel):
    table, model = panel.table, panel.model
    assert all(r.status == "ok" for r in model.rows())  # the columns were fitted to "ok" rows only
    widths = table.columnWidth(COL_STATUS), table.columnWidth(COL_SINCE)
    stopped = dataclasses.replace(rows(1, 3)[0], status="suspended", suspended_by="auto", status_since=time.time())
    model.apply_snapshot(rows(3) + [stopped] + rows(26, 4))
    width, text_width, text = _cell_fits(panel, stopped.account, COL_STATUS)
    assert text == "auto-stopped" and width >= text_width + 16  # bold text and its colour swatch
    assert width >= table.sizeHintForColumn(COL_STATUS)  # what the delegate needs: the label is not elided
    width, text_width, text = _cell_fits(panel, stopped.account, COL_SINCE)
    assert len(text) == len("11-28 22:49") and width >= max(text_width, table.sizeHintForColumn(COL_SINCE))
    # Sized beforehand, for any state: nothing moved when the stop came, nor at the next polls.
    assert (table.columnWidth(COL_STATUS), table.columnWidth(COL_SINCE)) == widths
    model.apply_snapshot(reshuffled("user0001") + [stopped])
    assert (table.columnWidth(COL_STATUS), table.columnWidth(COL_SINCE)) == widths


def test_status_widens_once_for_a_long_staff_name(panel):
    table, model = panel.table, panel.model
    width = table.columnWidth(COL_STATUS)
    staff = "night-shift-supervisor-2"
    stopped = dataclasses.replace(rows(1, 3)[0], status="suspended", suspended_by=staff, status_since=time.time())
    model.apply_snapshot(rows(3) + [stopped] + rows(26, 4))
    wider, text_width, text = _cell_fits(panel, stopped.account, COL_STATUS)
    assert text == f"stopped by {staff}" and wider > width and wider >= text_width + 16
    assert wider >= table.sizeHintForColumn(COL_STATUS)
    model.apply_snapshot(reshuffled("user0001") + [stopped])
    assert table.columnWidth(COL_STATUS) == wider
    table.setColumnWidth(COL_STATUS, wider + 40)  # staff dragged it wider: a poll never narrows it
    model.apply_snapshot(rows(30))
    assert table.columnWidth(COL_STATUS) == wider + 40


def test_status_fits_the_labels_of_a_language_chosen_later(panel, japanese):
    from PySide6.QtGui import QFontMetrics

    from fumidai.desk.rates_model import state_text, status_style

    panel.model.retranslate()
    panel.retranslate()  # what the main window does on a language change
    assert state_text("auto_stopped") == "自動停止"
    width = panel.table.columnWidth(COL_STATUS)
    for state in ("ok", "limited", "auto_stopped", "staff_stopped"):
        font = status_style(state)[0]
        font = font.resolve(panel.table.font()) if font is not None else panel.table.font()
        assert width >= QFontMetrics(font).horizontalAdvance(state_text(state)), state


def test_the_complaints_column_shows_counts_sorts_and_leaves_zero_blank():
    from fumidai.desk.rates_model import COL_COMPLAINTS

    model = AccountRatesModel()
    counts = {0: 0, 1: 3, 2: None, 3: 1}  # None: an older backend's row without the field
    snapshot = [dataclasses.replace(r, complaints=counts[i]) for i, r in enumerate(rows(4))]
    model.apply_snapshot(snapshot)
    assert model.headerData(COL_COMPLAINTS, Qt.Orientation.Horizontal) == "Complaints"
    shown = {model.index(r, COL_ACCOUNT).data(): model.index(r, COL_COMPLAINTS) for r in range(4)}
    assert [shown[a.account].data() for a in snapshot] == ["", "3", "", "1"]
    assert shown[snapshot[1].account].data(Qt.ItemDataRole.BackgroundRole) is not None
    assert shown[snapshot[0].account].data(Qt.ItemDataRole.BackgroundRole) is None
    assert "3 complaints" in shown[snapshot[1].account].data(Qt.ItemDataRole.ToolTipRole)
    model.sort(COL_COMPLAINTS, Qt.SortOrder.DescendingOrder)
    assert [model.index(r, COL_ACCOUNT).data() for r in range(4)] == [snapshot[i].account for i in (1, 3, 0, 2)]
    assert [model.index(r, COL_COMPLAINTS).data(SORT_ROLE) for r in range(4)] == [3, 1, 0, -1]
