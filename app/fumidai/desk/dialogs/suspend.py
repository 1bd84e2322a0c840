"""Ask why an account is being suspended, and whether to notify its owner in the same call."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
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
    language: str = "ja"


class SuspendDialog(QDialog):
    def __init__(self, account: str, language: str = "ja", notify: bool = False,
                 templates: list[str] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Suspend sending"))
        intro = QLabel(self.tr("Stop {0} from sending mail. Receiving and reading mail keep working.").format(account))
        intro.setTextFormat(Qt.TextFormat.PlainText)  # the account name is whatever the login was
        intro.setWordWrap(True)

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

        form = QFormLayout()
        form.addRow(self.tr("Reason"), self.reason)
        form.addRow(self.notify)
        form.addRow(self.tr("Template"), self.template)
        form.addRow(self.tr("Language"), self.language)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.addButton(self.tr("Suspend"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
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
        return SuspendRequest(self.reason.currentText().strip(), self.notify.isChecked(),
                              self.template.currentText().strip() or STAFF_SUSPEND_TEMPLATE,
                              self.language.currentText())

    @classmethod
    def ask(cls, parent: QWidget | None, account: str, language: str = "ja",
            notify: bool = False) -> SuspendRequest | None:
        dialog = cls(account, language, notify, parent=parent)
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None
