"""The staff actions on the account the panel shows: suspend (with or without a letter), release,
limits, notices, travel permissions, clearing probation, exporting its history.

A part of AccountPanel (it reads the panel's account, detail and actions); its texts keep the
translation context "AccountPanel", where the Japanese catalogue has them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from .api.client import ApiClient, ApiError
from .dialogs import NoticeDialog, QuotaDialog, ReleaseDialog, SuspendDialog, TravelDialog
from .export import rows_from_csv, rows_from_series, write_history_csv
from .letters import released_recently

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from .actions import ActionRunner
    from .api.models import AccountDetail

HISTORY_DAYS = 7
SERIES_MAX_WINDOW_S = 86400


class AccountActions:
    """Mixed into AccountPanel: what its tool bar and shortcuts do."""

    _account: str
    _runner: ActionRunner
    _history: list
    _rechecks: int
    detail: AccountDetail | None
    selection_provider: Callable[[], list[str]] | None
    act_suspend: QAction
    act_release: QAction
    act_quota: QAction
    act_notice: QAction
    act_travel: QAction
    act_clear_probation: QAction

    def _language(self) -> str:
        return self.detail.language if self.detail and self.detail.language else "ja"

    @Slot()
    def suspend(self) -> None:
        self._ask_suspend(notify=False)

    @Slot()
    def suspend_and_notify(self) -> None:
        self._ask_suspend(notify=True)

    def _ask_suspend(self, notify: bool) -> None:
        if not self.act_suspend.isEnabled():
            return
        selected = self.selection_provider() if self.selection_provider else []
        accounts = selected if len(selected) > 1 else [self._account]
        answer = SuspendDialog.ask(self, accounts, self._language(), notify=notify,
                                   runner=self._runner if len(accounts) == 1 else None)
        if answer is None:
            return
        for account in accounts:
            if answer.notify:
                self._runner.suspend_and_notify(account, answer.reason, answer.language, answer.template,
                                                until=answer.until, idempotency_key=answer.idempotency_key)
            else:
                self._runner.suspend(account, answer.reason, until=answer.until)

    @Slot()
    def release(self) -> None:
        if not self.act_release.isEnabled():
            return
        answer = ReleaseDialog.ask(self, self._account, runner=self._runner, language=self._language())
        if answer is None:
            return
        if answer.notify:
            self._runner.release_and_notify(self._account, answer.reason, answer.template, answer.language,
                                            answer.idempotency_key or "")
        else:
            self._runner.release(self._account, answer.reason)

    @Slot()
    def edit_quota(self) -> None:
        if not self.act_quota.isEnabled() or self.detail is None:
            return
        d = self.detail
        change = QuotaDialog.ask(self, self._account, d.defaults, d.override)
        if change is None:
            return
        account = self._account
        # A stop by a quota that the new limits lift: offer to release it right away.
        stopped_by_quota = (d.status == "suspended" and d.suspension is not None and d.suspension.by == "auto"
                            and d.suspension.reason.startswith("quota:"))
        then = (lambda result: self._offer_release(account)) if stopped_by_quota else None
        if change.body is None:
            self._runner.reset_limits(account, change.reason, previous=d.override, on_success=then)
        else:
            self._runner.set_limits(account, change.body, previous=d.override, on_success=then)

    def ask_release_after_quota(self, account: str) -> bool:
        """Yes/No: release the account the new limits now allow (tests patch this)."""
        title = QCoreApplication.translate("AccountPanel", "Release now?")
        text = QCoreApplication.translate("AccountPanel", "The limits are saved, but the account is still stopped by "
                                                          "the old quota. Release it now?")
        box = QMessageBox(QMessageBox.Icon.Question, title, text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _offer_release(self, account: str) -> None:
        if account == self._account and self.ask_release_after_quota(account):
            self.release()

    @Slot()
    def send_notice(self) -> None:
        if not self.act_notice.isEnabled():
            return
        d = self.detail
        state = {}
        if d is not None:  # the letter offered first follows the account's state
            state = {"status": d.status, "suspended_by": d.suspension.by if d.suspension else "",
                     "released": released_recently(self._history)}
        if NoticeDialog.ask(self, self._runner, self._account, self._language(),
                            previous=d.notices if d else None, **state) is not None:
            self._rechecks = 0
            self.refresh()  # the Notices tab: queued now, sent once the outbox delivers it

    @Slot()
    def edit_travel(self) -> None:
        d = self.detail
        if not self.act_travel.isEnabled() or d is None or d.permissions is None:
            return
        change = TravelDialog.ask(self, self._account, d.permissions.travel)
        if change is None:
            return
        previous = d.permissions.travel
        if change.countries is None:
            self._runner.clear_travel(self._account, change.reason, previous=previous)
        else:
            self._runner.set_travel(self._account, change.countries, change.expires_at, change.reason,
                                    previous=previous)

    def ask_reason(self, title: str, label: str) -> str:
        """A reason typed by staff ("" if cancelled); tests patch this."""
        text, ok = QInputDialog.getText(self, title, label)
        return text.strip() if ok else ""

    @Slot()
    def clear_probation(self) -> None:
        if not self.act_clear_probation.isEnabled():
            return
        # The account only in the window title (plain text); QInputDialog's label would read markup.
        reason = self.ask_reason(QCoreApplication.translate("AccountPanel", "Clear probation: {0}").format(self._account),
                                 QCoreApplication.translate(
                                     "AccountPanel", "Why is this account trusted again? (stored in the audit log)"))
        if reason:
            self._runner.clear_probation(self._account, reason)

    def ask_export_path(self) -> str:
        """The file to write; "" if staff cancelled (tests patch this)."""
        stamp = dt.datetime.now().strftime("%Y%m%d")
        safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in self._account)[:64]
        title = QCoreApplication.translate("AccountPanel", "Export history")
        files = QCoreApplication.translate("AccountPanel", "CSV files (*.csv)")
        path, _ = QFileDialog.getSaveFileName(self, title, f"{safe}-history-{stamp}.csv", files)
        return path

    @Slot()
    def export_history(self) -> None:
        account = self._account
        if not account:
            return
        path = self.ask_export_path()
        if not path:
            return

        def build(client: ApiClient) -> int:
            try:
                rows = rows_from_csv(client.history_csv(account, days=HISTORY_DAYS))
            except ApiError as err:
                if err.status not in (404, 405):  # only an older backend lacks history.csv
                    raise
                # The series API holds the live day only (its window is at most 86,400 s).
                series = client.series(account, window=SERIES_MAX_WINDOW_S, step=3600)
                rows = rows_from_series(series)
            return write_history_csv(path, rows)

        self._runner.fetch("export", account, build,
                           on_success=lambda n: self._say(QCoreApplication.translate(
                               "AccountPanel", "Exported {0} rows to {1}").format(
                               n, Path(path).name)))
