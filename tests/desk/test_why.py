"""'Why' at a glance: numbers against the limits, sources, risk and its reasons, bulk senders,
grouped decisions, probation and travel permissions; hidden on a backend without them."""

from __future__ import annotations

import dataclasses

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QLabel  # noqa: E402

from fumidai.desk.account_panel import AccountPanel  # noqa: E402
from fumidai.desk.alerts_feed import AlertsFeed  # noqa: E402
from fumidai.desk.api.models import AccountDetail, AccountRow, AlertItem, Risk  # noqa: E402
from fumidai.desk.dialogs import TravelChange, TravelDialog  # noqa: E402
from fumidai.desk.rates_model import COL_RISK, SORT_ROLE, AccountRatesModel  # noqa: E402
from fumidai.desk.why import group_decisions, has_own_limits, usage_against_limits  # noqa: E402

from .conftest import load_account  # noqa: E402
from .fake_api import iso  # noqa: E402

pytestmark = pytest.mark.desk

EVIL = "<img src=x onerror=alert(1)>"
RISK = {"level": "probation", "score": 0.72,
        "reasons": [{"code": "new_country", "text": f"first mail from CN {EVIL}", "params": {"country": "CN"}},
                    {"code": "new_recipients", "text": "40 new recipients in 1 h", "params": {"count": 40}}]}


def load(qtbot, panel, account):
    load_account(qtbot, panel, account)


def detail(**fields) -> AccountDetail:
    base = {"account": "a", "status": "ok", "limits": {"account": {"recipients_per_hour": 300, "messages_per_hour": 100,
                                                                    "messages_per_day": 500}},
            "usage": {"hour": {"messages": 12, "recipients": 294}, "day": {"messages": 40, "recipients": 600}}}
    return AccountDetail.from_json(base | fields)


# ----- the facts (no Qt) -----

def test_usage_against_limits_closest_first():
    usage = usage_against_limits(detail())
    assert [(u.key, u.used, u.limit) for u in usage][:2] == [("recipients_per_hour", 294, 300),
                                                             ("messages_per_hour", 12, 100)]


def test_identical_decisions_become_one_line():
    t0 = 1.8e9
    recent = [{"time": iso(t0 + i), "stage": "RCPT", "action": "REJECT", "reason": "quota:recipients_per_hour",
               "country": "JP", "client_address": "198.51.100.7", "recipients": 1} for i in range(228)]
    recent.append({"time": iso(t0 + 300), "stage": "DATA", "action": "DUNNO", "reason": "", "country": "JP",
                   "client_address": "198.51.100.7", "recipients": 3})
    groups = group_decisions(recent)
    assert [(g.action, g.count) for g in groups] == [("DUNNO", 1), ("REJECT", 228)]
    assert groups[1].first == t0 and groups[1].last == t0 + 227 and groups[1].recipients == 228


def test_bulk_sender_is_an_account_with_limits_above_the_defaults():
    defaults = {"account": {"messages_per_hour": 100}}
    assert has_own_limits(detail(defaults=defaults, override={"limits": {"messages_per_hour": 2000}}))
    assert not has_own_limits(detail(defaults=defaults, override={"limits": {"messages_per_hour": 10}}))
    assert not has_own_limits(detail(defaults=defaults))


# ----- the account panel -----

def test_why_line_sources_and_badges(qtbot, api, panel):
    api.set_account("user0002", status="suspended", suspended_by="auto", status_since=iso(api.now),
                    _reason="quota:recipients_per_hour", quota={"messages_per_hour": 100, "recipients_per_hour": 300},
                    messages_hour=12, recipients_hour=294, risk=RISK, complaints=2,
                    client_address="198.51.100.7", network="198.51.100.0/24", asn=64500,
                    permissions={"travel": {"countries": ["US"], "expires_at": iso(api.now + 86400), "reason": "trip"},
                                 "trust": None})
    load(qtbot, panel, "user0002")
    assert panel.why.text().startswith("Why: Recipients per hour: limit 300 reached (294 now)"), panel.why.text()
    assert "24.5 recipients per message" in panel.why.text()
    assert panel.sources.text().startswith("From 198.51.100.7 · 198.51.100.0/24 · AS64500")
    badges = panel.badges.text()
    assert "Risk: probation (0.72)" in badges and EVIL in badges  # shown literally
    assert "⚑ new country" in badges and "⚑ new recipients" in badges
    assert "2 complaints" in badges and "Travelling: US until" in badges
    for label in panel.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert panel.act_clear_probation.isVisible() and panel.act_clear_probation.isEnabled()
    assert panel.act_travel.isVisible() and panel.act_travel.isEnabled()


def test_an_older_backend_shows_no_risk_and_no_permission_actions(qtbot, api, panel):
    load(qtbot, panel, "user0001")
    assert panel.badges.isHidden() and panel.badges.text() == ""
    assert not panel.act_travel.isVisible() and not panel.act_clear_probation.isVisible()
    assert panel.sources.text() == "From 203.0.113.5"  # from the recent decisions


def test_bulk_sender_badge(qtbot, api, panel):
    api.set_account("user0001", _override={"limits": {"messages_per_hour": 5000}, "set_by": "amy"},
                    quota={"messages_per_hour": 100}, messages_hour=90)
    load(qtbot, panel, "user0001")
    assert panel.why.text().startswith("Why: Messages per hour: 90 of 100 (90%)"), panel.why.text()
    assert "Own limits (bulk sender)" in panel.badges.text()


def test_recent_decisions_grouped(qtbot, api, panel):
    recent = [{"time": iso(api.now - 300 + i), "stage": "RCPT", "action": "REJECT", "reason": "quota:recipients_per_hour",
               "country": "JP", "client_address": "198.51.100.7", "recipients": 1} for i in range(228)]
    api.set_account("user0001", recent=recent)
    load(qtbot, panel, "user0001")
    assert panel.recent_table.rowCount() == 1
    row = [panel.recent_table.item(0, c).text() for c in range(7)]
    assert row[0].startswith("since ") and row[2] == "REJECT ×228" and row[3] == "Hourly recipient quota"
    assert "UTC" in panel.recent_table.item(0, 0).toolTip()


def test_probation_is_visible_and_clearable(qtbot, api, panel, monkeypatch):
    api.set_account("user0002", risk=RISK)
    load(qtbot, panel, "user0002")
    assert panel.act_clear_probation.isVisible() and panel.act_clear_probation.isEnabled()
    monkeypatch.setattr(AccountPanel, "ask_reason", lambda self, title, label: "owner confirmed the trip")
    with qtbot.waitSignal(panel.accountLoaded, timeout=5000):
        panel.act_clear_probation.trigger()
    assert api.posts[-1][:3] == ("POST", "/accounts/user0002/probation/clear", {"reason": "owner confirmed the trip"})
    assert "probation" not in panel.badges.text()
    assert not panel.act_clear_probation.isVisible()


def test_travel_permission_through_the_dialog(qtbot, api, panel, monkeypatch):
    api.set_account("user0002", permissions={"travel": None, "trust": None})
    load(qtbot, panel, "user0002")
    monkeypatch.setattr(TravelDialog, "ask", classmethod(
        lambda cls, parent, account, current=None: TravelChange(["FR", "US"], "2030-01-01T00:00:00Z", "holiday")))
    with qtbot.waitSignal(panel.accountLoaded, timeout=5000):
        panel.act_travel.trigger()
    assert api.posts[-1][:3] == ("PUT", "/accounts/user0002/permissions/travel",
                                 {"countries": ["FR", "US"], "expires_at": "2030-01-01T00:00:00Z", "reason": "holiday"})
    assert "Travelling: FR US until" in panel.badges.text()
    monkeypatch.setattr(TravelDialog, "ask", classmethod(
        lambda cls, parent, account, current=None: TravelChange(None, "", "back home")))
    with qtbot.waitSignal(panel.accountLoaded, timeout=5000):
        panel.act_travel.trigger()
    assert api.posts[-1][:3] == ("DELETE", "/accounts/user0002/permissions/travel", {"reason": "back home"})


def test_travel_dialog_picks_countries_by_name(qtbot, japanese):
    dialog = TravelDialog("<b>a</b>")
    qtbot.addWidget(dialog)
    assert not dialog.save_button.isEnabled()
    dialog.picker.filter.setText("ウクライナ")
    shown = [dialog.picker.list.item(i) for i in range(dialog.picker.list.count())
             if not dialog.picker.list.item(i).isHidden()]
    assert [i.text() for i in shown] == ["UA  ウクライナ"]
    shown[0].setCheckState(Qt.CheckState.Checked)
    dialog.reason.setText("出張")
    assert dialog.save_button.isEnabled()
    value = dialog.value()
    assert value.countries == ["UA"] and value.expires_at.endswith("Z") and value.reason == "出張"


# ----- the table and the alerts feed -----

def test_risk_column_sorts_and_escapes(qtbot):
    model = AccountRatesModel()
    rows = [AccountRow("a", rate=1.0), AccountRow("b", rate=2.0, risk=Risk.from_json(RISK)),
            AccountRow("c", rate=3.0, risk=Risk.from_json({"level": "watch", "score": 0.3}))]
    model.apply_snapshot(rows)
    assert model.has_risk()
    texts = {model.account_at(model.index(r, 0)): model.index(r, COL_RISK).data() for r in range(3)}
    assert texts == {"a": "", "b": f"probation · first mail from CN {EVIL}", "c": "watch"}
    r = next(r for r in range(3) if model.account_at(model.index(r, 0)) == "b")
    assert EVIL not in model.index(r, COL_RISK).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(r, COL_RISK).data(SORT_ROLE) > (1, 0.0)
    model.apply_snapshot([dataclasses.replace(x, risk=None) for x in rows])
    assert not model.has_risk()


def test_risk_column_only_with_a_backend_that_reports_risk(qtbot):
    from fumidai.desk.rates_panel import RatesPanel

    model = AccountRatesModel()
    panel = RatesPanel(model)
    qtbot.addWidget(panel)
    model.apply_snapshot([AccountRow("a", rate=1.0)])
    assert panel.table.isColumnHidden(COL_RISK)
    model.apply_snapshot([AccountRow("a", rate=1.0, risk=Risk.from_json(RISK))])
    assert not panel.table.isColumnHidden(COL_RISK)


def test_alerts_show_numbers_and_reasons(qtbot):
    feed = AlertsFeed()
    qtbot.addWidget(feed)
    feed.add_alerts([AlertItem(1, 1.8e9, "a", "auto_suspend", "quota:recipients_per_hour", "JP",
                               {"value": 294, "limit": 300, "reasons": RISK["reasons"]})])
    text = feed.model.index(0, 3).data()
    assert text == f"Hourly recipient quota 294/300 · first mail from CN {EVIL} · 40 new recipients in 1 h"
    assert EVIL not in feed.model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole)


def test_a_quota_stop_names_its_quota_first_even_when_its_window_moved_on():
    d = detail(status="suspended", suspension={"by": "auto", "reason": "quota:recipients_per_day"},
               usage={"hour": {"messages": 90, "recipients": 290}, "day": {"messages": 100, "recipients": 300}},
               limits={"account": {"recipients_per_hour": 300, "recipients_per_day": 1500}})
    from fumidai.desk.why import binding

    assert [u.key for u in binding(d)] == ["recipients_per_day", "recipients_per_hour"]


def test_a_stopped_account_says_the_limit_was_reached_and_what_was_refused(qtbot, api, panel):
    api.set_account("user0002", status="suspended", suspended_by="auto", status_since=iso(api.now),
                    _reason="quota:recipients_per_hour", quota={"recipients_per_hour": 300},
                    messages_hour=0, recipients_hour=0, refused_day=57)
    load(qtbot, panel, "user0002")
    assert panel.why.text().startswith("Why: Recipients per hour: limit 300 reached (0 now)"), panel.why.text()
    assert "57 attempts refused today (57 recipients)" in panel.why.text()
