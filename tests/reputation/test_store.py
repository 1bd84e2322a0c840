"""store/complaints.py on SQLite and PostgreSQL: dedupe, cursors, counts, kept-aside reports, blocklists."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select

from fumidai.reputation.blocklists import Observation, Status, state_from_row, transition
from fumidai.reputation.reports import KeptAside, read_report
from fumidai.store import complaints as repo
from fumidai.store.models import Alert, BlocklistEvent, BlocklistState

from .conftest import NOW, sample


def _complaint(codec, name="jmrp.eml"):
    return read_report(sample(name), codec, now=NOW)


def test_a_complaint_is_recorded_once(store, codec):
    c = _complaint(codec)
    with store.session() as s:
        row, new = repo.record_complaint(s, c)
    assert new and row.id >= 1
    with store.session() as s:
        again, new = repo.record_complaint(s, c)  # the same report imported twice
    assert not new and again.id == row.id
    # Another report (another loop, another reporter) about the same original from the same account.
    other_report = replace(c, report_message_id="<other-loop@example.net>", reporter="fbl@example.net")
    with store.session() as s:
        dup, new = repo.record_complaint(s, other_report)
    assert not new and dup.id == row.id
    # Message-IDs compare without regard to case or surrounding space.
    with store.session() as s:
        assert not repo.record_complaint(s, replace(c, report_message_id=" " + c.report_message_id.upper()))[1]
    # The same original Message-ID under another account is another complaint.
    with store.session() as s:
        _, new = repo.record_complaint(s, replace(other_report, account="hanako@example.jp"))
    assert new
    with store.session() as s:
        rows = repo.complaints_after(s)
        assert [(r.account, r.subject) for r in rows] == [
            ("taro@example.jp", "Your mailbox is almost full - verify now"),
            ("hanako@example.jp", "Your mailbox is almost full - verify now")]
        first = rows[0]
        assert first.original_message_id == "<20261208095230.1A2B3C@submit1.isp.example>"
        assert first.received_at == datetime.fromtimestamp(NOW, UTC)
        assert first.source_ip == "203.0.113.10" and first.feedback_type == "abuse" and first.kind == "arf"
        assert repo.complaints_after(s, after_id=first.id)[0].account == "hanako@example.jp"


def test_complaints_without_original_message_id_dedupe_by_report_only(store, codec):
    c = replace(_complaint(codec, "spamcop.eml"), original_message_id=None)
    with store.session() as s:
        assert repo.record_complaint(s, c)[1]
        assert repo.record_complaint(s, replace(c, report_message_id="<second@x>"))[1]
        assert not repo.record_complaint(s, c)[1]


def test_hostile_fields_are_stored_as_given(store, codec):
    c = replace(_complaint(codec), report_message_id="<" + "ü" * 990 + ">", subject="<script>alert('x')</script> 日本",
                original_message_id="<" + "x" * 996 + ">")
    with store.session() as s:
        row, new = repo.record_complaint(s, c)
    with store.session() as s:
        got = repo.complaints_for_account(s, "taro@example.jp")[0]
    assert new and got.subject == "<script>alert('x')</script> 日本" and got.report_message_id == c.report_message_id


def test_counts_times_and_account_listing(store, codec):
    taro = [replace(_complaint(codec), report_message_id=f"<r{i}@x>", original_message_id=f"<o{i}@x>",
                    received_at=NOW + i, reported_at=NOW - 3600 if i == 0 else None) for i in range(3)]
    with store.session() as s:
        ids = [repo.record_complaint(s, c)[0].id for c in taro]
        repo.record_complaint(s, _complaint(codec, "yahoo.eml"))
    since = datetime.fromtimestamp(NOW - 10, UTC)
    with store.session() as s:
        assert repo.complaint_counts(s, since) == {"taro@example.jp": 3, "hanako@example.jp": 1}
        assert repo.complaint_counts(s, since, ["hanako@example.jp", "nobody"]) == {"hanako@example.jp": 1}
        # The first was reported an hour before it was imported: it weighs at the report's date.
        assert repo.complaint_times(s, "taro@example.jp", since) == [(ids[0], NOW - 3600), (ids[1], NOW + 1),
                                                                     (ids[2], NOW + 2)]
        assert [r.id for r in repo.complaints_for_account(s, "taro@example.jp", limit=2)] == [ids[2], ids[1]]
        assert repo.newest_complaint_id(s) == ids[2] + 1
        alert_id = repo.add_complaint_alert(s, "taro@example.jp", "2 of 3 complaints within 86400 s", ids[:2], 3, 86400.0)
    with store.session() as s:
        alert = s.get(Alert, alert_id)
        assert (alert.kind, alert.account, alert.detail["complaint_ids"]) == ("complaint", "taro@example.jp", ids[:2])


def test_kept_aside_reports_are_kept_once(store):
    k = KeptAside("pipe", "empty", 3, "ab" * 32, b"\x00\xff\n")
    with store.session() as s:
        row, new = repo.keep_aside(s, k)
        assert new and repo.keep_aside(s, k)[1] is False
    with store.session() as s:
        assert repo.count_kept_aside(s) == 1
        assert repo.kept_aside_after(s)[0].head == b"\x00\xff\n"


def test_a_blocklist_round_is_stored_with_its_history_and_alerts(store):
    listed = Observation("203.0.113.10", "zen.test", Status.LISTED, ("127.0.0.2",), "SBL", "see https://x")
    state, events = transition(None, listed, NOW, "https://check.test/")
    with store.session() as s:
        ids = repo.save_blocklist_round(s, [state], events)
    assert len(ids) == 1
    clean = Observation("203.0.113.10", "zen.test", Status.NOT_LISTED)
    state2, events2 = transition(state, clean, NOW + 300)
    with store.session() as s:
        repo.save_blocklist_round(s, [state2], events2)
    with store.session() as s:
        (row,) = repo.blocklist_states(s)
        assert (row.status, row.since, row.answers) == ("not_listed", datetime.fromtimestamp(NOW + 300, UTC), None)
        history = repo.blocklist_events_after(s)
        assert [(e.kind, e.status_before, e.status_after) for e in history] == [
            ("listed", None, "listed"), ("delisted", "listed", "not_listed")]
        assert history[0].txt == "see https://x" and history[0].meaning == "SBL"
        alerts = s.scalars(select(Alert).order_by(Alert.id)).all()
        assert [(a.kind, a.account) for a in alerts] == [("blocklist_listed", "203.0.113.10"),
                                                          ("blocklist_delisted", "203.0.113.10")]
        assert alerts[0].reason == "203.0.113.10 listed on zen.test: SBL see https://x"
        assert alerts[0].detail["delist_url"] == "https://check.test/"
        assert s.scalars(select(BlocklistEvent)).all() and s.scalars(select(BlocklistState)).all()


def test_stored_states_come_back_for_a_restart_without_announcing_old_news(store):
    listed = Observation("203.0.113.10", "zen.test", Status.LISTED, ("127.0.0.2",), "SBL", "txt")
    failing = Observation("203.0.113.10", "b.test", Status.ERROR, error="no answer within 5 s")
    states = [transition(None, listed, NOW)[0], transition(None, failing, NOW)[0]]
    with store.session() as s:
        repo.save_blocklist_round(s, states, [])
    with store.session() as s:
        back = {r.zone: state_from_row(r) for r in repo.blocklist_states(s)}
    assert back["zen.test"] == states[0]
    assert (back["b.test"].status, back["b.test"].error, back["b.test"].since) == ("error", "no answer within 5 s", NOW)
    # The same answer after the restart is not news.
    assert transition(back["zen.test"], listed, NOW + 300)[1] == []
