"""IncidentsPanel: one incident per stop, with an owner, a status and notes, shared by every desk.

Staff open one from an alert, claim it (owner: themselves), move it open → investigating → closed
and add notes; the backend keeps them with the audit trail, so the next shift and the other desks
see who is on what. Polled every REFRESH_S through the ActionRunner. A backend without incidents
(404) hides the panel: ``supportedChanged(False)``.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .actions import ActionRunner
from .api.client import ApiError
from .api.models import parse_time
from .clock import local_text, utc_text

REFRESH_S = 10.0
STATUSES = (("open", QT_TRANSLATE_NOOP("IncidentsPanel", "open")),
            ("investigating", QT_TRANSLATE_NOOP("IncidentsPanel", "investigating")),
            ("closed", QT_TRANSLATE_NOOP("IncidentsPanel", "closed")))


class IncidentsPanel(QWidget):
    supportedChanged = Signal(bool)
    accountActivated = Signal(str)
    statusMessage = Signal(str)

    def __init__(self, runner: ActionRunner, me: str = "", parent: QWidget | None = None, *,
                 refresh_s: float = REFRESH_S, can_act: bool = True):
        super().__init__(parent)
        self._runner = runner
        self._me = me
        self._can_act = can_act
        self.supported: bool | None = None  # unknown until the first answer
        self._generation = 0
        self.items: list[dict] = []
        self.table = QTableWidget(0, 6)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self._on_double_click)
        self.claim_button = QPushButton()
        self.claim_button.clicked.connect(self.claim)
        self.status = QComboBox()
        for value, _text in STATUSES:
            self.status.addItem("", value)
        self.status.activated.connect(self._on_status)
        self.note = QLineEdit()
        self.note.returnPressed.connect(self.add_note)
        self.note_button = QPushButton()
        self.note_button.clicked.connect(self.add_note)
        self.notes = QLabel()
        self.notes.setTextFormat(Qt.TextFormat.PlainText)  # notes quote whatever staff typed
        self.notes.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.claim_button)
        row.addWidget(self.status)
        row.addWidget(self.note, 1)
        row.addWidget(self.note_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.notes)
        self.table.itemSelectionChanged.connect(self._show_selected)
        self._timer = QTimer(self, interval=int(refresh_s * 1000))
        self._timer.timeout.connect(self.refresh)
        self.retranslate()
        self._show_selected()

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([self.tr("#"), self.tr("Account"), self.tr("Owner"), self.tr("Status"),
                                              self.tr("Updated"), self.tr("Last note")])
        self.claim_button.setText(self.tr("Claim"))
        self.claim_button.setToolTip(self.tr("Make yourself the owner: the other desks see who is on it"))
        for i, (_value, text) in enumerate(STATUSES):
            self.status.setItemText(i, self.tr(text))
        self.note.setPlaceholderText(self.tr("Note for the next shift (stored with the incident)"))
        self.note_button.setText(self.tr("Add note"))
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

    # -- reading ------------------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        self._runner.fetch("incidents", "", _incidents_or_none,
                           on_success=lambda items: self._loaded(items, generation))

    def _loaded(self, items: list | None, generation: int | None = None) -> None:
        if generation is not None and generation != self._generation:
            return  # an older read answered late (after the one a change asked for): it is stale
        if items is None:  # an older backend: no incidents there; hide the panel, say nothing
            if self.supported is not False:
                self.supported = False
                self._timer.stop()
                self.supportedChanged.emit(False)
            return
        if self.supported is not True:
            self.supported = True
            self.supportedChanged.emit(True)
        self.items = sorted(items, key=lambda i: -int(i.get("id") or 0))
        self._fill()

    def _fill(self) -> None:
        selected = self.selected()
        status_words = {v: self.tr(t) for v, t in STATUSES}
        self.table.setRowCount(len(self.items))
        for r, i in enumerate(self.items):
            notes = [n for n in i.get("notes") or [] if isinstance(n, dict)]
            updated = parse_time(i.get("updated_at"))
            cells = [str(i.get("id", "")), str(i.get("account") or ""), str(i.get("owner") or "—"),
                     status_words.get(str(i.get("status")), str(i.get("status") or "")), local_text(updated),
                     str(notes[-1].get("text") or "") if notes else ""]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)  # plain text
                if c == 4:
                    item.setToolTip(utc_text(updated))
                self.table.setItem(r, c, item)
        if selected is not None:
            row = next((r for r, i in enumerate(self.items) if i.get("id") == selected.get("id")), -1)
            if row >= 0:
                self.table.selectRow(row)
        self._show_selected()

    def selected(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.items[rows[0].row()] if rows and rows[0].row() < len(self.items) else None

    def _show_selected(self) -> None:
        i = self.selected()
        for w in (self.claim_button, self.status, self.note, self.note_button):
            w.setEnabled(i is not None and self._can_act)
        if i is None:
            self.notes.setText("")
            return
        self.claim_button.setEnabled(self._can_act and i.get("owner") != self._me)
        index = self.status.findData(i.get("status"))
        if index >= 0:
            self.status.setCurrentIndex(index)
        lines = [f"{local_text(parse_time(n.get('at')))} {n.get('by', '')}: {n.get('text', '')}"
                 for n in i.get("notes") or [] if isinstance(n, dict)]
        self.notes.setText("\n".join(lines[-5:]))

    # -- writing ------------------------------------------------------------------------------------
    def open_for(self, account: str, alert_id: int | None = None) -> None:
        self._runner.fetch("open_incident", account, lambda c: c.open_incident(account, alert_id),
                           on_success=lambda _i: self.refresh(), on_failure=self.statusMessage.emit)

    def _update(self, **fields) -> None:
        i = self.selected()
        if i is None:
            return
        incident = int(i["id"])
        self._runner.fetch("update_incident", str(i.get("account") or ""),
                           lambda c: c.update_incident(incident, **fields),
                           on_success=lambda _i: self.refresh(), on_failure=self.statusMessage.emit)

    @Slot()
    def claim(self) -> None:
        self._update(owner=self._me, status="investigating" if (self.selected() or {}).get("status") == "open"
                     else None)

    @Slot(int)
    def _on_status(self, index: int) -> None:
        self._update(status=self.status.itemData(index))

    @Slot()
    def add_note(self) -> None:
        text = self.note.text().strip()
        if text:
            self._update(note=text)
            self.note.clear()

    @Slot()
    def _on_double_click(self, index) -> None:
        if 0 <= index.row() < len(self.items):
            self.accountActivated.emit(str(self.items[index.row()].get("account") or ""))


def _incidents_or_none(client) -> list[dict] | None:
    try:
        return client.incidents()
    except ApiError as err:
        if err.status in (404, 405):
            return None
        raise
