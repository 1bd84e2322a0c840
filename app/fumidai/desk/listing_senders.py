"""ListingSenders: on a listing, the accounts that sent most in the hours before it, ready to investigate.

Under the egress panel's table. The backend sums its stored per-minute counts over the hours before
the listing began (GET /blocklists/{egress}/senders). Those counts are per account, not per egress
address: the ISP's submission servers relay everything through the egress addresses, so the heading
says "accounts that sent most", never "sent through this address". Double-click or Enter on a row
opens the account panel, as in the accounts table. Account names are spammers' choice: plain text.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .actions import ActionRunner
from .api.client import ApiError
from .api.models import parse_time
from .clock import local_text

DEFAULT_HOURS = 6
MAX_HOURS = 72  # the API's bound
LIMIT = 20


class ListingSenders(QWidget):
    accountActivated = Signal(str)  # double-click or Enter on a row
    loaded = Signal()  # after each answer (tests wait on it)

    def __init__(self, runner: ActionRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._runner = runner
        self.egress = ""  # the listed address shown; "" = none
        self.data: dict = {}
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        self.hours = QSpinBox()
        self.hours.setRange(1, MAX_HOURS)
        self.hours.setValue(DEFAULT_HOURS)
        self.hours.valueChanged.connect(self.refresh)
        self.hours_label = QLabel()
        self.hours_label.setTextFormat(Qt.TextFormat.PlainText)
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.cellDoubleClicked.connect(self._on_double_click)
        self.table.installEventFilter(self)  # Enter / Return opens the current row's account
        # At least three rows: in a short dock the note and the heading must not squeeze it away.
        self.table.setMinimumHeight(self.table.horizontalHeader().sizeHint().height()
                                    + 3 * self.table.verticalHeader().defaultSectionSize() + 2 * self.table.frameWidth())
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.hours_label)
        top.addWidget(self.hours)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        self.retranslate()
        self.setVisible(False)  # until an address is listed

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([self.tr("Account"), self.tr("Messages"), self.tr("Recipients"),
                                              self.tr("Refused")])
        self.hours_label.setText(self.tr("Hours before:"))
        self.hours.setSuffix(self.tr(" h"))
        self.note.setText(self.tr("Counts are per account, not per egress address: the submission servers "
                                  "relay everything through the egress addresses. Double-click an account "
                                  "to investigate it."))
        self._fill()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_for(self, egress: str) -> None:
        """Show the senders before ``egress``'s listing ("" when nothing is listed: hidden)."""
        if egress != self.egress:
            self.egress = egress
            self.data = {}
            self._fill()
        self.setVisible(bool(egress))
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        if not self.egress:
            return
        egress, hours = self.egress, self.hours.value()
        self._runner.fetch("blocklist senders", "", lambda c: _senders_or_none(c, egress, hours, LIMIT),
                           on_success=self._loaded)

    def _loaded(self, data: dict | None) -> None:
        if data is None or data.get("egress") != self.egress or data.get("hours") != self.hours.value():
            return  # an older backend (404), or a late answer for the address or hours shown before
        self.data = data
        self._fill()
        self.loaded.emit()

    def items(self) -> list[dict]:
        items = self.data.get("items") if isinstance(self.data.get("items"), list) else []
        return [i for i in items if isinstance(i, dict) and isinstance(i.get("account"), str) and i["account"]]

    def _fill(self) -> None:
        items = self.items()
        self.table.setRowCount(len(items))
        for r, i in enumerate(items):
            cells = [i["account"]] + [f"{_count(i.get(k)):,}" for k in ("messages", "recipients", "refused")]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)  # plain text: the name is the spammer's choice
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        hours = _count(self.data.get("hours")) or self.hours.value()
        listed_at = local_text(parse_time(self.data.get("listed_at")))
        if not self.egress:
            text = ""
        elif self.data and not self.data.get("listed"):
            text = self.tr("{egress} is not listed now").format(egress=self.egress)
        elif self.data and not items:
            text = self.tr("{egress}: no account sent mail in the {hours} hours before the listing ({at})").format(
                egress=self.egress, hours=hours, at=listed_at)
        else:
            text = self.tr("{egress}: accounts that sent most in the {hours} hours before the listing ({at})").format(
                egress=self.egress, hours=hours, at=listed_at or "…")
        self.heading.setText(text)

    def account_at(self, row: int) -> str:
        items = self.items()
        return items[row]["account"] if 0 <= row < len(items) else ""

    @Slot(int, int)
    def _on_double_click(self, row: int, _column: int) -> None:
        self._activate(row)

    def _activate(self, row: int) -> None:
        account = self.account_at(row)
        if account:
            self.accountActivated.emit(account)

    def eventFilter(self, watched, event) -> bool:
        if (watched is self.table and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self._activate(self.table.currentRow())
            return True
        return super().eventFilter(watched, event)


def _count(value) -> int:
    """A count from the wire: a non-negative int, else 0 (bool is not a count)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _senders_or_none(client, egress: str, hours: int, limit: int) -> dict | None:
    try:
        return client.blocklist_senders(egress, hours, limit)
    except ApiError as err:
        if err.status in (404, 405):
            return None
        raise
