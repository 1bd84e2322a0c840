"""LivePlot: messages per minute of the selected accounts (or the top senders) as stacked bars.

With accounts selected the stacks are their source countries, with the quota as a horizontal
line; with none, the stacks are the top accounts of the overview. Refused attempts sit on top
as a hatched red segment, so a suspended account that is still being hammered shows it. When the
one selected account's binding quota counts recipients, the bars are recipients per minute, by
source country, with the recipients of refused attempts hatched on top, and the line is that
quota's pace. A backend older than recipients_by_country and refused_recipients gives recipients
in one stack and refused messages as a line of their own (a unit the bars do not share). Series
are fetched on a one-thread ``BackgroundCalls`` lane: an answer for an older request is dropped
(cancel-the-previous, as Orange does).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Slot
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from .api.client import ApiClient
from .api.models import Series
from .background import BackgroundCalls
from .messages import error_text
from .plot_data import (  # the numbers behind the drawing, without Qt
    OTHER,
    RATE_QUOTAS,
    RECIPIENTS,
    recipient_detail,
    refused_series,
    stack_series,
)
from .plot_items import HatchedBars, LegendRow, NumericDateAxis
from .theme import plot_colours

__all__ = ["LegendRow", "LivePlot", "PALETTE", "REFUSED_RGB"]

WINDOWS = {"hour": (3600, 60), "day": (86400, 600)}  # window s, step s
TOP_ACCOUNTS = 5
# pyqtgraph's own right-click entry on every plot scene, translated through our catalogue (pyqtgraph
# asks QCoreApplication.translate with this context when it builds the scene).
_PYQTGRAPH_TEXTS = (QT_TRANSLATE_NOOP("GraphicsScene", "Export..."),)

# tab10 without its red, which is kept for refusals; grey last, for "other".
PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (23, 190, 207), (148, 103, 189), (140, 86, 75),
           (227, 119, 194), (188, 189, 34), (127, 127, 127)]
REFUSED_RGB = (214, 39, 40)
# The dashed line's legend entry (the legend's tooltip says it is drawn as a pace per minute).
_QUOTA_NOTES = {
    "messages_per_hour": QT_TRANSLATE_NOOP("LivePlot", "hourly quota {n}/h"),
    "messages_per_day": QT_TRANSLATE_NOOP("LivePlot", "daily quota {n}/day"),
    "recipients_per_hour": QT_TRANSLATE_NOOP("LivePlot", "hourly recipient quota {n}/h"),
    "recipients_per_day": QT_TRANSLATE_NOOP("LivePlot", "daily recipient quota {n}/day"),
}


class LivePlot(QWidget):
    def __init__(self, client: ApiClient | None = None, parent: QWidget | None = None, refresh_s: float = 20.0):
        super().__init__(parent)
        self._client = client
        self._selected: list[str] = []
        self._top: list[str] = []
        self._quota_per_hour: int | None = None
        # (account, (quota key, limit) or None): what binds that account, once its detail is known
        self._binding: tuple[str, tuple[str, int] | None] | None = None
        self._series: dict[str, Series] = {}  # the last answer, redrawn when only the unit changes
        self._window = "hour"
        self._dark = False
        self._bars: list[pg.BarGraphItem] = []
        self._legend_names: list[str] = []
        self._calls = BackgroundCalls(client, self, threads=1, name="fumidai-plot")
        self._fetching = 0  # the id of the series request whose answer is awaited

        # DateAxisItem shows local time by default; the API's times are UTC epoch seconds
        self.plot = pg.PlotWidget(axisItems={"bottom": NumericDateAxis(orientation="bottom")})
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.plot.setMouseEnabled(x=True, y=False)
        self.plot.setMenuEnabled(False)
        self.legend = LegendRow(self, lines=3)  # names of the top accounts shortened to fit, never wrapped
        # Refusals: stacked on what was accepted, in the same unit (attempts = accepted + refused:
        # messages, or recipients); refused messages over recipients (an older backend has no
        # refused recipients), whose unit they do not share, a line of their own.
        self.refused_bars = HatchedBars(REFUSED_RGB)
        self.refused_bars.setZValue(1)
        self.refused_bars.setVisible(False)
        self.plot.addItem(self.refused_bars)
        self.refused_line = pg.PlotDataItem(stepMode="center")
        self.refused_line.setZValue(2)
        self.refused_line.setVisible(False)
        self.plot.addItem(self.refused_line)
        self.quota_line = pg.InfiniteLine(angle=0, movable=False)
        self.quota_line.setZValue(3)
        self.quota_line.setVisible(False)
        self.plot.addItem(self.quota_line)
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)  # a long title wraps instead of widening the window
        self.buttons = QButtonGroup(self)
        # The title has the whole width; the time window's buttons sit under the time axis, by the legend.
        row = QHBoxLayout()
        row.addWidget(self.legend, 1)
        self._window_buttons = {}
        for key in WINDOWS:
            b = QToolButton(self)  # no 80 px minimum, unlike a Fusion push button
            b.setCheckable(True)
            b.setChecked(key == self._window)
            b.setProperty("window", key)
            self.buttons.addButton(b)
            self._window_buttons[key] = b
            row.addWidget(b)
        self.buttons.buttonClicked.connect(self._on_window_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)
        layout.addLayout(row)

        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(int(refresh_s * 1000))
        self.set_dark(False)
        self.retranslate()

    def retranslate(self) -> None:
        # Short, like the map's: the row shares the plot's width with the legend.
        self._window_buttons["hour"].setText(self.tr("1 h"))
        self._window_buttons["hour"].setToolTip(self.tr("Last hour"))
        self._window_buttons["day"].setText(self.tr("24 h"))
        self._window_buttons["day"].setToolTip(self.tr("Last day"))
        self.legend.set_note(self.tr("The dashed line is the quota spread evenly, as a pace per minute"))
        self._update_axis_label()
        self._legend_names = []  # "other" is translated: relabel at the next draw
        self._update_title()

    def set_client(self, client: ApiClient) -> None:
        self._client = client
        self._calls.set_client(client)
        self.refresh()

    def set_dark(self, dark: bool) -> None:
        self._dark = dark
        self._legend_names = []  # the quota's mark takes the theme's colour at the next draw
        c = plot_colours(dark)
        self.plot.setBackground(c["background"])
        for name in ("left", "bottom"):
            self.plot.getAxis(name).setPen(c["foreground"])
            self.plot.getAxis(name).setTextPen(c["foreground"])
        self.quota_line.setPen(pg.mkPen(c["quota"], width=2, style=Qt.PenStyle.DashLine))
        self.refused_line.setPen(pg.mkPen(REFUSED_RGB, width=2))

    def set_live(self, live: bool) -> None:
        """Paused desks keep the plot still, like the table."""
        if live:
            self._timer.start()
        else:
            self._timer.stop()

    # -- what is plotted --------------------------------------------------------------------------

    @property
    def quota(self) -> tuple[str, int] | None:
        """(key, limit) of the quota drawn as the dashed line: one selected account's only."""
        if len(self._selected) != 1:
            return None
        if self._binding is not None and self._binding[0] == self._selected[0]:
            return self._binding[1]
        return ("messages_per_hour", self._quota_per_hour) if self._quota_per_hour else None

    @property
    def unit(self) -> str:
        """"recipients" while the one selected account's binding quota counts them, else "messages"."""
        q = self.quota
        return RATE_QUOTAS[q[0]][0] if q else "messages"

    @Slot(list)
    def set_selected(self, accounts: list[str], quota_per_hour: int | None = None) -> None:
        """Plot these accounts; ``quota_per_hour`` (messages) until set_binding_quota knows better."""
        self._selected = list(accounts)[:20]
        self._quota_per_hour = quota_per_hour if len(self._selected) == 1 else None
        self.refresh()

    def set_binding_quota(self, account: str, quota: tuple[str, int] | None) -> None:
        """The quota that binds ``account`` (see binding_quota), e.g. ("recipients_per_hour", 300).

        Kept for that account: while it is the one selected, the plot counts that quota's unit
        and draws its pace. Redrawn from the data already fetched, without a new request.
        """
        if quota is not None and quota[0] not in RATE_QUOTAS:
            quota = None
        changed = self._binding != (account, quota)
        self._binding = (account, quota)
        if changed and self._selected == [account]:
            self._update_axis_label()
            self._update_title()
            if set(self._series) == {account}:
                self._render()

    def set_top_accounts(self, accounts: list[str]) -> None:
        """Top senders of the overview, plotted while nothing is selected (refetched on the timer)."""
        first = not self._top
        self._top = list(accounts)[:TOP_ACCOUNTS]
        if first and not self._selected:
            self.refresh()

    @Slot()
    def _on_window_button(self, button) -> None:
        self._window = button.property("window")
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        accounts = self._selected or self._top
        self._update_axis_label()
        self._update_title()
        if not accounts or self._client is None:
            self._calls.cancel(self._fetching)  # an answer still coming is for an older question
            self._series = {}
            self._draw(np.array([]), [], 60, np.array([]))
            return
        window, step = WINDOWS[self._window]

        def fetch(client: ApiClient) -> dict[str, Series]:
            return {a: client.series(a, window, step) for a in accounts}

        self._fetching = self._calls.submit(fetch, self._on_fetched, self._on_fetch_failed, lane="series")

    def wait(self, msecs: int = 10000) -> bool:
        return self._calls.wait(msecs)

    def shutdown(self, msecs: int = 10000) -> bool:
        """Stop refreshing; drop an answer still coming and close the thread's session."""
        self._timer.stop()
        return self._calls.close(msecs)

    def _on_fetched(self, series: dict) -> None:
        self._series = series
        self._render()

    def _on_fetch_failed(self, error: BaseException) -> None:
        self.title.setText(error_text(error, self._client.base_url if self._client else ""))

    def _render(self) -> None:
        recipients = self.unit == "recipients"
        by = "recipients" if recipients else "country" if self._selected else "account"
        times, stacks, step = stack_series(self._series, by)
        # Refusals in the bars' unit when the backend gives them so: stacked on the bars.
        stacked = not recipients or recipient_detail(self._series)
        unit = "recipients" if recipients and stacked else "messages"
        if recipients:
            self._update_title()  # "by source country" or, from an older backend, "all source countries"
        self._draw(times, stacks, step, refused_series(self._series, times, step, unit), stacked)

    def _draw(self, times: np.ndarray, stacks: list, step: int, refused: np.ndarray, stacked: bool = True) -> None:
        # The bar items are kept and given new data (building them anew cost ~30 ms a refresh);
        # the legend is rebuilt only when the names or their order change.
        while len(self._bars) > len(stacks):
            self.plot.removeItem(self._bars.pop())
        bottom = np.zeros(len(times))
        x = times + step / 2
        for k, (name, values) in enumerate(stacks):
            colour = PALETTE[-1] if name == OTHER else PALETTE[k % len(PALETTE)]
            opts = dict(x=x, height=values, y0=bottom, width=step * 0.9, brush=pg.mkBrush(*colour))
            if k < len(self._bars):
                self._bars[k].setOpts(**opts)
            else:
                bar = pg.BarGraphItem(pen=pg.mkPen(None), **opts)
                self.plot.addItem(bar)
                self._bars.append(bar)
            bottom = bottom + values
        names = {OTHER: self.tr("other"), RECIPIENTS: self.tr("accepted recipients")}
        entries = [(bar.opts["brush"].color(), names.get(name, name)) for bar, (name, _) in zip(self._bars, stacks)]

        refusing = bool(len(refused)) and bool(refused.any())
        top = float(bottom.max()) if len(bottom) else 0.0
        if refusing and stacked:
            self.refused_bars.setOpts(x=x, height=refused, y0=bottom, width=step * 0.9)
            label = self.tr("refused attempts") if self.unit == "messages" else self.tr("refused recipients")
            entries.append((REFUSED_RGB, label, "▨"))
            top = float((bottom + refused).max())
        elif refusing:
            self.refused_line.setData(np.append(times, times[-1] + step), refused)
            entries.append((REFUSED_RGB, self.tr("refused attempts (messages)"), "━"))
            top = max(top, float(refused.max()))
        self.refused_bars.setVisible(refusing and stacked)
        self.refused_line.setVisible(refusing and not stacked)
        quota = self.quota
        pace = quota[1] / RATE_QUOTAS[quota[0]][1] if quota else 0.0
        if pace:
            self.quota_line.setValue(pace)
            entries.append((plot_colours(self._dark)["quota"], self.tr(_QUOTA_NOTES[quota[0]]).format(n=quota[1]), "┅"))
        self.quota_line.setVisible(bool(pace))
        labels = [entry[1] for entry in entries]
        if labels != self._legend_names:
            self.legend.set_entries(entries)
            self._legend_names = labels
        if len(times):
            self.plot.setXRange(times[0], times[-1] + step, padding=0.01)
        self.plot.setYRange(0, max(top, pace, 1.0) * 1.1, padding=0)
        # Settle the new ranges (and the axes that follow them) now: left to the paint, they
        # invalidate the axes mid-paint and the plot is painted a second time.
        self.plot.getViewBox().prepareForPaint()

    def _update_axis_label(self) -> None:
        if self.unit == "recipients":
            self.plot.setLabel("left", self.tr("recipients / minute"))
        else:
            self.plot.setLabel("left", self.tr("messages / minute"))

    def _update_title(self) -> None:
        if self._selected:
            names = ", ".join(self._selected[:3]) + (" …" if len(self._selected) > 3 else "")
            if self.unit == "recipients" and not recipient_detail(self._series):  # an older backend
                text = self.tr("Recipients of {names}, all source countries").format(names=names)
            elif self.unit == "recipients":
                text = self.tr("Recipients of {names}, by source country").format(names=names)
            else:
                text = self.tr("Sending of {names}, by source country").format(names=names)
        else:
            text = self.tr("Top senders now (select accounts in the table to see them by country)")
        self.title.setText(text)

    def bar_items(self) -> list[pg.BarGraphItem]:
        """The accepted stacks (refusals are refused_bars, or refused_line over recipients from an
        older backend)."""
        return list(self._bars)
