"""Staff actions (suspend, release, limits, notices) run off the GUI thread.

Anki style: each background call is an ``Operation`` whose callbacks, and the runner's
``succeeded`` / ``failed`` signals, run on the GUI thread. The calls run on the runner's
``BackgroundCalls`` (background.py), the desk's one way off the GUI thread.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEvent,
    QObject,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ..errors import FumidaiError
from .api.client import ApiClient, ApiError, AuthFailed, ConnectionFailed, Forbidden, TimedOut, TlsError
from .background import BackgroundCalls

UNDO_SECONDS = 30.0  # long enough to notice the wrong row, read the toast and reach for it
UNDO_REASON = "undo"
STAFF_SUSPEND_TEMPLATE = "suspended_staff"

# What each action is, for "your role (viewer) may not …".
_ACTION_WORDS = {
    "suspend": QT_TRANSLATE_NOOP("ActionRunner", "suspend accounts"),
    "suspend_notify": QT_TRANSLATE_NOOP("ActionRunner", "suspend accounts and notify their owners"),
    "release": QT_TRANSLATE_NOOP("ActionRunner", "release accounts"),
    "release_notify": QT_TRANSLATE_NOOP("ActionRunner", "release accounts"),
    "undo": QT_TRANSLATE_NOOP("ActionRunner", "release accounts"),
    "set_limits": QT_TRANSLATE_NOOP("ActionRunner", "change an account's limits"),
    "reset_limits": QT_TRANSLATE_NOOP("ActionRunner", "change an account's limits"),
    "preview_notice": QT_TRANSLATE_NOOP("ActionRunner", "preview notices"),
    "set_travel": QT_TRANSLATE_NOOP("ActionRunner", "change an account's permissions"),
    "clear_travel": QT_TRANSLATE_NOOP("ActionRunner", "change an account's permissions"),
    "clear_probation": QT_TRANSLATE_NOOP("ActionRunner", "change an account's permissions"),
    "ack_alert": QT_TRANSLATE_NOOP("ActionRunner", "acknowledge alerts"),
    "send_notice": QT_TRANSLATE_NOOP("ActionRunner", "send notices"),
}


def explain(action: str, error: BaseException, role: str = "") -> str:
    """One plain sentence, in the desk's language, that says what went wrong and what to do."""
    detail = str(error).strip()
    if isinstance(error, Forbidden):
        what = QCoreApplication.translate("ActionRunner", _ACTION_WORDS.get(action, action))
        if role:
            return QCoreApplication.translate("ActionRunner", "your role ({0}) may not {1}; ask an admin.").format(role, what)
        return QCoreApplication.translate("ActionRunner", "your role may not {0}; ask an admin.").format(what)
    if isinstance(error, AuthFailed):
        return QCoreApplication.translate("ActionRunner", "the backend did not accept your token; sign in again or check the token file.")
    if isinstance(error, TlsError):
        return QCoreApplication.translate("ActionRunner", "the backend's TLS certificate could not be verified ({0}); check the address and the CA.").format(
            detail)
    if isinstance(error, TimedOut):
        return QCoreApplication.translate("ActionRunner", "the backend did not answer in time ({0}); the action may or may not have happened: reload.").format(
            detail)
    if isinstance(error, ConnectionFailed):
        return QCoreApplication.translate("ActionRunner", "backend unreachable ({0}); check the address and that `fumidai serve` is running.").format(detail)
    if isinstance(error, ApiError):
        status, detail = error.status, error.detail
        if status == 404:
            return QCoreApplication.translate("ActionRunner", "the backend does not know this account ({0}).").format(detail)
        if status == 409:  # not possible in the account's present state, e.g. no contact address
            return QCoreApplication.translate("ActionRunner", "not possible now: {0}").format(detail)
        if status in (400, 422):
            return QCoreApplication.translate("ActionRunner", "the backend refused the values: {0}").format(detail)
        if status >= 500:
            return QCoreApplication.translate("ActionRunner", "the backend failed ({0}: {1}); try again, then check its log.").format(status, detail)
        return detail or type(error).__name__
    if isinstance(error, FumidaiError):  # e.g. an export file that cannot be written
        return detail
    # A bug on our side: still one line, but say it is unexpected.
    return QCoreApplication.translate("ActionRunner", "unexpected error: {0}").format(f"{type(error).__name__}: {detail}")


@dataclass
class Operation:
    """One background call and what to do with its outcome on the GUI thread.

    ``call`` gets the calling thread's own ApiClient (a requests.Session is not thread-safe).
    """

    action: str
    account: str
    call: Callable[[ApiClient], Any]
    on_success: Callable[[Any], None] | None = None
    on_failure: Callable[[str], None] | None = None


class ActionRunner(QObject):
    """Runs client calls on its own thread pool; reports on the GUI thread."""

    succeeded = Signal(str, str, object)  # action, account, result
    failed = Signal(str, str, str)  # action, account, plain-words message
    suspendedByUs = Signal(str)  # account
    undoable = Signal(str, str, object)  # action, account, inverse (a callable taking this runner)
    busyChanged = Signal(bool)

    def __init__(self, client: ApiClient, parent: QObject | None = None, *, role: str = ""):
        super().__init__(parent)
        self.client = client
        self.role = role
        # Enough threads that an action does not wait behind a slow read.
        self._calls = BackgroundCalls(client, self, threads=3, name="fumidai-actions")
        self._calls.busyChanged.connect(self.busyChanged)

    # ----- generic -----

    def run(self, op: Operation) -> None:
        def succeeded(result: Any) -> None:
            if op.on_success:
                op.on_success(result)
            self.succeeded.emit(op.action, op.account, result)

        def failed(error: BaseException) -> None:
            message = explain(op.action, error, self.role)
            if op.on_failure:
                op.on_failure(message)
            self.failed.emit(op.action, op.account, message)

        self._calls.submit(op.call, succeeded, failed)

    def close(self) -> None:
        """Wait for running calls (their outcomes are dropped), then close every thread's session."""
        self._calls.close(10000)

    def running(self) -> int:
        """Calls whose outcome has not come back yet."""
        return self._calls.running

    def wait(self, msecs: int = 10000) -> bool:
        """Block until every started call has returned (for shutdown and tests)."""
        return self._calls.wait(msecs)

    # ----- account actions -----

    def suspend(self, account: str, reason: str, until: str | None = None, **callbacks) -> None:
        """Suspend an account not suspended yet: one suspended already (an automatic stop made
        meanwhile, or the rest of a bulk selection) is left as it is — the backend answers 409,
        reported as a failure ("not possible now: … suspended already") and not offered for undo."""
        then = callbacks.get("on_success")
        if reason != UNDO_REASON:  # the undo of a release is not offered for undoing in turn
            then = self._then_offer_undo(account, then)
        self.run(Operation("suspend", account,
                           lambda c: c.suspend(account, reason, until=until, unless_suspended=True), then,
                           callbacks.get("on_failure")))

    def suspend_and_notify(self, account: str, reason: str, language: str | None = None,
                           template: str = STAFF_SUSPEND_TEMPLATE, until: str | None = None,
                           idempotency_key: str | None = None, **callbacks) -> None:
        """One POST: the backend suspends and queues the notice in the same request (neither for
        an account suspended already: see ``suspend``).

        Without ``language`` (a bulk suspend from the table) the account's own is looked up first.
        """
        def call(client: ApiClient) -> Any:
            lang = language or client.account(account).language or "ja"
            notice = {"template": template, "language": lang}
            if idempotency_key:
                notice["idempotency_key"] = idempotency_key
            return client.suspend(account, reason, until=until, notice=notice, unless_suspended=True)

        self.run(Operation("suspend_notify", account, call,
                           self._then_offer_undo(account, callbacks.get("on_success")),
                           callbacks.get("on_failure")))

    def release(self, account: str, reason: str, suspension_id: int | None = None, **callbacks) -> None:
        """``suspension_id``: release only that suspension (an undo), else whatever suspends the account."""
        action = "undo" if reason == UNDO_REASON else "release"
        then = callbacks.pop("on_success", None)
        if action == "release":  # undone by suspending again
            then = self._then_offer(action, account, lambda r: r.suspend(account, UNDO_REASON), then)
        self.run(Operation(action, account, lambda c: c.release(account, reason, suspension_id=suspension_id), then,
                           **callbacks))

    def release_and_notify(self, account: str, reason: str, template: str, language: str,
                           idempotency_key: str, **callbacks) -> None:
        """Release, then send the letter (the backend's release takes no notice: two calls, in order).

        The result is the released account with ``notice`` set, as for suspend and notify; a letter
        that fails leaves the release in place and says so.
        """
        def call(client: ApiClient) -> Any:
            detail = client.release(account, reason)
            try:
                notice = client.send_notice(account, template, language, idempotency_key)
            except ApiError as err:
                notice = {"status": "failed", "error": err.detail}
            return dataclasses.replace(detail, notice=notice)

        then = self._then_offer("release_notify", account, lambda r: r.suspend(account, UNDO_REASON),
                                callbacks.pop("on_success", None))
        self.run(Operation("release_notify", account, call, then, **callbacks))

    def set_limits(self, account: str, body: dict, previous: dict | None | bool = False, **callbacks) -> None:
        """``body`` as for PUT limits (QuotaDialog builds it). ``previous``: the override before (None
        for none), which makes the change undoable; False: not known, no undo."""
        extra = {k: body[k] for k in ("home_countries", "abroad", "countries", "expires_at") if k in body}
        then = self._then_offer_limits("set_limits", account, previous, callbacks.pop("on_success", None))
        self.run(Operation("set_limits", account,
                           lambda c: c.set_limits(account, body.get("limits") or {}, body["reason"], **extra),
                           then, **callbacks))

    def reset_limits(self, account: str, reason: str, previous: dict | None | bool = False, **callbacks) -> None:
        then = self._then_offer_limits("reset_limits", account, previous, callbacks.pop("on_success", None))
        self.run(Operation("reset_limits", account, lambda c: c.reset_limits(account, reason), then, **callbacks))

    def _then_offer_limits(self, action: str, account: str, previous, then):
        if previous is False:
            return then

        def inverse(runner: ActionRunner) -> None:
            if not previous:
                runner.reset_limits(account, UNDO_REASON)
            else:
                body = {k: previous[k] for k in ("limits", "home_countries", "abroad", "countries", "expires_at")
                        if previous.get(k) is not None}
                body.setdefault("limits", {})
                body["reason"] = UNDO_REASON
                runner.set_limits(account, body)

        return self._then_offer(action, account, inverse, then)

    def set_travel(self, account: str, countries: list[str], expires_at: str, reason: str,
                   previous=False, **callbacks) -> None:
        """``previous``: the travel Permission before (None for none) makes it undoable."""
        then = self._then_offer_travel("set_travel", account, previous, callbacks.pop("on_success", None))
        self.run(Operation("set_travel", account, lambda c: c.set_travel(account, countries, expires_at, reason),
                           then, **callbacks))

    def clear_travel(self, account: str, reason: str, previous=False, **callbacks) -> None:
        then = self._then_offer_travel("clear_travel", account, previous, callbacks.pop("on_success", None))
        self.run(Operation("clear_travel", account, lambda c: c.clear_travel(account, reason), then, **callbacks))

    def _then_offer_travel(self, action: str, account: str, previous, then):
        if previous is False:
            return then

        def inverse(runner: ActionRunner) -> None:
            if previous is None or previous.expires_at is None:
                runner.clear_travel(account, UNDO_REASON)
            else:
                until = dt.datetime.fromtimestamp(previous.expires_at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                runner.set_travel(account, list(previous.countries), until, UNDO_REASON)

        return self._then_offer(action, account, inverse, then)

    def clear_probation(self, account: str, reason: str, **callbacks) -> None:
        self.run(Operation("clear_probation", account, lambda c: c.clear_probation(account, reason), **callbacks))

    def preview_notice(self, account: str, template: str, language: str, **callbacks) -> None:
        self.run(Operation("preview_notice", account, lambda c: c.preview_notice(account, template, language),
                           **callbacks))

    def send_notice(self, account: str, template: str, language: str, idempotency_key: str, **callbacks) -> None:
        self.run(Operation("send_notice", account,
                           lambda c: c.send_notice(account, template, language, idempotency_key), **callbacks))

    def fetch(self, what: str, account: str, call: Callable[[ApiClient], Any], **callbacks) -> None:
        """A read (account detail, templates, trends …) through the same pool."""
        self.run(Operation(what, account, call, **callbacks))

    def _then_offer_undo(self, account: str, then: Callable[[Any], None] | None) -> Callable[[Any], None]:
        def done(result: Any) -> None:
            if then:
                then(result)
            self.suspendedByUs.emit(account)
            # The undo releases exactly the suspension made here, by its id: never one made since
            # (an automatic stop of a hijacked account). A backend that gives no id gets no undo.
            suspension_id = getattr(result, "suspension_id", None)
            if suspension_id:
                self.undoable.emit("suspend", account,
                                   lambda r: r.release(account, UNDO_REASON, suspension_id=suspension_id))

        return done

    def _then_offer(self, action: str, account: str, inverse: Callable[[ActionRunner], None],
                    then: Callable[[Any], None] | None) -> Callable[[Any], None]:
        def done(result: Any) -> None:
            if then:
                then(result)
            self.undoable.emit(action, account, inverse)

        return done


_UNDONE = {
    "suspend": QT_TRANSLATE_NOOP("UndoToast", "Suspended {0}"),
    "release": QT_TRANSLATE_NOOP("UndoToast", "Released {0}"),
    "release_notify": QT_TRANSLATE_NOOP("UndoToast", "Released {0}"),
    "set_limits": QT_TRANSLATE_NOOP("UndoToast", "Limits changed for {0}"),
    "reset_limits": QT_TRANSLATE_NOOP("UndoToast", "Limits back to the defaults for {0}"),
    "set_travel": QT_TRANSLATE_NOOP("UndoToast", "Travel permission for {0}"),
    "clear_travel": QT_TRANSLATE_NOOP("UndoToast", "Travel permission ended for {0}"),
}


class UndoToast(QFrame):
    """ "Suspended alice · Undo (28 s)" for UNDO_SECONDS after an action made from this desk.

    Every action with an inverse offers it: suspend (release), release (suspend again), limits
    (the previous override back), travel permissions. Undo is the inverse action with reason
    "undo", so the backend audits it too; a sent mail cannot be unsent. Actions in quick
    succession (a bulk suspend) are undone together. The countdown shows how long is left.
    The main window puts it in its status bar and its ``undo_action`` (Ctrl+Z) in a menu.
    """

    def __init__(self, runner: ActionRunner, parent: QWidget | None = None, seconds: float = UNDO_SECONDS):
        super().__init__(parent)
        self._runner = runner
        self._seconds = seconds
        self._entries: list[tuple[str, str, Callable[[ActionRunner], None]]] = []
        self._deadline = 0.0
        self._label = QLabel()
        self._label.setTextFormat(Qt.TextFormat.PlainText)  # account names come from spammers' logins
        self.undo_button = QPushButton()
        self.undo_button.clicked.connect(self.undo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self._label)
        layout.addWidget(self.undo_button)
        self._timer = QTimer(self, singleShot=True, interval=int(seconds * 1000))
        self._timer.timeout.connect(self.dismiss)
        self._countdown = QTimer(self, interval=1000)
        self._countdown.timeout.connect(self._show_button)
        self.undo_action = QAction(self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.setEnabled(False)
        self.undo_action.triggered.connect(self.undo)
        runner.undoable.connect(self.offer_inverse)
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self.undo_action.setText(self.tr("Undo the last action"))
        self._show_button()
        if self._entries:
            self._show_label()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    @property
    def accounts(self) -> list[str]:
        return [account for _, account, _ in self._entries]

    @Slot(str)
    def offer(self, account: str) -> None:
        """A suspend made elsewhere (kept for callers that only know the account)."""
        self.offer_inverse("suspend", account, lambda r: r.release(account, UNDO_REASON))

    @Slot(str, str, object)
    def offer_inverse(self, action: str, account: str, inverse) -> None:
        if self._entries and self._entries[-1][0] != action:
            self._entries = []  # a different kind of action: only it can be undone now
        if account not in self.accounts:
            self._entries.append((action, account, inverse))
        self._show_label()
        self.undo_action.setEnabled(True)
        self.show()
        self._deadline = time.monotonic() + self._seconds
        self._timer.start()
        self._countdown.start()
        self._show_button()

    def seconds_left(self) -> int:
        return max(0, round(self._deadline - time.monotonic())) if self._entries else 0

    def _show_button(self) -> None:
        left = self.seconds_left()
        self.undo_button.setText(self.tr("Undo ({0} s)").format(left) if left else self.tr("Undo"))

    def _show_label(self) -> None:
        action = self._entries[-1][0]
        if len(self._entries) == 1:
            self._label.setText(self.tr(_UNDONE.get(action, "{0}")).format(self._entries[0][1]))
        elif action == "suspend":
            self._label.setText(self.tr("Suspended {0} accounts").format(len(self._entries)))
        else:
            self._label.setText(self.tr("{0} actions").format(len(self._entries)))

    @Slot()
    def undo(self) -> None:
        entries = self._entries
        self.dismiss()
        for _action, _account, inverse in entries:
            inverse(self._runner)

    @Slot()
    def dismiss(self) -> None:
        self._timer.stop()
        self._countdown.stop()
        self._entries = []
        self.undo_action.setEnabled(False)
        self.hide()
