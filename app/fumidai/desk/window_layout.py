"""Where the main window's parts sit: the Live tab's splits, the first layout, the one staff left
(kept in QSettings), and docks that give way when the window is narrow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from .main_window import MainWindow

SETTINGS_VERSION = 4  # bumped when the default layout changes: older saved layouts are dropped once
DOCK_SHARE = 0.32  # of the window's width, at most, for the docks beside the live view (440 px at 1400)


def arrange_live_view(w: MainWindow) -> QWidget:
    """The Live tab: the stale banner over the table, with the plot and the map under it."""
    w.bottom_split = QSplitter(Qt.Orientation.Horizontal, w)
    w.bottom_split.setObjectName("bottomSplit")
    w.bottom_split.addWidget(w.plot)
    w.bottom_split.addWidget(w.map_box)
    w.live_split = QSplitter(Qt.Orientation.Vertical, w)
    w.live_split.setObjectName("liveSplit")
    w.live_split.addWidget(w.rates)
    w.live_split.addWidget(w.bottom_split)
    w.live_split.setStretchFactor(0, 1)
    w.live_split.setStretchFactor(1, 1)
    w.bottom_split.setStretchFactor(0, 2)
    w.bottom_split.setStretchFactor(1, 3)
    # Narrow or short windows squeeze the panes but never close one: table, plot and map stay.
    for split in (w.live_split, w.bottom_split):
        split.setChildrenCollapsible(False)
    w.plot.setMinimumSize(200, 160)
    w.map_box.setMinimumSize(240, 160)
    w.rates.setMinimumHeight(160)
    live = QWidget(w)
    live_layout = QVBoxLayout(live)
    live_layout.setContentsMargins(4, 4, 4, 4)
    live_layout.addWidget(w.banner)
    live_layout.addWidget(w.live_split, 1)
    return live


def restore_layout(w: MainWindow) -> None:
    if int(w.settings.value("layout_version", 0) or 0) != SETTINGS_VERSION:
        w.resize(1400, 900)
        # The live view gets the width; the docks a column wide enough for the account panel.
        # 440 px: an account and a reason of usual length fit side by side in the alerts feed.
        w.resizeDocks([w.alerts_dock, w.account_dock], [440, 440], Qt.Orientation.Horizontal)
        w.resizeDocks([w.alerts_dock, w.account_dock], [280, 600], Qt.Orientation.Vertical)
        # The world map is twice as wide as tall: the wider share of the bottom row goes to it.
        w.live_split.setSizes([480, 420])
        w.bottom_split.setSizes([400, 600])
        return
    for key, restore in (("geometry", w.restoreGeometry), ("state", w.restoreState),
                         ("live_split", w.live_split.restoreState),
                         ("bottom_split", w.bottom_split.restoreState),
                         ("table_header", w.rates.table.horizontalHeader().restoreState)):
        value = w.settings.value(key)
        if isinstance(value, QByteArray):
            restore(value)
            w.rates.columns_fitted |= key == "table_header"


def save_layout(w: MainWindow) -> None:
    w.columns.show_all()  # widths staff chose are kept, not the columns a narrow window hid
    w.settings.setValue("layout_version", SETTINGS_VERSION)
    w.settings.setValue("geometry", w.saveGeometry())
    w.settings.setValue("state", w.saveState())
    w.settings.setValue("live_split", w.live_split.saveState())
    w.settings.setValue("bottom_split", w.bottom_split.saveState())
    w.settings.setValue("table_header", w.rates.table.horizontalHeader().saveState())
    w.settings.sync()
    if w.columns.enabled:
        w.columns.fit()


def fit_docks(w: MainWindow) -> None:
    """A narrow window keeps most of its width for the live view: the docks give way first."""
    cap = int(w.width() * DOCK_SHARE)
    wide = [d for d in (w.alerts_dock, w.account_dock) if d.isVisible() and not d.isFloating() and d.width() > cap]
    if wide:
        w.resizeDocks(wide, [cap] * len(wide), Qt.Orientation.Horizontal)
        w.layout().activate()  # now: the new sizes would otherwise wait for the next resize
