"""AccountRatesModel: the accounts of the last poll, filtered and sorted in Python, shown as one table.

The model keeps every account of the last poll and shows the ones that pass the filter (search
text, status chips, the map's country) in the sort order. There is no QSortFilterProxyModel: Qt
sorting or filtering through one calls data() or filterAcceptsRow() in Python thousands of times
a poll (desk-findings §3.5), and every proxied cell cost the view eight more calls into Python.

Never reset: accounts that leave become row removals, changed rows one dataChanged, newcomers row
inserts at the bottom and a new order one layoutChanged, so selection, current row and scroll
position survive every poll. While the order is held (the pointer is over the table, see
RatesPanel) a poll only updates rows in place and appends newcomers: no row moves or disappears
under the mouse until the hold ends or staff ask (F5, a header click, a filter change).
"""

from __future__ import annotations

from itertools import repeat
from operator import attrgetter, is_, is_not

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from .api.models import STATE_OK, STATE_STAFF, AccountRow
# The columns and their cells (rates_columns.py); names other modules import from here are kept.
from .rates_columns import (  # noqa: F401
    COL_ACCOUNT, COL_COMPLAINTS, COL_COUNTRY, COL_DAY, COL_HOUR, COL_NCOUNTRIES, COL_QUOTA, COL_RATE, COL_RCPT,
    COL_RISK, COL_SINCE, COL_STATUS, COL_USED, COMPLAINED, ROW_ROLE, SORT_ROLE, _ALIGN, _BACKGROUND, _BOLD,
    _DECORATION, _DISPLAY, _FONT, _FULL, _HEADER_TIPS, _HEADERS, _LEFT_COLUMNS, _RIGHT, _RISK_CELL, _ROW, _SORT,
    _SORT_KEYS, _STATE_CELL, _STATE_ORDER, _STATE_SWATCH, _STATE_TINT, _TOOLTIP, _UNUSED_ROLES, _tr, cell_text,
    cell_tooltip, full_time_text, quota_cell_text, quota_text, short_time_text, state_text, status_style,
)

# Rows reordered, columns untouched: the horizontal header and the selection model take a shortcut.
_VERTICAL_SORT = QAbstractItemModel.LayoutChangeHint.VerticalSortHint
_LAYOUT_HINTED = "QList<QPersistentModelIndex>,QAbstractItemModel::LayoutChangeHint"


class AccountRatesModel(QAbstractTableModel):
    updated = Signal()  # after each apply_snapshot: a GUI-side signal tests and views can wait on

    def __init__(self, parent=None):
        super().__init__(parent)
        self._all: dict[str, AccountRow] = {}  # every account of the last poll, in the API's order
        self._rows: list[AccountRow] = []  # the rows shown, in display order
        self._pos_cache: dict[str, int] | None = {}  # account -> its row in _rows; None: to be rebuilt
        # Display strings per row, made when the row is first painted; a row from a newer poll is a
        # new object, so an identity check tells whether the strings are still the row's.
        self._texts: dict[str, tuple[AccountRow, tuple[str, ...]]] = {}
        self._sort_column = -1  # -1: the API's order
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._text = ""
        self._states: frozenset[str] = frozenset()  # empty: every state
        self._country = ""
        self._held = False
        self._stale = False  # a poll arrived while held: order and filter wait for refresh_order()

    # -- Qt model ------------------------------------------------------------------------------------
    # rowCount() and columnCount() run twice for every index the view makes: keep them tiny.
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

    # flags(): QAbstractTableModel's own (enabled, selectable, never has children) without a call into Python.

    def data(self, index, role=_DISPLAY):
        # Called 7 times per painted cell: plain int roles and cached strings keep a repaint cheap.
        if role in _UNUSED_ROLES:
            return None
        r = index.row()
        if r < 0 or r >= len(self._rows):
            return None
        row = self._rows[r]
        col = index.column()
        if role == _DISPLAY:
            return self._texts_of(row)[col]
        if role == _BACKGROUND:
            if col == COL_RISK and row.risk is not None and row.risk.level in _RISK_CELL:
                return _RISK_CELL[row.risk.level]
            if col == COL_COMPLAINTS and row.complaints:
                return COMPLAINED
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
        return cell_text(row, col)

    def retranslate(self) -> None:
        """Drop the cached strings (they hold translated words) and repaint every cell."""
        self._texts.clear()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(_HEADERS) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(_HEADERS) - 1))

    def _tooltip(self, row: AccountRow, col: int) -> str | None:
        return cell_tooltip(row, col)

    def has_risk(self) -> bool:
        """Whether the backend reports risk levels at all (an older one: the column stays hidden)."""
        return any(r.risk is not None for r in self._all.values())

    # -- order and filter ------------------------------------------------------------------------------
    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column now (header click), even while the order is held; then keep that order."""
        if not 0 <= column < len(_HEADERS):
            return
        self._sort_column, self._sort_order = column, order
        self.refresh_order()

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    @property
    def country(self) -> str:
        return self._country

    def set_search(self, text: str) -> None:
        """Accounts whose name or contact holds the text, case-insensitive ("" for every account)."""
        text = text.strip().casefold()
        if text != self._text:
            self._text = text
            self.refresh_order()

    def set_states(self, states) -> None:
        """Accounts in one of these states (STATE_*; empty for every state)."""
        states = frozenset(states)
        if states != self._states:
            self._states = states
            self.refresh_order()

    def set_country(self, code: str) -> None:
        """Accounts whose top country is this ISO code ("" for every country)."""
        code = (code or "").upper()
        if code != self._country:
            self._country = code
            self.refresh_order()

    @property
    def order_held(self) -> bool:
        return self._held

    def hold_order(self, held: bool) -> None:
        """Held: polls update rows in place and append newcomers, nothing moves or leaves. Released:
        the order and the filter catch up with the polls that came meanwhile."""
        held = bool(held)
        if held == self._held:
            return
        self._held = held
        if not held and self._stale:
            self.refresh_order()

    @property
    def _pos(self) -> dict[str, int]:
        # Rebuilt on demand: a poll that re-sorts 5,000 rows seldom needs it (~1 ms each time).
        if self._pos_cache is None:
            self._pos_cache = {r.account: i for i, r in enumerate(self._rows)}
        return self._pos_cache

    def _accepts(self, row: AccountRow) -> bool:
        if self._states and row.state not in self._states:
            return False
        if self._country and row.top_country != self._country:
            return False
        text = self._text
        return not text or text in row.account.casefold() or text in row.contact.casefold()

    def _filtered(self) -> bool:
        return bool(self._states or self._country or self._text)

    def refresh_order(self) -> None:
        """Apply the filter and the sort to the last poll now: rows that no longer pass (or whose
        account left) are removed, rows that now pass are appended, then one layoutChanged puts
        them in order. The sort is stable from the order on screen, so equal rows never swap."""
        self._stale = False
        all_ = self._all
        if self._filtered():
            accepts = self._accepts
            self._remove_rows({n for n, r in all_.items() if accepts(r)})
            pos = self._pos
            added = [r for n, r in all_.items() if n not in pos and accepts(r)]
        else:
            self._remove_rows(all_.keys())
            if len(self._rows) == len(all_):  # every account of the poll is shown already
                added = []
            else:
                pos = self._pos
                added = [r for n, r in all_.items() if n not in pos]
        self._append_rows(added)
        self._sort_rows()

    def _remove_rows(self, kept) -> None:
        """Remove every shown row whose account is not in kept (a set or dict keys view).

        A few contiguous runs are removed one by one, from the bottom; many (a new search text
        over 5,000 rows) would each cost the view a relayout, so the kept rows are first moved to
        the top in one layout change and the rest removed as one block.
        """
        rows = self._rows
        gone = [i for i, r in enumerate(rows) if r.account not in kept]
        if not gone:
            return
        runs = 1 + sum(1 for a, b in zip(gone, gone[1:]) if b != a + 1)
        if runs > 8:
            stay = [r for r in rows if r.account in kept]
            self._set_order(stay + [r for r in rows if r.account not in kept])
            rows = self._rows
            gone = list(range(len(stay), len(rows)))
        while gone:
            last = first = gone.pop()
            while gone and gone[-1] == first - 1:
                first = gone.pop()
            self.beginRemoveRows(QModelIndex(), first, last)
            for r in rows[first:last + 1]:
                self._texts.pop(r.account, None)
            del rows[first:last + 1]
            self._pos_cache = None
            self.endRemoveRows()

    def _append_rows(self, added: list[AccountRow]) -> None:
        if not added:
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(added) - 1)
        self._rows.extend(added)
        if self._pos_cache is not None:
            for k, r in enumerate(added):
                self._pos_cache[r.account] = start + k
        self.endInsertRows()

    def _sort_rows(self) -> None:
        """Reorder in Python (a C++ sort calling data() per comparison took ~2 s for 5,000 rows).

        Persistent indexes (the view's selection and current row) follow their accounts. Nothing
        is signalled when the order is already right (a still table, or a poll that moved no row).
        """
        if self._sort_column < 0 or len(self._rows) < 2:
            return
        ordered = sorted(self._rows, key=_SORT_KEYS[self._sort_column],
                         reverse=self._sort_order == Qt.SortOrder.DescendingOrder)
        if not all(map(is_, ordered, self._rows)):
            self._set_order(ordered)

    def _set_order(self, ordered: list[AccountRow]) -> None:
        """Show the same rows in another order; persistent indexes (the view's selection and
        current row) follow their accounts."""
        self.layoutAboutToBeChanged[_LAYOUT_HINTED].emit([], _VERTICAL_SORT)
        old_persistent = self.persistentIndexList()
        targets = [self._rows[i.row()] for i in old_persistent]
        self._rows = ordered
        self._pos_cache = None
        distinct = {id(t): t for t in targets}
        if len(distinct) <= 8:  # a selected row or two: find them, no full index
            where = {k: list(map(is_, ordered, repeat(t))).index(True) for k, t in distinct.items()}
        else:
            pos = self._pos
            where = {id(t): pos[t.account] for t in targets}
        self.changePersistentIndexList(old_persistent, [self.index(where[id(t)], i.column())
                                                        for t, i in zip(targets, old_persistent)])
        self.layoutChanged[_LAYOUT_HINTED].emit([], _VERTICAL_SORT)

    # -- reading -------------------------------------------------------------------------------------
    def rows(self) -> list[AccountRow]:
        """The rows shown, in display order."""
        return list(self._rows)

    def row_at(self, i: int) -> AccountRow | None:
        return self._rows[i] if 0 <= i < len(self._rows) else None

    def row_for(self, account: str) -> AccountRow | None:
        """The account's row from the last poll (shown or filtered out); a held row no longer listed."""
        row = self._all.get(account)
        if row is None:
            i = self._pos.get(account)
            row = None if i is None else self._rows[i]
        return row

    def row_of(self, account: str) -> int:
        """The account's row in the table, -1 when it is not shown."""
        return self._pos.get(account, -1)

    def account_at(self, index: QModelIndex | QPersistentModelIndex) -> str | None:
        row = self.row_at(index.row()) if index.isValid() else None
        return row.account if row else None

    def status_texts(self) -> set[tuple[str, str]]:
        """(state, text) of every Status cell the last poll can show: each state's label and
        "stopped by NAME" for each staff member named in it. What the Status column must fit."""
        texts = {(s, state_text(s)) for s in _STATE_ORDER}
        # One C-level pass; a released account's last stopper may be among them: the column only widens.
        staff = set(map(attrgetter("suspended_by"), self._all.values()))
        staff.difference_update((None, "", "auto"))
        texts.update((STATE_STAFF, QCoreApplication.translate("AccountRatesModel", "stopped by {staff}").format(staff=n))
                     for n in staff)
        return texts

    def total_count(self) -> int:
        """Accounts in the last poll, shown or not."""
        return len(self._all)

    # -- updates -------------------------------------------------------------------------------------
    def apply_snapshot(self, rows: list[AccountRow]) -> None:
        # Every step is a comprehension or a C-level scan over the 5,000 rows: a Python loop that
        # compared each row (a dataclass __eq__) cost ~15 ms a poll.
        new = {r.account: r for r in rows}
        if len(new) != len(rows):  # a duplicate name in one answer: keep the first
            new = {}
            for r in rows:
                new.setdefault(r.account, r)
        self._all = new
        held = self._held
        filtered = self._filtered()
        get = new.get
        # 1. accounts that left, and rows the filter now refuses: gone (unless held)
        fresh = [get(r.account) for r in self._rows]
        everyone_listed = all(fresh)  # rows are always true: only a None (the account left) is false
        if not held and (not everyone_listed or filtered and not all(map(self._accepts, fresh))):
            self._remove_rows({n for n, r in new.items() if self._accepts(r)} if filtered else new.keys())
            fresh = [new[r.account] for r in self._rows]
        elif not everyone_listed:  # held: an account that left keeps its last row until the hold ends
            fresh = [r if f is None else f for f, r in zip(fresh, self._rows)]
        # 2. changes in place: one dataChanged over the span of rows whose values changed
        old = self._rows
        replaced = list(map(is_not, fresh, old))
        if True in replaced:
            lo, hi = replaced.index(True), len(replaced) - 1 - replaced[::-1].index(True)
            while lo <= hi and fresh[lo] == old[lo]:  # a new object with the same values
                lo += 1
            while hi >= lo and fresh[hi] == old[hi]:
                hi -= 1
            self._rows = fresh
            if lo <= hi:
                self.dataChanged.emit(self.index(lo, 0), self.index(hi, len(_HEADERS) - 1),
                                      [Qt.ItemDataRole.DisplayRole, SORT_ROLE, Qt.ItemDataRole.BackgroundRole,
                                       Qt.ItemDataRole.ToolTipRole])
        # 3. newcomers (and rows the filter now lets in) at the bottom, in the API's order (by rate)
        if filtered:
            pos, accepts = self._pos, self._accepts
            self._append_rows([r for n, r in new.items() if n not in pos and accepts(r)])
        elif held or len(self._rows) != len(new):
            pos = self._pos
            self._append_rows([r for n, r in new.items() if n not in pos])
        # 4. the order: now, or when the hold ends
        if held:
            self._stale = True
        else:
            self._sort_rows()
        self.updated.emit()
