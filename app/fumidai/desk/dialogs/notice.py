"""Pick a notice template and language, read the backend's rendering, send it.

The preview is the backend's own rendering for this account, shown as plain text: it
carries the owner's name and other text an intruder may have set, so it is never HTML.
One idempotency key per template and language choice: a Send retried after a failure
(or a timeout whose request did arrive) sends one mail, not two.

``NoticePreview`` is the template, language and rendered letter; the notice dialog, Suspend &
notify and Release each show one, so staff read the letter before it goes whatever the route.
"""

from __future__ import annotations

import time
import uuid

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from shiboken6 import isValid

from ..actions import ActionRunner
from ..api.models import parse_time
from ..letters import fits_state, suggested_template
from .countries import ui_language

# A second mail within a day mostly confuses the owner (AbuseIO throttles the same way).
RECENT_SECONDS = 24 * 3600


class NoticePreview(QWidget):
    """Template and language pickers and the backend's rendering of that letter for one account.

    The template offered first follows the account's state (``status``, ``suspended_by``,
    ``released``); one that contradicts it (the "restored" letter for a stopped account) is marked.
    """

    readyChanged = Signal(bool)  # a rendering is on screen for the current choice
    templatesLoaded = Signal(list)  # the backend's template names

    def __init__(self, runner: ActionRunner, account: str, language: str = "ja", template: str = "", *,
                 status: str = "", suspended_by: str = "", released: bool = False, only: tuple[str, ...] = (),
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._runner, self._account = runner, account
        self._wanted_language, self._wanted_template = language, template
        self._state = (status, suspended_by, released)
        self._only = only  # e.g. ("restored",) in the release dialog
        self._templates: dict[str, list[str]] = {}
        self._descriptions: dict[str, dict] = {}
        self._open = True
        self.ready = False
        self.idempotency_key = uuid.uuid4().hex

        self.template = QComboBox()
        self.language = QComboBox()
        self.description = QLabel()
        self.description.setTextFormat(Qt.TextFormat.PlainText)
        self.description.setWordWrap(True)
        self.mismatch = QLabel()  # "this letter says sending is restored, but …"
        self.mismatch.setTextFormat(Qt.TextFormat.PlainText)
        self.mismatch.setWordWrap(True)
        self.mismatch.setStyleSheet("color: #c0392b; font-weight: bold")
        self.mismatch.hide()
        self.recipient = QLabel()
        self.recipient.setTextFormat(Qt.TextFormat.PlainText)
        self.preview = QPlainTextEdit(readOnly=True)
        self.preview.setPlaceholderText(self.tr("Loading templates…"))
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Template"), self.template)
        form.addRow(self.tr("Language"), self.language)
        form.addRow(self.description)
        form.addRow(self.mismatch)
        form.addRow(self.tr("To"), self.recipient)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.error)

        self.template.currentIndexChanged.connect(self._template_changed)
        self.language.currentIndexChanged.connect(self._choice_changed)
        runner.fetch("templates", account, lambda client: client.templates(),
                     on_success=self._templates_loaded, on_failure=self._show_error)

    def close_preview(self) -> None:
        self._open = False  # late answers must not touch a closed dialog

    def _alive(self) -> bool:
        return self._open and isValid(self) and isValid(self.preview)  # a dialog deleted unclosed too

    @property
    def template_names(self) -> list[str]:
        return list(self._templates)

    # ----- loading -----

    def _templates_loaded(self, items: list[dict]) -> None:
        if not self._alive():
            return
        self._templates = {str(t.get("name")): [str(x) for x in t.get("languages") or []]
                           for t in items if t.get("name") and (not self._only or t.get("name") in self._only)}
        self._descriptions = {str(t.get("name")): t for t in items if t.get("name")}
        status, by, released = self._state
        wanted = self._wanted_template
        if wanted not in self._templates and status:
            wanted = suggested_template(status, by, self._templates, released)
        self.template.blockSignals(True)
        self.template.addItems(list(self._templates))
        if wanted in self._templates:
            self.template.setCurrentText(wanted)
        self.template.blockSignals(False)
        if not self._templates:
            self.preview.setPlaceholderText(self.tr("The backend has no notice templates."))
        self.templatesLoaded.emit(list(self._templates))
        self._template_changed()

    @Slot()
    def _template_changed(self) -> None:
        languages = self._templates.get(self.template.currentText(), [])
        self.language.blockSignals(True)
        self.language.clear()
        self.language.addItems(languages)
        if self._wanted_language in languages:
            self.language.setCurrentText(self._wanted_language)
        self.language.blockSignals(False)
        self._choice_changed()

    def _set_ready(self, ready: bool) -> None:
        self.ready = ready
        self.readyChanged.emit(ready)

    @Slot()
    def _choice_changed(self) -> None:
        # A different notice is a different mail: it gets its own key.
        self.idempotency_key = uuid.uuid4().hex
        self._set_ready(False)
        self.preview.setPlainText("")
        template, language = self.template.currentText(), self.language.currentText()
        info = self._descriptions.get(template, {})
        by_language = info.get("descriptions") if isinstance(info.get("descriptions"), dict) else {}
        # Staff read it: in the desk's language first, then the letter's.
        self.description.setText(str(by_language.get(ui_language()) or by_language.get(language)
                                     or info.get("description") or ""))
        status = self._state[0]
        wrong = bool(template and status and not fits_state(template, status))
        if wrong:
            self.mismatch.setText(self.tr("This letter does not match the account: it is {0} now.").format(
                self.tr("suspended") if status == "suspended" else self.tr("not suspended")))
        self.mismatch.setVisible(wrong)
        if not template or not language:
            return
        self.preview.setPlaceholderText(self.tr("Rendering…"))
        self._runner.preview_notice(self._account, template, language,
                                    on_success=self._preview_loaded, on_failure=self._show_error)

    def _preview_loaded(self, preview: dict) -> None:
        if not self._alive():
            return
        self.recipient.setText(str(preview.get("to") or ""))
        self.preview.setPlainText(f"Subject: {preview.get('subject', '')}\n\n{preview.get('body', '')}")
        self.error.setText("")
        self._set_ready(True)

    def _show_error(self, message: str) -> None:
        if self._alive():
            self.error.setText(message)


class NoticeDialog(QDialog):
    def __init__(self, runner: ActionRunner, account: str, language: str = "ja",
                 template: str = "", previous: list[dict] | None = None, parent: QWidget | None = None, *,
                 status: str = "", suspended_by: str = "", released: bool = False):
        """``previous``: the account's notices (GET /accounts/{a} "notices"), to warn before repeating.
        ``status``, ``suspended_by``, ``released``: the account's state, which picks the template."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Send a notice"))
        self._runner, self._account = runner, account
        self._open = True
        self.sent: dict | None = None

        self.previous = QLabel()
        self.previous.setTextFormat(Qt.TextFormat.PlainText)
        self.previous.setWordWrap(True)
        self._show_previous(previous or [])
        self.letter = NoticePreview(runner, account, language, template, status=status,
                                    suspended_by=suspended_by, released=released, parent=self)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.send_button = self.buttons.addButton(self.tr("Send"), QDialogButtonBox.ButtonRole.ActionRole)
        self.send_button.setEnabled(False)
        self.send_button.clicked.connect(self.send)
        self.buttons.rejected.connect(self.reject)
        self.letter.readyChanged.connect(self.send_button.setEnabled)

        layout = QVBoxLayout(self)
        layout.addWidget(self.previous)
        layout.addWidget(self.letter, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(560, 460)

    # The pickers and the preview, as before the preview became a widget of its own.
    @property
    def template(self) -> QComboBox:
        return self.letter.template

    @property
    def language(self) -> QComboBox:
        return self.letter.language

    @property
    def preview(self) -> QPlainTextEdit:
        return self.letter.preview

    @property
    def idempotency_key(self) -> str:
        return self.letter.idempotency_key

    def _show_previous(self, notices: list[dict]) -> None:
        dated = [(parse_time(n.get("created_at")) or 0.0, n) for n in notices if isinstance(n, dict)]
        if not dated:
            self.previous.hide()
            return
        when, last = max(dated, key=lambda item: item[0])
        hours = max(0.0, time.time() - when) / 3600
        self.previous.setText(self.tr("Last notice {0:.0f} h ago: {1} ({2}), {3}, by {4}").format(
            hours, last.get("template", "?"), last.get("language", "?"), last.get("status", "?"),
            last.get("staff", "?")))
        if hours * 3600 < RECENT_SECONDS:
            self.previous.setStyleSheet("color: #c0392b; font-weight: bold")

    def done(self, result: int) -> None:
        self._open = False
        self.letter.close_preview()
        super().done(result)

    # ----- sending -----

    @Slot()
    def send(self) -> None:
        self.send_button.setEnabled(False)
        self.status.setText(self.tr("Sending…"))
        self._runner.send_notice(self._account, self.template.currentText(), self.language.currentText(),
                                 self.idempotency_key, on_success=self._sent, on_failure=self._send_failed)

    def _sent(self, record: dict) -> None:
        self.sent = record
        if self._open and isValid(self):
            self.accept()

    def _send_failed(self, message: str) -> None:
        if not self._open or not isValid(self):
            return
        self.status.setText(message)
        self.send_button.setEnabled(True)  # a retry reuses the key: the owner gets one mail

    @classmethod
    def ask(cls, parent: QWidget | None, runner: ActionRunner, account: str, language: str = "ja",
            template: str = "", previous: list[dict] | None = None, **state) -> dict | None:
        """The notice record once sent, or None if staff cancelled. ``state``: status, suspended_by, released."""
        dialog = cls(runner, account, language, template, previous, parent, **state)
        dialog.exec()
        return dialog.sent
