"""MainWindow: the live view (table, plot, map), the alerts and account docks, and the trends tab.

Reads flow one way: Poller (off the GUI thread) -> snapshotReceived -> this window (GUI thread) ->
model, plot, map. Writes go through the ActionRunner of the account panel. The window builds the
panels and wires them; their insides are theirs, and so are its menus (window_menus.py), its
layout (window_layout.py), its docks (window_docks.py), its status bar (live_status.py) and the
maps beyond the pane (map_windows.py).
"""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QSettings, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QMainWindow, QSystemTrayIcon, QTabWidget

from .account_panel import AccountPanel
from .actions import ActionRunner, UndoToast
from .alerts_feed import AlertsFeed
from .api.client import ApiClient
from .api.models import Me
from .live_plot import LivePlot
from .plot_data import binding_quota
from .poller import Poller, Snapshot
from .rates_model import (
    COL_COMPLAINTS,
    COL_COUNTRY,
    COL_DAY,
    COL_HOUR,
    COL_NCOUNTRIES,
    COL_QUOTA,
    COL_RCPT,
    COL_SINCE,
    AccountRatesModel,
)
from .clock import learn_server_time
from .column_fitter import ColumnFitter
from .egress import EgressPanel
from .incidents import IncidentsPanel
from .live_status import LiveStatus
from .map_pane import DEFAULT_WINDOW, MapPane
from .map_windows import DetachedMap, MapWindows
from .rates_panel import RatesPanel
from .theme import THEMES, apply_theme, is_dark
from .trends import TrendsView
from .wall import WallWindow
from .window_layout import arrange_live_view, fit_docks, restore_layout, save_layout
from .window_docks import SideDocks
from .window_menus import build_menus, retranslate_menus

# The live table's columns that give way, first to last, when the window is too narrow for all
# of them; the account, its status, its rate and its share of quota always stay.
# Mostly blank, the complaints column goes early (the complaint alerts and the account panel's
# Complaints tab still show them); a wide window shows it.
NARROW_DROPS = (COL_NCOUNTRIES, COL_RCPT, COL_COMPLAINTS, COL_DAY, COL_HOUR, COL_QUOTA, COL_SINCE, COL_COUNTRY)


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
        self._paused = False

        # -- live view --------------------------------------------------------------------------------
        self.model = AccountRatesModel(self)
        self.rates = RatesPanel(self.model, self)
        self.plot = LivePlot(client, self)
        self.map_box = MapPane(self, language=language, window=DEFAULT_WINDOW)
        self.map = self.map_box.map
        self.map_buttons = self.map_box.window_buttons
        self.map_box.windowChanged.connect(self._on_map_window)
        self.map_box.countryClicked.connect(self._on_country_clicked)
        self.map_box.detachRequested.connect(self.open_map_window)
        self.map_box.wallRequested.connect(self.enter_wall_mode)
        self.maps = MapWindows(self, self.map_box, window=DEFAULT_WINDOW)
        self.maps.windowChanged.connect(self._on_map_window)
        self.maps.countryClicked.connect(self._on_country_clicked)

        self.status = LiveStatus(self)
        self.banner = self.status.banner
        live = arrange_live_view(self)  # sets live_split and bottom_split
        self.columns = ColumnFitter(self.rates.table, NARROW_DROPS)
        self.model.updated.connect(self._on_first_columns)
        self._dock_timer = QTimer(self)
        self._dock_timer.setSingleShot(True)
        self._dock_timer.setInterval(0)
        self._dock_timer.timeout.connect(self._fit_docks)


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
        self.incidents = IncidentsPanel(self.runner, self.me.name, self, can_act=self.can_act)
        self.incidents.accountActivated.connect(self.open_account)
        self.incidents.statusMessage.connect(self.show_message)
        self.alerts.incidentRequested.connect(self.incidents.open_for)
        self.egress = EgressPanel(self.runner, self)
        self.docks = SideDocks(self, self.alerts, self.incidents, self.egress, self.account_panel, can_act=self.can_act)
        self.alerts_dock, self.incidents_dock = self.docks.alerts, self.docks.incidents
        self.egress_dock, self.account_dock = self.docks.egress, self.docks.account
        self.egress.accountActivated.connect(self.open_account)  # a listing's senders, to investigate

        self.rates.accountSelected.connect(self._on_account_selected)
        self.rates.accountActivated.connect(self.open_account)
        self.rates.selectionChanged.connect(self._on_selection_changed)
        self.rates.countryFilterCleared.connect(self._on_country_cleared)

        # -- status bar ---------------------------------------------------------------------------------
        self.status.place(self.statusBar(), self.undo_toast)
        self.totals_label, self.age_label = self.status.totals_label, self.status.age_label
        self.countdown_label = self.status.countdown_label

        build_menus(self)

        # -- polling ------------------------------------------------------------------------------------
        self.poller = Poller(client, interval_s=poll_interval, countries_window=self.maps.window)
        self.poller.snapshotReceived.connect(self.apply_snapshot)
        self.poller.alertsReceived.connect(self.alerts.add_alerts)
        self.poller.alertsReceived.connect(self._on_alerts)
        self.poller.failed.connect(self._on_poll_failed)
        self.poller.nextPollScheduled.connect(self._on_next_poll)
        self.maps.wallOpened.connect(self._on_wall_opened)
        self.maps.wallClosed.connect(self._on_wall_closed)
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

    def retranslate(self) -> None:
        role = self.me.role or self.tr("unknown role")
        who = f"{self.me.name} ({role})" if self.me.name else role
        self.setWindowTitle(self.tr("Fumidai abuse desk — {backend} — {who}").format(
            backend=self._client.base_url, who=who))
        self.tabs.setTabText(0, self.tr("Live"))
        self.tabs.setTabText(1, self.tr("Trends"))
        self.docks.retranslate()
        retranslate_menus(self)
        self.map_box.retranslate()
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

    def set_theme(self, theme: str) -> None:
        self._theme = theme if theme in THEMES else "auto"
        dark = apply_theme(QApplication.instance(), self._theme)
        self.theme_actions[self._theme].setChecked(True)
        self.plot.set_dark(dark)
        self.trends.set_dark(dark)
        for view in self.maps.views():
            view.set_dark(dark)
        self.settings.setValue("theme", self._theme)

    @property
    def dark(self) -> bool:
        return is_dark(self._theme)

    def choose_language(self, code: str) -> None:
        """Staff chose a language ("" follows the system): now if the app can, else at the next start."""
        self.settings.setValue("language", code)
        if self._set_language is not None:
            self._language = self._set_language(code) or code
            for view in self.maps.views():
                view.set_language(self._language)
            self.trends.set_language(self._language)
        else:
            self.show_message(self.tr("The language changes at the next start."))

    # -- live updates -----------------------------------------------------------------------------------
    @Slot(object)
    def apply_snapshot(self, snap: Snapshot) -> None:
        if self._paused:  # a poll already in flight when staff paused: keep the screen still
            return
        learn_server_time(snap.overview.time, snap.received_at)  # defaults such as expiries use its clock
        self.model.apply_snapshot(snap.accounts.items)
        self.status.snapshot(snap.received_at, snap.overview.totals)
        self.plot.set_top_accounts([r.account for r in snap.overview.top])
        self.maps.show_counts(snap)
        self._tick()

    @Slot()
    def show_egress(self) -> None:
        self.docks.show_egress()

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
        self.status.failed(text)
        self._tick()

    @Slot(float)
    def _on_next_poll(self, seconds: float) -> None:
        self.status.next_poll_in(seconds)
        self._tick()

    def is_stale(self) -> bool:
        return self.status.is_stale(self._paused, self.poller.interval)

    @Slot()
    def _tick(self) -> None:
        self.status.show(self._paused, self.poller.interval)

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
        self.maps.set_window(seconds)
        self.poller.set_countries_window(seconds)

    @property
    def map_windows(self) -> list[DetachedMap]:
        """Maps staff opened in windows of their own."""
        return self.maps.detached

    @property
    def wall(self) -> WallWindow | None:
        return self.maps.wall

    @Slot()
    def open_map_window(self) -> DetachedMap:
        """The map in a window of its own, as large as staff make it; the pane stays too."""
        return self.maps.open_detached(language=self._language, dark=self.dark)

    @Slot()
    def enter_wall_mode(self) -> WallWindow:
        return self.maps.open_wall(language=self._language, alerts=self.alerts.model.items())

    @Slot(object)
    def _on_wall_opened(self, wall: WallWindow) -> None:
        self.poller.alertsReceived.connect(wall.add_alerts)

    @Slot(object)
    def _on_wall_closed(self, wall: WallWindow) -> None:
        self.poller.alertsReceived.disconnect(wall.add_alerts)

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
        restore_layout(self)

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
        fit_docks(self)

    def save_layout(self) -> None:
        save_layout(self)

    def shutdown(self) -> None:
        """Stop every thread this window started; safe to call twice."""
        self._ticker.stop()
        self.incidents.stop()
        self.egress.stop()
        self.maps.close_all()
        self.poller.shutdown()
        self.plot.shutdown()
        self.runner.close()
        if self.tray is not None:
            self.tray.hide()

    def closeEvent(self, event) -> None:
        self.save_layout()
        self.shutdown()
        super().closeEvent(event)
