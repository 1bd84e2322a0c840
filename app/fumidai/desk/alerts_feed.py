"""AlertsFeed: automatic stops and cap hits, newest first; double-click opens the account."""

from __future__ import annotations

import datetime as dt
import html
import time
from dataclasses import dataclass, field

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSystemTrayIcon, QTableView, QVBoxLayout, QWidget

from .api.models import AlertItem
from .clock import local_text, utc_text
from .messages import ui_is_japanese

MAX_ALERTS = 2000
# Time, kind and country: as wide as their short text, up to a cap; account and reason share the rest.
_FITTED = {0: 56, 2: 64, 4: 64}
NOTIFY_MS = 10000  # how long a notification stays on the status bar or the tray
_HEADERS = (
    QT_TRANSLATE_NOOP("AlertsModel", "Time"),
    QT_TRANSLATE_NOOP("AlertsModel", "Account"),
    QT_TRANSLATE_NOOP("AlertsModel", "What"),
    QT_TRANSLATE_NOOP("AlertsModel", "Reason"),
    QT_TRANSLATE_NOOP("AlertsModel", "Country"),
)
_AUTO = QColor(220, 50, 50, 90)
_ITALIC = QFont()
_ITALIC.setItalic(True)
GROUP_ROLE = Qt.ItemDataRole.UserRole + 1


def _tr(text: str) -> str:
    return QCoreApplication.translate("AlertsModel", text)


def kind_text(kind: str) -> str:
    """The kind in full words (the kind column's tooltip)."""
    return {"auto_suspend": QCoreApplication.translate("AlertsModel", "automatic stop"), "cap": QCoreApplication.translate("AlertsModel", "country cap"), "quota_reject": QCoreApplication.translate("AlertsModel", "refused (quota)"),
            "defer": QCoreApplication.translate("AlertsModel", "deferred"), "hold": QCoreApplication.translate("AlertsModel", "held"), "filter": QCoreApplication.translate("AlertsModel", "filtered"),
            "behaviour": QCoreApplication.translate("AlertsModel", "behaviour analysis"),
            "complaint": QCoreApplication.translate("AlertsModel", "complaint about a message"),
            "blocklist_listed": QCoreApplication.translate("AlertsModel", "egress address listed on a blocklist"),
            "blocklist_delisted": QCoreApplication.translate("AlertsModel", "egress address delisted")}.get(kind, kind)


def kind_short(kind: str) -> str:
    """The kind in one short word: the column stays narrow so account and reason get the width."""
    return {"auto_suspend": QCoreApplication.translate("AlertsModel", "stop"), "cap": QCoreApplication.translate("AlertsModel", "cap"), "quota_reject": QCoreApplication.translate("AlertsModel", "limit"),
            "defer": QCoreApplication.translate("AlertsModel", "deferred"), "hold": QCoreApplication.translate("AlertsModel", "held"), "filter": QCoreApplication.translate("AlertsModel", "filtered"),
            "behaviour": QCoreApplication.translate("AlertsModel", "risk"),
            "complaint": QCoreApplication.translate("AlertsModel", "complaint"),
            "blocklist_listed": QCoreApplication.translate("AlertsModel", "listed"),
            "blocklist_delisted": QCoreApplication.translate("AlertsModel", "delisted")}.get(kind, kind)


# The backend's reason codes: "quota:<limit>", "abroad:<limit>", "country:<CC>:<limit>", "suspended".
_QUOTA_NAMES = {
    "messages_per_hour": QT_TRANSLATE_NOOP("AlertsModel", "Hourly message quota"),
    "messages_per_day": QT_TRANSLATE_NOOP("AlertsModel", "Daily message quota"),
    "recipients_per_hour": QT_TRANSLATE_NOOP("AlertsModel", "Hourly recipient quota"),
    "recipients_per_day": QT_TRANSLATE_NOOP("AlertsModel", "Daily recipient quota"),
    "recipients_per_message": QT_TRANSLATE_NOOP("AlertsModel", "Recipients per message limit"),
    "unique_recipients_per_day": QT_TRANSLATE_NOOP("AlertsModel", "Daily distinct recipients quota"),
}
_CAP_NAMES = {
    "messages_per_hour": QT_TRANSLATE_NOOP("AlertsModel", "messages per hour"),
    "messages_per_day": QT_TRANSLATE_NOOP("AlertsModel", "messages per day"),
    "recipients_per_hour": QT_TRANSLATE_NOOP("AlertsModel", "recipients per hour"),
    "recipients_per_day": QT_TRANSLATE_NOOP("AlertsModel", "recipients per day"),
    "recipients_per_message": QT_TRANSLATE_NOOP("AlertsModel", "recipients per message"),
    "unique_recipients_per_day": QT_TRANSLATE_NOOP("AlertsModel", "distinct recipients per day"),
}


_RISK_LEVELS = {
    "watch": QT_TRANSLATE_NOOP("AlertsModel", "watch"),
    "probation": QT_TRANSLATE_NOOP("AlertsModel", "probation"),
    "hold": QT_TRANSLATE_NOOP("AlertsModel", "hold"),
    "suspend": QT_TRANSLATE_NOOP("AlertsModel", "suspend"),
}


def reason_text(code: str) -> str:
    """A reason code in words of the UI language; an unknown code is shown as it is."""
    parts = code.split(":")
    if parts == ["suspended"]:
        return QCoreApplication.translate("AlertsModel", "Account suspended")
    if len(parts) == 2 and parts[0] == "behaviour":  # "behaviour:watch", or the signals of a hold or stop
        level = _RISK_LEVELS.get(parts[1])
        return (QCoreApplication.translate("AlertsModel", "Risk: {level}").format(level=_tr(level)) if level
                else QCoreApplication.translate("AlertsModel", "Behaviour analysis"))
    if len(parts) == 2 and parts[0] == "quota" and parts[1] in _QUOTA_NAMES:
        return _tr(_QUOTA_NAMES[parts[1]])
    if len(parts) == 2 and parts[0] == "abroad" and parts[1] in _CAP_NAMES:
        return QCoreApplication.translate("AlertsModel", "Abroad cap: {limit}").format(limit=_tr(_CAP_NAMES[parts[1]]))
    if len(parts) == 3 and parts[0] == "country" and parts[2] in _CAP_NAMES:
        return QCoreApplication.translate("AlertsModel", "{country} cap: {limit}").format(country=parts[1], limit=_tr(_CAP_NAMES[parts[2]]))
    return code


def alert_reason(a: AlertItem) -> str:
    """The reason in words, the numbers against the limit when the backend gave them, then the
    behaviour analysis' reasons: "Hourly recipient quota 294/300 · new country CN"."""
    if a.kind in ("complaint", "blocklist_listed", "blocklist_delisted"):
        return reputation_reason(a)
    text = reason_text(a.reason)
    value, limit = a.detail.get("value"), a.detail.get("limit")
    if isinstance(value, (int, float)) and isinstance(limit, (int, float)):
        text += f" {value:,g}/{limit:,g}"
    reasons = [r for r in a.detail.get("reasons") or [] if isinstance(r, dict)]
    ja = ui_is_japanese()
    words = [str((r.get("text_ja") if ja else "") or r.get("text") or r.get("code") or "") for r in reasons]
    words = [w for w in words if w]
    if words:
        text = " · ".join([text, *words]) if text else " · ".join(words)
    return text


def reputation_reason(a: AlertItem) -> str:
    """A complaint or blocklist alert in words of the UI language, from its detail; the list's own
    words (its TXT, a stranger's text: shown as plain text) after them."""
    d = a.detail
    if a.kind == "complaint":
        ids = [i for i in d.get("complaint_ids") or [] if isinstance(i, int)]
        threshold = d.get("suspend_after")
        if ids and isinstance(threshold, int):
            return QCoreApplication.translate("AlertsModel", "{n} of {limit} complaints (stop at {limit})").format(
                n=len(ids), limit=threshold)
        return a.reason
    zone, egress = str(d.get("zone") or ""), str(d.get("egress") or a.account)
    if not zone:
        return a.reason
    if a.kind == "blocklist_delisted":
        return QCoreApplication.translate("AlertsModel", "{egress} no longer listed on {zone}").format(
            egress=egress, zone=zone)
    text = QCoreApplication.translate("AlertsModel", "{egress} listed on {zone}").format(egress=egress, zone=zone)
    head = f"{egress} listed on {zone}"
    rest = a.reason[len(head):].lstrip(": ").strip() if a.reason.startswith(head) else ""
    return f"{text}: {rest}" if rest else text


@dataclass
class AlertGroup:
    """Identical alerts (account, kind, reason) not yet acknowledged, shown as one row."""

    latest: AlertItem
    first: float | None
    ids: list[int] = field(default_factory=list)
    acked_by: str = ""
    acked_at: float | None = None

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.latest.account, self.latest.kind, self.latest.reason)


class AlertsModel(QAbstractTableModel):
    """Newest group first. A repeat of an alert whose group is not acknowledged joins it (the row
    moves to the top with "×N"); after an acknowledgement the next one starts a new row."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._groups: list[AlertGroup] = []  # newest first
        self._ids: set[int] = set()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._groups)

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
        if not index.isValid() or index.row() >= len(self._groups):
            return None
        g = self._groups[index.row()]
        a = g.latest
        if role == Qt.ItemDataRole.DisplayRole:  # plain strings: never rendered as HTML
            if index.column() == 0:
                return dt.datetime.fromtimestamp(a.time).strftime("%H:%M") if a.time else ""
            if index.column() == 3 and g.count > 1:
                since = dt.datetime.fromtimestamp(g.first).strftime("%H:%M") if g.first else "?"
                return QCoreApplication.translate("AlertsModel", "{reason} ×{n} since {time}").format(reason=alert_reason(a), n=g.count, time=since)
            return (None, a.account, kind_short(a.kind), alert_reason(a), a.country)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:  # full texts (tooltips render HTML: escape what the backend sent)
            if index.column() == 0 and a.time:
                tip = f"{local_text(a.time, True)} ({utc_text(a.time)})"
                if g.acked_by:
                    tip += "\n" + QCoreApplication.translate("AlertsModel", "acknowledged by {0} at {1}").format(g.acked_by, local_text(g.acked_at))
                return html.escape(tip).replace("\n", "<br>")
            if index.column() == 1 and a.account:
                return html.escape(a.account)
            if index.column() == 2 and a.kind:
                return html.escape(kind_text(a.kind))
            if index.column() == 3 and (a.reason or a.detail.get("reasons")):  # words, then the raw code for grep
                words = alert_reason(a)
                return html.escape(f"{words} ({a.reason})" if a.reason and reason_text(a.reason) != a.reason else words)
        if role == Qt.ItemDataRole.BackgroundRole and a.kind == "auto_suspend" and index.column() == 2 and not g.acked_by:
            return QBrush(_AUTO)
        if role == Qt.ItemDataRole.ForegroundRole and g.acked_by:
            return QBrush(QColor(128, 128, 128))
        if role == Qt.ItemDataRole.FontRole and g.acked_by:
            return _ITALIC
        if role == Qt.ItemDataRole.UserRole:
            return a
        if role == GROUP_ROLE:
            return g
        return None

    def items(self) -> list[AlertItem]:
        """The newest alert of each row, in row order."""
        return [g.latest for g in self._groups]

    def groups(self) -> list[AlertGroup]:
        return list(self._groups)

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(_HEADERS) - 1)
        if self._groups:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._groups) - 1, len(_HEADERS) - 1))

    def add(self, items: list[AlertItem]) -> list[AlertItem]:
        """Put the new ones at the top (newest first), joining open groups; returns those that were new."""
        fresh = sorted((a for a in items if a.id not in self._ids), key=lambda a: a.id)
        for a in fresh:
            self._ids.add(a.id)
            key = (a.account, a.kind, a.reason)
            row = next((i for i, g in enumerate(self._groups) if g.key == key and not g.acked_by), -1)
            if a.acked_by:
                row = -1  # acknowledged elsewhere: a row of its own, shown as such
            if row >= 0:
                group = self._groups[row]
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._groups[row]
                self.endRemoveRows()
                group.latest = a
                group.ids.append(a.id)
            else:
                group = AlertGroup(a, a.time, [a.id], a.acked_by, a.acked_at)
            self.beginInsertRows(QModelIndex(), 0, 0)
            self._groups.insert(0, group)
            self.endInsertRows()
        if len(self._groups) > MAX_ALERTS:
            self.beginRemoveRows(QModelIndex(), MAX_ALERTS, len(self._groups) - 1)
            for g in self._groups[MAX_ALERTS:]:
                self._ids.difference_update(g.ids)
            del self._groups[MAX_ALERTS:]
            self.endRemoveRows()
        return fresh

    def mark_acked(self, ids: set[int], by: str, at: float) -> None:
        for row, g in enumerate(self._groups):
            if ids & set(g.ids):
                g.acked_by, g.acked_at = by or "?", at
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(_HEADERS) - 1))


class AlertsFeed(QWidget):
    accountActivated = Signal(str)
    egressActivated = Signal()  # a blocklist alert: the egress reputation panel, not an account
    ackRequested = Signal(list)  # the ids of the selected rows' alerts
    incidentRequested = Signal(str, int)  # account, alert id: open an incident for this stop
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
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)  # the tooltip has the full text
        # Account and reason share the width; time, kind and country take what they need.
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(36)
        for column in _FITTED:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        for column in (1, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.view.doubleClicked.connect(self._on_double_click)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # Acknowledge: a right-click or Ctrl+K on the selected rows (only with a backend that takes it).
        self.act_ack = QAction(self)
        self.act_ack.setShortcut("Ctrl+K")
        self.act_ack.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.act_ack.triggered.connect(self.acknowledge_selected)
        self.act_ack.setVisible(False)
        self.view.addAction(self.act_ack)
        self.act_incident = QAction(self)
        self.act_incident.triggered.connect(self.open_incident)
        self.act_incident.setVisible(False)  # the main window shows it with a backend that keeps incidents
        self.view.addAction(self.act_incident)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._first_batch = True
        # Stops still on the status bar: a stop in the next poll joins them instead of hiding them.
        self._shown_stops: list[AlertItem] = []
        self._shown_until = 0.0
        self.retranslate()

    def retranslate(self) -> None:
        self.act_ack.setText(self.tr("Acknowledge"))
        self.act_ack.setToolTip(self.tr("Mark the selected alerts as seen and handled, for every desk (Ctrl+K)"))
        self.act_incident.setText(self.tr("Open an incident"))

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_can_ack(self, can: bool) -> None:
        """Offered only by a backend that keeps acknowledgements and to a role that may act."""
        self.act_ack.setVisible(can)
        self.act_ack.setEnabled(can)

    @Slot()
    def acknowledge_selected(self) -> None:
        if not self.act_ack.isEnabled():
            return
        ids = []
        for index in self.view.selectionModel().selectedRows():
            group = self.model.data(self.model.index(index.row(), 0), GROUP_ROLE)
            if group is not None and not group.acked_by:
                ids += group.ids
        if ids:
            self.ackRequested.emit(sorted(ids))

    @Slot()
    def open_incident(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        if rows:
            a = self.model.data(self.model.index(rows[0].row(), 0), Qt.ItemDataRole.UserRole)
            if a is not None:
                self.incidentRequested.emit(a.account, a.id)

    def fit_columns(self) -> None:
        for column, cap in _FITTED.items():
            self.view.resizeColumnToContents(column)
            self.view.setColumnWidth(column, min(self.view.columnWidth(column), cap))

    @Slot(list)
    def add_alerts(self, items: list) -> None:
        """New alerts of one poll; the poller's first call (possibly empty) is the start-up backlog."""
        fresh = self.model.add(items)
        if fresh:
            self.fit_columns()
        stops = [a for a in fresh if a.kind == "auto_suspend"]
        # The backlog fetched at start-up is history, not news: no notification for it.
        if stops and not self._first_batch:
            self._notify(stops)
        self._first_batch = False

    def _notify(self, stops: list[AlertItem]) -> None:
        now = time.monotonic()
        if now < self._shown_until:
            stops = stops + [a for a in self._shown_stops if a.id not in {s.id for s in stops}]
        stops.sort(key=lambda a: a.id, reverse=True)  # newest first, like the feed
        self._shown_stops, self._shown_until = stops, now + NOTIFY_MS / 1000
        title, text = self.stops_message(stops)
        if self.tray is not None and self.tray.isVisible() and QSystemTrayIcon.supportsMessages():
            self.tray.showMessage(title, text[:300], QSystemTrayIcon.MessageIcon.Warning, NOTIFY_MS)
        else:
            self.notified.emit(f"{title}: {text}")

    def stops_message(self, stops: list[AlertItem]) -> tuple[str, str]:
        """Title and text naming every stopped account (up to 5, then how many more)."""
        title = self.tr("Sending stopped automatically")
        accounts = list(dict.fromkeys(a.account for a in stops))  # one account stopped twice counts once
        if len(accounts) == 1:
            a = stops[0]
            return title, self.tr("{account} ({reason}, from {country})").format(
                account=a.account, reason=reason_text(a.reason), country=a.country or "?")
        names = ", ".join(accounts[:5])
        if len(accounts) > 5:
            names += " " + self.tr("and {n} more").format(n=len(accounts) - 5)
        return title, self.tr("{n} accounts: {names}").format(n=len(accounts), names=names)

    @Slot()
    def _on_double_click(self, index) -> None:
        a = self.model.data(self.model.index(index.row(), 0), Qt.ItemDataRole.UserRole)
        if a and a.kind in ("blocklist_listed", "blocklist_delisted"):
            self.egressActivated.emit()  # its "account" is an egress address: show the blocklist panel
        elif a and a.account:
            self.accountActivated.emit(a.account)
