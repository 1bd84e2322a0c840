"""TrendsView: four weeks from the fake API's /trends, drawn as bars, with a summary and countries."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")

from fumidai.desk.trends import TrendsView, summarise, top_countries  # noqa: E402

from .fake_api import FakeApi  # noqa: E402

pytestmark = pytest.mark.desk


@pytest.fixture
def api():
    with FakeApi(accounts=1, now=1_800_000_000) as fake:
        yield fake


def view_requests(view):
    return view._test_api.requests


@pytest.fixture
def view(qtbot, make_runner, api):
    widget = TrendsView(make_runner("viewer"))
    widget._test_api = api
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    return widget


def test_renders_four_weeks(qtbot, view):
    with qtbot.waitSignal(view.trendsLoaded, timeout=5000):
        view.refresh()
    assert len(view.days) == 28
    assert ("GET", "/api/v1/trends?days=56") in view_requests(view)  # the 28 days before, for the summary
    # fake: accepted 1000 + 10k, refused 30 + k, stops k % 3, oldest first (k from 0 over 56 days)
    heights = view.accepted_bars.opts["height"]
    assert np.array_equal(heights, 1000 + 10 * np.arange(28, 56))
    assert np.array_equal(view.refused_bars.opts["height"], 30 + np.arange(28, 56))
    assert np.array_equal(view.stops_bars.opts["height"], np.arange(28, 56) % 3)
    assert view.legend.names == ["accepted", "refused"] and not view.messages_plot.plotItem.legend  # under, not over
    ticks = view.messages_plot.getAxis("bottom")._tickLevels[0]
    assert ticks[-1] == (27, view.days[-1]["date"][5:])
    assert view.countries.rowCount() == 1
    assert view.countries.item(0, 0).text().startswith("JP ")
    assert view.countries.item(0, 2).text() == "100%"
    assert view.summary.text().startswith("Last 28 days: ") and "The 28 days before: " in view.summary.text()
    image = view.grab().toImage()
    assert not image.isNull() and image.width() >= 900


def test_summary_compares_weeks():
    days = [{"date": f"2026-11-{i:02d}", "accepted": 90, "refused": 10, "auto_suspensions": 1} for i in range(1, 8)]
    days += [{"date": f"2026-11-{i:02d}", "accepted": 99, "refused": 1, "auto_suspensions": 0} for i in range(8, 15)]
    s = summarise(days)
    assert s["refused_share_before"] == pytest.approx(0.10) and s["refused_share"] == pytest.approx(0.01)
    assert (s["auto_suspensions_before"], s["auto_suspensions"]) == (7, 0)


def test_top_countries_ignores_junk():
    days = [{"date": "2026-11-01", "top_countries": [{"country": "CN", "messages": 5}, {"country": None},
                                                       "junk", {"country": "JP", "messages": "7"}]},
            {"date": "2026-11-02", "top_countries": [{"country": "CN", "messages": 4}]}]
    assert top_countries(days) == [("CN", 9), ("JP", 7)]


def test_empty_period(qtbot, view):
    view.set_days([])
    assert view.summary.text() == "No data for this period."
    assert view.countries.rowCount() == 0


def test_charts_follow_the_theme(view):
    from fumidai.desk.theme import plot_colours

    for dark in (False, True):
        view.set_dark(dark)
        colour = view.messages_plot.backgroundBrush().color()
        assert colour.getRgb()[:3] == plot_colours(dark)["background"]  # no black chart in the light theme


def test_long_country_names_are_not_cut(qtbot, make_runner):
    view = TrendsView(make_runner("viewer"), language="ja")
    qtbot.addWidget(view)
    for width in (1024, 1400):  # the window sizes the Japanese UI is checked at
        view.resize(width - 400, 700)  # the docks take the rest
        view.set_days([{"date": "2026-12-01", "accepted": 10, "refused": 0, "auto_suspensions": 0,
                        "top_countries": [{"country": c, "messages": 10 - i}
                                          for i, c in enumerate(("UA", "PS", "US", "CD"))]}])
        table = view.countries
        texts = [table.item(r, 0).text() for r in range(table.rowCount())]
        assert "UA ウクライナ" in texts and "PS パレスチナ自治区" in texts
        metrics = table.fontMetrics()
        for text in texts:
            assert metrics.horizontalAdvance(text) < table.columnWidth(0), text
        assert table.width() <= 460 and table.horizontalScrollBar().maximum() == 0
