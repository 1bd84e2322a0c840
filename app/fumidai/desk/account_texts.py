"""What the account panel says about an account, as texts and table rows: why it is limited, where
it sends from, its marks, its limits, its decisions grouped. The panel puts them on screen.

Texts keep the translation context "AccountPanel", where the Japanese catalogue has them. Every
value may come from whoever hijacked the account: the panel shows them as plain text.
"""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem

from .alerts_feed import reason_text
from .api.models import AccountDetail, parse_time
from .clock import local_text, utc_text
from .dialogs.quota import QUOTA_KEYS, key_label
from .messages import ui_is_japanese
from .why import binding, group_decisions, has_own_limits, recipients_per_message, sources

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


def local_time(value: object) -> str:
    """An API time as local time, or "" when absent or unreadable."""
    t = parse_time(value) if not isinstance(value, (int, float)) else float(value)
    return "" if t is None else dt.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M")


def unlimited_or(value: object) -> str:
    return QCoreApplication.translate("AccountPanel", "unlimited") if value is None else str(value)


def plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


def detail_table(columns: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def fill_table(table: QTableWidget, rows: list[list[object]]) -> None:
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            table.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))


def _brief(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_brief(v)}" for k, v in value.items()) or "-"
    return "-" if value is None else str(value)


def change_text(before: object, after: object) -> str:
    if before is None and after is None:
        return ""
    return f"{_brief(before)} → {_brief(after)}"


def one_line(value: object) -> str:
    """A stranger's text on one line (a subject may hold line breaks or control characters)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in str(value or "")).split())


def why_text(d: AccountDetail) -> str:
    """The numbers against the limits that bind the account, in one line ("" if none)."""
    why = []
    reason = d.suspension.reason if d.status == "suspended" and d.suspension else ""
    for u in binding(d):
        if reason.startswith(f"quota:{u.key}") and u.used < u.limit:
            # The stop holds its sending back, so its window refills: say the limit was reached.
            why.append(QCoreApplication.translate("AccountPanel", "{what}: limit {limit} reached ({used} now)").format(
                what=key_label(u.key), used=f"{u.used:,}", limit=f"{u.limit:,}"))
            continue
        why.append(QCoreApplication.translate("AccountPanel", "{what}: {used} of {limit} ({share:.0%})").format(
            what=key_label(u.key), used=f"{u.used:,}", limit=f"{u.limit:,}", share=min(u.share, 99.99)))
    refused = d.usage.get("refused_day") if isinstance(d.usage.get("refused_day"), dict) else {}
    if refused.get("messages"):
        why.append(QCoreApplication.translate("AccountPanel", "{n} attempts refused today ({r} recipients)").format(
            n=f"{refused.get('messages', 0):,}", r=f"{refused.get('recipients', 0):,}"))
    per = recipients_per_message(d)
    if per is not None:
        why.append(QCoreApplication.translate("AccountPanel", "{n:.1f} recipients per message").format(n=per))
    return QCoreApplication.translate("AccountPanel", "Why: {0}").format("; ".join(why)) if why else ""


def sources_text(d: AccountDetail) -> tuple[str, str]:
    """Where it sends from, and every address of its recent decisions as a tooltip."""
    src = sources(d)
    parts = [x for x in (src.address, src.network, f"AS{src.asn}" if src.asn is not None else "") if x]
    text = QCoreApplication.translate("AccountPanel", "From {0}").format(" · ".join(parts)) if parts else ""
    if len(src.addresses) > 1:
        text += " " + QCoreApplication.translate(
            "AccountPanel", "({n} addresses in recent decisions)").format(n=len(src.addresses))
    return text, html.escape("\n".join(src.addresses)).replace("\n", "<br>")


def marks(d: AccountDetail, complaints: int | None) -> tuple[list[str], str]:
    """The account's marks (risk, bulk sender, complaints, permissions) and the risk's colour."""
    badges, colour = [], ""
    if d.risk is not None and d.risk.level != "none":
        reasons = "; ".join(reason_words(r) for r in d.risk.reasons)
        risk = QCoreApplication.translate("AccountPanel", "Risk: {level} ({score:.2f})").format(
            level=risk_word(d.risk.level), score=d.risk.score)
        badges.append(risk + (f": {reasons}" if reasons else ""))
        colour = RISK_COLOURS.get(d.risk.level, "")
        flags = {r.code for r in d.risk.reasons}
        if any("country" in c for c in flags):
            badges.append(QCoreApplication.translate("AccountPanel", "⚑ new country"))
        if any("recipient" in c for c in flags):
            badges.append(QCoreApplication.translate("AccountPanel", "⚑ new recipients"))
    if has_own_limits(d):
        badges.append(QCoreApplication.translate("AccountPanel", "Own limits (bulk sender)"))
    if complaints:
        badges.append(QCoreApplication.translate("AccountPanel", "{n} complaints").format(n=complaints))
    travel = d.permissions.travel if d.permissions else None
    if travel is not None:
        badges.append(QCoreApplication.translate("AccountPanel", "Travelling: {countries} until {until}").format(
            countries=" ".join(travel.countries) or "—", until=local_text(travel.expires_at) or "?"))
    trust = d.permissions.trust if d.permissions else None
    if trust is not None:
        badges.append(QCoreApplication.translate(
            "AccountPanel", "Trusted until {until}").format(until=local_text(trust.expires_at) or "?"))
    return badges, colour


def limit_rows(d: AccountDetail) -> list[list[object]]:
    """The Limits tab: each limit, effective and default, and where it comes from."""
    override = d.override or {}
    until = local_time(override.get("expires_at")) if override.get("expires_at") else ""
    source = QCoreApplication.translate("AccountPanel", "override by {0}").format(override.get("set_by") or "?")
    if until:
        source += QCoreApplication.translate("AccountPanel", " until {0}").format(until)
    default_word = QCoreApplication.translate("AccountPanel", "default")
    rows: list[list[object]] = []

    def add(label: str, effective: dict, default: dict, own: dict | None) -> None:
        for key in QUOTA_KEYS:
            if key in effective or key in default:
                mine = own is not None and key in own
                rows.append([f"{label}{key_label(key)}", unlimited_or(effective.get(key)),
                             unlimited_or(default.get(key)), source if mine else default_word])

    add("", d.limits.get("account") or {}, d.defaults.get("account") or {}, override.get("limits"))
    abroad = QCoreApplication.translate("AccountPanel", "abroad: ")
    add(abroad, d.limits.get("abroad") or {}, d.defaults.get("abroad") or {}, override.get("abroad"))
    caps = d.limits.get("countries") or {}
    default_caps = d.defaults.get("countries") or {}
    own_caps = override.get("countries") or {}
    for code in sorted(set(caps) | set(default_caps)):
        add(f"{code}: ", caps.get(code) or {}, default_caps.get(code) or {}, own_caps.get(code))
    home = d.limits.get("home_countries") or []
    rows.append([QCoreApplication.translate("AccountPanel", "Home countries"), " ".join(home),
                 " ".join(d.defaults.get("home_countries") or []),
                 source if override.get("home_countries") else default_word])
    return rows


def decision_rows(recent: list[dict]) -> tuple[list[list[object]], list[str]]:
    """Identical decisions in a row as one line: "REJECT ×228", since when; until when as its tooltip."""
    rows = []
    for g in group_decisions(recent):
        when = local_time(g.last) if g.count == 1 else QCoreApplication.translate(
            "AccountPanel", "since {0}").format(local_time(g.first))
        action = g.action if g.count == 1 else f"{g.action} ×{g.count:,}"
        rows.append([when, g.stage, action, reason_text(g.reason), g.country, g.client_address, g.recipients])
    tips = []
    for g in group_decisions(recent):
        tip = f"{local_text(g.first, True)} – {local_text(g.last, True)}\n{utc_text(g.first)} – {utc_text(g.last)}"
        tips.append(html.escape(tip).replace("\n", "<br>"))
    return rows, tips
