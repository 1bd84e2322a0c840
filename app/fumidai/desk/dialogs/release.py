"""Release a suspended account, only after staff confirm the owner has it back.

Friction sits on releasing, not on suspending: a hijacked account released before its
password is changed is hijacked again within minutes (Defender's unblock flow does the same).
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

RECOMMENDED_STEPS = (
    ("password", QT_TRANSLATE_NOOP("ReleaseDialog", "The owner has reset the password")),
    ("malware", QT_TRANSLATE_NOOP("ReleaseDialog", "The owner's devices were scanned for malware")),
    ("forwarding", QT_TRANSLATE_NOOP("ReleaseDialog",
                                     "Forwarding rules and auto-replies were checked for changes by the intruder")),
)


class ReleaseDialog(QDialog):
    def __init__(self, account: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Release sending"))
        layout = QVBoxLayout(self)

        steps_box = QGroupBox(self.tr("Before you release: recommended steps"))
        steps_layout = QVBoxLayout(steps_box)
        self.steps: dict[str, QCheckBox] = {}
        for key, text in RECOMMENDED_STEPS:
            box = QCheckBox(self.tr(text))
            steps_layout.addWidget(box)
            self.steps[key] = box
        layout.addWidget(steps_box)

        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("Reason (stored in the audit log)"))
        layout.addWidget(self.reason)

        self.confirm = QCheckBox()
        confirm_label = QLabel(self.tr("I confirm that {0} is back under its owner's control.").format(account))
        confirm_label.setTextFormat(Qt.TextFormat.PlainText)
        confirm_label.setWordWrap(True)
        confirm_label.setBuddy(self.confirm)
        self.confirm.setText(self.tr("Confirmed"))
        layout.addWidget(confirm_label)
        layout.addWidget(self.confirm)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.addButton(self.tr("Release"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setAutoDefault(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.confirm.toggled.connect(self._update)
        self.reason.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.ok_button.setEnabled(self.confirm.isChecked() and bool(self.reason.text().strip()))

    def accept(self) -> None:
        if self.ok_button.isEnabled():  # Enter in the line edit must not bypass the confirmation
            super().accept()

    def value(self) -> str:
        """The reason sent to the backend, naming the steps done so the audit log shows them."""
        done = [key for key, box in self.steps.items() if box.isChecked()]
        reason = self.reason.text().strip()
        return f"{reason} [checked: {', '.join(done)}]" if done else f"{reason} [no steps checked]"

    @classmethod
    def ask(cls, parent: QWidget | None, account: str) -> str | None:
        dialog = cls(account, parent)
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None
