"""MainWindow: the live view (table, plot, map), the alerts and account docks, and the trends tab.

Reads flow one way: Poller (its thread) -> snapshotReceived -> this window (GUI thread) ->
model, plot, map. Writes go through the ActionRunner of the account panel.
"""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QByteArray, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSplitter,
    QSystemTrayIcon,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .account_panel import AccountPanel
from .actions import ActionRunner, UndoToast
from .alerts_feed import AlertsFeed
from .api.client import ApiClient
from .api.models import Me
from .live_plot import LivePlot
from .plot_data import binding_quota
from .poller import Poller, Snapshot
from .rates_model import (
    COL_COUNTRY,
    COL_DAY,
    COL_HOUR,
    COL_NCOUNTRIES,
    COL_QUOTA,
    COL_RCPT,
    COL_SINCE,
    AccountRatesModel,
)
from .rates_panel import RatesPanel
from .theme import THEMES, apply_theme, is_dark
from .trends import TrendsView

from .clock import learn_server_time
from .column_fitter import ColumnFitter
from .egress import EgressPanel
from .incidents import IncidentsPanel
from .map_pane import DEFAULT_WINDOW, MapPane, map_counts
from .wall import WallWindow
LANGUAGES = (("", QT_TRANSLATE_NOOP("MainWindow", "System")), ("en", "English"), ("ja", "日本語"))
SETTINGS_VERSION = 4  # bumped when the default layout changes: older saved layouts are dropped once
# The live table's columns that give way, first to last, when the window is too narrow for all
# of them; the account, its status, its rate and its share of quota always stay.
NARROW_DROPS = (COL_NCOUNTRIES, COL_RCPT, COL_DAY, COL_HOUR, COL_QUOTA, COL_SINCE, COL_COUNTRY)
DOCK_SHARE = 0.32  # of the window's width, at most, for the docks beside the live view (440 px at 1400)


class DetachedMap(QWidget):
    """A MapPane in a top-level window: staff enlarge it, move it to another screen, close it."""

    closed = Signal()

    def __init__(self, parent: QWidget, *, language: str, window: int):
        super().__init__(parent, Qt.WindowType.Window)
        self.pane = MapPane(self, language=language, window=window)
        self.pane.detach_button.hide()
        self.pane.wall_button.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.pane)
        self.setWindowTitle(self.tr("Fumidai — sending sources by country"))
        self.resize(1100, 650)

    def closeEvent(self, event) -> None:
        self.hide()
        self.closed.emit()
        super().closeEvent(event)


class MainWindow(QMainWindow):
    accountSelected = Signal(str)

    def __init__(self, client: ApiClient, me: Me | None = None, settings: QSettings | None = None, *,
                 poll_interval: float = 2.0, theme: str = "auto", language: str = "en",
                 set_language: Callable[[str], None] | None = None, start_polling: bool = True):
        super().__init__()
        self.setObjectName("fumidaiMainWindow")
        self._client = client
        self.me = me or Me("", "")
        self.settings = settings or QSettings("Fumidai", "desk")
        self._theme = theme
        self._language = language
        self._set_language = set_language
        self._last_ok: float | None = None  # time.time() of the last good snapshot
        self._last_error = ""
        self._next_poll_at: float | None = None  # time.monotonic()
        self._paused = False
        self._map_window = DEFAULT_WINDOW

        # -- live view --------------------------------------------------------------------------------
        self.model = AccountRatesModel(self)
        self.rates = RatesPanel(self.model, self)
        self.plot = LivePlot(client, self)
        self.map_box = MapPane(self, language=language, window=self._map_window)
        self.map = self.map_box.map
        self.map_buttons = self.map_box.window_buttons
        self.map_box.windowChanged.connect(self._on_map_window)
        self.map_box.countryClicked.connect(self._on_country_clicked)
        self.map_box.detachRequested.connect(self.open_map_window)
        self.map_box.wallRequested.connect(self.enter_wall_mode)
        self.map_windows: list[DetachedMap] = []  # maps staff opened in windows of their own
        self.wall: WallWindow | None = None
        self._last_snapshot: Snapshot | None = None

        self.bottom_split = QSplitter(Qt.Orientation.Horizontal, self)
        self.bottom_split.setObjectName("bottomSplit")
        self.bottom_split.addWidget(self.plot)
        self.bottom_split.addWidget(self.map_box)
        self.live_split = QSplitter(Qt.Orientation.Vertical, self)
        self.live_split.setObjectName("liveSplit")
        self.live_split.addWidget(self.rates)
        self.live_split.addWidget(self.bottom_split)
        self.live_split.setStretchFactor(0, 1)
        self.live_split.setStretchFactor(1, 1)
        self.bottom_split.setStretchFactor(0, 2)
        self.bottom_split.setStretchFactor(1, 3)
        # Narrow or short windows squeeze the panes but never close one: table, plot and map stay.
        for split in (self.live_split, self.bottom_split):
            split.setChildrenCollapsible(False)
        self.plot.setMinimumSize(200, 160)
        self.map_box.setMinimumSize(240, 160)
        self.rates.setMinimumHeight(160)
        self.columns = ColumnFitter(self.rates.table, NARROW_DROPS)
        self.model.updated.connect(self._on_first_columns)
        self._dock_timer = QTimer(self)
        self._dock_timer.setSingleShot(True)
        self._dock_timer.setInterval(0)
        self._dock_timer.timeout.connect(self._fit_docks)

        self.banner = QLabel(self)
        self.banner.setObjectName("staleBanner")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("QLabel#staleBanner { background: #b3261e; color: white; padding: 6px; }")
        self.banner.hide()

        live = QWidget(self)
        live_layout = QVBoxLayout(live)
        live_layout.setContentsMargins(4, 4, 4, 4)
        live_layout.addWidget(self.banner)
        live_layout.addWidget(self.live_split, 1)

        # -- actions (the desk-actions engineer's widgets) ---------------------------------------------
        self.runner = ActionRunner(client, self, role=self.me.role)
        self.account_panel = AccountPanel(self.runner, self, role=self.me.role or "operator")
        self.account_panel.statusMessage.connect(self.show_message)
        self.account_panel.accountLoaded.connect(self._on_account_loaded)
        self.account_panel.selection_provider = self.selected_accounts  # bulk suspend of the table selection
        self.undo_toast = UndoToast(self.runner, self)
        self.trends = TrendsView(self.runner, self, language=language)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(live, "")
        self.tabs.addTab(self.trends, "")
        self.tabs.currentChanged.connect(self._on_tab)
        self.setCentralWidget(self.tabs)

        self.tray = QSystemTrayIcon(self) if QSystemTrayIcon.isSystemTrayAvailable() else None
        if self.tray is not None:
            self.tray.setIcon(self.windowIcon())
            self.tray.show()
        self.alerts = AlertsFeed(self, tray=self.tray)
        self.alerts.accountActivated.connect(self.open_account)
        self.alerts.egressActivated.connect(self.show_egress)
        self.alerts.ackRequested.connect(self.acknowledge_alerts)
        self.alerts.notified.connect(self.show_message)
        self.alerts_dock = QDockWidget(self)
        self.alerts_dock.setObjectName("alertsDock")
        self.alerts_dock.setWidget(self.alerts)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.alerts_dock)
        self.incidents = IncidentsPanel(self.runner, self.me.name, self, can_act=self.can_act)
        self.incidents.accountActivated.connect(self.open_account)
        self.incidents.statusMessage.connect(self.show_message)
        self.incidents_dock = QDockWidget(self)
        self.incidents_dock.setObjectName("incidentsDock")
        self.incidents_dock.setWidget(self.incidents)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.incidents_dock)
        self.tabifyDockWidget(self.alerts_dock, self.incidents_dock)
        self.alerts_dock.raise_()
        self.incidents_dock.toggleViewAction().setVisible(False)
        self.incidents_dock.hide()  # until the backend shows it keeps incidents
        self.incidents.supportedChanged.connect(self._on_incidents_supported)
        self.alerts.incidentRequested.connect(self.incidents.open_for)
        self.egress = EgressPanel(self.runner, self)
        self.egress.accountActivated.connect(self.open_account)  # a listing's senders, to investigate
        self.egress_dock = QDockWidget(self)
        self.egress_dock.setObjectName("egressDock")
        self.egress_dock.setWidget(self.egress)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.egress_dock)
        self.tabifyDockWidget(self.incidents_dock, self.egress_dock)
        self.alerts_dock.raise_()
        self.egress_dock.toggleViewAction().setVisible(False)
        self.egress_dock.hide()  # until the backend shows it checks blocklists
        self.egress.supportedChanged.connect(self._on_egress_supported)
        self.egress.listedChanged.connect(self._on_egress_listed)
        self.account_dock = QDockWidget(self)
        self.account_dock.setObjectName("accountDock")
        self.account_dock.setWidget(self.account_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.account_dock)

        self.rates.accountSelected.connect(self._on_account_selected)
        self.rates.accountActivated.connect(self.open_account)
        self.rates.selectionChanged.connect(self._on_selection_changed)
        self.rates.countryFilterCleared.connect(self._on_country_cleared)

        # -- status bar ---------------------------------------------------------------------------------
        self.totals_label = QLabel(self)
        self.age_label = QLabel(self)
        self.countdown_label = QLabel(self)
        for label in (self.totals_label, self.age_label, self.countdown_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addWidget(self.totals_label, 1)
        self.statusBar().addPermanentWidget(self.undo_toast)
        self.statusBar().addPermanentWidget(self.age_label)
        self.statusBar().addPermanentWidget(self.countdown_label)

        self._build_menus()

        # -- polling ------------------------------------------------------------------------------------
        self.poller = Poller(client, interval_s=poll_interval, countries_window=self._map_window)
        self.poller.snapshotReceived.connect(self.apply_snapshot)
        self.poller.alertsReceived.connect(self.alerts.add_alerts)
        self.poller.alertsReceived.connect(self._on_alerts)
        self.poller.failed.connect(self._on_poll_failed)
        self.poller.nextPollScheduled.connect(self._on_next_poll)
        self._ticker = QTimer(self)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start(500)

        self.retranslate()
        self.set_theme(theme)
        self.restore_layout()
        if start_polling:
            self.poller.start()
            self.incidents.start()
            self.egress.start()

    # -- public, for the desk-actions widgets and tests ---------------------------------------------------
    @property
    def client(self) -> ApiClient:
        return self._client

    @property
    def can_act(self) -> bool:
        return self.me.can_act

    def selected_accounts(self) -> list[str]:
        return self.rates.selected_accounts()

    @property
    def paused(self) -> bool:
        return self._paused

    # -- menus --------------------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.view_menu = bar.addMenu("")
        self.act_pause = QAction(self)
        self.act_pause.setCheckable(True)
        self.act_pause.setShortcut(QKeySequence(Qt.Key.Key_Space))
        self.act_pause.toggled.connect(self.set_paused)
        self.act_refresh = QAction(self)
        self.act_refresh.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.act_refresh.triggered.connect(self.refresh_now)
        self.act_refresh.triggered.connect(self.rates.refresh_order)  # re-sorts a table held under the pointer
        self.act_find = QAction(self)
        self.act_find.setShortcut(QKeySequence(QKeySequence.StandardKey.Find))
        self.act_find.triggered.connect(self.rates.focus_search)
        for a in (self.act_pause, self.act_refresh, self.act_find):
            self.addAction(a)  # shortcuts work with the menu bar hidden too
            self.view_menu.addAction(a)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.alerts_dock.toggleViewAction())
        self.view_menu.addAction(self.account_dock.toggleViewAction())
        self.view_menu.addAction(self.incidents_dock.toggleViewAction())
        self.view_menu.addAction(self.egress_dock.toggleViewAction())

        self.theme_menu = self.view_menu.addMenu("")
        self.theme_group = QActionGroup(self)
        self.theme_actions = {}
        for key in THEMES:
            a = QAction(self.theme_group)
            a.setCheckable(True)
            a.setData(key)
            a.triggered.connect(self._on_theme_action)
            self.theme_menu.addAction(a)
            self.theme_actions[key] = a
        self.language_menu = self.view_menu.addMenu("")
        self.language_group = QActionGroup(self)
        self.language_actions = {}
        for code, name in LANGUAGES:
            a = QAction(name, self.language_group)  # each language in its own name, untranslated
            self.language_actions[code] = a
            a.setChecked(code == str(self.settings.value("language", "") or ""))
            a.setCheckable(True)
            a.setData(code)
            a.triggered.connect(self._on_language_action)
            self.language_menu.addAction(a)

        self.account_menu = bar.addMenu("")
        for a in self.account_panel.mutating_actions + [self.account_panel.act_export]:
            self.account_menu.addAction(a)
        self.account_menu.addSeparator()
        self.account_menu.addAction(self.undo_toast.undo_action)
        self.addAction(self.undo_toast.undo_action)
        self.account_menu.setToolTipsVisible(True)

    def retranslate(self) -> None:
        role = self.me.role or self.tr("unknown role")
        who = f"{self.me.name} ({role})" if self.me.name else role
        self.setWindowTitle(self.tr("Fumidai abuse desk — {backend} — {who}").format(
            backend=self._client.base_url, who=who))
        self.tabs.setTabText(0, self.tr("Live"))
        self.tabs.setTabText(1, self.tr("Trends"))
        self.alerts_dock.setWindowTitle(self.tr("Alerts"))
        self.incidents_dock.setWindowTitle(self.tr("Incidents"))
        self._on_egress_listed(self.egress.listed_count())
        self.account_dock.setWindowTitle(self.tr("Account"))
        self.view_menu.setTitle(self.tr("&View"))
        self.account_menu.setTitle(self.tr("&Account"))
        self.theme_menu.setTitle(self.tr("Theme"))
        self.language_menu.setTitle(self.tr("Language"))
        for key, text in (("auto", self.tr("Follow the system")), ("light", self.tr("Light")),
                          ("dark", self.tr("Dark"))):
            self.theme_actions[key].setText(text)
        self.act_pause.setText(self.tr("Pause live updates"))
        self.act_pause.setToolTip(self.tr("Keep the table still while you work (Space)"))
        self.act_refresh.setText(self.tr("Refresh now"))
        self.act_find.setText(self.tr("Find account"))
        self.map_box.retranslate()
        self.language_actions[""].setText(self.tr("System"))
        # Models translate their headers when asked: tell the views to ask again.
        self.model.retranslate()
        self.alerts.model.retranslate()
        self.alerts.fit_columns()
        self.rates.table.viewport().update()
        self.alerts.view.viewport().update()
        self.rates.retranslate()
        self.plot.retranslate()
        if not self.can_act:
            tip = self.tr("Your role (viewer) can look but not change accounts")
            for a in self.account_panel.mutating_actions:
                a.setToolTip(tip)
        self._tick()

    def changeEvent(self, event) -> None:
        if event.type() == event.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    @Slot()
    def _on_theme_action(self) -> None:
        self.set_theme(self.sender().data())

    def set_theme(self, theme: str) -> None:
        self._theme = theme if theme in THEMES else "auto"
        dark = apply_theme(QApplication.instance(), self._theme)
        self.theme_actions[self._theme].setChecked(True)
        self.plot.set_dark(dark)
        self.trends.set_dark(dark)
        for view in self._map_views():
            view.set_dark(dark)
        self.settings.setValue("theme", self._theme)

    @property
    def dark(self) -> bool:
        return is_dark(self._theme)

    @Slot()
    def _on_language_action(self) -> None:
        code = self.sender().data()
        self.settings.setValue("language", code)
        if self._set_language is not None:
            self._language = self._set_language(code) or code
            for view in self._map_views():
                view.set_language(self._language)
            self.trends.set_language(self._language)
        else:
            self.show_message(self.tr("The language changes at the next start."))

    # -- live updates -----------------------------------------------------------------------------------
    @Slot(object)
    def apply_snapshot(self, snap: Snapshot) -> None:
        if self._paused:  # a poll already in flight when staff paused: keep the screen still
            return
        self._last_ok = snap.received_at
        self._last_error = ""
        learn_server_time(snap.overview.time, snap.received_at)  # defaults such as expiries use its clock
        self.model.apply_snapshot(snap.accounts.items)
        t = snap.overview.totals
        self.totals_label.setText(self.tr(
            "{rate:,.1f} msg/min · {active:,} sending now (5 min) · {limited:,} limited · {stopped:,} stopped").format(
            rate=t.messages_per_minute, active=t.active_accounts, limited=t.limited_accounts,
            stopped=t.suspended_accounts))
        self.plot.set_top_accounts([r.account for r in snap.overview.top])
        if snap.countries is not None:
            counts = map_counts(snap.countries.items)
            for view in self._map_views(wall=False):
                view.set_counts(counts)
        if self.wall is not None:
            self.wall.apply_snapshot(snap)
        self._last_snapshot = snap
        self._tick()

    @Slot(bool)
    def _on_incidents_supported(self, supported: bool) -> None:
        self.incidents_dock.toggleViewAction().setVisible(supported)
        self.alerts.act_incident.setVisible(supported and self.can_act)
        if supported and not self.incidents_dock.isVisible():
            self.incidents_dock.show()
            self.alerts_dock.raise_()  # the alerts stay in front; Incidents is the tab beside

    @Slot(list)
    @Slot(bool)
    def _on_egress_supported(self, supported: bool) -> None:
        self.egress_dock.toggleViewAction().setVisible(supported)
        self.egress_dock.setVisible(supported)
        if supported:
            self.alerts_dock.raise_()  # the alerts stay in front; Egress reputation is a tab beside

    @Slot()
    def show_egress(self) -> None:
        if self.egress.supported:
            self.egress_dock.show()
            self.egress_dock.raise_()
        self.egress.refresh()

    @Slot(int)
    def _on_egress_listed(self, listed: int) -> None:
        title = self.tr("Egress reputation")
        self.egress_dock.setWindowTitle(f"{title} ({listed})" if listed else title)

    def _on_alerts(self, items: list) -> None:
        if items and not self.alerts.act_ack.isVisible() and any(a.ackable for a in items):
            self.alerts.set_can_ack(self.can_act)

    @Slot(list)
    def acknowledge_alerts(self, ids: list) -> None:
        """Acknowledge on the backend (every desk sees it), then grey the rows here."""
        def call(client: ApiClient) -> list[int]:
            for alert_id in ids:
                client.ack_alert(alert_id)
            return ids

        self.runner.fetch("ack_alert", "", call, on_success=lambda done: self.alerts.model.mark_acked(
            set(done), self.me.name, time.time()), on_failure=self.show_message)

    @Slot(str)
    def _on_poll_failed(self, text: str) -> None:
        self._last_error = text
        self._tick()

    @Slot(float)
    def _on_next_poll(self, seconds: float) -> None:
        self._next_poll_at = time.monotonic() + seconds
        self._tick()

    def is_stale(self) -> bool:
        if self._paused:
            return False
        if self._last_error:
            return True
        limit = max(3 * self.poller.interval, self.poller.interval + 5)
        return self._last_ok is not None and time.time() - self._last_ok > limit

    @Slot()
    def _tick(self) -> None:
        age = None if self._last_ok is None else max(0, int(time.time() - self._last_ok))
        if age is None:
            self.age_label.setText(self.tr("waiting for the first update…"))
        else:
            self.age_label.setText(self.tr("last update {n} s ago").format(n=age))
        if self._paused:
            self.countdown_label.setText(self.tr("paused (Space to resume)"))
        elif self._next_poll_at is not None:
            left = max(0, round(self._next_poll_at - time.monotonic()))
            self.countdown_label.setText(self.tr("next refresh in {n} s").format(n=left))
        if self.is_stale():
            if age is None:
                text = self.tr("No data yet: the backend does not answer. Retrying.")
            else:
                text = self.tr("Stale data: last update {n} s ago. Retrying.").format(n=age)
            if self._last_error:
                text += " " + self._last_error
            self.banner.setText(text)
            self.banner.show()
        else:
            self.banner.hide()

    @Slot(bool)
    def set_paused(self, paused: bool) -> None:
        self._paused = paused
        if self.act_pause.isChecked() != paused:
            self.act_pause.setChecked(paused)
        if paused:
            self.poller.pause()
        else:
            self.poller.resume()
        self.plot.set_live(not paused)
        self._tick()

    @Slot()
    def refresh_now(self) -> None:
        if self._paused:
            self.set_paused(False)  # resume() polls at once
        else:
            self.poller.refresh_now()
        self.plot.refresh()

    @Slot(int)
    def _on_map_window(self, seconds: int) -> None:
        self._map_window = seconds
        for pane in [self.map_box, *(w.pane for w in self.map_windows)]:
            pane.set_window(seconds)
        self.poller.set_countries_window(self._map_window)

    def _map_views(self, wall: bool = True) -> list:
        views = [self.map, *(w.pane.map for w in self.map_windows)]
        return views + [self.wall.map] if wall and self.wall is not None else views

    @Slot()
    def open_map_window(self) -> DetachedMap:
        """The map in a window of its own, as large as staff make it; the pane stays too."""
        window = DetachedMap(self, language=self._language, window=self._map_window)
        window.pane.set_measure(self.map_box.measure)
        window.pane.map.set_dark(self.dark)
        window.pane.windowChanged.connect(self._on_map_window)
        window.pane.countryClicked.connect(self._on_country_clicked)
        window.closed.connect(self._on_map_window_closed)
        self.map_windows.append(window)
        if self._last_snapshot is not None and self._last_snapshot.countries is not None:
            window.pane.map.set_counts(map_counts(self._last_snapshot.countries.items))
        window.show()
        return window

    @Slot()
    def _on_map_window_closed(self) -> None:
        self.map_windows = [w for w in self.map_windows if w.isVisible()]

    @Slot()
    def enter_wall_mode(self) -> WallWindow:
        if self.wall is None:
            self.wall = WallWindow(self, language=self._language, dark=True, window=self._map_window)
            self.wall.windowChanged.connect(self._on_map_window)
            self.wall.closed.connect(self._on_wall_closed)
            self.poller.alertsReceived.connect(self.wall.add_alerts)
            self.wall.add_alerts(self.alerts.model.items())
            if self._last_snapshot is not None:
                self.wall.apply_snapshot(self._last_snapshot)
            self.wall.start()
        return self.wall

    @Slot()
    def _on_wall_closed(self) -> None:
        wall, self.wall = self.wall, None
        if wall is not None:
            self.poller.alertsReceived.disconnect(wall.add_alerts)
            wall.deleteLater()

    @Slot(str)
    def _on_country_clicked(self, code: str) -> None:
        self.rates.set_country(code)
        self.map.highlight([code])

    @Slot()
    def _on_country_cleared(self) -> None:
        self.map.highlight([])

    @Slot(int)
    def _on_tab(self, index: int) -> None:
        if self.tabs.widget(index) is self.trends and not self.trends.days:
            self.trends.refresh()

    # -- selection ----------------------------------------------------------------------------------------
    @Slot(str)
    def _on_account_selected(self, account: str) -> None:
        if account:
            self.account_panel.set_account(account)
        self.accountSelected.emit(account)

    @Slot(str)
    def _on_account_loaded(self, account: str) -> None:
        """Plot the account's binding quota; outline where it sends from (a map click's country filter wins)."""
        detail = self.account_panel.detail
        if detail is not None:
            self.plot.set_binding_quota(account, binding_quota(detail))
        if self.rates.country:
            return
        usage = detail.usage.get("countries") if detail is not None else None
        codes = [c.get("country") for c in usage or [] if isinstance(c, dict) and isinstance(c.get("country"), str)]
        self.map.highlight(codes)

    @Slot(list)
    def _on_selection_changed(self, accounts: list) -> None:
        quota = None
        if len(accounts) == 1:
            row = self.model.row_for(accounts[0])
            quota = row.quota.get("messages_per_hour") if row else None
        self.plot.set_selected(accounts, quota)

    @Slot(str)
    def open_account(self, account: str) -> None:
        """From the alerts feed or a double-click: show it in the table (if listed) and the account dock."""
        if not self.rates.select_account(account):
            self.account_panel.set_account(account)
            self.accountSelected.emit(account)
        self.account_dock.show()
        self.account_dock.raise_()

    @Slot(str)
    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)

    # -- layout -------------------------------------------------------------------------------------------
    def restore_layout(self) -> None:
        if int(self.settings.value("layout_version", 0) or 0) != SETTINGS_VERSION:
            self.resize(1400, 900)
            # The live view gets the width; the docks a column wide enough for the account panel.
            # 440 px: an account and a reason of usual length fit side by side in the alerts feed.
            self.resizeDocks([self.alerts_dock, self.account_dock], [440, 440], Qt.Orientation.Horizontal)
            self.resizeDocks([self.alerts_dock, self.account_dock], [280, 600], Qt.Orientation.Vertical)
            # The world map is twice as wide as tall: the wider share of the bottom row goes to it.
            self.live_split.setSizes([480, 420])
            self.bottom_split.setSizes([400, 600])
            return
        for key, restore in (("geometry", self.restoreGeometry), ("state", self.restoreState),
                             ("live_split", self.live_split.restoreState),
                             ("bottom_split", self.bottom_split.restoreState),
                             ("table_header", self.rates.table.horizontalHeader().restoreState)):
            value = self.settings.value(key)
            if isinstance(value, QByteArray):
                restore(value)
                self.rates.columns_fitted |= key == "table_header"

    @Slot()
    def _on_first_columns(self) -> None:
        """Once the table has measured its columns (on the first data), fit them to its width."""
        if self.rates.columns_fitted:
            self.model.updated.disconnect(self._on_first_columns)
            self.columns.enabled = True
            self.columns.fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._dock_timer.start()  # once the layout has placed the docks at the new size

    @Slot()
    def _fit_docks(self) -> None:
        """A narrow window keeps most of its width for the live view: the docks give way first."""
        cap = int(self.width() * DOCK_SHARE)
        wide = [d for d in (self.alerts_dock, self.account_dock)
                if d.isVisible() and not d.isFloating() and d.width() > cap]
        if wide:
            self.resizeDocks(wide, [cap] * len(wide), Qt.Orientation.Horizontal)
            self.layout().activate()  # now: the new sizes would otherwise wait for the next resize

    def save_layout(self) -> None:
        self.columns.show_all()  # widths staff chose are kept, not the columns a narrow window hid
        self.settings.setValue("layout_version", SETTINGS_VERSION)
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("state", self.saveState())
        self.settings.setValue("live_split", self.live_split.saveState())
        self.settings.setValue("bottom_split", self.bottom_split.saveState())
        self.settings.setValue("table_header", self.rates.table.horizontalHeader().saveState())
        self.settings.sync()
        if self.columns.enabled:
            self.columns.fit()

    def shutdown(self) -> None:
        """Stop every thread this window started; safe to call twice."""
        self._ticker.stop()
        self.incidents.stop()
        self.egress.stop()
        if self.wall is not None:
            self.wall.close()
        for window in self.map_windows:
            window.close()
        self.poller.shutdown()
        self.plot.set_live(False)
        self.plot.wait()
        self.runner.close()
        if self.tray is not None:
            self.tray.hide()

    def closeEvent(self, event) -> None:
        self.save_layout()
        self.shutdown()
        super().closeEvent(event)
