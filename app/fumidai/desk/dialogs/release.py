"""Release a suspended account, only after staff confirm the owner has it back.

Friction sits on releasing, not on suspending: a hijacked account released before its
password is changed is hijacked again within minutes (Defender's unblock flow does the same).
With a runner it also offers the "restored" letter, previewed as the backend renders it; a backend
without that template hides the offer.
"""

from __future__ import annotations

from dataclasses import dataclass

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

from ..actions import ActionRunner
from ..letters import RESTORED
from .notice import NoticePreview

RECOMMENDED_STEPS = (
    ("password", QT_TRANSLATE_NOOP("ReleaseDialog", "The owner has reset the password")),
    ("malware", QT_TRANSLATE_NOOP("ReleaseDialog", "The owner's devices were scanned for malware")),
    ("forwarding", QT_TRANSLATE_NOOP("ReleaseDialog",
                                     "Forwarding rules and auto-replies were checked for changes by the intruder")),
)


@dataclass(frozen=True)
class ReleaseRequest:
    reason: str
    notify: bool = False
    template: str = ""
    language: str = ""
    idempotency_key: str | None = None


class ReleaseDialog(QDialog):
    def __init__(self, account: str, parent: QWidget | None = None, runner: ActionRunner | None = None,
                 language: str = "ja"):
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

        self.notify = QCheckBox(self.tr("Send the owner the restored letter"))
        self.notify.setVisible(False)  # until the backend says it has one
        self.letter: NoticePreview | None = None
        if runner is not None:
            self.letter = NoticePreview(runner, account, language, RESTORED[0], status="ok", released=True,
                                        only=RESTORED, parent=self)
            self.letter.setVisible(False)
            self.letter.templatesLoaded.connect(self._templates_loaded)
            self.letter.readyChanged.connect(self._update)
            self.notify.toggled.connect(self._update)
            layout.addWidget(self.notify)
            layout.addWidget(self.letter, 1)

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

    def _templates_loaded(self, names: list) -> None:
        if names:
            self.notify.setVisible(True)
            self.notify.setChecked(True)
            self.resize(max(self.width(), 560), max(self.height(), 560))

    def _update(self, *_args) -> None:
        notify = self.notify.isChecked()
        if self.letter is not None:
            self.letter.setVisible(notify)
        ready = not notify or (self.letter is not None and self.letter.ready)
        self.ok_button.setEnabled(self.confirm.isChecked() and bool(self.reason.text().strip()) and ready)
        self.ok_button.setText(self.tr("Release and send the restored letter") if notify else self.tr("Release"))

    def done(self, result: int) -> None:
        if self.letter is not None:
            self.letter.close_preview()
        super().done(result)

    def accept(self) -> None:
        if self.ok_button.isEnabled():  # Enter in the line edit must not bypass the confirmation
            super().accept()

    def value(self) -> str:
        """The reason sent to the backend, naming the steps done so the audit log shows them."""
        done = [key for key, box in self.steps.items() if box.isChecked()]
        reason = self.reason.text().strip()
        return f"{reason} [checked: {', '.join(done)}]" if done else f"{reason} [no steps checked]"

    def request(self) -> ReleaseRequest:
        if self.letter is None or not self.notify.isChecked():
            return ReleaseRequest(self.value())
        return ReleaseRequest(self.value(), True, self.letter.template.currentText(),
                              self.letter.language.currentText(), self.letter.idempotency_key)

    @classmethod
    def ask(cls, parent: QWidget | None, account: str, runner: ActionRunner | None = None,
            language: str = "ja") -> ReleaseRequest | None:
        dialog = cls(account, parent, runner, language)
        return dialog.request() if dialog.exec() == QDialog.DialogCode.Accepted else None
