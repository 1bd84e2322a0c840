"""ColumnFitter: a narrow window shows fewer table columns instead of a horizontal scroll bar."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Slot
from PySide6.QtWidgets import QApplication, QTableView


class ColumnFitter(QObject):
    """Hides a table's optional columns while they do not fit its width, and shows them again
    when they do: a narrow window shows fewer columns instead of a horizontal scroll bar.

    It refits, once the layout has settled, when the table's width or the columns' total width
    changes, except after staff dragged a column wider: then the scroll bar is theirs until the
    table's width changes.
    """

    def __init__(self, table: QTableView, optional: tuple[int, ...]):
        super().__init__(table)
        self._table = table
        self._optional = optional
        self._widths: dict[int, int] = {}  # the width each column had when this hid it
        self.dropped: list[int] = []  # the columns this hid, in the order it hid them
        self._room: dict[int, int] = {}  # the table's width when each was hidden
        self._busy = False
        self._by_hand = False
        self.enabled = False  # until the table has measured its columns: it measures shown ones only
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        table.viewport().installEventFilter(self)
        table.horizontalScrollBar().rangeChanged.connect(self._on_range)
        table.horizontalHeader().sectionResized.connect(self._on_section_resized)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._by_hand = False
            self._schedule()
        return False

    @Slot()
    def _on_range(self, *_args) -> None:
        if not self._by_hand:
            self._schedule()

    @Slot()
    def _on_section_resized(self, *_args) -> None:
        if not self._busy and QApplication.mouseButtons() != Qt.MouseButton.NoButton:
            self._by_hand = True

    def _schedule(self) -> None:
        if self.enabled and not self._busy:
            self._timer.start()

    def _width(self, c: int) -> int:
        """A shown column's width; the stretched last one's by its contents, not its stretch."""
        header = self._table.horizontalHeader()
        last = max((i for i in range(header.count()) if not header.isSectionHidden(i)), key=header.visualIndex)
        if c == last and header.stretchLastSection():
            return max(self._table.sizeHintForColumn(c), header.sectionSizeHint(c))
        return header.sectionSize(c)

    def _wanted(self) -> int:
        header = self._table.horizontalHeader()
        return sum(self._width(c) for c in range(header.count()) if not header.isSectionHidden(c))

    def fit(self) -> None:
        """Drop columns while the table would scroll sideways, or bring back those that fit again.

        The widths add up to an estimate; what the header really laid out decides too (a
        stretched last column keeps a floor of its own), so after a change it looks again once
        the header has laid the change out.
        """
        header = self._table.horizontalHeader()
        room = self._table.viewport().width()
        overflow = header.length() > room
        changed = False
        self._busy = True
        try:
            for c in self._optional:
                if header.isSectionHidden(c):
                    continue
                if not overflow and self._wanted() <= room:
                    break
                self._widths[c] = self._width(c)
                self._room[c] = room  # it comes back only in a wider table: no flicker
                header.hideSection(c)
                self.dropped.append(c)
                changed = True
                overflow = False  # the header's length is stale until laid out: estimate from here
            shrunk = changed
            while not shrunk and self.dropped:
                c = self.dropped[-1]
                if room <= self._room.get(c, 0) or self._wanted() + self._widths[c] > room:
                    break
                self.dropped.pop()
                header.showSection(c)
                header.resizeSection(c, self._widths[c])
                changed = True
        finally:
            self._busy = False
        if changed:
            self._timer.start()

    def show_all(self) -> None:
        """Every dropped column back (before the header's state is saved: width is no preference)."""
        header = self._table.horizontalHeader()
        self._busy = True
        try:
            while self.dropped:
                c = self.dropped.pop()
                header.showSection(c)
                header.resizeSection(c, self._widths[c])
            self._room.clear()
        finally:
            self._busy = False
