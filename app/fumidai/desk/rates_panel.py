"""RatesPanel: the live accounts table with search, status chips and a country chip.

Rows never move under the mouse: while the pointer is over the table (rows, header or scroll
bars), on its way to it (within APPROACH_PX of its edges), or dragging from it with a button still
down, the model holds its order, so a poll changes numbers in place, adds newcomers at the bottom
and neither moves nor removes a row. The order and the filter catch up once the pointer has been
away for HOLD_GRACE_S (a pointer that slips out and back does not see the rows jump), or at once
when staff ask (F5, a header click, a filter change).

Ctrl+F is the main window's (one binding: two made Qt call it ambiguous and do nothing).
"""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QEvent, QItemSelectionModel, QPoint, QRect, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCursor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .api.models import STATE_AUTO, STATE_LIMITED, STATE_OK, STATE_STAFF
from .rates_model import (
    COL_ACCOUNT,
    COL_RATE,
    COL_RISK,
    COL_SINCE,
    COL_STATUS,
    AccountRatesModel,
    short_time_text,
    state_text,
    status_style,
)

# A staff member's long name may not widen the Status column past this; the label is elided beyond.
STATUS_MAX_WIDTH = 320
APPROACH_PX = 48  # the pointer this close to the table holds its order: the rows wait for it
HOLD_GRACE_S = 1.0  # and this long after it went away
POINTER_CHECK_MS = 150


class RatesPanel(QWidget):
    # Where the pointer is (global) and which buttons are down; tests replace them.
    pointer: Callable[[], QPoint] = staticmethod(QCursor.pos)
    buttons: Callable[[], Qt.MouseButton] = staticmethod(QApplication.mouseButtons)

    accountSelected = Signal(str)  # the current account changed ("" when none)
    accountActivated = Signal(str)  # double-click or Enter
    selectionChanged = Signal(list)  # every selected account
    countryFilterCleared = Signal()

    def __init__(self, model: AccountRatesModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.columns_fitted = False  # set by the main window when it restores saved widths
        # Status texts the Status column was made wide enough for, and whether Since was: measured
        # once each (and again after a language change), so a poll never resizes a column.
        self._fitted_status: set[tuple[str, str]] = set()
        self._since_fitted = False
        self._probe = QStandardItemModel(1, 1, self)  # one cell, to measure texts the table does not show yet

        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search)

        self.chips: dict[str, QPushButton] = {}
        chips = QHBoxLayout()
        chips.setContentsMargins(0, 0, 0, 0)
        for state in (STATE_OK, STATE_LIMITED, STATE_AUTO, STATE_STAFF):
            chip = QPushButton(self)
            chip.setCheckable(True)
            chip.setObjectName(f"chip_{state}")
            chip.toggled.connect(self._on_chips)
            self.chips[state] = chip
            chips.addWidget(chip)
        self.country_chip = QToolButton(self)
        self.country_chip.setObjectName("countryChip")
        self.country_chip.setVisible(False)
        self.country_chip.clicked.connect(self.clear_country)
        chips.addWidget(self.country_chip)
        chips.addStretch(1)
        self.count_label = QLabel(self)
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        chips.addWidget(self.count_label)

        self.table = QTableView(self)
        self.table.setObjectName("ratesTable")
        self.table.setModel(model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_RATE, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        # Every row one fixed height: painting and scrolling never measure rows.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(COL_ACCOUNT, 220)
        # Shown next to the account, where staff look first (the model's order stays the API's).
        self.table.horizontalHeader().moveSection(COL_STATUS, 1)
        self.table.horizontalHeader().moveSection(COL_SINCE, 2)
        self.table.setColumnHidden(COL_RISK, True)  # until a backend reports risk levels
        self.table.setMouseTracking(True)
        self.table.installEventFilter(self)  # Enter and Leave: hold the order while the pointer is over it
        self.table.doubleClicked.connect(self._on_double_click)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        model.rowsInserted.connect(self._update_count)
        model.rowsRemoved.connect(self._update_count)
        model.updated.connect(self._on_model_updated)

        self.hold_grace_s = HOLD_GRACE_S
        self._near_at = 0.0  # time.monotonic() when the pointer was last near the table
        self._pointer_timer = QTimer(self, interval=POINTER_CHECK_MS)
        self._pointer_timer.timeout.connect(self.check_pointer)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addLayout(chips)
        layout.addWidget(self.table, 1)
        self.retranslate()

    @property
    def country(self) -> str:
        """The map's country filter ("" for none)."""
        return self.model.country

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Search account or contact (Ctrl+F)"))
        for state, chip in self.chips.items():
            chip.setText(state_text(state))
            chip.setToolTip(self.tr("Show only accounts in this state; several chips combine"))
        self._show_country_chip()
        self._update_count()
        # Translated labels have other widths: measure them again (the columns only widen).
        self._fitted_status.clear()
        self._since_fitted = False
        if self.columns_fitted:
            self._fit_wide_content()

    # -- filters ---------------------------------------------------------------------------------------
    @Slot()
    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    @Slot(str)
    def _on_search(self, text: str) -> None:
        self.model.set_search(text)
        self._after_reorder()

    @Slot(bool)
    def _on_chips(self, _checked: bool) -> None:
        self.model.set_states({s for s, chip in self.chips.items() if chip.isChecked()})
        self._after_reorder()

    @Slot(str)
    def set_country(self, code: str) -> None:
        self.model.set_country(code)
        self._show_country_chip()
        self._after_reorder()

    @Slot()
    def clear_country(self) -> None:
        self.set_country("")
        self.countryFilterCleared.emit()

    def _show_country_chip(self) -> None:
        code = self.model.country
        self.country_chip.setVisible(bool(code))
        self.country_chip.setText(self.tr("Filtered to country {code}  ×").format(code=code))
        self.country_chip.setToolTip(self.tr("Show every country again"))

    def _update_count(self, *args) -> None:
        self.count_label.setText(self.tr("{shown} of {total} accounts").format(
            shown=self.model.rowCount(), total=self.model.total_count()))

    # -- order and selection ---------------------------------------------------------------------------
    @Slot()
    def _on_model_updated(self) -> None:
        risk = self.model.has_risk()
        if self.table.isColumnHidden(COL_RISK) == risk:
            self.table.setColumnHidden(COL_RISK, not risk)
        if not self.columns_fitted and self.model.rowCount():
            # Once, on the first data: every column fits, so Status is on screen without scrolling.
            self.columns_fitted = True
            self.table.horizontalHeader().setResizeContentsPrecision(200)  # measure 200 rows, not 5,000
            self.table.resizeColumnsToContents()
            self.table.setColumnWidth(COL_ACCOUNT, min(self.table.columnWidth(COL_ACCOUNT), 240))
        if self.columns_fitted:
            self._fit_wide_content()
        self._after_reorder()

    # -- column widths -----------------------------------------------------------------------------------
    def _fit_wide_content(self) -> None:
        """Widen Status and Since for the longest text they can show, not the rows measured first.

        The first poll is usually all "ok": sized from it, "auto-stopped" later showed as "aut…".
        Status fits every state's label and every staff name the polls have brought; Since a full
        timestamp in the widest digits. Columns only widen, and only for a text not seen before,
        so a poll never makes them jump (nor undoes a width staff dragged wider).
        """
        header = self.table.horizontalHeader()
        new = self.model.status_texts() - self._fitted_status
        if new:
            self._fitted_status |= new
            need = max(self._cell_width(text, *status_style(state)) for state, text in new)
            self._widen(COL_STATUS, min(max(need, header.sectionSizeHint(COL_STATUS)), STATUS_MAX_WIDTH))
        if not self._since_fitted and not header.isSectionHidden(COL_SINCE):
            self._since_fitted = True
            digits = "0123456789"
            widest = max(digits, key=self.table.fontMetrics().horizontalAdvance)
            sample = short_time_text(0).translate(str.maketrans(digits, widest * len(digits)))
            self._widen(COL_SINCE, max(self._cell_width(sample), header.sectionSizeHint(COL_SINCE)))

    def _widen(self, column: int, width: int) -> None:
        header = self.table.horizontalHeader()
        if not header.isSectionHidden(column) and header.sectionSize(column) < width:
            header.resizeSection(column, width)

    def _cell_width(self, text: str, font=None, swatch=None) -> int:
        """The width the table's delegate asks for a cell with this text, font and colour swatch
        (what resizeColumnsToContents would measure had a row shown it)."""
        item = QStandardItem(text)
        if font is not None:
            item.setFont(font)
        if swatch is not None:
            item.setData(swatch, Qt.ItemDataRole.DecorationRole)
        self._probe.setItem(0, 0, item)
        option = QStyleOptionViewItem()
        self.table.initViewItemOption(option)
        width = self.table.itemDelegate().sizeHint(option, self._probe.index(0, 0)).width()
        return width + (1 if self.table.showGrid() else 0)  # as QTableView.sizeHintForColumn adds

    @Slot()
    def refresh_order(self) -> None:
        """Filter and sort the last poll now, even with the pointer over the table (F5)."""
        self.model.refresh_order()
        self._after_reorder()

    def _after_reorder(self) -> None:
        # Lay the rows out now rather than on Qt's deferred timer, which lands after the next
        # paint and paints the table a second time.
        self.table.doItemsLayout()
        self._update_count()

    def eventFilter(self, obj, event) -> bool:
        # getattr: Qt may still deliver events while the panel's Python side is being torn down.
        if obj is getattr(self, "table", None):
            kind = event.type()
            if kind == QEvent.Type.Enter:
                self._near_at = time.monotonic()
                self.model.hold_order(True)
            elif kind == QEvent.Type.Leave:
                self._near_at = time.monotonic()  # the grace starts now; check_pointer ends the hold
            elif kind == QEvent.Type.Hide and self.model.order_held:
                self._release_hold()
        return super().eventFilter(obj, event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        timer = getattr(self, "_pointer_timer", None)  # Qt may show or hide the panel while it is built
        if timer is not None:
            timer.start()

    def hideEvent(self, event) -> None:
        timer = getattr(self, "_pointer_timer", None)
        if timer is not None:
            timer.stop()
        super().hideEvent(event)

    def _near(self) -> bool:
        top_left = self.table.mapToGlobal(QPoint(0, 0))
        zone = QRect(top_left, self.table.size()).adjusted(-APPROACH_PX, -APPROACH_PX, APPROACH_PX, APPROACH_PX)
        return zone.contains(self.pointer())

    @Slot()
    def check_pointer(self) -> None:
        """Hold while the pointer is near (or a drag from the table goes on); let go after the grace."""
        now = time.monotonic()
        dragging = self.model.order_held and self.buttons() != Qt.MouseButton.NoButton
        if self._near() or dragging:
            self._near_at = now
            if not self.model.order_held:
                self.model.hold_order(True)
        elif self.model.order_held and now - self._near_at >= self.hold_grace_s:
            self._release_hold()

    def _release_hold(self) -> None:
        self.model.hold_order(False)
        self._after_reorder()

    def selected_accounts(self) -> list[str]:
        rows = self.table.selectionModel().selectedRows()
        return [a for a in (self.model.account_at(i) for i in sorted(rows, key=lambda i: i.row())) if a]

    def select_account(self, account: str) -> bool:
        r = self.model.row_of(account)
        if r < 0:
            return False
        index = self.model.index(r, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        return True

    @Slot()
    def _on_current(self, current, _previous) -> None:
        self.accountSelected.emit(self.model.account_at(current) or "")

    @Slot()
    def _on_selection(self, *_args) -> None:
        self.selectionChanged.emit(self.selected_accounts())

    @Slot()
    def _on_double_click(self, index) -> None:
        account = self.model.account_at(index)
        if account:
            self.accountActivated.emit(account)
