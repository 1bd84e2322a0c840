"""MapPane: the world map with its controls — time window, what it counts, detach, wall mode.

What it counts is a choice: accepted mail, refused attempts, or both. A hijacked account hammering
from abroad is mostly refused: a map of accepted mail alone showed that country pale.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal, Slot
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from .api.models import CountryCount
from .world_map import WorldMapView

MAP_WINDOWS = ((300, QT_TRANSLATE_NOOP("MapPane", "5 min")), (3600, QT_TRANSLATE_NOOP("MapPane", "1 h")),
               (86400, QT_TRANSLATE_NOOP("MapPane", "24 h")))
MEASURES = (("accepted", QT_TRANSLATE_NOOP("MapPane", "Accepted")),
            ("refused", QT_TRANSLATE_NOOP("MapPane", "Refused")),
            ("both", QT_TRANSLATE_NOOP("MapPane", "Both")))
DEFAULT_WINDOW = 3600


def map_counts(items: Iterable[CountryCount]) -> dict[str, tuple[int, int, int]]:
    """{code: (accepted messages, accounts, refused messages)} for WorldMapView.set_counts."""
    return {c.country: (c.messages, c.accounts, c.refused) for c in items}


class MapPane(QWidget):
    windowChanged = Signal(int)  # seconds
    countryClicked = Signal(str)
    detachRequested = Signal()
    wallRequested = Signal()

    def __init__(self, parent: QWidget | None = None, *, language: str = "en", window: int = DEFAULT_WINDOW):
        super().__init__(parent)
        self.window_s = window
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        # Wrapped a word at a time, not a letter at a time beside the buttons.
        self.label.setMinimumWidth(self.label.fontMetrics().averageCharWidth() * 9)
        self.window_buttons = self._group([(s, t) for s, t in MAP_WINDOWS], window, self._on_window)
        self.measure_buttons = self._group(list(MEASURES), "accepted", self._on_measure)
        self.detach_button = QToolButton(self)
        self.detach_button.clicked.connect(self.detachRequested)
        self.wall_button = QToolButton(self)
        self.wall_button.clicked.connect(self.wallRequested)
        self.map = WorldMapView(self, language=language, dark=False)
        self.map.countryClicked.connect(self.countryClicked)

        top = QHBoxLayout()
        top.addWidget(self.label, 1)
        for b in self.window_buttons.buttons():
            top.addWidget(b)
        bottom = QHBoxLayout()
        for b in self.measure_buttons.buttons():
            bottom.addWidget(b)
        bottom.addStretch(1)
        bottom.addWidget(self.detach_button)
        bottom.addWidget(self.wall_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.map, 1)
        layout.addLayout(bottom)
        self.retranslate()

    def _group(self, entries, checked, slot) -> QButtonGroup:
        group = QButtonGroup(self)
        for value, text in entries:
            b = QToolButton(self)  # no 80 px minimum, unlike a Fusion push button
            b.setCheckable(True)
            b.setChecked(value == checked)
            b.setProperty("value", value)
            b.setProperty("label", text)
            group.addButton(b)
        group.buttonClicked.connect(slot)
        return group

    def retranslate(self) -> None:
        self.label.setText(self.tr("Sending sources by country"))
        for group in (self.window_buttons, self.measure_buttons):
            for b in group.buttons():
                b.setText(self.tr(b.property("label")))
        self.measure_buttons.buttons()[0].setToolTip(self.tr("Colour by mail accepted"))
        self.measure_buttons.buttons()[1].setToolTip(self.tr("Colour by attempts refused (quotas, caps, suspensions)"))
        self.measure_buttons.buttons()[2].setToolTip(self.tr("Colour by every attempt, accepted or refused"))
        self.detach_button.setText(self.tr("Detach"))
        self.detach_button.setToolTip(self.tr("Open the map in a window of its own, to enlarge or move"))
        self.wall_button.setText(self.tr("Wall mode"))
        self.wall_button.setToolTip(self.tr("Full screen for a wall display: map, totals, alerts, top accounts "
                                            "(Esc to leave)"))

    @property
    def measure(self) -> str:
        return self.map.measure

    @Slot()
    def _on_window(self, button) -> None:
        self.window_s = int(button.property("value"))
        self.windowChanged.emit(self.window_s)

    def set_window(self, seconds: int) -> None:
        """Follow a window chosen elsewhere (the wall's cycle) without emitting windowChanged."""
        self.window_s = seconds
        for b in self.window_buttons.buttons():
            b.setChecked(int(b.property("value")) == seconds)

    @Slot()
    def _on_measure(self, button) -> None:
        self.map.set_measure(str(button.property("value")))

    def set_measure(self, measure: str) -> None:
        for b in self.measure_buttons.buttons():
            b.setChecked(b.property("value") == measure)
        self.map.set_measure(measure)
