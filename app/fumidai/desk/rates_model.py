"""AccountRatesModel: one row per account, updated in place from each poll; and its filter proxy.

Never reset: removed, changed and new accounts become row removals, one dataChanged and row
inserts, so selection and scroll position survive every poll. The proxy does not sort or filter
dynamically (5,000 changing rows took over a second per poll that way, desk-findings §3.5):
the panel calls ``refresh_order()`` when the mouse is not over the table.
"""

from __future__ import annotations

import datetime as dt
import html
from operator import attrgetter

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QT_TRANSLATE_NOOP,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from .api.models import STATE_AUTO, STATE_LIMITED, STATE_OK, STATE_STAFF, AccountRow

SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # raw numbers, so sorting is numeric
ROW_ROLE = Qt.ItemDataRole.UserRole + 2  # the AccountRow itself

(COL_ACCOUNT, COL_RATE, COL_HOUR, COL_DAY, COL_QUOTA, COL_USED, COL_RCPT, COL_COUNTRY, COL_NCOUNTRIES,
 COL_STATUS, COL_SINCE) = range(11)

_HEADERS = (
    QT_TRANSLATE_NOOP("AccountRatesModel", "Account"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "msg/min\n(5 min)"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Last hour"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Last day"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Quota"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Used"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Recipients\n/min"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Top country"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Countries"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Status"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Since"),
)
_HEADER_TIPS = (
    QT_TRANSLATE_NOOP("AccountRatesModel", "SASL user name"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Attempts per minute over the last 5 minutes, accepted and refused alike"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Messages accepted in the last hour (refused ones not counted)"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Messages accepted in the last day (refused ones not counted)"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Effective hourly quota (daily if none); a ◆ marks a staff override"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Highest share used of any of the account's quotas"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Recipients per minute"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Country most mail came from"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Distinct source countries today"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "ok, limited, auto-stopped or stopped by staff"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "When the status began"),
)
_STATE_ORDER = {STATE_OK: 0, STATE_LIMITED: 1, STATE_AUTO: 2, STATE_STAFF: 3}
# Translucent, so they read on the light and the dark palette alike: a strong status cell
# (with a solid swatch) and a faint tint over the rest of the row.
_STATE_RGB = {STATE_LIMITED: (230, 160, 0), STATE_AUTO: (220, 50, 50), STATE_STAFF: (150, 80, 200)}
_STATE_CELL = {s: QBrush(QColor(*rgb, 150)) for s, rgb in _STATE_RGB.items()}
_STATE_TINT = {s: QBrush(QColor(*rgb, 55)) for s, rgb in _STATE_RGB.items()}
_STATE_SWATCH = {s: QColor(*rgb) for s, rgb in _STATE_RGB.items()}
_FULL = QBrush(QColor(220, 50, 50, 110))
_BOLD = QFont()
_BOLD.setBold(True)

_DISPLAY, _DECORATION, _TOOLTIP, _FONT, _ALIGN, _BACKGROUND = (
    int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.DecorationRole), int(Qt.ItemDataRole.ToolTipRole),
    int(Qt.ItemDataRole.FontRole), int(Qt.ItemDataRole.TextAlignmentRole), int(Qt.ItemDataRole.BackgroundRole))
_SORT, _ROW = int(SORT_ROLE), int(ROW_ROLE)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT_COLUMNS = frozenset((COL_ACCOUNT, COL_STATUS, COL_COUNTRY))
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
# Sort keys per column, read straight off the row (a tuple of every key per row cost ~15 ms a poll).
_SORT_KEYS = (
    lambda r: r.account.casefold(), attrgetter("rate"), attrgetter("messages_hour"), attrgetter("messages_day"),
    lambda r: r.quota.get("messages_per_hour") or 1 << 62, attrgetter("quota_used"), attrgetter("recipients_rate"),
    attrgetter("top_country"), attrgetter("countries"), lambda r: _STATE_ORDER.get(r.state, 0),
    lambda r: r.status_since or 0.0,
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("AccountRatesModel", text)


def state_text(state: str) -> str:
    return {STATE_OK: QCoreApplication.translate("AccountRatesModel", "ok"), STATE_LIMITED: QCoreApplication.translate("AccountRatesModel", "limited"), STATE_AUTO: QCoreApplication.translate("AccountRatesModel", "auto-stopped"),
            STATE_STAFF: QCoreApplication.translate("AccountRatesModel", "stopped by staff")}.get(state, state)


def _num(v: int | None) -> str:
    return "∞" if v is None else f"{v:,}"


def quota_text(row: AccountRow) -> str:
    """Every limit, for the tooltip: "1,000/h · 5,000/d"."""
    parts = []
    for key, unit in (("messages_per_hour", QCoreApplication.translate("AccountRatesModel", "/h")), ("messages_per_day", QCoreApplication.translate("AccountRatesModel", "/d"))):
        if key in row.quota:
            parts.append(_num(row.quota[key]) + unit)
    return " · ".join(parts) or "—"


def quota_cell_text(row: AccountRow) -> str:
    """The cell's compact form: the hourly quota (daily if none), "◆" after it when staff overrode it."""
    for key, unit in (("messages_per_hour", QCoreApplication.translate("AccountRatesModel", "/h")), ("messages_per_day", QCoreApplication.translate("AccountRatesModel", "/d"))):
        if key in row.quota:
            text = _num(row.quota[key]) + unit
            break
    else:
        text = "—"
    return f"{text} ◆" if row.override else text


def short_time_text(t: float | None) -> str:
    """"11-28 22:49" in local time: one width for every row, whatever the desk machine's date."""
    return dt.datetime.fromtimestamp(t).strftime("%m-%d %H:%M") if t is not None else ""


def full_time_text(t: float | None) -> str:
    return dt.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S") if t is not None else ""


class AccountRatesModel(QAbstractTableModel):
    updated = Signal()  # after each apply_snapshot: a GUI-side signal tests and views can wait on

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[AccountRow] = []
        self._index: dict[str, int] = {}
        # Display strings per row, made when the row is first painted; a row from a newer poll is a
        # new object, so an identity check tells whether the strings are still the row's.
        self._texts: dict[str, tuple[AccountRow, tuple[str, ...]]] = {}

    # -- Qt model ------------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(_HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _tr(_HEADERS[section])
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tr(_HEADER_TIPS[section])
        return None

    def flags(self, index):
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index, role=_DISPLAY):
        # Called ~7 times per painted cell: plain int roles and cached strings keep a repaint cheap.
        r = index.row()
        if r < 0 or r >= len(self._rows):
            return None
        row = self._rows[r]
        col = index.column()
        if role == _DISPLAY:
            return self._texts_of(row)[col]
        if role == _BACKGROUND:
            state = row.state
            if state != STATE_OK:
                return _STATE_CELL[state] if col == COL_STATUS else _STATE_TINT[state]
            return _FULL if col == COL_USED and row.quota_used >= 1.0 else None
        if role == _ALIGN:
            return None if col in _LEFT_COLUMNS else _RIGHT
        if col == COL_STATUS and role in (_DECORATION, _FONT):
            state = row.state
            if state == STATE_OK:
                return None
            return _STATE_SWATCH[state] if role == _DECORATION else _BOLD
        if role == _SORT:
            return _SORT_KEYS[col](row)
        if role == _ROW:
            return row
        if role == _TOOLTIP:
            return self._tooltip(row, col)
        return None

    def _texts_of(self, row: AccountRow) -> tuple[str, ...]:
        cached = self._texts.get(row.account)
        if cached is not None and cached[0] is row:
            return cached[1]
        texts = tuple(self._display(row, c) for c in range(len(_HEADERS)))
        self._texts[row.account] = (row, texts)
        return texts

    def _display(self, row: AccountRow, col: int) -> str:
        if col == COL_ACCOUNT:
            return row.account  # plain DisplayRole text: the view never renders it as HTML
        if col == COL_RATE:
            return f"{row.rate:,.1f}"
        if col == COL_HOUR:
            return f"{row.messages_hour:,}"
        if col == COL_DAY:
            return f"{row.messages_day:,}"
        if col == COL_QUOTA:
            return quota_cell_text(row)
        if col == COL_USED:
            return f"{row.quota_used * 100:.0f}%"
        if col == COL_RCPT:
            return f"{row.recipients_rate:,.1f}"
        if col == COL_COUNTRY:
            return row.top_country
        if col == COL_NCOUNTRIES:
            return str(row.countries)
        if col == COL_STATUS:
            if row.state == STATE_STAFF and row.suspended_by:
                return QCoreApplication.translate("AccountRatesModel", "stopped by {staff}").format(staff=row.suspended_by)
            return state_text(row.state)
        if col == COL_SINCE:
            return short_time_text(row.status_since)
        return ""

    def retranslate(self) -> None:
        """Drop the cached strings (they hold translated words) and repaint every cell."""
        self._texts.clear()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(_HEADERS) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(_HEADERS) - 1))

    def _tooltip(self, row: AccountRow, col: int) -> str | None:
        # Tooltips render rich text: escape every spammer-controlled field.
        if col == COL_ACCOUNT:
            lines = [html.escape(row.account)]
            if row.owner_name:
                lines.append(html.escape(row.owner_name))
            if row.contact:
                lines.append(html.escape(row.contact))
            return "<br>".join(lines)
        if col == COL_QUOTA:
            text = quota_text(row)
            if row.override:
                until = full_time_text(row.override_expires_at) or QCoreApplication.translate("AccountRatesModel", "no expiry")
                text += "\n" + QCoreApplication.translate("AccountRatesModel", "Staff override, until {until}").format(until=until)
            return html.escape(text).replace("\n", "<br>")
        if col == COL_SINCE and row.status_since is not None:
            return full_time_text(row.status_since)
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Reorder rows in Python (a C++ sort calling data() per comparison took ~2 s for 5,000 rows).

        Persistent indexes (the view's selection and current row) follow their accounts. Nothing
        is signalled when the order is already right (a still table, or a poll that moved no row).
        """
        if not 0 <= column < len(_HEADERS) or not self._rows:
            return
        ordered = sorted(self._rows, key=_SORT_KEYS[column], reverse=order == Qt.SortOrder.DescendingOrder)
        if all(a is b for a, b in zip(ordered, self._rows)):
            return
        self.layoutAboutToBeChanged.emit()
        old_persistent = self.persistentIndexList()
        names = [self._rows[i.row()].account for i in old_persistent]
        self._rows = ordered
        self._index = {r.account: i for i, r in enumerate(self._rows)}
        self.changePersistentIndexList(old_persistent, [self.index(self._index[n], i.column())
                                                        for n, i in zip(names, old_persistent)])
        self.layoutChanged.emit()

    # -- updates -------------------------------------------------------------------------------------
    def rows(self) -> list[AccountRow]:
        return list(self._rows)

    def row_at(self, i: int) -> AccountRow | None:
        return self._rows[i] if 0 <= i < len(self._rows) else None

    def row_for(self, account: str) -> AccountRow | None:
        i = self._index.get(account)
        return None if i is None else self._rows[i]

    def apply_snapshot(self, rows: list[AccountRow]) -> None:
        new = {}
        for r in rows:
            new.setdefault(r.account, r)  # a duplicate name in one answer: keep the first
        # 1. removals, from the bottom so earlier indexes stay valid, one call per contiguous run
        gone = sorted((i for name, i in self._index.items() if name not in new), reverse=True)
        while gone:
            last = first = gone.pop(0)
            while gone and gone[0] == first - 1:
                first = gone.pop(0)
            self.beginRemoveRows(QModelIndex(), first, last)
            for r in self._rows[first:last + 1]:
                self._texts.pop(r.account, None)
            del self._rows[first:last + 1]
            self.endRemoveRows()
        if len(self._index) != len(self._rows):
            self._index = {r.account: i for i, r in enumerate(self._rows)}
        # 2. changes in place: one dataChanged over the span that changed
        lo = hi = -1
        rows_ = self._rows
        for i, old in enumerate(rows_):
            fresh = new[old.account]
            if fresh != old:
                rows_[i] = fresh
                if hi < 0:
                    lo = i
                hi = i
        if hi >= 0:
            self.dataChanged.emit(self.index(lo, 0), self.index(hi, len(_HEADERS) - 1),
                                  [Qt.ItemDataRole.DisplayRole, SORT_ROLE, Qt.ItemDataRole.BackgroundRole,
                                   Qt.ItemDataRole.ToolTipRole])
        # 3. newcomers at the end, in the order the backend gave (by rate)
        added = [r for name, r in new.items() if name not in self._index]
        if added:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(added) - 1)
            self._rows.extend(added)
            for k, r in enumerate(added):
                self._index[r.account] = start + k
            self.endInsertRows()
        self.updated.emit()


class AccountFilterProxy(QSortFilterProxyModel):
    """Search-as-you-type over account and contact, a status filter and a country filter.

    Sorting is the source model's (fast, in Python); the proxy only filters and keeps the order.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDynamicSortFilter(False)
        self.setSortRole(SORT_ROLE)
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._text = ""
        self._states: frozenset[str] = frozenset()  # empty: every state
        self._country = ""

    def _refilter(self) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.10 deprecates invalidateFilter()
            self.beginFilterChange()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateFilter()

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column, self._sort_order = column, order
        if self.sourceModel() is not None:
            self.sourceModel().sort(column, order)

    def sortColumn(self) -> int:
        return self._sort_column

    def sortOrder(self) -> Qt.SortOrder:
        return self._sort_order

    @property
    def country(self) -> str:
        return self._country

    def set_search(self, text: str) -> None:
        text = text.strip().casefold()
        if text != self._text:
            self._text = text
            self._refilter()

    def set_states(self, states) -> None:
        states = frozenset(states)
        if states != self._states:
            self._states = states
            self._refilter()

    def set_country(self, code: str) -> None:
        code = (code or "").upper()
        if code != self._country:
            self._country = code
            self._refilter()

    def refresh_order(self) -> None:
        """Apply the filter to changed rows and re-sort; persistent indexes (the selection) follow."""
        if self._states or self._country or self._text:  # with no filter every row is in already
            self._refilter()
        if self._sort_column >= 0:
            self.sort(self._sort_column, self._sort_order)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        # Called for every row on every poll: no filter means no work, and the row is read straight
        # from the model's list (index() + data() per row cost ~100 ms for 5,000 rows).
        if not (self._states or self._country or self._text):
            return True
        row = self.sourceModel().row_at(source_row)
        if row is None:
            return False
        if self._states and row.state not in self._states:
            return False
        if self._country and row.top_country != self._country:
            return False
        if self._text and self._text not in row.account.casefold() and self._text not in row.contact.casefold():
            return False
        return True

    def account_at(self, index: QModelIndex | QPersistentModelIndex) -> str | None:
        row = self.data(self.index(index.row(), 0), ROW_ROLE) if index.isValid() else None
        return row.account if row else None
