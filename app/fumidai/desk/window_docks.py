"""The docks beside the live view: alerts, incidents and egress reputation as tabs of one column
(incidents and egress only once the backend shows it keeps them), the account panel under them.

Titles keep the translation context "MainWindow", where the Japanese catalogue has them.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Qt, Slot
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from .alerts_feed import AlertsFeed
from .egress import EgressPanel
from .incidents import IncidentsPanel


class SideDocks(QObject):
    def __init__(self, window: QMainWindow, alerts: AlertsFeed, incidents: IncidentsPanel, egress: EgressPanel,
                 account: QWidget, *, can_act: bool):
        super().__init__(window)
        self._window = window
        self._alerts, self._egress = alerts, egress
        self._can_act = can_act
        self.alerts = self._dock(alerts, "alertsDock")
        self.incidents = self._dock(incidents, "incidentsDock")
        window.tabifyDockWidget(self.alerts, self.incidents)
        self.alerts.raise_()
        self.incidents.toggleViewAction().setVisible(False)
        self.incidents.hide()  # until the backend shows it keeps incidents
        incidents.supportedChanged.connect(self._on_incidents_supported)
        self.egress = self._dock(egress, "egressDock")
        window.tabifyDockWidget(self.incidents, self.egress)
        self.alerts.raise_()
        self.egress.toggleViewAction().setVisible(False)
        self.egress.hide()  # until the backend shows it checks blocklists
        egress.supportedChanged.connect(self._on_egress_supported)
        egress.listedChanged.connect(self._on_egress_listed)
        self.account = self._dock(account, "accountDock")

    def _dock(self, panel: QWidget, name: str) -> QDockWidget:
        dock = QDockWidget(self._window)
        dock.setObjectName(name)
        dock.setWidget(panel)
        self._window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        return dock

    def retranslate(self) -> None:
        self.alerts.setWindowTitle(QCoreApplication.translate("MainWindow", "Alerts"))
        self.incidents.setWindowTitle(QCoreApplication.translate("MainWindow", "Incidents"))
        self._on_egress_listed(self._egress.listed_count())
        self.account.setWindowTitle(QCoreApplication.translate("MainWindow", "Account"))

    @Slot(bool)
    def _on_incidents_supported(self, supported: bool) -> None:
        self.incidents.toggleViewAction().setVisible(supported)
        self._alerts.act_incident.setVisible(supported and self._can_act)
        if supported and not self.incidents.isVisible():
            self.incidents.show()
            self.alerts.raise_()  # the alerts stay in front; Incidents is the tab beside

    @Slot(bool)
    def _on_egress_supported(self, supported: bool) -> None:
        self.egress.toggleViewAction().setVisible(supported)
        self.egress.setVisible(supported)
        if supported:
            self.alerts.raise_()  # the alerts stay in front; Egress reputation is a tab beside

    @Slot()
    def show_egress(self) -> None:
        if self._egress.supported:
            self.egress.show()
            self.egress.raise_()
        self._egress.refresh()

    @Slot(int)
    def _on_egress_listed(self, listed: int) -> None:
        title = QCoreApplication.translate("MainWindow", "Egress reputation")
        self.egress.setWindowTitle(f"{title} ({listed})" if listed else title)
