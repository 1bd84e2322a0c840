"""EgressPanel: is any of our outgoing addresses on a blocklist? One row per egress address × zone.

The backend checks the lists itself (GET /blocklists); the desk only shows the last answers: the
state, since when, the list's own TXT words and, where the zone has one, the delisting page. Polled
slowly (REFRESH_S) through the ActionRunner, off the GUI thread. A backend without blocklist checks
(404), or with no egress address configured, hides the panel: ``supportedChanged(False)``. The TXT
and error texts come from DNS answers of third parties: table items and tooltips are plain text
(escaped), never markup. Below the table, while an address is listed, ListingSenders shows the
accounts that sent most in the hours before the listing (the selected listed row's address, else
the first listed one); double-click or Enter opens one: ``accountActivated``.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QColor, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .actions import ActionRunner
from .api.client import ApiError
from .api.models import parse_time
from .clock import local_text, utc_text
from .listing_senders import ListingSenders

REFRESH_S = 60.0
LISTED_COLOUR = "#d32f2f"
ERROR_COLOUR = "#f57c00"
FIT_ROWS = 6  # the table grows with its rows up to this many, then scrolls


class EgressPanel(QWidget):
    supportedChanged = Signal(bool)
    listedChanged = Signal(int)  # how many pairs are listed now
    accountActivated = Signal(str)  # an account of the listing's senders, to investigate

    def __init__(self, runner: ActionRunner, parent: QWidget | None = None, *, refresh_s: float = REFRESH_S):
        super().__init__(parent)
        self._runner = runner
        self.supported: bool | None = None  # unknown until the first answer
        self.items: list[dict] = []
        self.egress: list[str] = []
        self.zones: list[str] = []
        self.table = QTableWidget(0, 6)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.cellDoubleClicked.connect(self._on_double_click)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.senders = ListingSenders(runner, self)
        self.senders.accountActivated.connect(self.accountActivated)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        layout.addWidget(self.senders, 1)
        layout.addStretch(0)  # while nothing is listed the table keeps its height and the rest stays empty
        self._timer = QTimer(self, interval=int(refresh_s * 1000))
        self._timer.timeout.connect(self.refresh)
        self.retranslate()

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([self.tr("Address"), self.tr("List"), self.tr("State"),
                                              self.tr("Since"), self.tr("Delisting"), self.tr("List's text")])
        self._fill()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def start(self) -> None:
        self.refresh()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @Slot()
    def refresh(self) -> None:
        self._runner.fetch("blocklists", "", _blocklists_or_none, on_success=self._loaded)

    def _loaded(self, data: dict | None) -> None:
        if data is not None and not data.get("egress") and not data.get("items"):
            data = None  # no egress address configured: nothing is checked, nothing to show
        if data is None:  # an older backend, or no blocklist checks: hide the panel, say nothing
            if self.supported is not False:
                self.supported = False
                self._timer.stop()
                self.supportedChanged.emit(False)
            return
        if self.supported is not True:
            self.supported = True
            self.supportedChanged.emit(True)
        items = data.get("items") if isinstance(data.get("items"), list) else []
        self.items = sorted((i for i in items if isinstance(i, dict)),
                            key=lambda i: (i.get("status") != "listed", i.get("status") != "error",
                                           str(i.get("egress") or ""), str(i.get("zone") or "")))
        self.egress = [str(e) for e in data.get("egress") or [] if e]
        self.zones = [str(z) for z in data.get("zones") or [] if z]
        selected = self.selected_egress()
        self._fill()
        if selected:  # the same address stays selected across polls
            row = next((r for r, i in enumerate(self.items) if i.get("egress") == selected), -1)
            if row >= 0:
                self.table.selectRow(row)
        self._pick_senders(refresh=True)  # the counts may have grown, or the listing moved
        self.listedChanged.emit(self.listed_count())

    def listed_count(self) -> int:
        return sum(1 for i in self.items if i.get("status") == "listed")

    def state_text(self, status: str) -> str:
        return {"listed": self.tr("listed"), "not_listed": self.tr("not listed"),
                "error": self.tr("check failed")}.get(status, status)

    def _fill(self) -> None:
        self.table.setRowCount(len(self.items))
        for r, i in enumerate(self.items):
            status = str(i.get("status") or "")
            since = parse_time(i.get("since"))
            url = str(i.get("delist_url") or "")
            words = str(i.get("txt") or i.get("error") or "")
            meaning = str(i.get("meaning") or "")
            state = self.state_text(status) + (f" ({meaning})" if meaning and status == "listed" else "")
            cells = [str(i.get("egress") or ""), str(i.get("zone") or ""), state, local_text(since),
                     url if status == "listed" else "", words]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)  # plain text: the TXT is a third party's words
                if c == 2 and status in ("listed", "error"):
                    item.setForeground(QColor(LISTED_COLOUR if status == "listed" else ERROR_COLOUR))
                    font = item.font()
                    font.setBold(status == "listed")
                    item.setFont(font)
                if c == 3:
                    checked = utc_text(parse_time(i.get("checked_at")))
                    item.setToolTip(html.escape(self.tr("since {since}, checked {checked}").format(
                        since=utc_text(since) or "?", checked=checked or "?")))
                if c == 4 and url and status == "listed":
                    item.setToolTip(html.escape(self.tr("Double-click to open the list's delisting page")))
                    font = item.font()
                    font.setUnderline(True)
                    item.setFont(font)
                if c == 5 and words:
                    item.setToolTip(html.escape(words))
                self.table.setItem(r, c, item)
        self._fit_height()
        listed = self.listed_count()
        if not self.items:
            text = self.tr("No blocklist answers yet") if self.supported else ""
        elif listed:
            text = self.tr("{n} of {total} checks: listed").format(n=listed, total=len(self.items))
        else:
            text = self.tr("Not listed on any of {total} checks").format(total=len(self.items))
        self.summary.setText(text)
        self.summary.setStyleSheet(f"color: {LISTED_COLOUR}; font-weight: bold" if listed else "")

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._fit_height)  # once shown, the header and rows have their real style

    def _fit_height(self) -> None:
        """Exactly as tall as its rows (up to FIT_ROWS), never squeezed: the space below goes to the senders."""
        t = self.table
        row = max(t.rowHeight(0) if t.rowCount() else 0, t.verticalHeader().defaultSectionSize())
        header = max(t.horizontalHeader().height(), t.horizontalHeader().sizeHint().height())
        rows = min(max(t.rowCount(), 1), FIT_ROWS)
        t.setFixedHeight(header + rows * row + t.horizontalScrollBar().sizeHint().height() + 2 * t.frameWidth() + 2)

    def selected_egress(self) -> str:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        row = rows[0].row() if rows else -1
        return str(self.items[row].get("egress") or "") if 0 <= row < len(self.items) else ""

    @Slot()
    def _on_selection(self) -> None:
        self._pick_senders(refresh=False)

    def _pick_senders(self, refresh: bool) -> None:
        """The listing whose senders to show: the selected row's address when it is listed, else the
        first listed address ("" when none is listed). Asked again only when it changes, or ``refresh``."""
        listed = [str(i.get("egress") or "") for i in self.items if i.get("status") == "listed"]
        selected = self.selected_egress()
        target = selected if selected in listed else (listed[0] if listed else "")
        if refresh or target != self.senders.egress:
            self.senders.show_for(target)

    def delist_url(self, row: int) -> str:
        if 0 <= row < len(self.items) and self.items[row].get("status") == "listed":
            return str(self.items[row].get("delist_url") or "")
        return ""

    @Slot(int, int)
    def _on_double_click(self, row: int, _column: int) -> None:
        url = self.delist_url(row)
        if url.startswith(("https://", "http://")):  # only web pages, whatever the backend says
            QDesktopServices.openUrl(QUrl(url))


def _blocklists_or_none(client) -> dict | None:
    try:
        return client.blocklists()
    except ApiError as err:
        if err.status in (404, 405):
            return None
        raise
