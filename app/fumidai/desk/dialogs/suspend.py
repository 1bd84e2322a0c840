"""Ask why an account is being suspended, and whether to notify its owner in the same call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from ..actions import STAFF_SUSPEND_TEMPLATE

# Presets only save typing: the reason stays editable and is stored in the audit log
# (in the desk's language, as staff read it back).
REASON_PRESETS = (
    QT_TRANSLATE_NOOP("SuspendDialog", "Sending far above its quota: account probably hijacked"),
    QT_TRANSLATE_NOOP("SuspendDialog", "Spam complaints from recipients"),
    QT_TRANSLATE_NOOP("SuspendDialog", "Logins from countries the owner never uses"),
    QT_TRANSLATE_NOOP("SuspendDialog", "Owner asked us to stop sending"),
)
LANGUAGES = ("ja", "en")


@dataclass(frozen=True)
class SuspendRequest:
    reason: str
    notify: bool
    template: str = STAFF_SUSPEND_TEMPLATE
    language: str | None = "ja"


class SuspendDialog(QDialog):
    """One account, or several selected in the table (then listed, and Cancel is the default)."""

    def __init__(self, accounts: Sequence[str], language: str = "ja", notify: bool = False,
                 templates: list[str] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Suspend sending"))
        self.accounts = list(accounts)
        bulk = len(self.accounts) > 1
        if bulk:
            intro = QLabel(self.tr("Stop these {0} accounts from sending mail. Receiving and reading mail "
                                   "keep working.").format(len(self.accounts)))
        else:
            intro = QLabel(self.tr("Stop {0} from sending mail. Receiving and reading mail keep working.").format(
                self.accounts[0]))
        intro.setTextFormat(Qt.TextFormat.PlainText)  # the account name is whatever the login was
        intro.setWordWrap(True)
        self.listing = QListWidget()  # items are plain text
        self.listing.addItems(self.accounts)
        self.listing.setVisible(bulk)

        self.reason = QComboBox(editable=True)
        self.reason.addItems([self.tr(text) for text in REASON_PRESETS])
        self.reason.setCurrentIndex(0)
        self.notify = QCheckBox(self.tr("Notify the owner"))
        self.notify.setChecked(notify)
        self.template = QComboBox(editable=True)
        self.template.addItems(templates or [STAFF_SUSPEND_TEMPLATE])
        self.language = QComboBox()
        self.language.addItems(LANGUAGES)
        self.language.setCurrentText(language if language in LANGUAGES else "ja")
        # In bulk each owner is written to in their own language.
        self.language.setVisible(not bulk)

        form = QFormLayout()
        form.addRow(self.tr("Reason"), self.reason)
        form.addRow(self.notify)
        form.addRow(self.tr("Template"), self.template)
        if not bulk:
            form.addRow(self.tr("Language"), self.language)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.addButton(self.tr("Suspend"), QDialogButtonBox.ButtonRole.AcceptRole)
        if bulk:
            self.ok_button.setText(self.tr("Suspend {0} accounts").format(len(self.accounts)))
            self.ok_button.setAutoDefault(False)
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.listing)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        self.reason.editTextChanged.connect(self._update)
        self.notify.toggled.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.template.setEnabled(self.notify.isChecked())
        self.language.setEnabled(self.notify.isChecked())
        self.ok_button.setEnabled(bool(self.reason.currentText().strip()))

    def value(self) -> SuspendRequest:
        """``language`` is None in bulk: each account's own."""
        return SuspendRequest(self.reason.currentText().strip(), self.notify.isChecked(),
                              self.template.currentText().strip() or STAFF_SUSPEND_TEMPLATE,
                              None if len(self.accounts) > 1 else self.language.currentText())

    @classmethod
    def ask(cls, parent: QWidget | None, accounts: Sequence[str], language: str = "ja",
            notify: bool = False) -> SuspendRequest | None:
        dialog = cls(accounts, language, notify, parent=parent)
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None
