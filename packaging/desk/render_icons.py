"""Render resources/icons/fumidai.svg to the PNG (and, for Windows, ICO) the desk package needs.

Qt draws the SVG (QtSvg is in PySide6-Essentials) and writes both formats itself, so no
Pillow is needed. Run by build.sh; the PNG is also committed for the .desktop file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[2] / "resources" / "icons"


def render(size: int) -> QImage:
    renderer = QSvgRenderer(str(ICONS / "fumidai.svg"))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {ICONS / 'fumidai.svg'}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ICONS
    out.mkdir(parents=True, exist_ok=True)
    _app = QGuiApplication.instance() or QGuiApplication(["render_icons", "-platform", "offscreen"])
    if not render(256).save(str(out / "fumidai.png")):
        raise SystemExit("cannot write fumidai.png")
    # Qt's ICO writer stores one size per file: 256 px, which Windows scales down well.
    if not render(256).save(str(out / "fumidai.ico")):
        print("render_icons: this Qt cannot write .ico; the Windows build will have no icon", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
