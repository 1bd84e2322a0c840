"""WallWindow: the desk for a wall screen — full screen, large type, nothing to press.

The map (accepted and refused alike), the totals, the newest alerts and the top accounts, fed
by the main window's poller. The map's time window cycles by itself (5 min → 1 h → 24 h) so a
glance across the room sees both what is happening now and the day. The map takes no clicks or
wheel turns; Esc (or closing the window) leaves wall mode.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QFont, QGuiApplication, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from .alerts_feed import alert_reason
from .api.models import AlertItem, STATE_OK
from .map_pane import MAP_WINDOWS, map_counts
from .poller import Snapshot
from .rates_model import state_text
from .world_map import WorldMapView

WALL_CYCLE_S = 20.0  # seconds each time window stays on the wall
WALL_ALERTS = 8
WALL_TOP = 10
FONT_SCALE = 1.7


class _ElidedLabel(QLabel):
    """One line that ends in "…" where the column is narrower than it, instead of running off the
    screen (an alert's reason can be long); the full text stays in ``full_text``."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        self.full_text = text
        self._elide()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        super().setText(self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight,
                                                      max(self.width(), 1)))


def _label(parent: QWidget, scale: float = 1.0, bold: bool = False, elide: bool = False) -> QLabel:
    label = _ElidedLabel(parent) if elide else QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)  # account names and reasons come from spammers
    label.setWordWrap(False)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(bold)
    label.setFont(font)
    return label


class WallWindow(QWidget):
    windowChanged = Signal(int)  # the map's time window moved on (seconds): the poller follows
    closed = Signal()

    def __init__(self, parent: QWidget | None = None, *, language: str = "en", dark: bool = True,
                 window: int = 3600, cycle_s: float = WALL_CYCLE_S):
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("wallWindow")
        if dark:  # a wall display is dark whatever the desk's theme: bright text on it carries across a room
            palette = QPalette(self.palette())  # a palette, not a style sheet: that would drop the large font
            for role, colour in ((QPalette.ColorRole.Window, "#1b1d21"), (QPalette.ColorRole.WindowText, "#e6e6e6"),
                                 (QPalette.ColorRole.Base, "#1b1d21"), (QPalette.ColorRole.Text, "#e6e6e6")):
                palette.setColor(role, QColor(colour))
            self.setPalette(palette)
            self.setAutoFillBackground(True)
        self.window_s = window
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * FONT_SCALE)
        self.setFont(font)

        self.title = _label(self, 1.3, True)
        self.caption = _label(self, 1.1)
        self.clock = _label(self, 1.1)
        self.map = WorldMapView(self, language=language, dark=dark, interactive=False)
        self.map.set_measure("both")
        self.totals = _label(self, 1.1, True)
        self.totals.setWordWrap(True)
        self.alerts_title = _label(self, 1.0, True)
        self.alerts = [_label(self, elide=True) for _ in range(WALL_ALERTS)]
        self.top_title = _label(self, 1.0, True)
        self.top = [_label(self) for _ in range(WALL_TOP)]
        self._alerts: list[AlertItem] = []

        side = QVBoxLayout()
        side.addWidget(self.totals)
        side.addSpacing(12)
        side.addWidget(self.alerts_title)
        for label in self.alerts:
            side.addWidget(label)
        side.addSpacing(12)
        side.addWidget(self.top_title)
        for label in self.top:
            side.addWidget(label)
        side.addStretch(1)
        side_box = QFrame(self)
        side_box.setLayout(side)
        side_box.setMaximumWidth(700)
        for label in (*self.alerts, *self.top):
            label.setMaximumWidth(680)  # long names are cut, never widen the column

        grid = QGridLayout(self)
        grid.addWidget(self.title, 0, 0)
        grid.addWidget(self.caption, 0, 1, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.clock, 0, 2, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.map, 1, 0, 1, 2)
        grid.addWidget(side_box, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setRowStretch(1, 1)

        self._windows = [s for s, _ in MAP_WINDOWS]
        self._cycle = QTimer(self, interval=int(cycle_s * 1000))
        self._cycle.timeout.connect(self.next_window)
        self._clock = QTimer(self, interval=1000)
        self._clock.timeout.connect(self._tick)
        self._leave = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self._leave.activated.connect(self.close)
        self.retranslate()
        self._tick()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Fumidai — wall"))
        self.title.setText(self.tr("Fumidai — sending sources"))
        self.alerts_title.setText(self.tr("Newest alerts"))
        self.top_title.setText(self.tr("Top accounts (msg/min)"))
        self._show_caption()

    def _show_caption(self) -> None:
        words = dict(MAP_WINDOWS)
        window = QCoreApplication.translate("MapPane", words.get(self.window_s, ""))
        self.caption.setText(self.tr("Last {0} · accepted and refused").format(window))

    def start(self) -> None:
        """Full screen, cycling."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        self.showFullScreen()
        if screen is not None and self.geometry() != screen.geometry():
            # Without a window manager (a kiosk X server) full screen is only a request: size it too.
            self.setGeometry(screen.geometry())
            self.setWindowState(self.windowState() | Qt.WindowState.WindowFullScreen)
        self._cycle.start()
        self._clock.start()

    @Slot()
    def next_window(self) -> None:
        i = self._windows.index(self.window_s) if self.window_s in self._windows else -1
        self.window_s = self._windows[(i + 1) % len(self._windows)]
        self._show_caption()
        self.windowChanged.emit(self.window_s)

    @Slot()
    def _tick(self) -> None:
        self.clock.setText(dt.datetime.now().strftime("%H:%M:%S"))

    # -- data ---------------------------------------------------------------------------------------
    def apply_snapshot(self, snap: Snapshot) -> None:
        t = snap.overview.totals
        self.totals.setText(self.tr("{rate:,.0f} msg/min · {active:,} sending · {limited:,} limited · "
                                    "{stopped:,} stopped").format(rate=t.messages_per_minute, active=t.active_accounts,
                                                                 limited=t.limited_accounts,
                                                                 stopped=t.suspended_accounts))
        rows = snap.overview.top[:WALL_TOP]
        for label, row in zip(self.top, rows + [None] * (WALL_TOP - len(rows))):
            if row is None:
                label.setText("")
                continue
            state = "" if row.state == STATE_OK else f"  [{state_text(row.state)}]"
            label.setText(f"{row.rate:7,.1f}  {row.account}  {row.top_country}{state}")
        if snap.countries is not None:
            self.map.set_counts(map_counts(snap.countries.items))

    @Slot(list)
    def add_alerts(self, items: list) -> None:
        self._alerts = sorted({a.id: a for a in [*self._alerts, *items]}.values(), key=lambda a: -a.id)[:WALL_ALERTS]
        for label, a in zip(self.alerts, self._alerts + [None] * (WALL_ALERTS - len(self._alerts))):
            if a is None:
                label.setText("")
                continue
            when = dt.datetime.fromtimestamp(a.time).strftime("%H:%M") if a.time else ""
            label.setText(f"{when}  {a.account}  {alert_reason(a)}")

    def closeEvent(self, event) -> None:
        self._cycle.stop()
        self._clock.stop()
        self.closed.emit()
        super().closeEvent(event)
