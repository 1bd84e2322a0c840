"""AlertsFeed: automatic stops and cap hits, newest first; double-click opens the account."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSystemTrayIcon, QTableView, QVBoxLayout, QWidget

from .api.models import AlertItem

MAX_ALERTS = 2000
_HEADERS = (
    QT_TRANSLATE_NOOP("AlertsModel", "Time"),
    QT_TRANSLATE_NOOP("AlertsModel", "Account"),
    QT_TRANSLATE_NOOP("AlertsModel", "What"),
    QT_TRANSLATE_NOOP("AlertsModel", "Reason"),
    QT_TRANSLATE_NOOP("AlertsModel", "Country"),
)
_AUTO = QColor(220, 50, 50, 90)


def _tr(text: str) -> str:
    return QCoreApplication.translate("AlertsModel", text)


def kind_text(kind: str) -> str:
    return {"auto_suspend": QCoreApplication.translate("AlertsModel", "automatic stop"), "cap": QCoreApplication.translate("AlertsModel", "country cap"), "quota_reject": QCoreApplication.translate("AlertsModel", "refused (quota)"),
            "defer": QCoreApplication.translate("AlertsModel", "deferred"), "hold": QCoreApplication.translate("AlertsModel", "held"), "filter": QCoreApplication.translate("AlertsModel", "filtered")}.get(kind, kind)


class AlertsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._items: list[AlertItem] = []  # newest first
        self._ids: set[int] = set()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(_HEADERS):
            return _tr(_HEADERS[section])
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._items):
            return None
        a = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:  # plain strings: never rendered as HTML
            if index.column() == 0:
                return dt.datetime.fromtimestamp(a.time).strftime("%H:%M:%S") if a.time else ""
            return (None, a.account, kind_text(a.kind), a.reason, a.country)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 0 and a.time:
            return dt.datetime.fromtimestamp(a.time).strftime("%Y-%m-%d %H:%M:%S")
        if role == Qt.ItemDataRole.BackgroundRole and a.kind == "auto_suspend" and index.column() == 2:
            return QBrush(_AUTO)
        if role == Qt.ItemDataRole.UserRole:
            return a
        return None

    def items(self) -> list[AlertItem]:
        return list(self._items)

    def add(self, items: list[AlertItem]) -> list[AlertItem]:
        """Insert the new ones at the top (newest first); returns those that were new."""
        fresh = [a for a in items if a.id not in self._ids]
        if not fresh:
            return []
        fresh.sort(key=lambda a: a.id, reverse=True)
        self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
        self._items[:0] = fresh
        self._ids.update(a.id for a in fresh)
        self.endInsertRows()
        if len(self._items) > MAX_ALERTS:
            self.beginRemoveRows(QModelIndex(), MAX_ALERTS, len(self._items) - 1)
            for a in self._items[MAX_ALERTS:]:
                self._ids.discard(a.id)
            del self._items[MAX_ALERTS:]
            self.endRemoveRows()
        return fresh


class AlertsFeed(QWidget):
    accountActivated = Signal(str)
    notified = Signal(str)  # a notification the tray could not show: for the main window's status bar

    def __init__(self, parent: QWidget | None = None, tray: QSystemTrayIcon | None = None):
        super().__init__(parent)
        self.model = AlertsModel(self)
        self.tray = tray
        self.view = QTableView(self)
        self.view.setObjectName("alertsTable")
        self.view.setModel(self.model)
        self.view.verticalHeader().setVisible(False)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setWordWrap(False)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.doubleClicked.connect(self._on_double_click)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._first_batch = True

    @Slot(list)
    def add_alerts(self, items: list) -> None:
        fresh = self.model.add(items)
        stops = [a for a in fresh if a.kind == "auto_suspend"]
        # The backlog fetched at start-up is history, not news: no notification for it.
        if stops and not self._first_batch:
            self._notify(stops)
        self._first_batch = False

    def _notify(self, stops: list[AlertItem]) -> None:
        title = self.tr("Sending stopped automatically")
        if len(stops) == 1:
            a = stops[0]
            text = self.tr("{account} ({reason}, from {country})").format(
                account=a.account, reason=a.reason, country=a.country or "?")
        else:
            text = self.tr("{n} accounts: {names}").format(n=len(stops), names=", ".join(a.account for a in stops[:5]))
        if self.tray is not None and self.tray.isVisible() and QSystemTrayIcon.supportsMessages():
            self.tray.showMessage(title, text[:300], QSystemTrayIcon.MessageIcon.Warning, 10000)
        else:
            self.notified.emit(f"{title}: {text}")

    @Slot()
    def _on_double_click(self, index) -> None:
        a = self.model.data(self.model.index(index.row(), 0), Qt.ItemDataRole.UserRole)
        if a and a.account:
            self.accountActivated.emit(a.account)
