"""Allow an account to send from given countries for a while (a traveller), or end that permission.

The backend's behaviour analysis then treats mail from those countries as the owner's, and the
abroad caps do not stop it, until the expiry (always required: a permission nobody remembers
giving is a hole). The default expiry is two weeks from the server's clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from PySide6.QtCore import Qt

from ..api.models import Permission
from ..clock import iso_utc, local_text, server_now
from .countries import CountryPicker

DEFAULT_DAYS = 14


@dataclass(frozen=True)
class TravelChange:
    countries: list[str] | None  # None: end the permission
    expires_at: str
    reason: str


class TravelDialog(QDialog):
    def __init__(self, account: str, current: Permission | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Travel permission for {0}").format(account))
        self._end = False
        intro = QLabel(self.tr("{0} may send from these countries until the date below; their mail is not "
                               "held as an intrusion from abroad.").format(account))
        intro.setTextFormat(Qt.TextFormat.PlainText)  # the account name is whatever the login was
        intro.setWordWrap(True)
        self.current = QLabel()
        self.current.setTextFormat(Qt.TextFormat.PlainText)
        self.current.setWordWrap(True)
        if current is not None:
            self.current.setText(self.tr("Now allowed: {0} until {1}").format(
                " ".join(current.countries) or "—", local_text(current.expires_at) or "?"))
        self.current.setVisible(current is not None)
        self.picker = CountryPicker(current.countries if current else ())
        self.expires = QDateTimeEdit(server_now().toLocalTime().addDays(DEFAULT_DAYS))
        self.expires.setCalendarPopup(True)
        self.expires.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.expires.setToolTip(self.tr("Local time of this desk"))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("Reason (stored in the audit log)"))
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #c0392b")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.addButton(self.tr("Allow"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.end_button = self.buttons.addButton(self.tr("End the permission"), QDialogButtonBox.ButtonRole.DestructiveRole)
        self.end_button.setVisible(current is not None)
        self.end_button.clicked.connect(self._end_permission)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("Until"), self.expires)
        form.addRow(self.tr("Reason"), self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.current)
        layout.addWidget(self.picker, 1)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(460, 520)
        for signal in (self.picker.changed, self.reason.textChanged, self.expires.dateTimeChanged):
            signal.connect(self.validate)
        self.validate()

    def problem(self) -> str:
        if not self.picker.codes():
            return self.tr("Tick at least one country")
        if self.expires.dateTime().toUTC() <= server_now():
            return self.tr("the expiry must be in the future")
        if not self.reason.text().strip():
            return self.tr("a reason is required")
        return ""

    def validate(self, *_args) -> bool:
        problem = self.problem()
        self.error.setText(problem)
        self.save_button.setEnabled(not problem)
        self.end_button.setEnabled(bool(self.reason.text().strip()))
        return not problem

    def accept(self) -> None:
        if self.validate():
            super().accept()

    def _end_permission(self) -> None:
        if self.reason.text().strip():
            self._end = True
            super().accept()

    def value(self) -> TravelChange:
        reason = self.reason.text().strip()
        if self._end:
            return TravelChange(None, "", reason)
        return TravelChange(self.picker.codes(), iso_utc(self.expires.dateTime()), reason)

    @classmethod
    def ask(cls, parent: QWidget | None, account: str, current: Permission | None = None) -> TravelChange | None:
        dialog = cls(account, current, parent)
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None
