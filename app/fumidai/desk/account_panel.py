"""One account in detail, and the staff actions on it (account_actions.py; the texts it shows are
made in account_texts.py).

Everything shown here that came from the API may have been chosen by whoever hijacked the
account (its login name, the owner name they edited, reasons quoting it): labels are
PlainText and tables use QTableWidgetItem, which never renders markup.
"""

from __future__ import annotations

import html
from typing import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFormLayout, QTabWidget, QToolBar, QVBoxLayout, QWidget

from .account_actions import AccountActions
from .account_texts import (
    change_text,
    decision_rows,
    detail_table,
    fill_table,
    limit_rows,
    local_time,
    marks,
    one_line,
    plain_label,
    sources_text,
    why_text,
)
from .actions import ActionRunner
from .alerts_feed import reason_text
from .api.client import ApiClient, ApiError
from .api.models import AccountDetail, parse_time
from .clock import utc_text

# A notice is queued, then delivered by the backend's outbox: while one is on its way the panel
# reads the account again, so the Notices tab shows "sent" (or the error) without a click.
NOTICE_RECHECK_MS = 3000
NOTICE_RECHECKS = 40
UNDELIVERED_NOTICE = ("queued", "sending", "pending")
# Actions after which the account's detail is reloaded.
_CHANGES = {
    "suspend": QT_TRANSLATE_NOOP("AccountPanel", "suspended"),
    "suspend_notify": QT_TRANSLATE_NOOP("AccountPanel", "suspended"),
    "release": QT_TRANSLATE_NOOP("AccountPanel", "released"),
    "release_notify": QT_TRANSLATE_NOOP("AccountPanel", "released"),
    "undo": QT_TRANSLATE_NOOP("AccountPanel", "suspension undone"),
    "set_limits": QT_TRANSLATE_NOOP("AccountPanel", "limits saved"),
    "reset_limits": QT_TRANSLATE_NOOP("AccountPanel", "limits back to the defaults"),
    "send_notice": QT_TRANSLATE_NOOP("AccountPanel", "notice queued"),
    "set_travel": QT_TRANSLATE_NOOP("AccountPanel", "travel permission saved"),
    "clear_travel": QT_TRANSLATE_NOOP("AccountPanel", "travel permission ended"),
    "clear_probation": QT_TRANSLATE_NOOP("AccountPanel", "probation cleared"),
}
class AccountPanel(QWidget, AccountActions):
    accountLoaded = Signal(str)  # the detail (and history) of this account is on screen
    statusMessage = Signal(str)  # for the main window's status bar

    def __init__(self, runner: ActionRunner, parent: QWidget | None = None, role: str = "operator"):
        super().__init__(parent)
        self._runner = runner
        self._role = role
        self._account = ""
        self.detail: AccountDetail | None = None
        # The main window sets this to its table's selected_accounts: Suspend then acts on them all.
        self.selection_provider: Callable[[], list[str]] | None = None

        self.title = plain_label()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.owner = plain_label()
        self.home = plain_label()  # "Home countries: JP": outside them, the abroad caps apply
        self.home.setVisible(False)  # until an account is shown
        self.status = plain_label()
        # "Why" at a glance: the numbers against the limits, where it sends from, and the marks
        # (risk, bulk sender, complaints, permissions). All plain text: reasons quote spammer input.
        self.why = plain_label()
        self.sources = plain_label()
        self.badges = plain_label()
        for label in (self.why, self.sources, self.badges):
            label.setVisible(False)
        self.message = plain_label()

        self.limits_table = detail_table(4)
        self.countries_table = detail_table(5)
        self.recent_table = detail_table(7)
        self.history_table = detail_table(5)
        self.notices_table = detail_table(7)
        # Complaints about its messages (a backend with complaint intake; the tab hides otherwise).
        # The original's subject is a stranger's text: QTableWidgetItem shows it as plain text.
        self.complaints_table = detail_table(4)
        self.complaints: list[dict] | None = None  # None: this backend keeps no complaints
        self.tabs = QTabWidget()
        for table in (self.limits_table, self.countries_table, self.recent_table, self.history_table,
                      self.notices_table, self.complaints_table):
            self.tabs.addTab(table, "")
        self.tabs.setTabVisible(self.tabs.indexOf(self.complaints_table), False)  # until a backend lists them
        self._history: list = []
        self._rechecks = 0
        self._recheck = QTimer(self, singleShot=True, interval=NOTICE_RECHECK_MS)
        self._recheck.timeout.connect(self.refresh)

        # Ctrl+Shift on every action key: letters typed anywhere (a search whose Ctrl+F missed, the
        # table's type-to-find) can never open a dialog on whatever row happens to be selected.
        self.act_suspend = self._action("Ctrl+Shift+S", self.suspend)
        self.act_suspend_notify = self._action("Ctrl+Shift+M", self.suspend_and_notify)
        self.act_release = self._action("Ctrl+Shift+R", self.release)
        self.act_quota = self._action("Ctrl+Shift+Q", self.edit_quota)
        self.act_notice = self._action("Ctrl+Shift+N", self.send_notice)
        self.act_export = self._action("", self.export_history)
        # Only with a backend that knows permissions and risk levels (hidden otherwise); last in the
        # bar, so showing them never moves the buttons before them.
        self.act_travel = self._action("", self.edit_travel)
        self.act_clear_probation = self._action("", self.clear_probation)
        self.act_travel.setVisible(False)
        self.act_clear_probation.setVisible(False)
        self.mutating_actions = [self.act_suspend, self.act_suspend_notify, self.act_release, self.act_quota,
                                 self.act_notice, self.act_travel, self.act_clear_probation]

        # A tool bar folds the buttons that do not fit into a » menu: the dock stays narrow.
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in [*self.mutating_actions[:5], self.act_export, self.act_travel, self.act_clear_probation]:
            self.toolbar.addAction(action)

        head = QFormLayout()
        head.addRow(self.title)
        head.addRow(self.owner)
        head.addRow(self.home)
        head.addRow(self.status)
        head.addRow(self.why)
        head.addRow(self.sources)
        head.addRow(self.badges)
        layout = QVBoxLayout(self)
        # The buttons first: texts of any length below them never move them under the pointer.
        layout.addWidget(self.toolbar)
        layout.addLayout(head)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs)

        runner.succeeded.connect(self._action_succeeded)
        runner.failed.connect(self._action_failed)
        self.retranslate()

    def _action(self, shortcut: str, slot) -> QAction:
        action = QAction(self)
        if shortcut:
            # Window-wide, so it works on the row selected in the table.
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def retranslate(self) -> None:
        """Every label in the current language (called again on a language switch)."""
        for table, headers in (
                (self.limits_table, [self.tr("Limit"), self.tr("Effective"), self.tr("Default"), self.tr("From")]),
                (self.countries_table, [self.tr("Country"), self.tr("Messages/h"), self.tr("Messages/day"),
                                        self.tr("Recipients/day"), self.tr("Refused/day")]),
                (self.recent_table, [self.tr("Time"), self.tr("Stage"), self.tr("Action"), self.tr("Reason"),
                                     self.tr("Country"), self.tr("Client"), self.tr("Recipients")]),
                (self.history_table, [self.tr("Time"), self.tr("Staff"), self.tr("Action"), self.tr("Reason"),
                                      self.tr("Change")]),
                (self.notices_table, [self.tr("Created"), self.tr("Template"), self.tr("Language"),
                                      self.tr("Status"), self.tr("Staff"), self.tr("Sent"), self.tr("Error")]),
                (self.complaints_table, [self.tr("Received"), self.tr("Subject"), self.tr("Feedback"),
                                         self.tr("Reporter")])):
            table.setHorizontalHeaderLabels(headers)
        for index, name in enumerate((self.tr("Limits"), self.tr("Countries"), self.tr("Recent decisions"),
                                      self.tr("History"), self.tr("Notices"), self.complaints_tab_text())):
            self.tabs.setTabText(index, name)
        for action, text, tip in (
                (self.act_suspend, self.tr("&Suspend…"), self.tr("Stop this account's sending (it still receives mail)")),
                (self.act_suspend_notify, self.tr("Suspend && &notify…"),
                 self.tr("Suspend and mail the owner in one step")),
                (self.act_release, self.tr("&Release…"), self.tr("Let the account send again")),
                (self.act_quota, self.tr("Edit &quota…"),
                 self.tr("This account's own limits, country caps and home countries")),
                (self.act_notice, self.tr("Send &notice…"), self.tr("Mail the owner from a template")),
                (self.act_export, self.tr("&Export history…"), self.tr("Hourly sending per country as CSV")),
                (self.act_travel, self.tr("&Travel…"),
                 self.tr("Let the owner send from other countries for a while")),
                (self.act_clear_probation, self.tr("Clear &probation…"),
                 self.tr("End the probation the behaviour analysis put this account on"))):
            action.setText(text)
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{tip} ({keys})" if keys else tip)
        self._update_actions()
        if self.detail is not None:
            self._show(self.detail, self._history)
        elif not self._account:
            self.title.setText(self.tr("No account selected"))
            self.owner.setText(self.tr("Select a row in the table, or double-click an alert."))
        self.home.setToolTip(self.tr("Mail sent from outside these countries counts against the abroad limits"))

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ----- state -----

    @property
    def account(self) -> str:
        return self._account

    def set_role(self, role: str) -> None:
        """viewer: look, never touch (the backend refuses anyway; this says so up front)."""
        self._role = role
        self._runner.role = role
        self._update_actions()

    def _update_actions(self) -> None:
        can_act = self._role != "viewer" and self.detail is not None
        suspended = self.detail is not None and self.detail.status == "suspended"
        self.act_suspend.setEnabled(can_act and not suspended)
        self.act_suspend_notify.setEnabled(can_act and not suspended)
        self.act_release.setEnabled(can_act and suspended)
        self.act_quota.setEnabled(can_act)
        self.act_notice.setEnabled(can_act)
        self.act_export.setEnabled(bool(self._account))
        d = self.detail
        self.act_travel.setVisible(d is not None and d.permissions is not None)
        self.act_travel.setEnabled(can_act)
        probation = d is not None and d.risk is not None and d.risk.level == "probation"
        self.act_clear_probation.setVisible(probation)
        self.act_clear_probation.setEnabled(can_act and probation)
        why = self.tr("your role (viewer) cannot change accounts") if self._role == "viewer" else ""
        for action in self.mutating_actions:
            action.setStatusTip(why)

    @Slot(str)
    def set_account(self, account: str) -> None:
        if account == self._account and self.detail is not None:
            return
        self._account = account
        self.detail = None
        self._rechecks = 0
        self._recheck.stop()
        self.message.setText("")
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        account = self._account
        self._update_actions()
        if not account:
            return
        self._runner.fetch("account", account,
                           lambda c: (c.account(account), c.audit(account=account), _complaints_or_none(c, account)),
                           on_success=lambda result: self._loaded(account, result),
                           on_failure=lambda message: self._load_failed(account, message))

    def _loaded(self, account: str, result: tuple[AccountDetail, dict]) -> None:
        if account != self._account:  # the selection moved on while this was loading
            return
        self.detail, audit = result[0], result[1]
        self.complaints = result[2] if len(result) > 2 else None
        self._history = audit.get("items") if isinstance(audit, dict) else []
        self._show(self.detail, self._history)
        self._update_actions()
        if any(n.get("status") in UNDELIVERED_NOTICE for n in self.detail.notices) and self._rechecks < NOTICE_RECHECKS:
            self._rechecks += 1
            self._recheck.start()
        self.accountLoaded.emit(account)

    def _load_failed(self, account: str, message: str) -> None:
        if account == self._account:
            self.message.setText(message)

    # ----- display -----

    def _show(self, d: AccountDetail, audit: list) -> None:
        self.title.setText(d.account)
        owner = " · ".join(x for x in (d.owner_name, d.contact, d.language) if x)
        self.owner.setText(owner)
        self.home.setText(self.tr("Home countries: {0}").format(" ".join(d.home_countries) or "—"))
        self.home.setVisible(True)
        if d.status == "suspended" and d.suspension:
            s = d.suspension
            who = self.tr("automatically") if s.by == "auto" else self.tr("by {0}").format(s.by)
            text = self.tr("Suspended {0} since {1}").format(who, local_time(s.since))
            if s.until:
                text += self.tr(", until {0}").format(local_time(s.until))
            text += f": {reason_text(s.reason)}" if s.reason else ""  # a code in words; staff text as it is
            self.status.setToolTip(html.escape(" – ".join(x for x in (utc_text(s.since), utc_text(s.until)) if x)))
        elif d.status == "limited":
            text = self.tr("Limited: at a quota now")
        else:
            text = self.tr("Sending normally")
        if d.status != "suspended" or not d.suspension:
            self.status.setToolTip("")
        self.status.setText(text)
        self._show_why(d)
        fill_table(self.limits_table, limit_rows(d))
        usage_countries = d.usage.get("countries") if isinstance(d.usage.get("countries"), list) else []
        fill_table(self.countries_table, [[c.get("country"), c.get("messages_hour"), c.get("messages_day"),
                                      c.get("recipients_day"), c.get("refused_day")]
                                     for c in usage_countries if isinstance(c, dict)])
        self._show_decisions(d.recent)
        entries = sorted((e for e in audit if isinstance(e, dict)), key=lambda e: -int(e.get("id") or 0))
        fill_table(self.history_table, [[local_time(e.get("time")), e.get("actor"), e.get("action"), e.get("reason"),
                                    change_text(e.get("before"), e.get("after"))] for e in entries])
        fill_table(self.notices_table, [[local_time(n.get("created_at")), n.get("template"), n.get("language"),
                                    n.get("status"), n.get("staff"), local_time(n.get("sent_at")), n.get("error")]
                                   for n in d.notices])
        self._show_complaints()

    def _show_why(self, d: AccountDetail) -> None:
        why = why_text(d)
        self.why.setText(why)
        self.why.setVisible(bool(why))
        text, tip = sources_text(d)
        self.sources.setText(text)
        self.sources.setToolTip(tip)
        self.sources.setVisible(bool(text))
        badges, colour = marks(d, self.complaints_count())
        self.badges.setText(" · ".join(badges))
        self.badges.setStyleSheet(f"color: {colour}; font-weight: bold" if colour else "")
        self.badges.setVisible(bool(badges))

    def _show_decisions(self, recent: list[dict]) -> None:
        rows, tips = decision_rows(recent)
        fill_table(self.recent_table, rows)
        for r, tip in enumerate(tips):
            self.recent_table.item(r, 0).setToolTip(tip)

    def complaints_tab_text(self) -> str:
        n = len(self.complaints or [])
        return self.tr("Complaints ({n})").format(n=n) if n else self.tr("Complaints")

    def complaints_count(self) -> int | None:
        """The count the marks show: the backend's own when it sends one, else the complaints listed."""
        if self.detail is not None and self.detail.complaints is not None:
            return self.detail.complaints
        return len(self.complaints) if self.complaints is not None else None

    def _show_complaints(self) -> None:
        index = self.tabs.indexOf(self.complaints_table)
        self.tabs.setTabVisible(index, self.complaints is not None)
        self.tabs.setTabText(index, self.complaints_tab_text())
        fill_table(self.complaints_table, [[local_time(c.get("received_at")), one_line(c.get("subject")),
                                       c.get("feedback_type"), c.get("reporter")] for c in self.complaints or []])
        for r, c in enumerate(self.complaints or []):
            item = self.complaints_table.item(r, 0)
            item.setToolTip(html.escape(utc_text(parse_time(c.get("received_at")))))

    # ----- outcomes -----

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.statusMessage.emit(text)

    @Slot(str, str, object)
    def _action_succeeded(self, action: str, account: str, result: object) -> None:
        if account == self._account and action in _CHANGES:
            text = f"{account}: {self.tr(_CHANGES[action])}"
            notice = getattr(result, "notice", None)
            if action in ("suspend_notify", "release_notify") and isinstance(notice, dict):
                # Suspending worked even if the mail could not be sent: say which half failed.
                if notice.get("status") == "failed":
                    text += self.tr("; the notice failed: {0}").format(notice.get("error") or "?")
                else:
                    text += self.tr("; notice {0}").format(notice.get("status") or "?")
            self._say(text)
            self._rechecks = 0
            self.refresh()

    @Slot(str, str, str)
    def _action_failed(self, action: str, account: str, message: str) -> None:
        if account == self._account:
            self._say(f"{account}: {message}")


def _complaints_or_none(client: ApiClient, account: str) -> list[dict] | None:
    try:
        return client.account_complaints(account)
    except ApiError as err:
        if err.status in (404, 405):
            return None  # an older backend: no complaints there
        raise
