"""Keys on the real main window: one binding per key, Ctrl+F reaches the search, typing never acts."""

from __future__ import annotations

from collections import defaultdict

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QAction, QKeySequence, QShortcut  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from fumidai.desk.dialogs import NoticeDialog, QuotaDialog, ReleaseDialog, SuspendDialog  # noqa: E402

pytestmark = pytest.mark.desk

# Keys that change nothing on the backend may stand alone; everything else needs Ctrl or Alt.
HARMLESS_PLAIN_KEYS = {"Space", "F5", "Esc"}


@pytest.fixture
def window(live_window):
    return live_window


def bindings(window) -> dict[str, set]:
    """Every key sequence bound in the window (actions, menus' actions, QShortcuts) and its owners."""
    out: dict[str, set] = defaultdict(set)
    objects = set(window.findChildren(QAction)) | set(window.actions()) | set(window.findChildren(QShortcut))
    for obj in objects:
        sequences = obj.shortcuts() if isinstance(obj, QAction) else [obj.key()]
        for seq in sequences:
            if not seq.isEmpty():
                out[seq.toString(QKeySequence.SequenceFormat.PortableText)].add(obj)
    return out


def test_no_key_is_bound_twice(window):
    doubles = {key: len(owners) for key, owners in bindings(window).items() if len(owners) > 1}
    assert doubles == {}, f"ambiguous shortcuts (Qt would do nothing): {doubles}"


def test_every_action_key_needs_a_modifier(window):
    plain = {key for key in bindings(window)
             if not any(m in key for m in ("Ctrl+", "Alt+", "Meta+")) and key not in HARMLESS_PLAIN_KEYS}
    assert plain == set(), "a letter typed in the wrong place would act on the selected account"
    keys = {a.shortcut().toString() for a in window.account_panel.mutating_actions[:5]}
    assert all(k.startswith("Ctrl+Shift+") for k in keys), keys


def test_ctrl_f_reaches_the_search(qtbot, window):
    window.rates.table.setFocus()
    QTest.keyClick(window.rates.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.rates.search.hasFocus(), timeout=2000)


def test_typing_anywhere_opens_no_action(qtbot, api, window, monkeypatch):
    opened = []
    for dialog in (SuspendDialog, ReleaseDialog, QuotaDialog, NoticeDialog):
        monkeypatch.setattr(dialog, "ask", classmethod(lambda cls, *a, **k: opened.append(cls.__name__)))
    api.set_account("user0001", status="suspended", suspended_by="auto")  # Release enabled too
    qtbot.waitUntil(lambda: window.rates.select_account("user0001"), timeout=5000)
    qtbot.waitUntil(lambda: window.account_panel.detail is not None
                    and window.account_panel.act_release.isEnabled(), timeout=5000)
    window.rates.table.setFocus()
    QTest.keyClicks(window.rates.table, "srqn sarah quinn SRQN")  # the old single-letter keys
    QTest.keyClicks(window.alerts.view, "srqn")
    QTest.keyClicks(window.rates.search, "srqn")
    assert opened == [] and api.posts == []
    window.rates.table.setFocus()
    QTest.keyClick(window.rates.table, Qt.Key.Key_R,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert opened == ["ReleaseDialog"]  # the real key still works
