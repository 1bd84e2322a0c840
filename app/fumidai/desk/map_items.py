"""The world map's items: a country's shape (clickable, hoverable, with a dot when it is too small
to see), the band round a highlighted country, and the dot. world_map.py colours and places them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph.functions as fn
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QGraphicsPathItem

if TYPE_CHECKING:
    from .world_map import WorldMapView

NO_DATA = -1  # a country's level without traffic
DOT_RADIUS = 3.5  # pixels
# A highlight is a band outside the country's edge (the stroke's inner half is clipped away), so
# the heat colour inside stays whole; islands under ~2 px across get none: it would hide them.
HIGHLIGHT_WIDTH = 5.0  # pixels, of which the outer half shows


def ring_polygon(ring: np.ndarray):
    # Filled straight from numpy: building 100k QPointF one by one costs ~10x more.
    poly = fn.create_qpolygonf(len(ring))
    fn.ndarray_from_qpolygonf(poly)[:] = ring
    return poly


def rings_path(rings: Iterable[np.ndarray]) -> QPainterPath:
    path = QPainterPath()  # odd-even fill, so lakes and enclaves (Lesotho) stay holes
    for ring in rings:
        path.addPolygon(ring_polygon(ring))
        path.closeSubpath()
    return path


def rings_area(rings: Iterable[np.ndarray]) -> float:
    """Shoelace area of the rings (holes counted as land: a rough size is all a dot needs)."""
    total = 0.0
    for r in rings:
        x, y = r[:, 0], r[:, 1]
        total += abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))) / 2
    return total


class CountryItem(QGraphicsPathItem):
    """A country's shape (plus its dot if tiny); it reports clicks and hovers to its map."""

    def __init__(self, code: str, path: QPainterPath, owner: WorldMapView, dot_at: QPointF | None,
                 outline_rings: list[np.ndarray] | None = None, area: float | None = None):
        super().__init__(path)
        self.code = code
        self.area = area  # in scene units² when the dot depends on the map's size on screen, else None
        self.dot_wanted = area is None  # tiny countries: always
        self.counts = (0, 0, 0)  # accepted messages, accounts, refused messages
        self.level = NO_DATA
        self._owner = owner
        self._outline_rings = outline_rings
        self.outline: CountryOutline | None = None  # made on the first highlight
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.dot = None if dot_at is None else CountryDot(self, dot_at)

    def set_fill(self, brush: QBrush, level: int) -> None:
        self.level = level
        self.setBrush(brush)
        if self.dot is not None:
            self.dot.setBrush(brush)
            self._show_dot()

    def set_outline(self, pen: QPen, z: float) -> None:
        self.setPen(pen)
        self.setZValue(z)
        if self.dot is not None:
            self.dot.setPen(pen)
            self._show_dot()

    def set_highlight(self, pen: QPen | None) -> None:
        """Draw (pen) or hide (None) the band round the country; its fill is left alone."""
        if pen is not None and self.outline is None and self._outline_rings:
            self.outline = CountryOutline(self, rings_path(self._outline_rings))
        if self.outline is not None:
            if pen is not None:
                self.outline.setPen(pen)
            self.outline.setVisible(pen is not None)
        if self.dot is not None:
            self.dot.set_ring(pen)

    def _show_dot(self) -> None:
        # While it has traffic, or is hovered/highlighted (z > 0): an outline alone would be invisible.
        self.dot.setVisible(self.dot_wanted and (self.level != NO_DATA or self.zValue() > 0))

    def want_dot(self, wanted: bool) -> None:
        if self.dot is not None and wanted != self.dot_wanted:
            self.dot_wanted = wanted
            self._show_dot()

    def set_tip(self, text: str) -> None:
        self.setToolTip(text)
        if self.dot is not None:  # Qt looks for a tooltip on the dot itself, not its parent
            self.dot.setToolTip(text)

    def collidesWithPath(self, path, mode=Qt.ItemSelectionMode.IntersectsItemShape) -> bool:
        # The ViewBox clips its children, and Qt then hit-tests a clipped item by its bounding box,
        # not its shape: hover and tooltips would go to the USA over Japan. Test the outline.
        if mode == Qt.ItemSelectionMode.IntersectsItemShape:
            return self.path().intersects(path)
        if mode == Qt.ItemSelectionMode.ContainsItemShape:
            return self.path().contains(path)
        return super().collidesWithPath(path, mode)

    def mouseClickEvent(self, ev) -> None:  # called by pyqtgraph's GraphicsScene, not by Qt
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._owner.countryClicked.emit(self.code)

    def hoverEnterEvent(self, ev) -> None:
        self._owner._set_hovered(self)

    def hoverLeaveEvent(self, ev) -> None:
        self._owner._set_hovered(None)


class CountryOutline(QGraphicsPathItem):
    """A highlighted country's edge as a band outside it: the stroke is clipped to the outside of
    the country's shape, so the band never covers the heat colour, however small the country.

    It takes no mouse events and has no shape: clicks, hovers and tooltips stay the country's.
    """

    def __init__(self, country: CountryItem, path: QPainterPath):
        super().__init__(path, country)
        rect = path.boundingRect()
        pad = 0.01 * max(rect.width(), rect.height(), 1.0) + 600  # > the band at any allowed zoom
        self._bounds = rect.adjusted(-pad, -pad, pad, pad)
        self._outside = QPainterPath()  # odd-even: the box minus the country (lakes count as outside)
        self._outside.addRect(self._bounds)
        self._outside.addPath(country.path())
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        return QPainterPath()

    def collidesWithPath(self, path, mode=Qt.ItemSelectionMode.IntersectsItemShape) -> bool:
        return False

    def paint(self, painter, option, widget=None) -> None:
        painter.save()
        painter.setClipPath(self._outside, Qt.ClipOperation.IntersectClip)
        painter.strokePath(self.path(), self.pen())
        painter.restore()


class CountryDot(QGraphicsEllipseItem):
    """Stays the same size on screen at any zoom; hovering it hovers its country (Qt's parent rule)."""

    def __init__(self, country: CountryItem, center: QPointF):
        super().__init__(-DOT_RADIUS, -DOT_RADIUS, 2 * DOT_RADIUS, 2 * DOT_RADIUS, country)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setPos(center)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setVisible(False)
        self.ring: QGraphicsEllipseItem | None = None  # round the dot while highlighted

    def set_ring(self, pen: QPen | None) -> None:
        if pen is not None and self.ring is None:
            r = DOT_RADIUS + HIGHLIGHT_WIDTH / 2 + 1
            self.ring = QGraphicsEllipseItem(-r, -r, 2 * r, 2 * r, self)
            self.ring.setBrush(Qt.BrushStyle.NoBrush)
            self.ring.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        if self.ring is not None:
            if pen is not None:
                self.ring.setPen(QPen(pen.color(), HIGHLIGHT_WIDTH / 2))
            self.ring.setVisible(pen is not None)

    def mouseClickEvent(self, ev) -> None:
        self.parentItem().mouseClickEvent(ev)
