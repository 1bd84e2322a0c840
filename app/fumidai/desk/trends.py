"""Did our measures work? Four weeks of accepted vs refused mail, automatic stops, top countries."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..geo.countries import country_name
from .actions import ActionRunner
from .live_plot import LegendRow
from .theme import plot_colours

MAX_DAYS = 366  # the backend's limit for /trends

ACCEPTED_COLOUR = "#66cc00"  # Rspamd's "no action" green
REFUSED_COLOUR = "#ff0000"  # and its "reject" red
STOPS_COLOUR = "#bf8040"
TOP_COUNTRIES = 10


def _int(value: object) -> int:
    try:
        return max(0, int(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0


def summarise(days: list[dict], n: int = 7) -> dict:
    """Refused share and automatic stops: the last ``n`` days against the ``n`` before."""
    def window(part: list[dict]) -> tuple[float, int]:
        accepted = sum(_int(d.get("accepted")) for d in part)
        refused = sum(_int(d.get("refused")) for d in part)
        total = accepted + refused
        return (refused / total if total else 0.0), sum(_int(d.get("auto_suspensions")) for d in part)

    last, before = days[-n:], days[-2 * n:-n]
    share, stops = window(last)
    share_before, stops_before = window(before)
    return {"refused_share": share, "refused_share_before": share_before,
            "auto_suspensions": stops, "auto_suspensions_before": stops_before, "has_before": bool(before)}


def top_countries(days: list[dict], limit: int = TOP_COUNTRIES) -> list[tuple[str, int]]:
    totals: dict[str, int] = {}
    for day in days:
        for c in day.get("top_countries") or []:
            if isinstance(c, dict) and isinstance(c.get("country"), str):
                totals[c["country"]] = totals.get(c["country"], 0) + _int(c.get("messages"))
    return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]

COUNTRIES_MIN_WIDTH = 320
COUNTRIES_MAX_WIDTH = 460  # the plots keep the rest


class TrendsView(QWidget):
    trendsLoaded = Signal()

    def __init__(self, runner: ActionRunner, parent: QWidget | None = None, language: str = "en"):
        super().__init__(parent)
        self._runner = runner
        self._language = language
        self.days: list[dict] = []
        self._all_days: list[dict] = []

        self.period = QSpinBox(minimum=7, maximum=365, value=28)
        self.reload_button = QPushButton()
        self.reload_button.clicked.connect(self.refresh)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)

        self.messages_plot = pg.PlotWidget()
        self.messages_plot.showGrid(y=True, alpha=0.3)
        self.legend = LegendRow(self)
        self.accepted_bars = pg.BarGraphItem(x=[], height=[], width=0.4, brush=ACCEPTED_COLOUR)
        self.refused_bars = pg.BarGraphItem(x=[], height=[], width=0.4, brush=REFUSED_COLOUR)
        self.messages_plot.addItem(self.accepted_bars)
        self.messages_plot.addItem(self.refused_bars)

        self.stops_plot = pg.PlotWidget()
        self.stops_plot.showGrid(y=True, alpha=0.3)
        self.stops_plot.setXLink(self.messages_plot)
        self.stops_bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush=STOPS_COLOUR)
        self.stops_plot.addItem(self.stops_bars)

        self.countries = QTableWidget(0, 3)
        self.countries.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.countries.verticalHeader().setVisible(False)
        # Names such as "PS パレスチナ自治区" in full: the name and count columns as wide as their
        # text, the share takes the rest; the table grows to fit them (_fit_countries).
        header = self.countries.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.countries.setMaximumWidth(COUNTRIES_MIN_WIDTH)

        bar = QHBoxLayout()
        bar.addWidget(self.period)
        bar.addWidget(self.reload_button)
        bar.addWidget(self.summary, 1)
        plots = QVBoxLayout()
        plots.addWidget(self.messages_plot, 2)
        plots.addWidget(self.legend)
        plots.addWidget(self.stops_plot, 1)
        body = QHBoxLayout()
        body.addLayout(plots, 1)
        body.addWidget(self.countries)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(body)
        self.retranslate()
        self.set_dark(False)

    def retranslate(self) -> None:
        self.period.setSuffix(self.tr(" days"))
        self.reload_button.setText(self.tr("Reload"))
        self.messages_plot.setTitle(self.tr("Messages per day"))
        self.stops_plot.setTitle(self.tr("Automatic stops per day"))
        self.legend.set_entries([(ACCEPTED_COLOUR, self.tr("accepted")), (REFUSED_COLOUR, self.tr("refused"))])
        self.countries.setHorizontalHeaderLabels([self.tr("Country"), self.tr("Messages"), self.tr("Share")])
        if self.days:
            self.set_days(self.days)

    def set_language(self, language: str) -> None:
        """Country names in this language ("ja" or "en"); labels follow the installed translator."""
        self._language = language
        if self.days:
            self.set_days(self.days)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    @Slot()
    def refresh(self) -> None:
        # Twice the period: the summary compares the period shown with the one before it.
        days = min(2 * self.period.value(), MAX_DAYS)
        self.reload_button.setEnabled(False)
        self._runner.fetch("trends", "", lambda client: client.trends(days=days),
                           on_success=self._loaded, on_failure=self._failed)

    def set_dark(self, dark: bool) -> None:
        """pyqtgraph does not follow the palette: the plots take the theme's colours here."""
        c = plot_colours(dark)
        for plot in (self.messages_plot, self.stops_plot):
            plot.setBackground(c["background"])
            for name in ("left", "bottom"):
                plot.getAxis(name).setPen(c["foreground"])
                plot.getAxis(name).setTextPen(c["foreground"])
            plot.getPlotItem().titleLabel.setText(plot.getPlotItem().titleLabel.text, color=c["foreground"])

    def _fit_countries(self) -> None:
        """As wide as the longest country name needs (within bounds), so none is cut to "UA ウクラ…"."""
        table = self.countries
        table.resizeColumnsToContents()
        share = table.horizontalHeader().sectionSizeHint(2)
        need = (table.columnWidth(0) + table.columnWidth(1) + share + 2 * table.frameWidth()
                + table.verticalScrollBar().sizeHint().width() + 4)
        width = max(COUNTRIES_MIN_WIDTH, min(need, COUNTRIES_MAX_WIDTH))
        table.setMinimumWidth(width)
        table.setMaximumWidth(width)

    def _loaded(self, answer: dict) -> None:
        self.reload_button.setEnabled(True)
        days = answer.get("days") if isinstance(answer, dict) else None
        self.set_days([d for d in days or [] if isinstance(d, dict) and isinstance(d.get("date"), str)])

    def _failed(self, message: str) -> None:
        self.reload_button.setEnabled(True)
        self.summary.setText(message)

    def set_days(self, days: list[dict]) -> None:
        """Show the last ``period`` days of these; the ones before serve the summary's comparison."""
        self._all_days = sorted(days, key=lambda d: d["date"])
        self.days = self._all_days[-self.period.value():]
        x = np.arange(len(self.days), dtype=float)
        accepted = np.array([_int(d.get("accepted")) for d in self.days], dtype=float)
        refused = np.array([_int(d.get("refused")) for d in self.days], dtype=float)
        stops = np.array([_int(d.get("auto_suspensions")) for d in self.days], dtype=float)
        self.accepted_bars.setOpts(x=x - 0.2, height=accepted)
        self.refused_bars.setOpts(x=x + 0.2, height=refused)
        self.stops_bars.setOpts(x=x, height=stops)
        # A tick per week keeps labels legible; MM-DD is enough within a few weeks.
        ticks = [(i, d["date"][5:10]) for i, d in enumerate(self.days) if (len(self.days) - 1 - i) % 7 == 0]
        for plot in (self.messages_plot, self.stops_plot):
            plot.getAxis("bottom").setTicks([ticks])
            plot.enableAutoRange()

        top = top_countries(self.days)
        total = sum(n for _, n in top) or 1
        self.countries.setRowCount(len(top))
        for row, (code, n) in enumerate(top):
            for col, text in enumerate((f"{code} {country_name(code, self._language)}", f"{n:,}",
                                        f"{100 * n / total:.0f}%")):
                item = QTableWidgetItem(text)
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.countries.setItem(row, col, item)
        self._fit_countries()

        n = len(self.days)
        s = summarise(self._all_days, n)
        text = self.tr("Last {n} days: {0:.1%} of messages refused, {1} automatic stops.").format(
            s["refused_share"], s["auto_suspensions"], n=n)
        if s["has_before"]:
            text += " " + self.tr("The {n} days before: {0:.1%} refused, {1} stops.").format(
                s["refused_share_before"], s["auto_suspensions_before"], n=n)
        self.summary.setText(text if self.days else self.tr("No data for this period."))
        self.trendsLoaded.emit()
