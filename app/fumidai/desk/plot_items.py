"""The live plot's own pieces of drawing: a date axis in numbers, the legend row under the plot,
and the hatched bars of refused attempts. live_plot.py puts them together."""

from __future__ import annotations

import html
from collections import OrderedDict

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.DateAxisItem import TickSpec, ZoomLevel
from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget


class NumericDateAxis(pg.DateAxisItem):
    """pyqtgraph's date axis with dates in numbers ("11/28"), not English names ("Sat 28"),
    which it writes whatever the UI language."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Copies: the zoom levels are pyqtgraph's module-level objects.
        self.zoomLevels = OrderedDict(
            (density, ZoomLevel([TickSpec(t.spacing, t.step, _numeric_date(t.format), t.autoSkip) for t in z.tickSpecs],
                                z.exampleText))
            for density, z in self.zoomLevels.items())


def _numeric_date(fmt: str) -> str:
    return fmt.replace("%a %d", "%m/%d").replace("%b", "%m")


class LegendRow(QWidget):
    """A legend outside the plot, so no bar is hidden: colour marks and names on a fixed number of lines.

    New entries only repaint it. Its height is ``lines`` lines of text and its size hint never
    depends on the entries: a word-wrapped QLabel here asked for a new layout whenever its text
    changed (each poll whose top accounts changed), and the whole live tab was laid out and
    repainted again. Names that do not fit are shortened at the right ("user04900@ma…"), the
    longest first, so every entry stays on screen; any that still do not fit give way to a final
    "…". The tooltip lists every entry in full. Names are drawn as plain text (never rendered) and
    escaped in the tooltip.
    """

    def __init__(self, parent: QWidget | None = None, lines: int = 1):
        super().__init__(parent)
        font = self.font()
        font.setPointSizeF(max(font.pointSizeF() - 1, 7))
        self.setFont(font)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._lines = max(1, lines)
        self._entries: list[tuple[QColor, str, str]] = []  # (colour, mark, name)
        self._note = ""
        self._laid: tuple[int, list] | None = None  # (width, placed entries) for the last paint
        self.names: list[str] = []

    # -- contents -----------------------------------------------------------------------------------
    def set_entries(self, entries: list[tuple]) -> None:
        """(colour, name) or (colour, name, mark) tuples, the mark "■" unless given."""
        self._entries = [(pg.mkColor(e[0]), e[2] if len(e) > 2 else "■", e[1]) for e in entries]
        self.names = [e[1] for e in entries]
        self._laid = None
        self.update()  # a repaint only: the size never depends on the entries

    def set_note(self, text: str) -> None:
        """A line of explanation shown first in the tooltip."""
        self._note = text

    def text(self) -> str:
        """Every entry as plain text, in full: "■ RU   ▨ refused attempts"."""
        return "   ".join(f"{mark}\u00a0{name}" for _, mark, name in self._entries)

    def shown(self) -> list[str]:
        """The entries as painted at the current width (shortened names; a last "…" when some gave way)."""
        return [f"{mark}\u00a0{name}" if mark else name for _, _, _, mark, name in self.placed()]

    def tooltip_html(self) -> str:
        rows = [html.escape(self._note)] if self._note else []
        rows += [f'<span style="color:{colour.name()}">{html.escape(mark)}</span>&nbsp;{html.escape(name)}'
                 for colour, mark, name in self._entries]
        return "<br>".join(rows)

    # -- size and painting --------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(fm.averageCharWidth() * 30, fm.lineSpacing() * self._lines + 2)

    def minimumSizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(fm.averageCharWidth() * 8, fm.lineSpacing() * self._lines + 2)

    def placed(self) -> list[tuple[int, int, QColor, str, str]]:
        """(line, x, colour, mark, text) of each piece painted at this width, cached until the
        entries or the width change."""
        width = self.width()
        if self._laid is not None and self._laid[0] == width:
            return self._laid[1]
        fm = self.fontMetrics()
        gap = fm.averageCharWidth() * 2
        marks = [fm.horizontalAdvance(mark + "\u00a0") for _, mark, _ in self._entries]
        names = [fm.horizontalAdvance(name) for _, _, name in self._entries]

        def flow(cap: int) -> tuple[list[tuple[int, int, int]], bool]:
            """(line, x, room for the name) per entry that fits in the lines, names cut at cap."""
            out, line, x = [], 0, 0
            for m, n in zip(marks, names):
                room = max(0, min(n, cap, width - m))
                if x and x + gap + m + room > width:
                    line, x = line + 1, 0
                if line >= self._lines:
                    return out, False
                x += gap if x else 0
                out.append((line, x, room))
                x += m + room
            return out, True

        spots, fits = flow(max(names, default=0))
        if not fits:  # the longest names give way first: the widest cap at which every entry fits
            lo, hi = fm.averageCharWidth() * 6, max(names)
            spots, fits = flow(lo)
            if fits:
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    lo, hi = (mid, hi) if flow(mid)[1] else (lo, mid)
                spots, fits = flow(lo)
        pieces = []
        for (line, x, room), (colour, mark, name), n in zip(spots, self._entries, names):
            text = name if room >= n else fm.elidedText(name, Qt.TextElideMode.ElideRight, room)
            pieces.append((line, x, colour, mark, text))
        if not fits:  # some entries gave way: say so at the end, after the last one that still fits
            more = fm.horizontalAdvance("…")

            def end(piece) -> int:
                return piece[1] + fm.horizontalAdvance(piece[3] + "\u00a0" + piece[4])

            while pieces and end(pieces[-1]) + gap + more > width:
                pieces.pop()
            line, x = (pieces[-1][0], end(pieces[-1]) + gap) if pieces else (0, 0)
            pieces.append((line, x, QColor(), "", "…"))
        self._laid = (width, pieces)
        return pieces

    def paintEvent(self, _event) -> None:
        pieces = self.placed()
        if not pieces:
            return
        fm = self.fontMetrics()
        step = fm.lineSpacing()
        used = (max(piece[0] for piece in pieces) + 1) * step
        top = (self.height() - used) // 2 + fm.ascent()  # one line of entries sits in the middle
        text_colour = self.palette().color(QPalette.ColorRole.WindowText)
        p = QPainter(self)
        for line, x, colour, mark, text in pieces:
            y = top + line * step
            if mark:
                p.setPen(colour)
                p.drawText(x, y, mark)
                x += fm.horizontalAdvance(mark + "\u00a0")
            p.setPen(text_colour)
            p.drawText(x, y, text)  # QPainter.drawText: plain text, whatever the name holds
        p.end()

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._laid = None
        super().changeEvent(event)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            tip = self.tooltip_html()
            if tip:
                QToolTip.showText(event.globalPos(), tip, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)


class HatchedBars(pg.BarGraphItem):
    """Bars with a translucent fill, a diagonal hatch and an edge, all in one colour.

    The hatch is drawn in device pixels: a pattern brush in the plot's data coordinates would be
    stretched by the seconds-per-pixel scale into solid blocks or single lines.
    """

    def __init__(self, rgb: tuple[int, int, int], **opts):
        super().__init__(x=[], height=[], width=1, pen=pg.mkPen(None), brush=pg.mkBrush(None), **opts)
        self.set_colour(rgb)

    def set_colour(self, rgb: tuple[int, int, int]) -> None:
        self.rgb = rgb
        self._fill = QBrush(QColor(*rgb, 60))
        self._narrow_fill = QBrush(QColor(*rgb, 120))
        self._hatch = QBrush(QColor(*rgb), Qt.BrushStyle.BDiagPattern)
        self._edge = pg.mkPen(rgb, width=1)
        self.update()

    def paint(self, p, *args) -> None:
        o = self.opts
        if o.get("x") is None or not len(o["x"]):
            return
        x, height = np.asarray(o["x"], dtype=float), np.asarray(o["height"], dtype=float)
        y0 = np.broadcast_to(np.asarray(0.0 if o.get("y0") is None else o["y0"], dtype=float), x.shape)
        w = float(o.get("width") or 1)
        t = p.transform()
        # Bars a few pixels wide (a day of 10-minute steps) would be all edge: a denser fill instead.
        narrow = t.mapRect(QRectF(0, 0, w, 1)).width() < 6
        p.save()
        p.resetTransform()
        p.setPen(self._edge)
        p.setBrush(Qt.BrushStyle.NoBrush)
        for xi, yi, hi in zip(x, y0, height):
            if hi <= 0:
                continue
            rect = t.mapRect(QRectF(xi - w / 2, yi, w, hi)).normalized()
            p.fillRect(rect, self._narrow_fill if narrow else self._fill)
            p.fillRect(rect, self._hatch)
            if not narrow:
                p.drawRect(rect)
        p.restore()
