"""One account in detail, and the staff actions on it.

Everything shown here that came from the API may have been chosen by whoever hijacked the
account (its login name, the owner name they edited, reasons quoting it): labels are
PlainText and tables use QTableWidgetItem, which never renders markup.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from .actions import ActionRunner
from .alerts_feed import reason_text
from .api.client import ApiClient, ApiError
from .api.models import AccountDetail, parse_time
from .clock import local_text, utc_text
from .dialogs import NoticeDialog, QuotaDialog, ReleaseDialog, SuspendDialog, TravelDialog
from .dialogs.quota import QUOTA_KEYS, key_label
from .export import rows_from_csv, rows_from_series, write_history_csv
from .letters import released_recently
from .messages import ui_is_japanese
from .why import binding, group_decisions, has_own_limits, recipients_per_message, sources

HISTORY_DAYS = 7
# A notice is queued, then delivered by the backend's outbox: while one is on its way the panel
# reads the account again, so the Notices tab shows "sent" (or the error) without a click.
NOTICE_RECHECK_MS = 3000
NOTICE_RECHECKS = 40
PENDING_NOTICE = ("queued", "sending", "pending")
SERIES_MAX_WINDOW_S = 86400
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
_RISK_WORDS = {
    "none": QT_TRANSLATE_NOOP("AccountPanel", "none"),
    "watch": QT_TRANSLATE_NOOP("AccountPanel", "watch"),
    "probation": QT_TRANSLATE_NOOP("AccountPanel", "probation"),
    "hold": QT_TRANSLATE_NOOP("AccountPanel", "hold"),
    "suspend": QT_TRANSLATE_NOOP("AccountPanel", "suspend"),
}
RISK_COLOURS = {"watch": "#b7950b", "probation": "#d35400", "hold": "#c0392b", "suspend": "#922b21"}


def risk_word(level: str) -> str:
    return QCoreApplication.translate("AccountPanel", _RISK_WORDS.get(level, level))


def reason_words(reason) -> str:
    """One behaviour reason in words: the backend's own text (Japanese in a Japanese UI), else its code."""
    return reason.words(ui_is_japanese())


def _time(value: object) -> str:
    """An API time as local time, or "" when absent or unreadable."""
    t = parse_time(value) if not isinstance(value, (int, float)) else float(value)
    return "" if t is None else dt.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M")


def _num(value: object) -> str:
    return QCoreApplication.translate("AccountPanel", "unlimited") if value is None else str(value)


def _plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


def _table(columns: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[object]]) -> None:
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            table.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))


def _brief(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_brief(v)}" for k, v in value.items()) or "-"
    return "-" if value is None else str(value)


def _change_text(before: object, after: object) -> str:
    if before is None and after is None:
        return ""
    return f"{_brief(before)} → {_brief(after)}"


class AccountPanel(QWidget):
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

        self.title = _plain_label()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.owner = _plain_label()
        self.home = _plain_label()  # "Home countries: JP": outside them, the abroad caps apply
        self.home.setVisible(False)  # until an account is shown
        self.status = _plain_label()
        # "Why" at a glance: the numbers against the limits, where it sends from, and the marks
        # (risk, bulk sender, complaints, permissions). All plain text: reasons quote spammer input.
        self.why = _plain_label()
        self.sources = _plain_label()
        self.badges = _plain_label()
        for label in (self.why, self.sources, self.badges):
            label.setVisible(False)
        self.message = _plain_label()

        self.limits_table = _table(4)
        self.countries_table = _table(5)
        self.recent_table = _table(7)
        self.history_table = _table(5)
        self.notices_table = _table(7)
        # Complaints about its messages (a backend with complaint intake; the tab hides otherwise).
        # The original's subject is a stranger's text: QTableWidgetItem shows it as plain text.
        self.complaints_table = _table(4)
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
        if any(n.get("status") in PENDING_NOTICE for n in self.detail.notices) and self._rechecks < NOTICE_RECHECKS:
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
            text = self.tr("Suspended {0} since {1}").format(who, _time(s.since))
            if s.until:
                text += self.tr(", until {0}").format(_time(s.until))
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
        _fill(self.limits_table, self._limit_rows(d))
        usage_countries = d.usage.get("countries") if isinstance(d.usage.get("countries"), list) else []
        _fill(self.countries_table, [[c.get("country"), c.get("messages_hour"), c.get("messages_day"),
                                      c.get("recipients_day"), c.get("refused_day")]
                                     for c in usage_countries if isinstance(c, dict)])
        self._show_decisions(d.recent)
        entries = sorted((e for e in audit if isinstance(e, dict)), key=lambda e: -int(e.get("id") or 0))
        _fill(self.history_table, [[_time(e.get("time")), e.get("actor"), e.get("action"), e.get("reason"),
                                    _change_text(e.get("before"), e.get("after"))] for e in entries])
        _fill(self.notices_table, [[_time(n.get("created_at")), n.get("template"), n.get("language"),
                                    n.get("status"), n.get("staff"), _time(n.get("sent_at")), n.get("error")]
                                   for n in d.notices])
        self._show_complaints()

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
        _fill(self.complaints_table, [[_time(c.get("received_at")), _one_line(c.get("subject")),
                                       c.get("feedback_type"), c.get("reporter")] for c in self.complaints or []])
        for r, c in enumerate(self.complaints or []):
            item = self.complaints_table.item(r, 0)
            item.setToolTip(html.escape(utc_text(parse_time(c.get("received_at")))))

    def _show_why(self, d: AccountDetail) -> None:
        why = []
        reason = d.suspension.reason if d.status == "suspended" and d.suspension else ""
        for u in binding(d):
            if reason.startswith(f"quota:{u.key}") and u.used < u.limit:
                # The stop holds its sending back, so its window refills: say the limit was reached.
                why.append(self.tr("{what}: limit {limit} reached ({used} now)").format(
                    what=key_label(u.key), used=f"{u.used:,}", limit=f"{u.limit:,}"))
                continue
            why.append(self.tr("{what}: {used} of {limit} ({share:.0%})").format(
                what=key_label(u.key), used=f"{u.used:,}", limit=f"{u.limit:,}", share=min(u.share, 99.99)))
        refused = d.usage.get("refused_day") if isinstance(d.usage.get("refused_day"), dict) else {}
        if refused.get("messages"):
            why.append(self.tr("{n} attempts refused today ({r} recipients)").format(
                n=f"{refused.get('messages', 0):,}", r=f"{refused.get('recipients', 0):,}"))
        per = recipients_per_message(d)
        if per is not None:
            why.append(self.tr("{n:.1f} recipients per message").format(n=per))
        self.why.setText(self.tr("Why: {0}").format("; ".join(why)) if why else "")
        self.why.setVisible(bool(why))

        src = sources(d)
        parts = [x for x in (src.address, src.network, f"AS{src.asn}" if src.asn is not None else "") if x]
        text = self.tr("From {0}").format(" · ".join(parts)) if parts else ""
        if len(src.addresses) > 1:
            text += " " + self.tr("({n} addresses in recent decisions)").format(n=len(src.addresses))
        self.sources.setText(text)
        self.sources.setToolTip(html.escape("\n".join(src.addresses)).replace("\n", "<br>"))
        self.sources.setVisible(bool(text))

        badges, colour = [], ""
        if d.risk is not None and d.risk.level != "none":
            reasons = "; ".join(reason_words(r) for r in d.risk.reasons)
            badges.append(self.tr("Risk: {level} ({score:.2f})").format(level=risk_word(d.risk.level), score=d.risk.score)
                          + (f": {reasons}" if reasons else ""))
            colour = RISK_COLOURS.get(d.risk.level, "")
            flags = {r.code for r in d.risk.reasons}
            if any("country" in c for c in flags):
                badges.append(self.tr("⚑ new country"))
            if any("recipient" in c for c in flags):
                badges.append(self.tr("⚑ new recipients"))
        if has_own_limits(d):
            badges.append(self.tr("Own limits (bulk sender)"))
        complaints = self.complaints_count()
        if complaints:
            badges.append(self.tr("{n} complaints").format(n=complaints))
        travel = d.permissions.travel if d.permissions else None
        if travel is not None:
            badges.append(self.tr("Travelling: {countries} until {until}").format(
                countries=" ".join(travel.countries) or "—", until=local_text(travel.expires_at) or "?"))
        trust = d.permissions.trust if d.permissions else None
        if trust is not None:
            badges.append(self.tr("Trusted until {until}").format(until=local_text(trust.expires_at) or "?"))
        self.badges.setText(" · ".join(badges))
        self.badges.setStyleSheet(f"color: {colour}; font-weight: bold" if colour else "")
        self.badges.setVisible(bool(badges))

    def _show_decisions(self, recent: list[dict]) -> None:
        """Identical decisions in a row as one line: "REJECT ×228", since when, until when on hover."""
        rows = []
        for g in group_decisions(recent):
            when = _time(g.last) if g.count == 1 else self.tr("since {0}").format(_time(g.first))
            action = g.action if g.count == 1 else f"{g.action} ×{g.count:,}"
            rows.append([when, g.stage, action, reason_text(g.reason), g.country, g.client_address, g.recipients])
        _fill(self.recent_table, rows)
        for r, g in enumerate(group_decisions(recent)):
            tip = f"{local_text(g.first, True)} – {local_text(g.last, True)}\n{utc_text(g.first)} – {utc_text(g.last)}"
            self.recent_table.item(r, 0).setToolTip(html.escape(tip).replace("\n", "<br>"))

    def _limit_rows(self, d: AccountDetail) -> list[list[object]]:
        override = d.override or {}
        until = _time(override.get("expires_at")) if override.get("expires_at") else ""
        source = self.tr("override by {0}").format(override.get("set_by") or "?")
        if until:
            source += self.tr(" until {0}").format(until)
        rows: list[list[object]] = []

        def add(label: str, effective: dict, default: dict, own: dict | None) -> None:
            for key in QUOTA_KEYS:
                if key in effective or key in default:
                    mine = own is not None and key in own
                    rows.append([f"{label}{key_label(key)}", _num(effective.get(key)),
                                 _num(default.get(key)), source if mine else self.tr("default")])

        add("", d.limits.get("account") or {}, d.defaults.get("account") or {}, override.get("limits"))
        add(self.tr("abroad: "), d.limits.get("abroad") or {}, d.defaults.get("abroad") or {}, override.get("abroad"))
        caps = d.limits.get("countries") or {}
        default_caps = d.defaults.get("countries") or {}
        own_caps = override.get("countries") or {}
        for code in sorted(set(caps) | set(default_caps)):
            add(f"{code}: ", caps.get(code) or {}, default_caps.get(code) or {}, own_caps.get(code))
        home = d.limits.get("home_countries") or []
        rows.append([self.tr("Home countries"), " ".join(home), " ".join(d.defaults.get("home_countries") or []),
                     source if override.get("home_countries") else self.tr("default")])
        return rows

    # ----- actions -----

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
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Release now?"),
                          self.tr("The limits are saved, but the account is still stopped by the old quota. "
                                  "Release it now?"), QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                          self)
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
        reason = self.ask_reason(self.tr("Clear probation: {0}").format(self._account),
                                 self.tr("Why is this account trusted again? (stored in the audit log)"))
        if reason:
            self._runner.clear_probation(self._account, reason)

    def ask_export_path(self) -> str:
        """The file to write; "" if staff cancelled (tests patch this)."""
        stamp = dt.datetime.now().strftime("%Y%m%d")
        safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in self._account)[:64]
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export history"), f"{safe}-history-{stamp}.csv",
                                              self.tr("CSV files (*.csv)"))
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
                           on_success=lambda n: self._say(self.tr("Exported {0} rows to {1}").format(
                               n, Path(path).name)))

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


def _one_line(value: object) -> str:
    """A stranger's text on one line (a subject may hold line breaks or control characters)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in str(value or "")).split())


def _complaints_or_none(client: ApiClient, account: str) -> list[dict] | None:
    try:
        return client.account_complaints(account)
    except ApiError as err:
        if err.status in (404, 405):
            return None  # an older backend: no complaints there
        raise
