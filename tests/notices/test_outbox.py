"""The outbox against a real SMTP relay (aiosmtpd on loopback) and the store on SQLite."""

from __future__ import annotations

import asyncio
import email
import ssl
from email.header import decode_header, make_header
from email.policy import default

import pytest

from fumidai.notices import NoticeError
from fumidai.notices.mime import build_message, check_address
from fumidai.actions.notice_queue import StoredNoticeQueue
from fumidai.actions.wire import notice_record
from fumidai.notices.outbox import Outbox
from fumidai.store import repo
from .helpers import RecordingHandler, Relay, free_port, make_settings, sample_facts

SUBJECT_JA = "【重要】メールアカウント「taro01」の送信を停止しました"


def _rows(store, account="taro01"):
    with store.session() as s:
        return repo.notices_for_account(s, account)


def test_sent_message_is_right_at_the_byte_level(tmp_path, relay, store, clock):
    settings = make_settings(tmp_path, relay.port, bcc="abuse-archive@isp.example")
    box = Outbox(settings, StoredNoticeQueue(store), clock)
    row, created = box.queue(sample_facts("ja"), "suspended_auto", "ja", "bob", "k1")
    assert created and row["status"] == "queued" and relay.handler.messages == []  # recorded first, sent later
    assert box.deliver_due() == 1

    [got] = relay.handler.messages
    assert got.mail_from == "abuse@isp.example"
    assert got.rcpt_tos == ["taro@example.jp", "abuse-archive@isp.example"]
    raw = got.data
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii() and b"abuse-archive" not in raw and b"Bcc" not in head  # envelope only
    subject_raw = email.message_from_bytes(raw)["Subject"]
    assert "=?utf-8?" in subject_raw.lower()  # RFC 2047 on the wire
    assert str(make_header(decode_header(subject_raw))) == SUBJECT_JA
    msg = email.message_from_bytes(raw, policy=default)
    assert msg["Subject"] == SUBJECT_JA
    assert msg["To"].addresses[0].display_name == "山田 太郎"
    assert msg["To"].addresses[0].addr_spec == "taro@example.jp"
    assert msg["From"].addresses[0].display_name == "Example ISP 迷惑メール対策窓口"
    assert msg["Message-ID"].endswith("@isp.example>") and msg["Date"].datetime.utcoffset().total_seconds() == 9 * 3600
    assert msg.get_content_type() == "text/plain" and msg.get_content_charset() == "utf-8"
    assert b'Content-Type: text/plain; charset="utf-8"' in head
    body = msg.get_content()
    assert "taro01" in body and "123通（宛先 4,567件）" in body and "中国: 125通" in body

    [stored] = _rows(store)
    assert stored.status == "sent" and stored.message_id == msg["Message-ID"] and stored.attempts == 1
    assert notice_record(stored)["sent_at"].endswith("Z")


def test_same_idempotency_key_sends_one_message(tmp_path, relay, store, clock):
    box = Outbox(make_settings(tmp_path, relay.port), StoredNoticeQueue(store), clock)
    first, created_first = box.queue(sample_facts("en"), "warning", "en", "bob", "same-key")
    box.deliver_due()
    again, created_again = box.queue(sample_facts("en", usage=None), "warning", "en", "bob", "same-key")
    box.deliver_due()
    assert created_first and not created_again
    assert again["id"] == first["id"] and len(_rows(store)) == 1
    assert len(relay.handler.messages) == 1


@pytest.mark.parametrize("over", [
    {"owner_name": "Taro\r\nBcc: victim@example.com"},
    {"owner_name": "Taro\x00"},
    {"owner_name": "=?utf-8?q?a=0D=0ABcc:_victim@example.com?="},
    {"contact": "taro@example.jp\r\nBcc: victim@example.com"},
    {"contact": "taro@example.jp, victim@example.com"},
    {"contact": "not-an-address"},
])
def test_header_tricks_are_refused_and_nothing_is_recorded_or_sent(tmp_path, relay, store, clock, over):
    box = Outbox(make_settings(tmp_path, relay.port), StoredNoticeQueue(store), clock)
    with pytest.raises(NoticeError):
        box.queue(sample_facts("en", **over), "warning", "en", "bob", "k")
    with pytest.raises(NoticeError):
        box.preview(sample_facts("en", **over), "warning", "en")
    assert box.deliver_due() == 0
    assert _rows(store) == [] and relay.handler.messages == []


def test_bad_sender_settings_are_refused_at_start(tmp_path, store, clock):
    with pytest.raises(NoticeError, match="sender_name"):
        Outbox(make_settings(tmp_path, 25, sender_name="ISP\nX-Evil: 1"), StoredNoticeQueue(store), clock)
    with pytest.raises(NoticeError, match="bcc"):
        Outbox(make_settings(tmp_path, 25, bcc="archive@isp.example, bad address"), StoredNoticeQueue(store), clock)
    assert check_address("a.b+c@mail.example.co.jp") == "a.b+c@mail.example.co.jp"
    with pytest.raises(NoticeError):
        build_message(sender="a@x.example", sender_name="", to_address="b@x.example", to_name="",
                      subject="two\nlines", text="t", msg_id="<1@x.example>", date=0)


def test_relay_down_then_retried_with_backoff_and_sent_exactly_once(tmp_path, closed_relay, store, clock):
    settings = make_settings(tmp_path, closed_relay.port, retry_delays=[10, 30])
    box = Outbox(settings, StoredNoticeQueue(store), clock)
    box.queue(sample_facts("ja"), "suspended_auto", "ja", "auto", "k-down")
    assert box.deliver_due() == 0
    [row] = _rows(store)
    assert row.status == "queued" and row.attempts == 1 and "refused" in row.error.lower()
    assert row.next_attempt_at.timestamp() == clock() + 10

    clock.advance(5)
    assert box.deliver_due() == 0 and _rows(store)[0].attempts == 1  # not due yet
    clock.advance(5)
    assert box.deliver_due() == 0 and _rows(store)[0].attempts == 2  # due, relay still down
    assert _rows(store)[0].next_attempt_at.timestamp() == clock() + 30

    closed_relay.start()
    clock.advance(30)
    assert box.deliver_due() == 1
    clock.advance(3600)
    assert box.deliver_due() == 0
    assert len(closed_relay.handler.messages) == 1
    [row] = _rows(store)
    assert row.status == "sent" and row.attempts == 3 and row.error is None


def test_gives_up_after_the_last_retry(tmp_path, closed_relay, store, clock):
    box = Outbox(make_settings(tmp_path, closed_relay.port, retry_delays=[10]), StoredNoticeQueue(store), clock)
    box.queue(sample_facts("en"), "warning", "en", "auto", None)
    box.deliver_due()
    clock.advance(10)
    box.deliver_due()
    [row] = _rows(store)
    assert row.status == "failed" and row.error.startswith("gave up after 2 attempts")


def test_550_from_the_relay_is_a_permanent_failure(tmp_path, relay, store, clock):
    relay.handler.refuse.add("taro@example.jp")
    box = Outbox(make_settings(tmp_path, relay.port), StoredNoticeQueue(store), clock)
    box.queue(sample_facts("en"), "warning", "en", "bob", "k550")
    assert box.deliver_due() == 0
    [row] = _rows(store)
    assert row.status == "failed" and row.attempts == 1 and row.next_attempt_at is None
    assert "550 5.1.1 No such user" in row.error and "taro@example.jp" in row.error
    clock.advance(86400)
    assert box.deliver_due() == 0 and relay.handler.messages == []


def test_451_from_the_relay_is_retried(tmp_path, relay, store, clock):
    relay.handler.refuse.add("taro@example.jp")
    relay.handler.refuse_reply = "451 4.3.0 Try again later"
    box = Outbox(make_settings(tmp_path, relay.port), StoredNoticeQueue(store), clock)
    box.queue(sample_facts("en"), "warning", "en", "bob", "k451")
    box.deliver_due()
    [row] = _rows(store)
    assert row.status == "queued" and "451" in row.error
    relay.handler.refuse.clear()
    clock.advance(10)
    assert box.deliver_due() == 1 and len(relay.handler.messages) == 1


def test_queued_notices_survive_a_crash_and_are_picked_up_by_a_new_outbox(tmp_path, relay, store, clock):
    settings = make_settings(tmp_path, relay.port)
    Outbox(settings, StoredNoticeQueue(store), clock).queue(sample_facts("ja"), "restored", "ja", "bob", "k-crash")
    # The process dies here; a new one starts with the same database.
    assert Outbox(settings, StoredNoticeQueue(store), clock).deliver_due() == 1
    assert len(relay.handler.messages) == 1 and _rows(store)[0].status == "sent"


def test_a_claimed_notice_is_not_sent_by_a_second_sender(tmp_path, relay, store, clock):
    settings = make_settings(tmp_path, relay.port)
    a, b = Outbox(settings, StoredNoticeQueue(store), clock), Outbox(settings, StoredNoticeQueue(store), clock)
    a.queue(sample_facts("en"), "warning", "en", "bob", "k-claim")
    jobs = a._claim(10)  # a has taken it and is about to talk to the relay
    assert len(jobs) == 1 and b.deliver_due() == 0
    assert a._deliver(jobs[0]) == 1 and len(relay.handler.messages) == 1


def test_starttls_required_by_the_relay(tmp_path, store, clock, tls_files):

    cert, key = tls_files
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    r = Relay(RecordingHandler(), free_port(), tls_context=server_ctx, require_starttls=True)
    r.start()
    try:
        client_ctx = ssl.create_default_context(cafile=str(cert))
        plain = Outbox(make_settings(tmp_path, r.port, security="none"), StoredNoticeQueue(store), clock)
        plain.queue(sample_facts("en"), "warning", "en", "bob", "k-plain")
        plain.deliver_due()
        [row] = _rows(store)  # our settings are wrong, not the notice: kept for a retry
        assert r.handler.messages == [] and row.status == "queued" and "530" in row.error

        box = Outbox(make_settings(tmp_path, r.port, security="starttls"), StoredNoticeQueue(store), clock, tls_context=client_ctx)
        clock.advance(60)
        assert box.deliver_due() == 1
        assert len(r.handler.messages) == 1 and _rows(store)[0].status == "sent"
    finally:
        r.stop()


def test_run_loop_delivers_and_stops(tmp_path, relay, store, clock):
    box = Outbox(make_settings(tmp_path, relay.port), StoredNoticeQueue(store), clock)
    box.queue(sample_facts("en"), "restored", "en", "bob", "k-run")

    async def main():
        stop = asyncio.Event()
        task = asyncio.create_task(box.run(stop, interval=0.05))
        for _ in range(100):
            if relay.handler.messages:
                break
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(task, 5)

    asyncio.run(main())
    assert len(relay.handler.messages) == 1


def test_preview_and_templates(tmp_path, store, clock):
    box = Outbox(make_settings(tmp_path, 25), StoredNoticeQueue(store), clock)
    subject, text, html = box.preview(sample_facts("en"), "suspended_auto", "en")
    assert subject == 'Important: sending from your mail account "taro01" has been stopped'
    assert "Last hour: 123 messages" in text and html is None
    assert [t["name"] for t in box.templates()] == ["restored", "suspended_auto", "suspended_staff", "warning"]


def test_html_alternative_makes_multipart_alternative_in_utf8():
    msg = build_message(sender="abuse@isp.example", sender_name="", to_address="taro@example.jp",
                        to_name="山田 太郎", subject="件名", text="本文 taro01\n", html="<p>本文 taro01</p>\n",
                        msg_id="<1@isp.example>", date=0, tz="Asia/Tokyo")
    parsed = email.message_from_bytes(msg.as_bytes(), policy=default)
    assert parsed.get_content_type() == "multipart/alternative"
    plain, html = parsed.iter_parts()
    assert (plain.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert plain.get_content_charset() == html.get_content_charset() == "utf-8"
    assert html.get_content() == "<p>本文 taro01</p>\r\n" and plain["Content-Transfer-Encoding"] == "base64"
    assert parsed["Date"].endswith("+0900")


def test_deliver_due_sends_every_due_notice_once(tmp_path, relay, store, clock):
    box = Outbox(make_settings(tmp_path, relay.port), StoredNoticeQueue(store), clock)
    for i in range(5):
        box.queue(sample_facts("en"), "warning", "en", "bob", f"k{i}")
    assert box.deliver_due(limit=3) == 3
    assert box.deliver_due() == 2 and box.deliver_due() == 0
    ids = sorted(email.message_from_bytes(m.data)["Message-ID"] for m in relay.handler.messages)
    assert len(ids) == len(set(ids)) == 5


def test_auth_over_starttls_only_when_a_username_is_set(tmp_path, store, clock, tls_files):
    from aiosmtpd.smtp import AuthResult, LoginPassword


    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        creds = tuple(v.decode() if isinstance(v, bytes) else v for v in (auth_data.login, auth_data.password))
        ok = isinstance(auth_data, LoginPassword) and creds == ("notices", "s3cret")
        logins.append((mechanism, ok))
        return AuthResult(success=ok, handled=False)  # let aiosmtpd answer 235 / 535

    cert, key = tls_files
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    r = Relay(RecordingHandler(), free_port(), tls_context=server_ctx, require_starttls=True,
              extra={"authenticator": authenticator, "auth_required": True, "auth_require_tls": True})
    r.start()
    client_ctx = ssl.create_default_context(cafile=str(cert))
    try:
        anonymous = Outbox(make_settings(tmp_path, r.port, security="starttls"), StoredNoticeQueue(store), clock, tls_context=client_ctx)
        anonymous.queue(sample_facts("en"), "warning", "en", "bob", "k-auth")
        anonymous.deliver_due()
        [row] = _rows(store)
        assert logins == [] and row.status == "queued" and "530" in row.error  # retried once configured

        wrong = Outbox(make_settings(tmp_path, r.port, security="starttls", username="notices", password="nope"),
                       StoredNoticeQueue(store), clock, tls_context=client_ctx)
        clock.advance(10)
        wrong.deliver_due()
        assert logins[-1] == ("PLAIN", False) and len(logins) == 1  # one attempt, not one per mechanism
        assert _rows(store)[0].status == "queued" and "535" in _rows(store)[0].error

        right = Outbox(make_settings(tmp_path, r.port, security="starttls", username="notices", password="s3cret"),
                       StoredNoticeQueue(store), clock, tls_context=client_ctx)
        clock.advance(30)
        assert right.deliver_due() == 1 and logins[-1][1] is True and len(r.handler.messages) == 1
    finally:
        r.stop()


def test_implicit_tls_and_an_untrusted_certificate(tmp_path, store, clock, tls_files):

    cert, key = tls_files
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    r = Relay(RecordingHandler(), free_port(), extra={"ssl_context": server_ctx})
    r.start()
    try:
        untrusting = Outbox(make_settings(tmp_path, r.port, security="tls"), StoredNoticeQueue(store), clock)  # system CAs only
        untrusting.queue(sample_facts("en"), "warning", "en", "bob", "k-tls")
        untrusting.deliver_due()
        [row] = _rows(store)
        assert row.status == "queued" and "TLS failed" in row.error and "CERTIFICATE_VERIFY_FAILED" in row.error
        box = Outbox(make_settings(tmp_path, r.port, security="tls"), StoredNoticeQueue(store), clock,
                     tls_context=ssl.create_default_context(cafile=str(cert)))
        clock.advance(10)
        assert box.deliver_due() == 1 and len(r.handler.messages) == 1
    finally:
        r.stop()


def test_html_alternative_from_an_override_folder_is_sent(tmp_path, relay, store, clock):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "warning.en.html").write_text("<p>Dear {{ owner_name }}</p>\n")
    box = Outbox(make_settings(tmp_path, relay.port, templates=str(folder)), StoredNoticeQueue(store), clock)
    box.queue(sample_facts("en", owner_name="<b>Eve</b>"), "warning", "en", "bob", "html-1")
    assert box.deliver_due() == 1
    [got] = relay.handler.messages
    msg = email.message_from_bytes(got.data, policy=default)
    assert msg.get_content_type() == "multipart/alternative"
    plain, html = msg.get_payload()
    assert plain.get_content_type() == "text/plain" and "Dear <b>Eve</b>" in plain.get_content()
    assert html.get_content_type() == "text/html" and "<p>Dear &lt;b&gt;Eve&lt;/b&gt;</p>" in html.get_content()
