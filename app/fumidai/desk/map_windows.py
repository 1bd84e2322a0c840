"""The maps beyond the main window's pane: maps in windows of their own, and wall mode.

``MapWindows`` opens and forgets them, keeps them on the time window staff chose last (any map's
buttons change it for all, and the poller follows), and hands each new one the counts it missed.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QVBoxLayout, QWidget

from .map_pane import MapPane, map_counts
from .poller import Snapshot
from .wall import WallWindow
from .world_map import WorldMapView


class DetachedMap(QWidget):
    """A MapPane in a top-level window: staff enlarge it, move it to another screen, close it."""

    closed = Signal()

    def __init__(self, parent: QWidget, *, language: str, window: int):
        super().__init__(parent, Qt.WindowType.Window)
        self.pane = MapPane(self, language=language, window=window)
        self.pane.detach_button.hide()
        self.pane.wall_button.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.pane)
        self.setWindowTitle(self.tr("Fumidai — sending sources by country"))
        self.resize(1100, 650)

    def closeEvent(self, event) -> None:
        self.hide()
        self.closed.emit()
        super().closeEvent(event)


class MapWindows(QObject):
    windowChanged = Signal(int)  # a map's time window buttons (seconds)
    countryClicked = Signal(str)  # in a detached map
    wallOpened = Signal(object)  # WallWindow: its owner connects the alerts
    wallClosed = Signal(object)  # WallWindow, about to be deleted

    def __init__(self, parent: QWidget, pane: MapPane, *, window: int):
        super().__init__(parent)
        self._parent = parent
        self._pane = pane
        self.window = window  # seconds, shared by every map
        self.detached: list[DetachedMap] = []  # maps staff opened in windows of their own
        self.wall: WallWindow | None = None
        self.last_snapshot: Snapshot | None = None

    def views(self, wall: bool = True) -> list[WorldMapView]:
        views = [self._pane.map, *(w.pane.map for w in self.detached)]
        return views + [self.wall.map] if wall and self.wall is not None else views

    def set_window(self, seconds: int) -> None:
        self.window = seconds
        for pane in [self._pane, *(w.pane for w in self.detached)]:
            pane.set_window(seconds)

    def show_counts(self, snap: Snapshot) -> None:
        """A new poll's countries on every map (the wall takes the whole snapshot)."""
        self.last_snapshot = snap
        if snap.countries is not None:
            counts = map_counts(snap.countries.items)
            for view in self.views(wall=False):
                view.set_counts(counts)
        if self.wall is not None:
            self.wall.apply_snapshot(snap)

    def open_detached(self, *, language: str, dark: bool) -> DetachedMap:
        window = DetachedMap(self._parent, language=language, window=self.window)
        window.pane.set_measure(self._pane.measure)
        window.pane.map.set_dark(dark)
        window.pane.windowChanged.connect(self.windowChanged)
        window.pane.countryClicked.connect(self.countryClicked)
        window.closed.connect(self._on_detached_closed)
        self.detached.append(window)
        snap = self.last_snapshot
        if snap is not None and snap.countries is not None:
            window.pane.map.set_counts(map_counts(snap.countries.items))
        window.show()
        return window

    @Slot()
    def _on_detached_closed(self) -> None:
        self.detached = [w for w in self.detached if w.isVisible()]

    def open_wall(self, *, language: str, alerts: list) -> WallWindow:
        if self.wall is None:
            self.wall = WallWindow(self._parent, language=language, dark=True, window=self.window)
            self.wall.windowChanged.connect(self.windowChanged)
            self.wall.closed.connect(self._on_wall_closed)
            self.wallOpened.emit(self.wall)
            self.wall.add_alerts(alerts)
            if self.last_snapshot is not None:
                self.wall.apply_snapshot(self.last_snapshot)
            self.wall.start()
        return self.wall

    @Slot()
    def _on_wall_closed(self) -> None:
        wall, self.wall = self.wall, None
        if wall is not None:
            self.wallClosed.emit(wall)
            wall.deleteLater()

    def close_all(self) -> None:
        if self.wall is not None:
            self.wall.close()
        for window in self.detached:
            window.close()
