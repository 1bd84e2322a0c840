"""LiveStatus: how fresh the live view is — the totals, the age of the last update and the next
refresh in the status bar, and the red banner when the data is stale or never came.

Its texts keep the translation context "MainWindow", where they were first written: the Japanese
catalogue has them there.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from .api.models import Totals


class LiveStatus(QObject):
    """The labels and the banner; the window places them and tells it what happened."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.last_ok: float | None = None  # time.time() of the last good snapshot
        self.last_error = ""
        self.next_poll_at: float | None = None  # time.monotonic()
        self.banner = QLabel(parent)
        self.banner.setObjectName("staleBanner")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("QLabel#staleBanner { background: #b3261e; color: white; padding: 6px; }")
        self.banner.hide()
        self.totals_label = QLabel(parent)
        self.age_label = QLabel(parent)
        self.countdown_label = QLabel(parent)
        for label in (self.totals_label, self.age_label, self.countdown_label):
            label.setTextFormat(Qt.TextFormat.PlainText)

    def place(self, bar: QStatusBar, *permanent: QWidget) -> None:
        """The totals take the width; ``permanent`` widgets (the undo toast) come before the times."""
        bar.addWidget(self.totals_label, 1)
        for widget in permanent:
            bar.addPermanentWidget(widget)
        bar.addPermanentWidget(self.age_label)
        bar.addPermanentWidget(self.countdown_label)

    def snapshot(self, received_at: float, t: Totals) -> None:
        self.last_ok = received_at
        self.last_error = ""
        self.totals_label.setText(QCoreApplication.translate(
            "MainWindow",
            "{rate:,.1f} msg/min · {active:,} sending now (5 min) · {limited:,} limited · {stopped:,} stopped").format(
            rate=t.messages_per_minute, active=t.active_accounts, limited=t.limited_accounts,
            stopped=t.suspended_accounts))

    def failed(self, text: str) -> None:
        self.last_error = text

    def next_poll_in(self, seconds: float) -> None:
        self.next_poll_at = time.monotonic() + seconds

    def is_stale(self, paused: bool, interval: float) -> bool:
        if paused:
            return False
        if self.last_error:
            return True
        limit = max(3 * interval, interval + 5)
        return self.last_ok is not None and time.time() - self.last_ok > limit

    def show(self, paused: bool, interval: float) -> None:
        """Bring the times and the banner up to date (every half second, and after each event)."""
        age = None if self.last_ok is None else max(0, int(time.time() - self.last_ok))
        if age is None:
            self.age_label.setText(QCoreApplication.translate("MainWindow", "waiting for the first update…"))
        else:
            self.age_label.setText(QCoreApplication.translate("MainWindow", "last update {n} s ago").format(n=age))
        if paused:
            self.countdown_label.setText(QCoreApplication.translate("MainWindow", "paused (Space to resume)"))
        elif self.next_poll_at is not None:
            left = max(0, round(self.next_poll_at - time.monotonic()))
            self.countdown_label.setText(QCoreApplication.translate("MainWindow", "next refresh in {n} s").format(n=left))
        if self.is_stale(paused, interval):
            if age is None:
                text = QCoreApplication.translate("MainWindow", "No data yet: the backend does not answer. Retrying.")
            else:
                text = QCoreApplication.translate("MainWindow", "Stale data: last update {n} s ago. Retrying.").format(n=age)
            if self.last_error:
                text += " " + self.last_error
            self.banner.setText(text)
            self.banner.show()
        else:
            self.banner.hide()
