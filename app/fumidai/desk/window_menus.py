"""The main window's menus and shortcuts: View (pause, refresh, find, docks, theme, language) and
Account (the account panel's actions and Undo).

Built onto the window (its actions stay its attributes: ``act_pause``, ``view_menu`` …); the texts
keep the translation context "MainWindow", where the Japanese catalogue has them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from .theme import THEMES

if TYPE_CHECKING:
    from .main_window import MainWindow

LANGUAGES = (("", QT_TRANSLATE_NOOP("MainWindow", "System")), ("en", "English"), ("ja", "日本語"))


def build_menus(w: MainWindow) -> None:
    bar = w.menuBar()
    w.view_menu = bar.addMenu("")
    w.act_pause = QAction(w)
    w.act_pause.setCheckable(True)
    w.act_pause.setShortcut(QKeySequence(Qt.Key.Key_Space))
    w.act_pause.toggled.connect(w.set_paused)
    w.act_refresh = QAction(w)
    w.act_refresh.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
    w.act_refresh.triggered.connect(w.refresh_now)
    w.act_refresh.triggered.connect(w.rates.refresh_order)  # re-sorts a table held under the pointer
    w.act_find = QAction(w)
    w.act_find.setShortcut(QKeySequence(QKeySequence.StandardKey.Find))
    w.act_find.triggered.connect(w.rates.focus_search)
    for a in (w.act_pause, w.act_refresh, w.act_find):
        w.addAction(a)  # shortcuts work with the menu bar hidden too
        w.view_menu.addAction(a)
    w.view_menu.addSeparator()
    for dock in (w.alerts_dock, w.account_dock, w.incidents_dock, w.egress_dock):
        w.view_menu.addAction(dock.toggleViewAction())

    w.theme_menu = w.view_menu.addMenu("")
    w.theme_group = QActionGroup(w)
    w.theme_actions = {}
    for key in THEMES:
        a = QAction(w.theme_group)
        a.setCheckable(True)
        a.setData(key)
        a.triggered.connect(lambda _checked=False, theme=key: w.set_theme(theme))
        w.theme_menu.addAction(a)
        w.theme_actions[key] = a
    w.language_menu = w.view_menu.addMenu("")
    w.language_group = QActionGroup(w)
    w.language_actions = {}
    for code, name in LANGUAGES:
        a = QAction(name, w.language_group)  # each language in its own name, untranslated
        w.language_actions[code] = a
        a.setChecked(code == str(w.settings.value("language", "") or ""))
        a.setCheckable(True)
        a.setData(code)
        a.triggered.connect(lambda _checked=False, language=code: w.choose_language(language))
        w.language_menu.addAction(a)

    w.account_menu = bar.addMenu("")
    for a in w.account_panel.mutating_actions + [w.account_panel.act_export]:
        w.account_menu.addAction(a)
    w.account_menu.addSeparator()
    w.account_menu.addAction(w.undo_toast.undo_action)
    w.addAction(w.undo_toast.undo_action)
    w.account_menu.setToolTipsVisible(True)


def retranslate_menus(w: MainWindow) -> None:
    w.view_menu.setTitle(QCoreApplication.translate("MainWindow", "&View"))
    w.account_menu.setTitle(QCoreApplication.translate("MainWindow", "&Account"))
    w.theme_menu.setTitle(QCoreApplication.translate("MainWindow", "Theme"))
    w.language_menu.setTitle(QCoreApplication.translate("MainWindow", "Language"))
    for key, text in (("auto", QCoreApplication.translate("MainWindow", "Follow the system")),
                      ("light", QCoreApplication.translate("MainWindow", "Light")),
                      ("dark", QCoreApplication.translate("MainWindow", "Dark"))):
        w.theme_actions[key].setText(text)
    w.act_pause.setText(QCoreApplication.translate("MainWindow", "Pause live updates"))
    w.act_pause.setToolTip(QCoreApplication.translate("MainWindow", "Keep the table still while you work (Space)"))
    w.act_refresh.setText(QCoreApplication.translate("MainWindow", "Refresh now"))
    w.act_find.setText(QCoreApplication.translate("MainWindow", "Find account"))
    w.language_actions[""].setText(QCoreApplication.translate("MainWindow", "System"))
