"""World heatmap of where accounts send from: one path item per country, coloured on a log scale.

The outlines come pre-projected from worldmap_data; colours, pens and tooltips change in place,
so a refresh touches only the countries whose numbers changed.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QVBoxLayout, QWidget

from fumidai.desk.map_items import HIGHLIGHT_WIDTH, NO_DATA, CountryItem, rings_area, rings_path
from fumidai.desk.worldmap_data import WorldMapData, load_world_map
from fumidai.geo.countries import country_name

_LEVELS = 256
# Countries whose main island is under ~3 px wide at world scale (SG, HK, MT, BH, LU, ...)
# get a dot of fixed pixel size while they have traffic, so they can be seen and clicked.
_DOT_BELOW = 0.003  # of the map's width
# Also countries whose land is small against the globe (Japan, the UK, South Korea, Taiwan), while
# the map is drawn so small that their shape covers under _DOT_PIXELS: thin islands whose hottest
# colour was a sliver in a 450 px pane, hard to see on a dark screen. A large map shows the shape.
_DOT_AREA_BELOW = 0.0009  # of the globe's projected area
_DOT_PIXELS = 250.0  # px²
_OUTLINE_BELOW = 0.002  # of the map's width: smaller islands get no highlight band
_LIGHT_RAMP = [(255, 230, 140), (253, 150, 60), (225, 40, 30), (170, 0, 40)]
_MEASURES = ("accepted", "refused", "both")
_LANGUAGES = ("en", "ja")  # of country names; labels follow the installed translator
# (background, sea, no data, border, hover, highlight, text)
_THEMES = {
    False: ("#ffffff", "#eef2f6", "#d4d7dc", "#ffffff", "#111111", "#0077ff", "#333333"),
    True: ("#1b1d21", "#23272e", "#444a53", "#1b1d21", "#ffffff", "#00e5ff", "#d0d0d0"),
}


def _nice_ceiling(value: int) -> int:
    """The next 1, 2 or 5 × 10^k: the scale stays put while the top country's count wobbles."""
    value = max(value, 10)
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * exp:
            return step * exp
    raise AssertionError("unreachable")


def _short(value: int) -> str:
    for div, suffix in ((1_000_000, "M"), (1_000, "k")):
        if value >= div:
            return f"{value / div:g}{suffix}"
    return str(value)


class WorldMapView(QWidget):
    """Choropleth of messages per country for the chosen window.

    ``set_counts({"JP": (messages, accounts), ...})`` recolours; codes with no shape on the map
    (GP, RE, "ZZ", ...) are ignored here, the country table lists them.
    """

    countryClicked = Signal(str)  # ISO 3166-1 alpha-2 code

    def __init__(self, parent: QWidget | None = None, *, language: str = "en", dark: bool = False,
                 data: WorldMapData | None = None, interactive: bool = True):
        super().__init__(parent)
        self.measure = "accepted"
        self._interactive = interactive
        self._data = data or load_world_map()
        self._language = language if language in _LANGUAGES else "en"
        self._dark = dark
        self._vmax = _nice_ceiling(0)
        self._highlighted: frozenset[str] = frozenset()
        self._hovered: CountryItem | None = None

        self._canvas = pg.GraphicsLayoutWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._canvas)
        self._caption = self._canvas.addLabel("", row=0, col=0, colspan=2)
        self._viewbox = self._canvas.addViewBox(row=1, col=0, lockAspect=True, enableMenu=False)
        self._bar = pg.ColorBarItem(values=(0.0, 1.0), width=14, interactive=False, colorMapMenu=False)
        self._canvas.addItem(self._bar, row=1, col=1)

        self._sea = QGraphicsPathItem(rings_path([self._data.outline]))
        self._sea.setZValue(-2)
        self._sea.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._sea.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._viewbox.addItem(self._sea)  # the one item auto-range fits: the whole globe
        self._viewbox.setDefaultPadding(0.01)
        self._items: dict[str, CountryItem] = {}
        x0, y0, x1, y1 = self._data.bounds
        globe = rings_area([self._data.outline])
        for code, rings in self._data.countries.items():
            main = max(rings, key=len)
            span = np.ptp(main, axis=0)
            center = main.min(axis=0) + span / 2
            tiny = span.max() < _DOT_BELOW * (x1 - x0)
            area = rings_area(rings)
            small = not tiny and area < _DOT_AREA_BELOW * globe
            dot_at = QPointF(*center) if tiny or small else None
            outline = [r for r in rings if r is main or np.ptp(r, axis=0).max() >= _OUTLINE_BELOW * (x1 - x0)]
            item = CountryItem(code, rings_path(rings), self, dot_at, outline, area if small else None)
            # Each outline is kept as a pixmap: a poll restyles a few countries, and a repaint
            # blits the rest instead of filling 80,000 points again (8 -> 3 ms per paint).
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            self._items[code] = item
            self._viewbox.addItem(item, ignoreBounds=True)  # bounds are known: skip 240 re-ranges
        # Somaliland, N. Cyprus, Siachen Glacier: no ISO code of their own, so never coloured.
        self._unassigned = []
        for rings in self._data.unassigned.values():
            item = QGraphicsPathItem(rings_path(rings))
            item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            self._unassigned.append(item)
            self._viewbox.addItem(item, ignoreBounds=True)

        width, height = x1 - x0, y1 - y0
        # Vertical room scales with the width: in a tall, narrow box the aspect lock needs a y range
        # of up to ~2 world widths to show the whole world rather than crop its sides.
        self._viewbox.setLimits(xMin=x0 - width / 2, xMax=x1 + width / 2, yMin=y0 - width, yMax=y1 + width,
                                minXRange=width / 60, minYRange=height / 60,
                                maxXRange=width * 2, maxYRange=height + 2 * width)
        self._sized = [item for item in self._items.values() if item.area is not None]
        self._viewbox.sigTransformChanged.connect(self._update_dots)
        self.reset_view()
        if not interactive:  # a wall screen: nothing a passer-by's click or wheel could move
            self._viewbox.setMouseEnabled(x=False, y=False)
            self._canvas.setInteractive(False)

        self._apply_theme()

    # -- public -------------------------------------------------------------------------------

    @property
    def codes(self) -> frozenset[str]:
        """The ISO codes that have a shape on this map."""
        return frozenset(self._items)

    def set_counts(self, counts: Mapping[str, tuple[int, ...]]) -> None:
        """Colour each country (log scale) by what ``measure`` counts; absent or zero means "no data".

        Values: (accepted messages, accounts) or (accepted messages, accounts, refused messages).
        """
        clean = {}
        for code, value in counts.items():
            if code in self._items:
                refused = value[2] if len(value) > 2 else 0
                clean[code] = (max(int(value[0]), 0), max(int(value[1]), 0), max(int(refused), 0))
        self._counts = clean
        self._recolour()

    def set_measure(self, measure: str) -> None:
        """"accepted", "refused" or "both": what the colours count."""
        if measure in _MEASURES and measure != self.measure:
            self.measure = measure
            self._update_legend()
            self._recolour()

    def _update_dots(self, *_args) -> None:
        """Small countries get their dot while their shape is under _DOT_PIXELS on screen."""
        px, py = self._viewbox.viewPixelSize()
        if px <= 0 or py <= 0:
            return
        per_pixel = px * py
        for item in self._sized:
            item.want_dot(item.area / per_pixel < _DOT_PIXELS)

    def _value(self, counts: tuple[int, int, int]) -> int:
        accepted, _accounts, refused = counts
        return accepted if self.measure == "accepted" else refused if self.measure == "refused" else accepted + refused

    def _recolour(self) -> None:
        clean = getattr(self, "_counts", {})
        top = max((self._value(c) for c in clean.values()), default=0)
        vmax = _nice_ceiling(top)
        if vmax != self._vmax:
            self._vmax = vmax
            self._update_legend()
        log_vmax = math.log10(vmax)
        for code, item in self._items.items():
            triple = clean.get(code, (0, 0, 0))
            value = self._value(triple)
            level = (round(math.log10(value) / log_vmax * (_LEVELS - 1)) if value > 0 else NO_DATA)
            if level != item.level:
                item.set_fill(self._no_data_brush if level == NO_DATA else self._lut[level], level)
            item.counts = triple
        if self._hovered is not None:  # its tooltip may be on screen right now
            self._hovered.set_tip(self._tooltip_text(self._hovered))

    def highlight(self, codes: Iterable[str]) -> None:
        """Outline these countries (the selected account's sources) with a band outside their
        edges, keeping their heat colour in view; an empty iterable clears."""
        new = frozenset(c for c in codes if c in self._items)
        old, self._highlighted = self._highlighted, new
        for code in old ^ new:
            self._restyle(self._items[code])

    def set_language(self, language: str) -> None:
        """"ja" or "en": country names in tooltips; the legend's label is re-read from the translator."""
        self._language = language if language in _LANGUAGES else "en"
        self._update_legend()
        if self._hovered is not None:
            self._hovered.set_tip(self._tooltip_text(self._hovered))

    def set_window_label(self, text: str) -> None:
        """A caption above the map, e.g. "Last 1 h"."""
        self._caption.setText(html.escape(text), color=self._theme[6])

    def set_dark(self, dark: bool) -> None:
        self._dark = bool(dark)
        self._apply_theme()

    def reset_view(self) -> None:
        """Fit the whole world again (and on every resize) after zooming or panning."""
        self._viewbox.enableAutoRange()

    def tooltip(self, code: str) -> str:
        """The tooltip text of a country ("" if it is not on the map)."""
        item = self._items.get(code)
        return self._tooltip_text(item) if item is not None else ""

    # -- internals ----------------------------------------------------------------------------

    @property
    def _theme(self) -> tuple[str, ...]:
        return _THEMES[self._dark]

    def _apply_theme(self) -> None:
        background, sea, no_data, border, hover, highlight, text = self._theme
        self._canvas.setBackground(background)
        self._sea.setBrush(QBrush(QColor(sea)))
        self._sea.setPen(QPen(Qt.PenStyle.NoPen))
        self._no_data_brush = QBrush(QColor(no_data))
        self._pen = pg.mkPen(border, width=0.6)
        self._hover_pen = pg.mkPen(hover, width=2.2)
        self._highlight_pen = pg.mkPen(highlight, width=HIGHLIGHT_WIDTH)
        self._highlight_pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        # Ready-made brushes: refreshes index this list instead of creating colours.
        if self._dark:  # inferno without its near-black foot, which vanishes on a dark sea
            colors = pg.colormap.get("inferno").getLookupTable(0.2, 1.0, _LEVELS, mode="byte")
        else:
            # Pale yellow to deep red: the busiest country is a strong red, never a near-black
            # speck that reads as a border (what reversed inferno ended in).
            colors = pg.ColorMap([0.0, 0.35, 0.7, 1.0], _LIGHT_RAMP).getLookupTable(0.0, 1.0, _LEVELS, mode="byte")
        self._cmap = pg.ColorMap(np.linspace(0.0, 1.0, _LEVELS), colors)
        self._lut = [QBrush(QColor(*rgb)) for rgb in colors.tolist()]
        for item in self._items.values():
            item.set_fill(self._no_data_brush if item.level == NO_DATA else self._lut[item.level], item.level)
            self._restyle(item)
        for item in self._unassigned:
            item.setBrush(self._no_data_brush)
            item.setPen(self._pen)
        self._bar.setColorMap(self._cmap)
        for side in ("left", "right", "top", "bottom"):  # the other three sides draw the frame
            self._bar.getAxis(side).setPen(text)
            self._bar.getAxis(side).setTextPen(text)
        self._caption.setText(self._caption.text, color=text)
        self._update_legend()

    def _update_legend(self) -> None:
        top = math.log10(self._vmax)
        self._bar.setLevels(low=0.0, high=top)
        ticks = [(math.log10(v), _short(v)) for v in (10 ** k for k in range(int(top) + 1))]
        if self._vmax != 10 ** int(top):
            ticks.append((top, _short(self._vmax)))
        self._bar.getAxis("right").setTicks([ticks, []])
        # ColorBarItem keeps the label of a vertical bar on its left side.
        label = {"accepted": self.tr("Messages"), "refused": self.tr("Refused attempts"),
                 "both": self.tr("Attempts")}[self.measure]
        self._bar.getAxis("left").setLabel(label, color=self._theme[6])

    def _tooltip_text(self, item: CountryItem) -> str:
        messages, accounts, refused = item.counts
        name = country_name(item.code, self._language)
        # outside the f-string for lupdate
        messages_label, accounts_label, refused_label = self.tr("Messages"), self.tr("Accounts"), self.tr("Refused")
        # Tooltips are rich text: escape everything, even names from our own data.
        return (f"<b>{html.escape(name)}</b> ({html.escape(item.code)})<br>"
                f"{html.escape(messages_label)}: {messages:,}<br>{html.escape(refused_label)}: {refused:,}<br>"
                f"{html.escape(accounts_label)}: {accounts:,}")

    def _set_hovered(self, item: CountryItem | None) -> None:
        previous, self._hovered = self._hovered, item
        if previous is not None:
            self._restyle(previous)
        if item is not None:
            # Written on hover rather than on every refresh: only the country under the mouse
            # can show a tooltip, and a refresh then touches one item instead of 240.
            item.set_tip(self._tooltip_text(item))
            self._restyle(item)

    def _restyle(self, item: CountryItem) -> None:
        highlighted = item.code in self._highlighted
        if item is self._hovered:
            item.set_outline(self._hover_pen, 2)
        else:  # raised while highlighted, so no neighbour is drawn over its band
            item.set_outline(self._pen, 1 if highlighted else 0)
        item.set_highlight(self._highlight_pen if highlighted else None)
