"""AccountRatesModel and its proxy: in-place updates, Qt's model tester, 5,000 rows, filters."""

from __future__ import annotations

import dataclasses
import time

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QTableView

from fumidai.desk.api.models import AccountRow
from fumidai.desk.rates_model import (
    COL_ACCOUNT,
    COL_QUOTA,
    COL_RATE,
    COL_SINCE,
    COL_STATUS,
    SORT_ROLE,
    AccountFilterProxy,
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
    proxy = AccountFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_search("user00")
    proxy.sort(COL_RATE, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(proxy, force_py=False)


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
    proxy = AccountFilterProxy()
    proxy.setSourceModel(model)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    model.apply_snapshot(rows(20))
    proxy.sort(COL_RATE, Qt.SortOrder.DescendingOrder)
    target = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == "user0007")
    view.selectionModel().select(proxy.index(target, 0),
                                 QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    fresh = rows(20)
    fresh[7] = dataclasses.replace(fresh[7], rate=1000.0)
    model.apply_snapshot(fresh[1:])  # user0000 leaves
    proxy.refresh_order()
    selected = {proxy.account_at(i) for i in view.selectionModel().selectedRows()}
    assert selected == {"user0007"}
    assert proxy.index(0, 0).data() == "user0007"  # now the top sender


def test_five_thousand_rows_fast(qtbot):
    model = AccountRatesModel()
    proxy = AccountFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(COL_RATE, Qt.SortOrder.DescendingOrder)
    model.apply_snapshot(rows(5000))
    fresh = [dataclasses.replace(r, rate=r.rate + 1, messages_hour=r.messages_hour + 3) for r in rows(5000)]
    t0 = time.perf_counter()
    model.apply_snapshot(fresh)
    apply_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    proxy.refresh_order()
    resort_ms = (time.perf_counter() - t0) * 1000
    print(f"5000 rows: apply {apply_ms:.0f} ms, filter+sort {resort_ms:.0f} ms")
    assert proxy.rowCount() == 5000
    assert apply_ms < 300 and resort_ms < 800


def test_filters_search_status_country():
    model = AccountRatesModel()
    data = rows(30)
    data[4] = dataclasses.replace(data[4], status="suspended", suspended_by="bob")
    data[5] = dataclasses.replace(data[5], status="limited")
    model.apply_snapshot(data)
    proxy = AccountFilterProxy()
    proxy.setSourceModel(model)

    def shown():
        return {proxy.index(r, COL_ACCOUNT).data() for r in range(proxy.rowCount())}

    proxy.set_search("USER001")  # case-insensitive
    assert shown() == {f"user{i:04d}" for i in range(10, 20)}
    proxy.set_search("user0021@example")  # contact matches too
    assert shown() == {"user0021"}
    proxy.set_search("")
    proxy.set_states({"staff_stopped", "limited"})
    assert shown() == {"user0004", "user0005"}
    assert model.index(4, COL_STATUS).data() == "stopped by bob"
    proxy.set_states(set())
    proxy.set_country("cn")
    assert shown() == {r.account for r in data if r.top_country == "CN"} and shown()


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
