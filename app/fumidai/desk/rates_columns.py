"""The accounts table's columns: their numbers, headers, sort keys, and each cell's text and tooltip.

Pure functions of one ``AccountRow`` (no model state), so AccountRatesModel (rates_model.py) only
keeps rows, order and filter. Strings are translated in the "AccountRatesModel" context.
"""

from __future__ import annotations

import datetime as dt
import html
from operator import attrgetter

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from .api.models import STATE_AUTO, STATE_LIMITED, STATE_OK, STATE_STAFF, AccountRow
from .messages import ui_is_japanese

SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # raw numbers, so sorting is numeric
ROW_ROLE = Qt.ItemDataRole.UserRole + 2  # the AccountRow itself

(COL_ACCOUNT, COL_RATE, COL_HOUR, COL_DAY, COL_QUOTA, COL_USED, COL_RCPT, COL_COUNTRY, COL_NCOUNTRIES,
 COL_STATUS, COL_SINCE, COL_RISK, COL_COMPLAINTS) = range(13)

_HEADERS = (
    QT_TRANSLATE_NOOP("AccountRatesModel", "Account"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "msg/min\n(5 min)"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Last hour"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Last day"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Quota"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Used"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Recipients\n/min"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Top country"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Countries"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Status"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Since"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Risk"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Complaints"),
)
_HEADER_TIPS = (
    QT_TRANSLATE_NOOP("AccountRatesModel", "SASL user name"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Attempts per minute over the last 5 minutes, accepted and refused alike"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Messages accepted in the last hour (refused ones not counted)"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Messages accepted in the last day (refused ones not counted)"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Effective hourly quota (daily if none); a ◆ marks a staff override"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Highest share used of any of the account's quotas"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Recipients per minute"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Country most mail came from"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Distinct source countries today"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "ok, limited, auto-stopped or stopped by staff"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "When the status began"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "The behaviour analysis: watch, probation, hold or suspend, and why"),
    QT_TRANSLATE_NOOP("AccountRatesModel", "Complaints (feedback loops, abuse reports) traced to the account "
                                           "within the server's complaints window"),
)
_RISK_WORDS = {
    "watch": QT_TRANSLATE_NOOP("AccountRatesModel", "watch"),
    "probation": QT_TRANSLATE_NOOP("AccountRatesModel", "probation"),
    "hold": QT_TRANSLATE_NOOP("AccountRatesModel", "hold"),
    "suspend": QT_TRANSLATE_NOOP("AccountRatesModel", "suspend"),
}
_RISK_RGB = {"watch": (200, 170, 0), "probation": (230, 120, 0), "hold": (220, 50, 50), "suspend": (160, 30, 30)}
_RISK_CELL = {k: QBrush(QColor(*rgb, 120)) for k, rgb in _RISK_RGB.items()}
_STATE_ORDER = {STATE_OK: 0, STATE_LIMITED: 1, STATE_AUTO: 2, STATE_STAFF: 3}
# Translucent, so they read on the light and the dark palette alike: a strong status cell
# (with a solid swatch) and a faint tint over the rest of the row.
_STATE_RGB = {STATE_LIMITED: (230, 160, 0), STATE_AUTO: (220, 50, 50), STATE_STAFF: (150, 80, 200)}
_STATE_CELL = {s: QBrush(QColor(*rgb, 150)) for s, rgb in _STATE_RGB.items()}
_STATE_TINT = {s: QBrush(QColor(*rgb, 55)) for s, rgb in _STATE_RGB.items()}
_STATE_SWATCH = {s: QColor(*rgb) for s, rgb in _STATE_RGB.items()}
_FULL = QBrush(QColor(220, 50, 50, 110))
COMPLAINED = QBrush(QColor(220, 50, 50, 90))  # any complaint: someone outside called this account's mail spam
_BOLD = QFont()
_BOLD.setBold(True)

_DISPLAY, _DECORATION, _TOOLTIP, _FONT, _ALIGN, _BACKGROUND = (
    int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.DecorationRole), int(Qt.ItemDataRole.ToolTipRole),
    int(Qt.ItemDataRole.FontRole), int(Qt.ItemDataRole.TextAlignmentRole), int(Qt.ItemDataRole.BackgroundRole))
_SORT, _ROW = int(SORT_ROLE), int(ROW_ROLE)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT_COLUMNS = frozenset((COL_ACCOUNT, COL_STATUS, COL_COUNTRY, COL_RISK))
# Asked of every painted cell and never answered here: returned before any other work.
_UNUSED_ROLES = frozenset((int(Qt.ItemDataRole.ForegroundRole), int(Qt.ItemDataRole.CheckStateRole)))
# Sort keys per column, read straight off the row (a tuple of every key per row cost ~15 ms a poll).
_SORT_KEYS = (
    lambda r: r.account.casefold(), attrgetter("rate"), attrgetter("messages_hour"), attrgetter("messages_day"),
    lambda r: r.quota.get("messages_per_hour") or 1 << 62, attrgetter("quota_used"), attrgetter("recipients_rate"),
    attrgetter("top_country"), attrgetter("countries"), lambda r: _STATE_ORDER.get(r.state, 0),
    lambda r: r.status_since or 0.0,
    lambda r: (r.risk.rank, r.risk.score) if r.risk is not None else (-1, 0.0),
    lambda r: r.complaints if r.complaints is not None else -1,  # an older backend's rows: below 0
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("AccountRatesModel", text)


def state_text(state: str) -> str:
    return {STATE_OK: QCoreApplication.translate("AccountRatesModel", "ok"), STATE_LIMITED: QCoreApplication.translate("AccountRatesModel", "limited"), STATE_AUTO: QCoreApplication.translate("AccountRatesModel", "auto-stopped"),
            STATE_STAFF: QCoreApplication.translate("AccountRatesModel", "stopped by staff")}.get(state, state)


def status_style(state: str) -> tuple[QFont | None, QColor | None]:
    """The Status cell's font and colour swatch in a state (None, None when ok)."""
    return (None, None) if state == STATE_OK else (_BOLD, _STATE_SWATCH.get(state))


def _num(v: int | None) -> str:
    return "∞" if v is None else f"{v:,}"


def quota_text(row: AccountRow) -> str:
    """Every limit, for the tooltip: "1,000/h · 5,000/d"."""
    parts = []
    for key, unit in (("messages_per_hour", QCoreApplication.translate("AccountRatesModel", "/h")), ("messages_per_day", QCoreApplication.translate("AccountRatesModel", "/d"))):
        if key in row.quota:
            parts.append(_num(row.quota[key]) + unit)
    return " · ".join(parts) or "—"


def quota_cell_text(row: AccountRow) -> str:
    """The cell's compact form: the hourly quota (daily if none), "◆" after it when staff overrode it."""
    for key, unit in (("messages_per_hour", QCoreApplication.translate("AccountRatesModel", "/h")), ("messages_per_day", QCoreApplication.translate("AccountRatesModel", "/d"))):
        if key in row.quota:
            text = _num(row.quota[key]) + unit
            break
    else:
        text = "—"
    return f"{text} ◆" if row.override else text


def short_time_text(t: float | None) -> str:
    """"11-28 22:49" in local time: one width for every row, whatever the desk machine's date."""
    return dt.datetime.fromtimestamp(t).strftime("%m-%d %H:%M") if t is not None else ""


def full_time_text(t: float | None) -> str:
    return dt.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S") if t is not None else ""


def cell_text(row: AccountRow, col: int) -> str:
    if col == COL_ACCOUNT:
        return row.account  # plain DisplayRole text: the view never renders it as HTML
    if col == COL_RATE:
        return f"{row.rate:,.1f}"
    if col == COL_HOUR:
        return f"{row.messages_hour:,}"
    if col == COL_DAY:
        return f"{row.messages_day:,}"
    if col == COL_QUOTA:
        return quota_cell_text(row)
    if col == COL_USED:
        return f"{row.quota_used * 100:.0f}%"
    if col == COL_RCPT:
        return f"{row.recipients_rate:,.1f}"
    if col == COL_COUNTRY:
        return row.top_country
    if col == COL_NCOUNTRIES:
        return str(row.countries)
    if col == COL_STATUS:
        if row.state == STATE_STAFF and row.suspended_by:
            return QCoreApplication.translate("AccountRatesModel", "stopped by {staff}").format(staff=row.suspended_by)
        return state_text(row.state)
    if col == COL_SINCE:
        return short_time_text(row.status_since)
    if col == COL_RISK:
        risk = row.risk
        if risk is None or risk.level not in _RISK_WORDS:
            return ""
        first = risk.reasons[0].words(ui_is_japanese()) if risk.reasons else ""
        word = _tr(_RISK_WORDS[risk.level])
        return f"{word} · {first}" if first else word  # the first reason, the rest on hover
    if col == COL_COMPLAINTS:
        return f"{row.complaints:,}" if row.complaints else ""  # 0 left blank: the few that matter stand out
    return ""


def cell_tooltip(row: AccountRow, col: int) -> str | None:
    # Tooltips render rich text: escape every spammer-controlled field.
    if col == COL_ACCOUNT:
        lines = [html.escape(row.account)]
        if row.owner_name:
            lines.append(html.escape(row.owner_name))
        if row.contact:
            lines.append(html.escape(row.contact))
        return "<br>".join(lines)
    if col == COL_QUOTA:
        text = quota_text(row)
        if row.override:
            until = full_time_text(row.override_expires_at) or QCoreApplication.translate("AccountRatesModel", "no expiry")
            text += "\n" + QCoreApplication.translate("AccountRatesModel", "Staff override, until {until}").format(until=until)
        return html.escape(text).replace("\n", "<br>")
    if col == COL_SINCE and row.status_since is not None:
        return full_time_text(row.status_since)
    if col == COL_RISK and row.risk is not None and row.risk.reasons:
        lines = [f"{_tr(_RISK_WORDS.get(row.risk.level, row.risk.level))} ({row.risk.score:.2f})"]
        lines += [r.words(ui_is_japanese()) for r in row.risk.reasons]
        return "<br>".join(html.escape(x) for x in lines)
    if col == COL_COMPLAINTS and row.complaints:
        return html.escape(QCoreApplication.translate(
            "AccountRatesModel", "{n} complaints within the complaints window; the account panel lists them "
            "(double-click)").format(n=row.complaints))
    return None
