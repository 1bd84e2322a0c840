"""The main window, pixel for pixel (within a tolerance), against tests/desk/reference/main_window.png.

Everything that could vary is fixed: the data (the fake API with a fixed clock), the desk's own
clock (ages and countdowns), the time zone (axis and alert times), the size (1400×900), the theme
(light), the language (English) and the font family (DejaVu Sans 9 pt). So is the order of events:
the empty window is painted and settled before the data arrive, as on a desk whose first poll takes
a moment, and the picture is taken once two grabs in a row are the same (see settle()).

Fonts are the one thing a test cannot pin: another machine's fontconfig, FreeType or hinting moves
glyph edges by a pixel and changes anti-aliasing. So both images are compared after averaging
4×4 blocks (350×225): a shifted glyph edge then changes a block by a few levels, while a missing
column, a wrong colour, an empty plot or a hidden dock changes whole blocks. A block "differs" when
any channel is off by more than PIXEL_THRESHOLD; the test fails when more than MAX_FRACTION of the
blocks differ (pyqtgraph's tests/image_testing.py does the same with pxThreshold / pxCount).

    FUMIDAI_UPDATE_REFERENCE=1 .venv/bin/python -m pytest tests/desk/test_screenshot.py   # rewrite it
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtGui import QFont, QImage  # noqa: E402

from fumidai.desk import live_status as live_status_module  # noqa: E402
from fumidai.desk import main_window as main_window_module  # noqa: E402
from fumidai.desk.api.client import ApiClient  # noqa: E402
from fumidai.desk.api.models import parse_time  # noqa: E402
from fumidai.desk.main_window import MainWindow  # noqa: E402
from fumidai.desk.poller import Snapshot  # noqa: E402

from .fake_api import FakeApi, make_account  # noqa: E402

pytestmark = pytest.mark.desk

REFERENCE = Path(__file__).parent / "reference" / "main_window.png"
SIZE = (1400, 900)
NOW = 1_800_000_000.0  # 2027-01-15 08:00 UTC
BLOCK = 4
PIXEL_THRESHOLD = 40  # of 255, per channel, on a 4×4 block mean
MAX_FRACTION = 0.02
SETTLE_S = 10.0  # at most this long for the window to stop changing between two grabs

# Home traffic from Japan, and a few hijacked accounts spraying from abroad.
_COUNTRIES = ("JP",) * 8 + ("US", "KR", "TW", "DE", "GB", "FR", "BR", "IN", "VN", "TH", "ID", "AU", "CA", "SG")


def scene_accounts() -> list[dict]:
    accounts = []
    for i in range(1, 61):
        rate = round(0.1 + (i * 37 % 30) / 10, 1)
        hour = int(rate * 20)
        name = f"{('sato', 'suzuki', 'tanaka', 'ito', 'kato', 'yamada', 'sasaki', 'kimura')[i % 8]}{i:02d}@mail.example.jp"
        accounts.append(make_account(
            i, name, contact=name, rate=rate, recipients_rate=rate * 1.6, messages_minute=int(rate), messages_hour=hour,
            messages_day=hour * 9, recipients_hour=int(hour * 1.6), recipients_day=hour * 14,
            quota={"messages_per_hour": 300, "messages_per_day": 1000},
            quota_used=round(max(hour / 300, hour * 9 / 1000), 3), top_country=_COUNTRIES[i % len(_COUNTRIES)],
            countries=1 + (i % 4 == 0)))
    hijacked = [("shop-info@biz.example.jp", "NG", 412.0, "auto"), ("h.mori@mail.example.jp", "RU", 288.5, "auto"),
                ("k.abe@mail.example.jp", "CN", 196.0, "auto"), ("office@clinic.example.jp", "BR", 151.2, "tkondo")]
    for k, (name, country, rate, by) in enumerate(hijacked):
        hour = int(rate * 40)
        accounts.append(make_account(
            100 + k, name, contact=name, owner_name=("Kōgyō Shop", "Mori Hiroshi", "Abe Kenji", "Ogura Clinic")[k],
            rate=rate, recipients_rate=rate * 9, messages_minute=int(rate), messages_hour=hour,
            messages_day=hour + 300, recipients_hour=hour * 9, recipients_day=hour * 9 + 900, refused_day=hour * 3,
            quota={"messages_per_hour": 300, "messages_per_day": 1000}, quota_used=round(hour / 300, 3),
            top_country=country, countries=6 + k, status="suspended", suspended_by=by,
            status_since="2027-01-15T07:4%dZ" % (2 * k + 1)))
    limited = [("newsletter@npo.example.jp", "JP", 58.0, True), ("m.ogawa@mail.example.jp", "US", 41.5, False)]
    for k, (name, country, rate, override) in enumerate(limited):
        hour = int(rate * 55)
        accounts.append(make_account(
            200 + k, name, contact=name, rate=rate, recipients_rate=rate * 3, messages_minute=int(rate), messages_hour=hour,
            messages_day=hour * 4, recipients_hour=hour * 3, recipients_day=hour * 12,
            quota={"messages_per_hour": 3000 if override else 1000, "messages_per_day": 10000},
            quota_used=1.0, override=override, override_expires_at="2027-01-20T00:00:00Z" if override else None,
            top_country=country, countries=2, status="limited", status_since="2027-01-15T07:55:00Z"))
    return accounts


def scene_series(api: FakeApi):
    """The fake's series, except that a suspended account's attempts since its suspension were
    all refused: the plot shows them as a hatched red stack."""
    plain = api.series

    def series(a: dict, window: int, step: int) -> dict:
        out = plain(a, window, step)
        since = parse_time(a.get("status_since")) if a["status"] == "suspended" else None
        for point in out["points"] if since is not None else ():
            if parse_time(point["time"]) >= since:
                point.update(refused=point["messages"], messages=0, recipients=0, by_country={})
        return out
    return series


@pytest.fixture
def fixed_world(monkeypatch, qapp):
    """UTC local time, a stopped desk clock, a fixed font and a caret that does not blink, all
    restored afterwards."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    clock = SimpleNamespace(time=lambda: NOW, monotonic=lambda: 5000.0)
    monkeypatch.setattr(main_window_module, "time", clock)
    monkeypatch.setattr(live_status_module, "time", clock)  # "last update 3 s ago · next refresh in 2 s"
    font = qapp.font()
    qapp.setFont(QFont("DejaVu Sans", 9))
    flash = qapp.cursorFlashTime()
    qapp.setCursorFlashTime(0)  # the search field's caret shown, not blinking
    yield
    qapp.setCursorFlashTime(flash)
    qapp.setFont(font)
    monkeypatch.undo()
    time.tzset()


def settle(qtbot, window) -> QImage:
    """Let the event loop run (posted layouts, timers, repaints) and grab until two grabs in a row
    are the same; that picture. A grab paints every widget, and painting is what sizes some of them:
    pyqtgraph measures an axis's tick labels only when it paints them, starting from 30 px and
    shrinking only by 10 px or more, so the live plot's left axis is 7 px wider if the plot is first
    painted with its data ("200") than if it was painted empty ("0.0") first."""
    deadline = time.monotonic() + SETTLE_S
    previous = None
    while True:
        qtbot.wait(20)
        image = window.grab().toImage()
        if image == previous:
            return image
        if time.monotonic() > deadline:
            pytest.fail(f"the window still changed between two grabs after {SETTLE_S} s")
        previous = image


def render_main_window(qtbot, tmp_path) -> QImage:
    with FakeApi(accounts=scene_accounts(), now=NOW) as api:
        api.series = scene_series(api)
        for ago, account, kind, reason, country in (
                (1260, "office@clinic.example.jp", "cap", "country cap BR: messages_per_hour", "BR"),
                (1030, "k.abe@mail.example.jp", "auto_suspend", "quota:messages_per_hour ×3", "CN"),
                (610, "newsletter@npo.example.jp", "quota_reject", "quota:messages_per_hour", "JP"),
                (545, "h.mori@mail.example.jp", "auto_suspend", "countries:6 in 10 min", "RU"),
                (95, "shop-info@biz.example.jp", "auto_suspend", "quota:recipients_per_hour", "NG")):
            api.now = NOW - ago
            api.add_alert(account, kind, reason, country)
        api.now = NOW
        client = ApiClient(api.url, api.token("operator"), timeout=5)
        settings = QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)
        window = MainWindow(client, client.me(), settings, theme="light", start_polling=False)
        qtbot.addWidget(window)
        try:
            window.resize(*SIZE)
            window.show()
            qtbot.waitExposed(window)
            # On screen and laid out before any data, as a desk is while its first poll is on its way;
            # otherwise how far the event loop got before the data arrived shows in the picture.
            settle(qtbot, window)
            # One poll's worth of data, fetched here instead of on the poller's thread.
            snap = Snapshot(client.overview(window=60, limit=50),
                            client.accounts(status="active", sort="-rate", limit=5000),
                            client.countries(3600), NOW - 3)
            window.apply_snapshot(snap)
            window.alerts.add_alerts(client.alerts(after_id=0, limit=200).items)
            window._on_next_poll(2.0)
            with qtbot.waitSignal(window.account_panel.accountLoaded, timeout=5000):
                window.open_account("h.mori@mail.example.jp")
            window.plot.wait()
            qtbot.waitUntil(lambda: len(window.plot.bar_items()) > 0, timeout=5000)
            window.plot.set_live(False)  # no refetch while the picture is taken
            return settle(qtbot, window)
        finally:
            window.shutdown()


def as_blocks(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    w, h = image.width(), image.height()
    raw = np.frombuffer(image.constBits(), np.uint8).reshape(h, image.bytesPerLine() // 4, 4)[:, :w, :3]
    raw = raw[: h - h % BLOCK, : w - w % BLOCK].astype(np.float32)
    return raw.reshape(h // BLOCK, BLOCK, w // BLOCK, BLOCK, 3).mean(axis=(1, 3))


def test_main_window_matches_reference(qtbot, tmp_path, fixed_world):
    image = render_main_window(qtbot, tmp_path)
    assert (image.width(), image.height()) == SIZE
    if os.environ.get("FUMIDAI_UPDATE_REFERENCE") == "1" or not REFERENCE.exists():
        REFERENCE.parent.mkdir(parents=True, exist_ok=True)
        assert image.save(str(REFERENCE), "PNG")
        if os.environ.get("FUMIDAI_UPDATE_REFERENCE") != "1":
            pytest.fail(f"no reference yet: wrote {REFERENCE}; look at it, then commit it")
        return
    reference = QImage(str(REFERENCE))
    assert (reference.width(), reference.height()) == SIZE
    diff = np.abs(as_blocks(image) - as_blocks(reference)).max(axis=2)
    fraction = float((diff > PIXEL_THRESHOLD).mean())
    if fraction > MAX_FRACTION:
        image.save(str(tmp_path / "actual.png"))
        QImage(np.ascontiguousarray((diff > PIXEL_THRESHOLD).astype(np.uint8) * 255).data, diff.shape[1],
               diff.shape[0], diff.shape[1], QImage.Format.Format_Grayscale8).save(str(tmp_path / "diff.png"))
    assert fraction <= MAX_FRACTION, (
        f"{fraction:.2%} of {BLOCK}x{BLOCK} blocks differ by more than {PIXEL_THRESHOLD} "
        f"(allowed {MAX_FRACTION:.0%}); see {tmp_path}/actual.png and diff.png, "
        "or set FUMIDAI_UPDATE_REFERENCE=1 if the change is intended")
