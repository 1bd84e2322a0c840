"""World heatmap: bundled data (codes, antimeridian cut) and WorldMapView (colours, click, hover, tooltip)."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pyqtgraph")

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QHelpEvent, QImage, QPainter  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QToolTip  # noqa: E402

from fumidai.desk.world_map import WorldMapView  # noqa: E402
from fumidai.desk.worldmap_data import load_world_map  # noqa: E402
from fumidai.errors import FumidaiError  # noqa: E402
from fumidai.geo.countries import COUNTRY_CODES  # noqa: E402

pytestmark = pytest.mark.desk


@pytest.fixture
def world_map(qtbot):
    view = WorldMapView()
    qtbot.addWidget(view)
    view.resize(1200, 640)
    view.show()
    qtbot.waitExposed(view)
    return view


def _pixel_inside(view: WorldMapView, code: str) -> QPoint:
    """A viewport pixel whose centre lies inside the country's shape, with a margin all round."""
    item = view._items[code]
    canvas = view._canvas
    path, rect = item.path(), item.path().boundingRect()
    for fx in np.linspace(0.05, 0.95, 40):
        for fy in np.linspace(0.05, 0.95, 40):
            pixel = canvas.mapFromScene(item.mapToScene(QPointF(rect.left() + fx * rect.width(),
                                                                rect.top() + fy * rect.height())))
            if all(path.contains(item.mapFromScene(canvas.mapToScene(pixel + QPoint(dx, dy))))
                   for dx in (-3, 0, 3) for dy in (-3, 0, 3)):
                return pixel
    raise AssertionError(f"no pixel inside {code}")


# -- data ---------------------------------------------------------------------------------------


def test_data_has_every_mapped_country_by_alpha2():
    data = load_world_map()
    assert len(data.countries) >= 235
    assert {"JP", "FR", "RU", "FJ", "XK", "AU", "US", "SG", "HK", "MT", "CX", "CC"} <= set(data.countries)
    assert set(data.countries) <= COUNTRY_CODES  # every key is a real code the table also knows
    assert set(data.unassigned) == {"Somaliland", "N. Cyprus", "Siachen Glacier"}


def test_duplicate_numeric_id_merged_into_australia():
    # 50m repeats id "036" for Ashmore and Cartier Is. (~123°E, 12°S, north-west of the mainland).
    rings = load_world_map().countries["AU"]
    biggest = max(rings, key=len)
    assert len(rings) > 1
    assert any(r[:, 1].min() > biggest[:, 1].max() for r in rings)  # a ring north of the mainland


def test_antimeridian_rings_are_cut_so_nothing_smears():
    data = load_world_map()
    width = data.bounds[2] - data.bounds[0]
    for code, rings in data.countries.items():
        if code == "AQ":  # goes round the pole: its one long edge is the bottom of the map
            continue
        longest = max(np.abs(np.diff(r[:, 0])).max() for r in rings)
        assert longest < 0.05 * width, f"{code} has an edge across {longest / width:.0%} of the map"


def test_russia_and_fiji_fill_only_their_own_side(world_map):
    x0, _, x1, _ = load_world_map().bounds
    width = x1 - x0
    for code in ("RU", "FJ"):
        path = world_map._items[code].path()
        rect = path.boundingRect()
        # 20% to 45% of the width from the left edge is the Americas and the Atlantic (Chukotka
        # ends at 15%): a ring drawn across the antimeridian would fill it at the country's latitudes.
        xs = np.linspace(x0 + 0.2 * width, x0 + 0.45 * width, 60)
        ys = np.linspace(rect.top(), rect.bottom(), 30)
        assert not any(path.contains(QPointF(x, y)) for x in xs for y in ys), code
        # ...while both ends of the map hold a piece (Chukotka; Fiji's islands east of 180°).
        assert rect.left() < x0 + 0.2 * width and rect.right() > x1 - 0.3 * width


def test_corrupt_data_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "map.json.gz"
    bad.write_bytes(b"not gzip")
    with pytest.raises(FumidaiError, match="unreadable"):
        load_world_map(bad)
    bad.write_bytes(gzip.compress(b'{"format": 99}'))
    with pytest.raises(FumidaiError, match="unknown format"):
        load_world_map(bad)


# -- widget -------------------------------------------------------------------------------------


def test_set_counts_colours_by_log_of_messages(world_map):
    no_data = world_map._items["BR"].brush().color()
    world_map.set_counts({"RU": (5000, 40), "JP": (12, 2), "FR": (0, 3)})
    ru, jp = world_map._items["RU"].brush().color(), world_map._items["JP"].brush().color()
    assert ru != jp and no_data not in (ru, jp)
    assert world_map._items["FR"].brush().color() == no_data  # zero messages: "no data"
    assert world_map._items["BR"].brush().color() == no_data
    # Dropped from the next window: back to "no data".
    world_map.set_counts({"JP": (12, 2)})
    assert world_map._items["RU"].brush().color() == no_data
    assert world_map._items["JP"].brush().color() != no_data


def test_codes_without_shape_are_ignored(world_map):
    assert {"GP", "RE", "ZZ"}.isdisjoint(world_map.codes)
    world_map.set_counts({"GP": (10, 1), "RE": (3, 1), "ZZ": (999, 9), "JP": (5, 1)})
    assert "5" in world_map.tooltip("JP")
    assert world_map.tooltip("ZZ") == ""
    world_map.highlight(["ZZ", "GP"])  # no shape to outline, no error


def test_legend_scale_is_stable_while_the_top_count_wobbles(world_map):
    levels = []
    for top in (3100, 3900, 4800):
        world_map.set_counts({"RU": (top, 1), "JP": (40, 1)})
        levels.append(world_map._bar.levels())
    assert levels[0] == levels[1] == levels[2]
    assert levels[0][1] == pytest.approx(np.log10(5000))


def test_click_on_country_emits_its_code(world_map, qtbot):
    viewport = world_map._canvas.viewport()
    for code in ("BR", "JP"):
        with qtbot.waitSignal(world_map.countryClicked, timeout=2000) as blocker:
            QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                             _pixel_inside(world_map, code))
        assert blocker.args == [code]


def test_hover_raises_and_thickens_the_country(world_map, qtbot):
    item = world_map._items["BR"]
    plain = item.pen().widthF()
    QTest.mouseMove(world_map._canvas.viewport(), _pixel_inside(world_map, "BR"))
    qtbot.waitUntil(lambda: item.zValue() == 2)
    assert item.pen().widthF() > plain
    QTest.mouseMove(world_map._canvas.viewport(), _pixel_inside(world_map, "AU"))
    qtbot.waitUntil(lambda: item.zValue() == 0)
    assert item.pen().widthF() == plain


def test_tooltip_in_japanese_and_escaped(world_map, qtbot, translations):
    world_map.set_counts({"JP": (1234, 5), "BA": (7, 1)})
    assert "Japan" in world_map.tooltip("JP") and "Messages: 1,234" in world_map.tooltip("JP")
    # CLDR's English name is "Bosnia & Herzegovina"; tooltips are rich text, so it must be escaped.
    assert "Bosnia &amp; Herzegovina" in world_map.tooltip("BA")
    translations.set("ja")  # labels come from the catalogue, country names from CLDR
    world_map.set_language("ja")
    text = world_map.tooltip("JP")
    assert "日本" in text and "通数: 1,234" in text and "アカウント: 5" in text
    # Hovering writes the tooltip; Qt's stock help event then shows it for the item at that pixel.
    viewport = world_map._canvas.viewport()
    pixel = _pixel_inside(world_map, "JP")
    QTest.mouseMove(viewport, pixel)
    qtbot.waitUntil(lambda: world_map._items["JP"].zValue() == 2)
    QToolTip.hideText()
    world_map._canvas.viewportEvent(QHelpEvent(QEvent.Type.ToolTip, pixel, viewport.mapToGlobal(pixel)))
    qtbot.waitUntil(lambda: "日本" in QToolTip.text())
    assert "1,234" in QToolTip.text()
    # A refresh while the mouse rests on Japan updates the text it will show.
    world_map.set_counts({"JP": (99, 1)})
    assert "通数: 99<" in world_map._items["JP"].toolTip()
    QToolTip.hideText()


def _pixels_of(view: WorldMapView, code: str):
    """(colours of the viewport pixels well inside the country, colours of the pixels round it).

    "Well inside": the pixel and its eight neighbours lie in the shape, so the thin border's
    anti-aliasing is not counted. "Round it": outside the shape, within 3 px of it."""
    item = view._items[code]
    canvas = view._canvas
    image = canvas.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    mask_image = QImage(image.size(), QImage.Format.Format_Grayscale8)
    mask_image.fill(0)
    painter = QPainter(mask_image)
    painter.setTransform(item.sceneTransform() * canvas.viewportTransform())
    painter.fillPath(item.path(), QColor("white"))
    painter.end()
    h, w = image.height(), image.width()
    mask = np.frombuffer(mask_image.constBits(), np.uint8).reshape(h, mask_image.bytesPerLine())[:, :w] > 127

    def shifted(m, dx, dy):
        return np.roll(np.roll(m, dy, axis=0), dx, axis=1)

    inside = np.logical_and.reduce([shifted(mask, dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)])
    near = np.logical_or.reduce([shifted(mask, dx, dy) for dx in range(-3, 4) for dy in range(-3, 4)])
    rgb = np.frombuffer(image.constBits(), np.uint8).reshape(h, image.bytesPerLine() // 4, 4)[:, :w, 2::-1]
    return rgb[inside].astype(int), rgb[near & ~mask].astype(int)


def _near(colours: np.ndarray, colour: QColor, tolerance: int = 40) -> np.ndarray:
    """Which of these RGB rows are within ``tolerance`` of ``colour`` on every channel."""
    return (np.abs(colours - (colour.red(), colour.green(), colour.blue())).max(axis=1) <= tolerance)


def test_highlight_is_a_band_outside_that_keeps_the_heat_colour(world_map):
    world_map.set_counts({"JP": (300, 5), "FR": (40, 1), "RU": (5000, 9)})
    heat = {code: world_map._items[code].brush().color() for code in ("JP", "FR")}
    border = world_map._items["FR"].pen().color()
    world_map.highlight(["FR", "JP"])
    band = world_map._highlight_pen.color()
    for code in ("FR", "JP"):
        item = world_map._items[code]
        assert item.brush().color() == heat[code] and item.pen().color() == border  # fill and border as they were
        assert item.zValue() == 1 and item.outline.isVisible()
        inside, around = _pixels_of(world_map, code)
        assert len(inside) > 40, code
        # Japan is a few pixels wide at this size: a pen over its edge would leave little red.
        assert _near(inside, heat[code]).mean() >= 0.97, code
        assert not _near(inside, band, 60).any(), code
        assert _near(around, band, 60).mean() > 0.3, code  # the band is outside
    assert not world_map._items["RU"].outline  # never highlighted: no band made
    world_map.highlight(["JP"])
    assert not world_map._items["FR"].outline.isVisible() and world_map._items["FR"].zValue() == 0
    assert not _near(_pixels_of(world_map, "FR")[1], band, 60).any()
    world_map.highlight([])
    assert not world_map._items["JP"].outline.isVisible()


def test_highlighted_country_still_takes_clicks_and_hover(world_map, qtbot):
    world_map.highlight(["JP", "FR"])
    viewport = world_map._canvas.viewport()
    pixel = _pixel_inside(world_map, "JP")
    with qtbot.waitSignal(world_map.countryClicked, timeout=2000) as blocker:
        QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pixel)
    assert blocker.args == ["JP"]
    QTest.mouseMove(viewport, pixel)
    qtbot.waitUntil(lambda: world_map._items["JP"].zValue() == 2)
    assert world_map._items["JP"].outline.isVisible()  # still outlined while hovered
    QTest.mouseMove(viewport, _pixel_inside(world_map, "BR"))
    qtbot.waitUntil(lambda: world_map._items["JP"].zValue() == 1)


def test_dark_mode_and_screenshot(world_map, tmp_path):
    world_map.set_counts({"RU": (5000, 40), "US": (300, 9), "JP": (12, 2)})
    world_map.set_window_label("Last 1 h <b>")
    light_no_data = world_map._items["BR"].brush().color()
    ru_light = world_map._items["RU"].brush().color()
    world_map.set_dark(True)
    assert world_map._items["BR"].brush().color() != light_no_data
    assert world_map._items["RU"].brush().color() != world_map._items["BR"].brush().color()
    assert ru_light != world_map._items["RU"].brush().color()  # ramp re-made for the dark sea
    shot = tmp_path / "worldmap.png"
    assert world_map.grab().save(str(shot))
    image = QImage(str(shot))
    assert image.width() >= 1000 and image.height() >= 500
    colours = {image.pixelColor(x, y).rgb() for x in range(0, image.width(), 25)
               for y in range(0, image.height(), 25)}
    assert QColor("#1b1d21").rgb() in colours  # the dark background
    assert len(colours) > 8  # sea, land, several shades: not a blank or single-colour image


def test_tiny_country_gets_a_clickable_dot_while_it_has_traffic(world_map, qtbot):
    dot = world_map._items["SG"].dot
    assert dot is not None and world_map._items["BR"].dot is None
    assert not dot.isVisible()  # no traffic: no dot cluttering the sea
    world_map.set_counts({"SG": (800, 4), "JP": (10, 1)})
    assert dot.isVisible() and dot.brush().color() == world_map._items["SG"].brush().color()
    pixel = world_map._canvas.mapFromScene(dot.scenePos())
    with qtbot.waitSignal(world_map.countryClicked, timeout=2000) as blocker:
        QTest.mouseClick(world_map._canvas.viewport(), Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier, pixel)
    assert blocker.args == ["SG"]
    QTest.mouseMove(world_map._canvas.viewport(), pixel)
    qtbot.waitUntil(lambda: world_map._items["SG"].zValue() == 2)  # hovering the dot hovers Singapore
    assert "Singapore" in dot.toolTip() and "800" in dot.toolTip()
    world_map.set_counts({})
    QTest.mouseMove(world_map._canvas.viewport(), _pixel_inside(world_map, "BR"))
    qtbot.waitUntil(lambda: not dot.isVisible())
    world_map.highlight(["SG"])  # the selected account sends from Singapore: show where it is
    assert dot.isVisible() and dot.ring.isVisible()  # a ring round the dot, which keeps its colour
    world_map.highlight([])
    assert not dot.isVisible()
