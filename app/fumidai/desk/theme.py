"""Light / dark / auto themes from an explicit QPalette (the platform's colour-scheme hint is inert offscreen)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QProxyStyle, QStyle

THEMES = ("auto", "light", "dark")


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def is_dark(theme: str) -> bool:
    return theme == "dark" or (theme == "auto" and system_prefers_dark())


def palette(dark: bool) -> QPalette:
    p = QPalette()
    if dark:
        base, alt, window, text = QColor(30, 32, 36), QColor(40, 43, 48), QColor(45, 48, 54), QColor(225, 228, 232)
        button, highlight, link = QColor(55, 59, 66), QColor(60, 120, 200), QColor(110, 170, 255)
        disabled = QColor(125, 128, 134)
    else:
        base, alt, window, text = QColor(255, 255, 255), QColor(244, 246, 248), QColor(236, 238, 241), QColor(20, 22, 25)
        button, highlight, link = QColor(230, 232, 236), QColor(40, 100, 190), QColor(20, 90, 200)
        disabled = QColor(150, 152, 156)
    R = QPalette.ColorRole
    for role, colour in ((R.Window, window), (R.WindowText, text), (R.Base, base), (R.AlternateBase, alt),
                         (R.Text, text), (R.Button, button), (R.ButtonText, text), (R.ToolTipBase, base),
                         (R.ToolTipText, text), (R.Highlight, highlight), (R.HighlightedText, QColor("white")),
                         (R.Link, link), (R.PlaceholderText, disabled), (R.BrightText, QColor(255, 80, 80))):
        p.setColor(role, colour)
    for role in (R.WindowText, R.Text, R.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


class DarkDockStyle(QProxyStyle):
    """Fusion, with the docks' close and float buttons drawn in the text colour: Fusion's own are
    dark grey glyphs that all but vanish on a dark title bar."""

    _ICONS = {QStyle.StandardPixmap.SP_TitleBarCloseButton: "close",
              QStyle.StandardPixmap.SP_DockWidgetCloseButton: "close",
              QStyle.StandardPixmap.SP_TitleBarNormalButton: "float"}

    def standardIcon(self, standard, option=None, widget=None):
        kind = self._ICONS.get(standard)
        if kind is None:
            return super().standardIcon(standard, option, widget)
        pixmap = QPixmap(16, 16)
        pixmap.fill(Qt.GlobalColor.transparent)
        p = QPainter(pixmap)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(QColor(225, 228, 232), 1.6))
        if kind == "close":
            p.drawLine(4, 4, 12, 12)
            p.drawLine(12, 4, 4, 12)
        else:  # two overlapping windows
            p.drawRect(QRectF(3.5, 6.5, 7, 6))
            p.drawRect(QRectF(6.5, 3.5, 7, 6))
        p.end()
        return QIcon(pixmap)


def apply_theme(app, theme: str) -> bool:
    """Set Fusion and the palette on ``app``; returns whether the result is dark."""
    dark = is_dark(theme)
    app.setStyle(DarkDockStyle("Fusion") if dark else "Fusion")
    app.setPalette(palette(dark))
    return dark


def plot_colours(dark: bool) -> dict:
    """Colours for pyqtgraph widgets, which do not follow the palette."""
    return {"background": (30, 32, 36) if dark else (255, 255, 255),
            "foreground": (210, 213, 218) if dark else (40, 42, 46),
            "quota": (255, 90, 90) if dark else (200, 30, 30)}
