"""LivePlot: messages per minute of the selected accounts (or the top senders) as stacked bars.

With accounts selected the stacks are their source countries, with the quota as a horizontal
line; with none, the stacks are the top accounts of the overview. Series are fetched on a
one-thread pool; an answer for an older request is dropped (cancel-the-previous, as Orange does).
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from .api.client import ApiClient, ApiClientError
from .api.models import Series
from .messages import error_text
from .theme import plot_colours

WINDOWS = {"hour": (3600, 60), "day": (86400, 600)}  # window s, step s
MAX_STACKS = 8
TOP_ACCOUNTS = 5
PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
           (227, 119, 194), (188, 189, 34), (127, 127, 127)]


class LegendRow(QLabel):
    """A legend outside the plot: one wrapping line of colour squares and names, so no bar is hidden."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)  # names are escaped in set_entries
        self.setWordWrap(True)
        font = self.font()
        font.setPointSizeF(max(font.pointSizeF() - 1, 7))
        self.setFont(font)
        self.names: list[str] = []

    def set_entries(self, entries: list[tuple[tuple[int, int, int] | str, str]]) -> None:
        """(colour, name) pairs; names may be spammer-chosen, so they are escaped, never rendered."""
        self.names = [name for _colour, name in entries]
        # A no-break space ties each square to its name; the plain space between entries lets the line wrap.
        self.setText("&nbsp;&nbsp; ".join(
            f'<span style="color:{pg.mkColor(colour).name()}">■</span>&nbsp;{html.escape(name)}'
            for colour, name in entries))


class _Emitter(QObject):
    done = Signal(int, object, str)  # generation, {account: Series}, error text


class _FetchJob(QRunnable):
    def __init__(self, client: ApiClient, generation: int, accounts: list[str], window: int, step: int,
                 emitter: _Emitter):
        super().__init__()
        self._client, self._gen, self._accounts = client, generation, accounts
        self._window, self._step, self._emitter = window, step, emitter

    def run(self) -> None:  # pool thread: HTTP only, never widgets
        client = self._client.clone()
        try:
            out = {a: client.series(a, self._window, self._step) for a in self._accounts}
            self._emitter.done.emit(self._gen, out, "")
        except ApiClientError as err:
            self._emitter.done.emit(self._gen, {}, error_text(err, client.base_url))
        finally:
            client.close()


def stack_series(series: dict[str, Series], by: str) -> tuple[np.ndarray, list[tuple[str, np.ndarray]], int]:
    """Times and per-group messages/minute, biggest groups first; the rest as "other".

    ``by`` is "country" (groups inside the accounts) or "account".
    """
    step = next((s.step for s in series.values() if s.points), 60)
    times = sorted({p.time for s in series.values() for p in s.points})
    if not times:
        return np.array([]), [], step
    col = {t: i for i, t in enumerate(times)}
    groups: dict[str, np.ndarray] = {}
    for account, s in series.items():
        for p in s.points:
            parts = p.by_country if by == "country" else {account: p.messages}
            if by == "country" and not parts and p.messages:
                parts = {"?": p.messages}
            for key, n in parts.items():
                groups.setdefault(key, np.zeros(len(times)))[col[p.time]] += n
    per_minute = 60.0 / step
    ordered = sorted(groups.items(), key=lambda kv: -kv[1].sum())
    stacks = [(k, v * per_minute) for k, v in ordered[:MAX_STACKS]]
    rest = ordered[MAX_STACKS:]
    if rest:
        stacks.append(("other", sum(v for _, v in rest) * per_minute))
    return np.asarray(times, dtype=float), stacks, step


class LivePlot(QWidget):
    def __init__(self, client: ApiClient | None = None, parent: QWidget | None = None, refresh_s: float = 20.0):
        super().__init__(parent)
        self._client = client
        self._selected: list[str] = []
        self._top: list[str] = []
        self._quota_per_hour: int | None = None
        self._window = "hour"
        self._generation = 0
        self._dark = False
        self._bars: list[pg.BarGraphItem] = []
        self._legend_names: list[str] = []
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._emitter = _Emitter(self)
        self._emitter.done.connect(self._on_fetched)  # bound slot in the GUI thread

        # DateAxisItem shows local time by default; the API's times are UTC epoch seconds
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.plot.setMouseEnabled(x=True, y=False)
        self.plot.setMenuEnabled(False)
        self.legend = LegendRow(self)
        self.quota_line = pg.InfiniteLine(angle=0, movable=False)
        self.quota_line.setVisible(False)
        self.plot.addItem(self.quota_line)
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)  # a long title wraps instead of widening the window
        self.buttons = QButtonGroup(self)
        row = QHBoxLayout()
        row.addWidget(self.title, 1)
        self._window_buttons = {}
        for key in WINDOWS:
            b = QPushButton(self)
            b.setCheckable(True)
            b.setChecked(key == self._window)
            b.setProperty("window", key)
            self.buttons.addButton(b)
            self._window_buttons[key] = b
            row.addWidget(b)
        self.buttons.buttonClicked.connect(self._on_window_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.legend)

        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(int(refresh_s * 1000))
        self.set_dark(False)
        self.retranslate()

    def retranslate(self) -> None:
        self._window_buttons["hour"].setText(self.tr("Last hour"))
        self._window_buttons["day"].setText(self.tr("Last day"))
        self.plot.setLabel("left", self.tr("messages / minute"))
        self._legend_names = []  # "other" is translated: relabel at the next draw
        self._update_title()

    def set_client(self, client: ApiClient) -> None:
        self._client = client
        self.refresh()

    def set_dark(self, dark: bool) -> None:
        self._dark = dark
        c = plot_colours(dark)
        self.plot.setBackground(c["background"])
        for name in ("left", "bottom"):
            self.plot.getAxis(name).setPen(c["foreground"])
            self.plot.getAxis(name).setTextPen(c["foreground"])
        self.quota_line.setPen(pg.mkPen(c["quota"], width=2, style=Qt.PenStyle.DashLine))

    def set_live(self, live: bool) -> None:
        """Paused desks keep the plot still, like the table."""
        if live:
            self._timer.start()
        else:
            self._timer.stop()

    @Slot(list)
    def set_selected(self, accounts: list[str], quota_per_hour: int | None = None) -> None:
        self._selected = list(accounts)[:20]
        self._quota_per_hour = quota_per_hour if len(self._selected) == 1 else None
        self.refresh()

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
        self._generation += 1
        self._update_title()
        if not accounts or self._client is None:
            self._draw(np.array([]), [], 60)
            return
        window, step = WINDOWS[self._window]
        self._pool.start(_FetchJob(self._client, self._generation, accounts, window, step, self._emitter))

    def wait(self, msecs: int = 10000) -> bool:
        return self._pool.waitForDone(msecs)

    @Slot(int, object, str)
    def _on_fetched(self, generation: int, series: dict, error: str) -> None:
        if generation != self._generation:  # an older request: the selection moved on
            return
        if error:
            self.title.setText(error)
            return
        times, stacks, step = stack_series(series, "country" if self._selected else "account")
        self._draw(times, stacks, step)

    def _draw(self, times: np.ndarray, stacks: list, step: int) -> None:
        # The bar items are kept and given new data (building them anew cost ~30 ms a refresh);
        # the legend is rebuilt only when the names or their order change.
        while len(self._bars) > len(stacks):
            self.plot.removeItem(self._bars.pop())
        bottom = np.zeros(len(times))
        x = times + step / 2
        for k, (name, values) in enumerate(stacks):
            colour = PALETTE[k % len(PALETTE)] if name != "other" else PALETTE[-1]
            opts = dict(x=x, height=values, y0=bottom, width=step * 0.9, brush=pg.mkBrush(*colour))
            if k < len(self._bars):
                self._bars[k].setOpts(**opts)
            else:
                bar = pg.BarGraphItem(pen=pg.mkPen(None), **opts)
                self.plot.addItem(bar)
                self._bars.append(bar)
            bottom = bottom + values
        labels = [self.tr("other") if name == "other" else name for name, _ in stacks]
        if labels != self._legend_names:
            self.legend.set_entries([(bar.opts["brush"].color(), label) for bar, label in zip(self._bars, labels)])
            self._legend_names = labels
        if self._quota_per_hour:
            self.quota_line.setValue(self._quota_per_hour / 60.0)
            self.quota_line.setVisible(True)
        else:
            self.quota_line.setVisible(False)
        if len(times):
            self.plot.setXRange(times[0], times[-1] + step, padding=0.01)
        top = max(float(bottom.max()) if len(bottom) else 0.0,
                  self._quota_per_hour / 60.0 if self._quota_per_hour else 0.0, 1.0)
        self.plot.setYRange(0, top * 1.1, padding=0)
        # Settle the new ranges (and the axes that follow them) now: left to the paint, they
        # invalidate the axes mid-paint and the plot is painted a second time.
        self.plot.getViewBox().prepareForPaint()

    def _update_title(self) -> None:
        if self._selected:
            names = ", ".join(self._selected[:3]) + (" …" if len(self._selected) > 3 else "")
            text = self.tr("Sending of {names}, by source country").format(names=names)
            if self._quota_per_hour:
                text += "  " + self.tr("(dashed: hourly quota {n}/h as a per-minute pace)").format(
                    n=self._quota_per_hour)
        else:
            text = self.tr("Top senders now (select accounts in the table to see them by country)")
        self.title.setText(text)

    def bar_items(self) -> list[pg.BarGraphItem]:
        return list(self._bars)

