"""Repository functions, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from fumidai.errors import FumidaiError
from fumidai.store import repo
from fumidai.store.models import Notice

# A fixed "now" keeps expiry and day arithmetic exact.
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
MINUTE = int(NOW.timestamp() // 60)


def test_add_buckets_adds_to_existing_counts(store):
    rows = [
        ("alice", MINUTE, "JP", 1, 2, 0, 0),
        ("alice", MINUTE, "JP", 1, 3, 0, 0),  # same key in one batch: summed first
        ("alice", MINUTE, "CN", 0, 0, 1, 5),
        ("bob", MINUTE + 1, "JP", 4, 4, 0, 0),
    ]
    with store.session() as s:
        assert repo.add_buckets(s, rows) == 3
    with store.session() as s:
        assert repo.add_buckets(s, rows) == 3
        assert repo.add_buckets(s, []) == 0
    with store.session() as s:
        got = sorted(repo.recent_buckets(s, MINUTE))
        assert got == [
            ("alice", MINUTE, "CN", 0, 0, 2, 10),
            ("alice", MINUTE, "JP", 4, 10, 0, 0),
            ("bob", MINUTE + 1, "JP", 8, 8, 0, 0),
        ]
        assert list(repo.recent_buckets(s, MINUTE + 1)) == [("bob", MINUTE + 1, "JP", 8, 8, 0, 0)]
        assert repo.delete_buckets_before(s, MINUTE + 1) == 2
        assert [r.account for r in repo.recent_buckets(s, 0)] == ["bob"]


def test_add_buckets_many_accounts_and_odd_names(store):
    # COPY on PostgreSQL must carry any text a SASL name can hold.
    names = [f"user{i:03d}@example.jp" for i in range(300)] + ["tab\there", "back\\slash", "日本語", "quote'\"", "\\N"]
    rows = [(name, MINUTE, "JP", 1, i, 0, 0) for i, name in enumerate(names)]
    with store.session() as s:
        assert repo.add_buckets(s, rows) == len(names)
        assert repo.add_buckets(s, rows) == len(names)
        repo.touch_accounts(s, {name: NOW for name in names})
    with store.session() as s:
        got = {r.account: r.accepted_recipients for r in repo.recent_buckets(s, 0)}
        assert got == {name: 2 * i for i, name in enumerate(names)}
        assert repo.count_accounts(s) == len(names) and repo.get_account(s, "\\N").last_seen_at == NOW


def test_touch_accounts_creates_and_only_moves_forward(store):
    early, late = NOW - timedelta(minutes=5), NOW
    with store.session() as s:
        repo.touch_accounts(s, {"alice": late, "bob": early})
    with store.session() as s:
        repo.touch_accounts(s, {"alice": early, "bob": late})  # a late flush from another node
    with store.session() as s:
        alice, bob = repo.get_account(s, "alice"), repo.get_account(s, "bob")
        assert (alice.first_seen_at, alice.last_seen_at) == (late, late)
        assert (bob.first_seen_at, bob.last_seen_at) == (early, late)
        assert repo.get_account(s, "carol") is None
        with pytest.raises(ValueError, match="naive"):
            repo.touch_accounts(s, {"alice": datetime(2026, 1, 1)})


def test_suspensions_active_expired_and_released(store):
    with store.session() as s:
        a1 = repo.suspend(s, "alice", "bob", "spam run", now=NOW - timedelta(hours=2))
        repo.suspend(s, "carol", "bob", "short", until=NOW - timedelta(minutes=1), now=NOW - timedelta(hours=1))
        repo.record_auto_suspension(s, "dave", "quota:messages_per_hour", now=NOW - timedelta(minutes=3))
        repo.suspend(s, "erin", "bob", "till tomorrow", until=NOW + timedelta(days=1), now=NOW)
    with store.session() as s:
        active = repo.active_suspensions(s, NOW)
        assert sorted(active) == ["alice", "dave", "erin"]
        assert active["dave"].by == "auto" and active["dave"].reason == "quota:messages_per_hour"
        assert active["erin"].until == NOW + timedelta(days=1)
        with pytest.raises(repo.Conflict, match="not suspended"):
            repo.release(s, "carol", "bob", "expired already", now=NOW)
        # A second stop of a stopped account: both are released together.
        repo.suspend(s, "alice", "mallory-desk", "again", now=NOW - timedelta(hours=1))
        assert repo.active_suspensions(s, NOW)["alice"].by == "mallory-desk"
        audit_id = repo.release(s, "alice", "bob", "owner called", now=NOW)
        assert audit_id > a1
    with store.session() as s:
        assert sorted(repo.active_suspensions(s, NOW)) == ["dave", "erin"]
        entries = repo.audit_after(s, "alice")
        assert [e.action for e in entries] == ["suspend", "suspend", "release"]
        release = entries[-1]
        assert release.id == audit_id and release.actor == "bob" and release.reason == "owner called"
        assert release.before["suspended"] is True and release.before["suspension"]["by"] == "mallory-desk"
        assert release.after == {"suspended": False, "suspension": None,
                                 "windows_afresh_from": release.after["windows_afresh_from"]}
        assert release.after["windows_afresh_from"]  # the release starts the windows afresh
        assert entries[0].before == {"suspended": False, "suspension": None}
        assert entries[0].after["suspension"]["since"] == "2026-11-27T10:00:00Z"
        assert [e.actor for e in repo.audit_after(s, "dave")] == ["auto"]
        with pytest.raises(repo.Conflict, match="not in the future"):
            repo.suspend(s, "frank", "bob", "", until=NOW, now=NOW)


def test_audit_is_rolled_back_with_its_action(store):
    with pytest.raises(RuntimeError):
        with store.session() as s:
            repo.suspend(s, "alice", "bob", "x", now=NOW)
            raise RuntimeError("the API failed after writing")
    with store.session() as s:
        assert repo.active_suspensions(s, NOW) == {}
        assert repo.audit_after(s) == []


def test_override_replace_and_clear_with_audit(store):
    with store.session() as s:
        repo.set_override(s, "alice", "bob", "newsletter", limits={"messages_per_day": 2000}, now=NOW)
    with store.session() as s:
        audit_id = repo.set_override(
            s,
            "alice",
            "carol",
            "travelling",
            limits={"messages_per_hour": 50},
            home_countries=["JP", "US"],
            countries={"CN": {"messages_per_day": 0, "on_limit": "reject"}},
            expires_at=NOW + timedelta(days=7),
            now=NOW,
        )
        repo.set_override(s, "old", "bob", "", limits={}, expires_at=NOW + timedelta(minutes=1), now=NOW - timedelta(hours=1))
    with store.session() as s:
        active = repo.active_overrides(s, NOW + timedelta(minutes=2))
        assert list(active) == ["alice"]  # "old" has expired
        row = active["alice"]
        assert row.limits == {"messages_per_hour": 50} and row.home_countries == ["JP", "US"]
        assert row.abroad is None and row.countries == {"CN": {"messages_per_day": 0, "on_limit": "reject"}}
        assert row.expires_at == NOW + timedelta(days=7) and row.set_by == "carol"
        entry = repo.audit_after(s, "alice")[-1]
        assert entry.id == audit_id and entry.action == "set_limits"
        assert entry.before["limits"] == {"messages_per_day": 2000} and entry.before["set_by"] == "bob"
        assert entry.after["limits"] == {"messages_per_hour": 50} and entry.after["expires_at"] == "2026-12-04T12:00:00Z"
    with store.session() as s:
        clear_id = repo.clear_override(s, "alice", "bob", "back home", now=NOW)
        with pytest.raises(repo.NotFound):
            repo.clear_override(s, "alice", "bob", "twice", now=NOW)
    with store.session() as s:
        assert "alice" not in repo.active_overrides(s, NOW)
        entry = repo.audit_after(s, "alice", after_id=audit_id)[0]
        assert entry.id == clear_id and entry.after is None and entry.before["home_countries"] == ["JP", "US"]


def test_staff_tokens_verify_and_revoke(store):
    with store.session() as s:
        token = repo.add_staff(s, "bob", "operator")
        other = repo.add_staff(s, "carol", "viewer")
        with pytest.raises(repo.Conflict, match="already exists"):
            repo.add_staff(s, "bob", "admin")
        for name, role in (("", "viewer"), ("two words", "viewer"), ("auto", "admin"), ("dan", "root")):
            with pytest.raises(FumidaiError):
                repo.add_staff(s, name, role)
    assert len(token) >= 40 and token != other
    with store.session() as s:
        staff = repo.staff_for_token(s, token)
        assert (staff.name, staff.role) == ("bob", "operator")
        assert staff.token_hash != token and len(staff.token_hash) == 64
        assert repo.staff_for_token(s, token + "x") is None
        assert repo.staff_for_token(s, "") is None
        repo.revoke_staff(s, "bob")
        with pytest.raises(repo.NotFound):
            repo.revoke_staff(s, "bob")
    with store.session() as s:
        assert repo.staff_for_token(s, token) is None
        assert repo.staff_for_token(s, other).name == "carol"
        new = repo.add_staff(s, "bob", "admin")  # the name is free again
        assert repo.staff_for_token(s, new).role == "admin"
        everyone = repo.list_staff(s, include_revoked=True)
        assert sorted((m.name, m.revoked_at is None) for m in everyone) == [("bob", False), ("bob", True), ("carol", True)]
        assert [m.name for m in repo.list_staff(s)] == ["bob", "carol"]
        assert [e.action for e in repo.audit_after(s)] == ["staff_add", "staff_add", "staff_revoke", "staff_add"]


def test_alerts_cursor_order(store):
    with store.session() as s:
        assert repo.newest_alert_id(s) == 0
        ids = repo.add_alerts(
            s,
            [
                {"at": NOW, "account": f"user{i}", "kind": "cap", "reason": "country:CN", "country": "CN", "detail": {"n": i}}
                for i in range(5)
            ],
        )
        assert ids == sorted(ids) and len(set(ids)) == 5
        assert repo.add_alerts(s, []) == []
    with store.session() as s:
        more = repo.add_alerts(s, [{"account": "mallory", "kind": "auto_suspend", "reason": "quota:messages_per_hour"}])
        assert repo.newest_alert_id(s) == more[0] > ids[-1]
        first = repo.alerts_after(s, 0, limit=3)
        assert [a.account for a in first] == ["user0", "user1", "user2"]
        rest = repo.alerts_after(s, first[-1].id)
        assert [a.account for a in rest] == ["user3", "user4", "mallory"]
        assert rest[0].detail == {"n": 3} and rest[0].at == NOW and rest[-1].detail is None
        assert repo.alerts_after(s, more[0]) == []


def test_accounts_import_and_search(store):
    with store.session() as s:
        n = repo.upsert_accounts(
            s,
            [
                {"account": "alice@example.jp", "contact": "Alice.Owner@mail.example", "name": "有馬 アリス", "language": "ja", "home_countries": ["JP"]},
                {"account": "bob", "contact": "bob@example.com", "name": "Bob", "language": "en", "home_countries": None},
                {"account": "malice", "contact": "x@example.net", "name": "", "language": ""},
                {"account": "100%_real", "contact": None},
            ],
        )
        assert n == 4
        repo.touch_accounts(s, {"bob": NOW})
    with store.session() as s:
        repo.upsert_accounts(s, [{"account": "bob", "contact": "bob@new.example", "name": "Bob B.", "language": "ja"}])
        with pytest.raises(FumidaiError, match="language must be ja or en"):
            repo.upsert_accounts(s, [{"account": "x", "language": "fr"}])
        with pytest.raises(FumidaiError, match="1 to 320"):
            repo.upsert_accounts(s, [{"account": "a" * 321}])
    with store.session() as s:
        bob = repo.get_account(s, "bob")
        assert (bob.contact, bob.owner_name, bob.language, bob.last_seen_at) == ("bob@new.example", "Bob B.", "ja", NOW)
        alice = repo.get_account(s, "alice@example.jp")
        assert alice.owner_name == "有馬 アリス" and alice.home_countries == ["JP"]
        assert [a.name for a in repo.search_accounts(s, "ALICE")] == ["alice@example.jp", "malice"]  # prefix first
        assert [a.name for a in repo.search_accounts(s, "mail.EXAMPLE")] == ["alice@example.jp"]
        assert [a.name for a in repo.search_accounts(s, "%")] == ["100%_real"]  # no wildcard injection
        assert [a.name for a in repo.search_accounts(s, "_")] == ["100%_real"]
        assert [a.name for a in repo.search_accounts(s, limit=2, offset=1)] == ["alice@example.jp", "bob"]
        assert repo.count_accounts(s) == 4 and repo.count_accounts(s, "example") == 3


def test_history_queries(store):
    day_start = MINUTE - MINUTE % 1440  # 2026-11-27 00:00 UTC
    rows = [
        ("alice", day_start + 10, "JP", 3, 6, 0, 0),
        ("alice", day_start + 70, "JP", 2, 2, 0, 0),
        ("alice", day_start + 75, "US", 1, 1, 1, 1),
        ("bob", day_start + 75, "JP", 5, 5, 0, 0),
        ("mallory", day_start - 5, "CN", 40, 400, 10, 100),  # the day before
    ]
    with store.session() as s:
        repo.add_buckets(s, rows)
        repo.record_auto_suspension(s, "mallory", "quota", now=datetime(2026, 11, 26, 23, 58, tzinfo=UTC))
        repo.suspend(s, "bob", "carol", "by hand", now=NOW)  # staff stops are not counted as automatic
    with store.session() as s:
        assert repo.series(s, "alice", day_start + 10, day_start + 75) == [
            (day_start + 10, "JP", 3, 6, 0, 0),
            (day_start + 70, "JP", 2, 2, 0, 0),
        ]
        assert repo.hourly_history(s, "alice", day_start) == [
            (day_start, "JP", 3, 6, 0, 0),
            (day_start + 60, "JP", 2, 2, 0, 0),
            (day_start + 60, "US", 1, 1, 1, 1),
        ]
        assert repo.country_totals(s, day_start) == [("JP", 10, 13, 0, 2), ("US", 1, 1, 1, 1)]
        trends = repo.daily_trends(s, day_start - 1440)
        assert trends == [
            (date(2026, 11, 26), 40, 10, 1, [("CN", 40)]),
            (date(2026, 11, 27), 11, 1, 0, [("JP", 10), ("US", 1)]),
        ]


def test_notices_idempotency_and_delivery_states(store):
    args = dict(account="alice", template="suspended", language="ja", staff="bob", to_address="alice@example.jp",
                subject="送信を停止しました", body="本文")
    with store.session() as s:
        first = repo.create_notice(s, **args, idempotency_key="k1", now=NOW)
        again = repo.create_notice(s, **{**args, "subject": "changed"}, idempotency_key="k1", now=NOW)
        assert again.id == first.id and again.subject == "送信を停止しました"
        plain1 = repo.create_notice(s, **args, now=NOW + timedelta(seconds=1))
        plain2 = repo.create_notice(s, **args, now=NOW + timedelta(seconds=2))
        assert len({first.id, plain1.id, plain2.id}) == 3
        assert repo.notice_by_key(s, "k1").id == first.id and repo.notice_by_key(s, "nope") is None
        assert first.status == "queued" and first.attempts == 0 and first.next_attempt_at == NOW
    with store.session() as s:
        assert [n.id for n in repo.due_notices(s, NOW + timedelta(seconds=1))] == [first.id, plain1.id]
        repo.mark_notice_sent(s, first.id, "<1@fumidai>", NOW + timedelta(seconds=5))
        repo.mark_notice_attempt_failed(s, plain1.id, "421 try later", NOW + timedelta(minutes=5))
        repo.mark_notice_attempt_failed(s, plain2.id, "550 no such user", None)
    with store.session() as s:
        assert repo.due_notices(s, NOW + timedelta(minutes=1)) == []
        assert [n.id for n in repo.due_notices(s, NOW + timedelta(minutes=5))] == [plain1.id]
        by_id = {n.id: n for n in repo.notices_for_account(s, "alice")}
        assert [n.id for n in repo.notices_for_account(s, "alice", limit=2)] == [plain2.id, plain1.id]
        sent, retry, failed = by_id[first.id], by_id[plain1.id], by_id[plain2.id]
        assert (sent.status, sent.attempts, sent.message_id, sent.sent_at) == ("sent", 1, "<1@fumidai>", NOW + timedelta(seconds=5))
        assert (retry.status, retry.attempts, retry.error) == ("queued", 1, "421 try later")
        assert (failed.status, failed.attempts, failed.next_attempt_at) == ("failed", 1, None)
        assert s.get(Notice, first.id).sent_at.tzinfo is not None
