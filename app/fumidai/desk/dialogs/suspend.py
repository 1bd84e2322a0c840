"""Ask why an account is being suspended, until when, and whether to notify its owner in the same call.

With notify on, one account shows the backend's rendering of the letter (NoticePreview) before
anything happens; in bulk each owner gets the letter in their own language, so none is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDateTime, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from ..actions import STAFF_SUSPEND_TEMPLATE, ActionRunner
from ..clock import iso_utc, server_now
from .notice import NoticePreview

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
    until: str | None = None  # ISO UTC; None: until released
    idempotency_key: str | None = None  # the previewed letter's, so a retry sends one mail


class SuspendDialog(QDialog):
    """One account, or several selected in the table (then listed, and Cancel is the default)."""

    def __init__(self, accounts: Sequence[str], language: str = "ja", notify: bool = False,
                 templates: list[str] | None = None, parent: QWidget | None = None,
                 runner: ActionRunner | None = None):
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
        self.temporary = QCheckBox(self.tr("Until"))
        self.temporary.setToolTip(self.tr("Without a date the account stays stopped until someone releases it"))
        self.until = QDateTimeEdit(server_now().toLocalTime().addDays(1))
        self.until.setCalendarPopup(True)
        self.until.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.until.setEnabled(False)
        self.temporary.toggled.connect(self.until.setEnabled)
        self.until.setToolTip(self.tr("Local time of this desk"))
        # One account with a runner: the letter itself, as the backend renders it, before sending.
        self.letter: NoticePreview | None = None
        if runner is not None and not bulk:
            self.letter = NoticePreview(runner, self.accounts[0], language, status="suspended",
                                        suspended_by="staff", parent=self)
            self.letter.readyChanged.connect(self._update)

        form = QFormLayout()
        form.addRow(self.tr("Reason"), self.reason)
        form.addRow(self.temporary, self.until)
        form.addRow(self.notify)
        if self.letter is None:
            form.addRow(self.tr("Template"), self.template)
            if not bulk:
                form.addRow(self.tr("Language"), self.language)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.addButton(self.tr("Suspend"), QDialogButtonBox.ButtonRole.AcceptRole)
        if bulk:
            self.ok_button.setAutoDefault(False)
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.listing)
        layout.addLayout(form)
        if self.letter is not None:
            layout.addWidget(self.letter, 1)
            self.resize(560, 520)
        layout.addWidget(self.buttons)

        self.reason.editTextChanged.connect(self._update)
        self.notify.toggled.connect(self._update)
        self.temporary.toggled.connect(self._update)
        self._update()

    def _update(self, *_args) -> None:
        notify = self.notify.isChecked()
        self.template.setEnabled(notify)
        self.language.setEnabled(notify)
        if self.letter is not None:
            self.letter.setVisible(notify)
        ready = self.letter is None or not notify or self.letter.ready  # never a letter unread
        self.ok_button.setEnabled(bool(self.reason.currentText().strip()) and ready)
        self.ok_button.setText(self._ok_text(notify))

    def _ok_text(self, notify: bool) -> str:
        if len(self.accounts) > 1:
            return self.tr("Suspend {0} accounts").format(len(self.accounts))
        return self.tr("Suspend and send this letter") if notify else self.tr("Suspend")

    def done(self, result: int) -> None:
        if self.letter is not None:
            self.letter.close_preview()
        super().done(result)

    def until_value(self) -> str | None:
        return iso_utc(self.until.dateTime()) if self.temporary.isChecked() else None

    def value(self) -> SuspendRequest:
        """``language`` is None in bulk: each account's own."""
        if self.letter is not None:
            template = self.letter.template.currentText() or STAFF_SUSPEND_TEMPLATE
            language = self.letter.language.currentText() or self.language.currentText()
            key = self.letter.idempotency_key
        else:
            template = self.template.currentText().strip() or STAFF_SUSPEND_TEMPLATE
            language = None if len(self.accounts) > 1 else self.language.currentText()
            key = None
        return SuspendRequest(self.reason.currentText().strip(), self.notify.isChecked(), template, language,
                              self.until_value(), key if self.notify.isChecked() else None)

    @classmethod
    def ask(cls, parent: QWidget | None, accounts: Sequence[str], language: str = "ja",
            notify: bool = False, runner: ActionRunner | None = None) -> SuspendRequest | None:
        dialog = cls(accounts, language, notify, parent=parent, runner=runner)
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None
