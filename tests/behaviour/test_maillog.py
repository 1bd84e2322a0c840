"""The maillog reader over real Postfix lines.

tests/data/postfix-maillog-sample.log is the shared fixture (Postfix 3.7.11's maillog_file,
virtual delivery with orig_to, a policy server that refuses one message at DATA);
tests/data/postfix-capture.log was captured from a real Postfix + Dovecot by
tests/behaviour/postfix_capture.py (deferred then sent, bounced, inbound, failed logins,
long queue ids, an IPv6 client, syslog_name postfix-out/submission).
"""

from __future__ import annotations

import gzip
import heapq
import io
import itertools
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fumidai.behaviour.commands import run_import
from fumidai.behaviour.maillog import MaillogReader, Submission, open_maillog

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLE = DATA / "postfix-maillog-sample.log"
CAPTURE = DATA / "postfix-capture.log"
ROOT = Path(__file__).resolve().parents[2]

UTC = timezone.utc
NOW = datetime(2026, 12, 8, tzinfo=UTC).timestamp()


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def read_lines(lines, *, tz=UTC, now=NOW) -> tuple[list[Submission], MaillogReader]:
    reader = MaillogReader(timezone=tz, now=now)
    out = list(reader.feed(lines))
    out += reader.finish()
    return out, reader


def read_files(*groups: list[str], tz=UTC, now=NOW) -> list[Submission]:
    """Several 'files' through one reader, as the command reads them."""
    reader = MaillogReader(timezone=tz, now=now)
    out = []
    for group in groups:
        out += reader.feed(group)
    return out + list(reader.finish())


def by_message_id(records: list[Submission]) -> dict[str, Submission]:
    return {r.message_id: r for r in records}


# --- the shared fixture ---


def test_sample_submissions_are_tied_by_queue_id():
    records, reader = read_lines(lines_of(SAMPLE))
    first = by_message_id(records)["<179667404618.14705.4681783284577317644@e2e.test>"]
    assert first.account == "alice"
    assert first.client_address == "127.0.1.10"
    assert first.sasl_method == "PLAIN"
    assert first.sender == "alice@example.test"
    assert (first.size, first.nrcpt) == (505, 1)
    # to= is the sink; orig_to is what alice wrote.
    assert first.recipients == ("rcpt1-1@example.net",)
    assert first.time == datetime(2026, 12, 7, 20, 7, 26, tzinfo=UTC).timestamp()
    assert {r.account for r in records} == {"alice", "bob"}
    assert reader.stats.accounts == 2


def test_sample_message_refused_at_data_is_not_a_submission():
    lines = lines_of(SAMPLE)
    accepted_logins = sum("sasl_username=" in ln for ln in lines)
    records, reader = read_lines(lines)
    assert len(records) == reader.stats.submissions == accepted_logins - 1  # 9830516E2AD refused at DATA
    assert not [r for r in records if r.time == datetime(2026, 12, 7, 20, 7, 27, tzinfo=UTC).timestamp()
                and r.recipients == ()]
    assert len({r.id for r in records}) == len(records)
    assert all(len(r.recipients) == r.nrcpt == 1 for r in records)
    assert reader.stats.skipped == 0
    assert reader.stats.lines == len(lines)


# --- the capture from a real Postfix ---


def test_capture_deferred_then_sent_counts_once_and_bounced_counts():
    records, _ = read_lines(lines_of(CAPTURE))
    deferred = by_message_id(records)["<deferred@capture.test>"]
    assert deferred.account == "quota1"
    assert deferred.recipients == ("a@defer.example", "b@defer.example", "c@example.net", "lost@defer.example")
    assert deferred.nrcpt == 4


def test_capture_several_recipients_lowercased_and_sorted():
    records, _ = read_lines(lines_of(CAPTURE))
    n0 = by_message_id(records)["<n0@capture.test>"]
    assert n0.recipients == ("colleague0@example.net", "friend0@example.net")  # written Colleague0@Example.NET
    assert n0.nrcpt == 2


def test_capture_ignores_inbound_failed_logins_and_bounce_notices():
    lines = lines_of(CAPTURE)
    assert any("SASL LOGIN authentication failed" in ln for ln in lines)
    assert any("client=unknown[127.0.3.5]" in ln for ln in lines)  # inbound, no SASL
    records, reader = read_lines(lines)
    assert {r.account for r in records} == {"normal1", "traveller1", "quota1"}
    assert not [r for r in records if r.client_address == "127.0.3.5" or r.sender == ""]
    assert len(records) == 15  # 6 + 6 concurrent, 1 deferred, 1 over IPv6, 1 with a long queue id
    assert reader.stats.skipped == 0


def test_capture_long_queue_ids_ipv6_and_syslog_name_prefix():
    records, _ = read_lines(lines_of(CAPTURE))
    v6 = by_message_id(records)["<v6@capture.test>"]
    assert v6.client_address == "::1"
    assert v6.recipients == ("friend0@example.net", "new@example.net", "x@example.net")
    assert by_message_id(records)["<long@capture.test>"].account == "traveller1"


# --- order, files, duplicates ---


def _same(a: list[Submission], b: list[Submission]) -> None:
    assert sorted(a, key=lambda r: r.id) == sorted(b, key=lambda r: r.id)


def test_rotated_files_in_any_order_give_the_same_records():
    lines = lines_of(CAPTURE)
    expected, _ = read_lines(lines)
    # Cut inside messages: the deferred one spans the first cut.
    deferred_at = next(i for i, ln in enumerate(lines) if "to=<a@defer.example>" in ln)
    parts = [lines[:deferred_at], lines[deferred_at:150], lines[150:]]
    for order in itertools.permutations(parts):
        _same(read_files(*order), expected)


def test_two_servers_interleaved_in_one_log_give_each_ones_records():
    # One syslog for two MTAs: their lines merged by time, queue ids told apart by host.
    sample = lines_of(SAMPLE)
    shift = timedelta(hours=1, minutes=19, seconds=5)  # its busiest second onto the sample's
    other = [(datetime.strptime(ln[:15], "%b %d %H:%M:%S") - shift).strftime("%b %d %H:%M:%S")
             + ln[15:].replace(" mx ", " mx2 ", 1) for ln in lines_of(CAPTURE)]
    expected = read_files(sample) + read_files(other)

    def by_time(lines):  # (second, rank within it): the two sources alternate inside a second
        return [((ln[:15], rank), ln) for _, group in itertools.groupby(lines, key=lambda ln: ln[:15])
                for rank, ln in enumerate(group)]

    merged = [ln for _, ln in heapq.merge(by_time(sample), by_time(other))]
    switches = sum(a[16:19] != b[16:19] for a, b in itertools.pairwise(merged))
    assert switches > 20  # really interleaved
    records, _ = read_lines(merged)
    assert {(r.account, r.message_id, r.recipients) for r in records} == {
        (r.account, r.message_id, r.recipients) for r in expected}
    assert len(records) == 75


def test_importing_the_same_lines_twice_gives_the_same_ids():
    lines = lines_of(CAPTURE)
    once, _ = read_lines(lines)
    again, _ = read_lines(lines)
    assert [r.id for r in once] == [r.id for r in again]
    # The same file twice through one reader: every record comes twice, with one id each.
    twice = read_files(lines, lines)
    assert sorted(r.id for r in twice) == sorted([r.id for r in once] * 2)


def test_a_message_still_queued_at_the_end_is_emitted_by_finish():
    lines = [ln for ln in lines_of(CAPTURE) if not ln.endswith(": removed")]
    reader = MaillogReader(timezone=UTC, now=NOW)
    assert list(reader.feed(lines)) == []
    assert len(list(reader.finish())) == 15


def test_reused_short_queue_id_starts_a_new_message():
    msg = [
        "Dec 07 10:00:00 mx postfix/submission/smtpd[1]: ABCDEF12345: client=h[192.0.2.1], sasl_method=LOGIN, sasl_username=ann",
        "Dec 07 10:00:00 mx postfix/qmgr[2]: ABCDEF12345: from=<ann@x.test>, size=10, nrcpt=1 (queue active)",
        "Dec 07 10:00:01 mx postfix/smtp[3]: ABCDEF12345: to=<Z@Y.TEST>, relay=y[192.0.2.9]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)",
    ]
    later = [ln.replace("10:00", "11:00").replace("ann", "bob").replace("Z@Y", "W@Y") for ln in msg]
    records, _ = read_lines(msg + later)  # no "removed" between them
    assert [(r.account, r.recipients) for r in records] == [("ann", ("z@y.test",)), ("bob", ("w@y.test",))]


def test_local_mail_without_smtpd_is_not_held_to_the_end():
    # Mail cleanup queues without smtpd (a .forward, a re-injection): the real lines of the
    # capture's bounce notice, repeated over two hours under fresh queue ids.
    notice = [ln for ln in lines_of(CAPTURE) if "6053D20C860" in ln and "postfix/bounce" not in ln]
    assert len(notice) == 4
    lines = []
    for i in range(1200):
        stamp = (datetime(2026, 12, 7, 8, 0) + timedelta(seconds=6 * i)).strftime("%b %d %H:%M:%S")
        lines += [stamp + ln[15:].replace("6053D20C860", f"{0xA0000 + i:011X}") for ln in notice]
    reader = MaillogReader(timezone=UTC, now=NOW)
    assert list(reader.feed(lines)) == []
    assert reader.open_messages < 650  # only the first hour's wait for a client= line in another file


# --- hostile input ---


def test_malformed_lines_are_counted_and_skipped():
    lines = lines_of(SAMPLE)
    expected, _ = read_lines(lines)
    client = next(ln for ln in lines if "sasl_username=bob" in ln)
    garbage = [
        "\x00\x01\x02 binary \ufffd\ufffd",
        "not a log line at all",
        client[:client.index("client=") + 11],  # truncated in the middle of client=
        "Dec 07 20:07:26 mx postfix/smtp[1]: ABCDEF12345: to=<x@y",  # truncated delivery line
        "Foo 99 99:99:99 mx postfix/qmgr[1]: ABCDEF12345: removed",
    ]
    mixed = []
    for i, ln in enumerate(lines):
        mixed.append(ln)
        if i % 150 == 0:
            mixed.append(garbage[(i // 150) % len(garbage)])
    records, reader = read_lines(mixed)
    _same(records, expected)
    assert reader.stats.skipped == len(mixed) - len(lines)


def test_bad_bytes_and_a_truncated_gzip_never_stop_the_reader(tmp_path):
    data = SAMPLE.read_bytes()
    noisy = data[:5000] + b"\xff\xfe\x80 \xe3\x81\n\x00\x00garbage\n" + data[5000:]
    reader = MaillogReader(timezone=UTC, now=NOW)
    records = list(reader.read(io.BytesIO(noisy))) + list(reader.finish())
    assert len(records) == 60
    assert reader.stats.skipped >= 1

    cut = tmp_path / "cut.gz"
    cut.write_bytes(gzip.compress(data)[:3000])
    reader = MaillogReader(timezone=UTC, now=NOW)
    with open_maillog(cut) as (stream, _):
        records = list(reader.read(stream)) + list(reader.finish())
    assert 0 < reader.stats.lines < len(lines_of(SAMPLE))
    assert reader.stats.skipped >= 1


def test_an_endless_line_is_dropped_not_held():
    data = b"Dec  7 20:07:26 mx " + b"x" * (9 << 20) + b"\n" + SAMPLE.read_bytes()
    reader = MaillogReader(timezone=UTC, now=NOW)
    records = list(reader.read(io.BytesIO(data))) + list(reader.finish())
    assert len(records) == 60
    assert reader.stats.skipped >= 2  # the overlong line, and its tail after the cut


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_any_bytes_never_crash(data):
    reader = MaillogReader(timezone=UTC, now=NOW)
    list(reader.read(io.BytesIO(data)))
    list(reader.finish())
    s = reader.stats
    assert s.skipped + s.ignored <= s.lines + 1


_FRAGMENTS = [ln for ln in lines_of(CAPTURE)[:80]] + ["", "\r", ": ", "client=", "to=<", "removed", "Dec 31 "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_FRAGMENTS), st.integers(0, 300), st.text(max_size=20)), max_size=40))
def test_cut_and_spliced_real_lines_never_crash(pieces):
    lines = [frag[:cut] + extra for frag, cut, extra in pieces]
    records, reader = read_lines(lines)
    assert reader.stats.submissions == len(records)
    assert all(r.account and isinstance(r.time, float) for r in records)


# --- timestamps ---


def _as_iso(line: str, fmt: str) -> str:
    t = datetime.strptime("2026 " + line[:15], "%Y %b %d %H:%M:%S")
    return t.strftime(fmt) + line[15:]


def test_three_timestamp_forms_give_the_same_records():
    lines = lines_of(CAPTURE)
    tokyo = ZoneInfo("Asia/Tokyo")
    traditional = read_lines(lines, tz=tokyo)[0]
    rfc3339 = read_lines([_as_iso(ln, "%Y-%m-%dT%H:%M:%S.000000+09:00") for ln in lines], tz=UTC)[0]
    short_iso = read_lines([_as_iso(ln, "%Y-%m-%dT%H:%M:%S+0900") for ln in lines], tz=UTC)[0]
    assert traditional and traditional == rfc3339 == short_iso
    deferred = by_message_id(traditional)["<deferred@capture.test>"]
    assert deferred.time == datetime(2026, 12, 7, 21, 26, 38, tzinfo=tokyo).timestamp()


def test_rfc3339_keeps_fractions_and_syslog_single_digit_days():
    submit = ("2026-12-07T20:07:26.123456+09:00 mx postfix/submission/smtpd[1]: ABCDEF12345: "
              "client=h[2001:db8::5], sasl_method=PLAIN, sasl_username=ann")
    queued = "2026-12-07T20:07:26.2Z mx postfix/qmgr[2]: ABCDEF12345: from=<a@x.test>, size=1, nrcpt=1 (queue active)"
    (rec,), _ = read_lines([submit, queued])
    assert rec.time == datetime(2026, 12, 7, 11, 7, 26, 123456, tzinfo=UTC).timestamp()
    assert rec.client_address == "2001:db8::5"
    syslog = submit.replace("2026-12-07T20:07:26.123456+09:00", "Dec  7 20:07:26")
    (rec,), _ = read_lines([syslog, queued], tz=ZoneInfo("Asia/Tokyo"))
    assert rec.time == datetime(2026, 12, 7, 11, 7, 26, tzinfo=UTC).timestamp()


def test_username_ends_where_smtpd_adds_sasl_sender_or_proxy_fields():
    submit = ("Dec  7 20:07:26 mx postfix-out/smtps/smtpd[1]: 4jjwCS0mzSzJBbV: client=h.example[192.0.2.7]:52344, "
              "sasl_method=LOGIN, sasl_username=ann@isp.example, sasl_sender=boss@isp.example, orig_queue_id=ABC123")
    queued = "Dec  7 20:07:26 mx postfix/qmgr[2]: 4jjwCS0mzSzJBbV: from=<boss@isp.example>, size=1, nrcpt=1 (queue active)"
    (rec,), _ = read_lines([submit, queued])
    assert (rec.account, rec.sasl_method, rec.client_address) == ("ann@isp.example", "LOGIN", "192.0.2.7")


def test_year_is_inferred_across_new_year():
    lines = [
        "Dec 31 23:59:59 mx postfix/submission/smtpd[1]: ABCDEF12345: client=h[192.0.2.1], sasl_method=PLAIN, sasl_username=ann",
        "Jan  1 00:00:00 mx postfix/qmgr[2]: ABCDEF12345: from=<a@x.test>, size=1, nrcpt=1 (queue active)",
        "Jan  1 00:00:01 mx postfix/smtp[3]: ABCDEF12345: to=<b@y.test>, relay=y[192.0.2.9]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)",
        "Jan  1 00:00:01 mx postfix/qmgr[2]: ABCDEF12345: removed",
        "Jan  1 00:10:00 mx postfix/submission/smtpd[1]: ABCDEF12346: client=h[192.0.2.1], sasl_method=PLAIN, sasl_username=ann",
        "Jan  1 00:10:00 mx postfix/qmgr[2]: ABCDEF12346: from=<a@x.test>, size=1, nrcpt=1 (queue active)",
        "Jan  1 00:10:01 mx postfix/qmgr[2]: ABCDEF12346: removed",
    ]
    new_year_morning = datetime(2027, 1, 1, 9, 0, tzinfo=UTC).timestamp()
    records, _ = read_lines(lines, now=new_year_morning)
    assert [datetime.fromtimestamp(r.time, UTC).year for r in records] == [2026, 2027]
    assert records[0].recipients == ("b@y.test",)
    # Read in March, December's lines are still last year's, not this December's (the future).
    march = datetime(2027, 3, 1, tzinfo=UTC).timestamp()
    assert [datetime.fromtimestamp(r.time, UTC).year for r in read_lines(lines, now=march)[0]] == [2026, 2027]


def test_a_line_hours_ahead_of_now_keeps_this_year_but_days_ahead_is_last_year():
    # A log from a zone ahead of the importer's (no --timezone) must not move back a year.
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC).timestamp()
    submit = "{} mx postfix/submission/smtpd[1]: ABCDEF12345: client=h[192.0.2.1], sasl_method=PLAIN, sasl_username=ann"
    queued = "{} mx postfix/qmgr[2]: ABCDEF12345: from=<a@x.test>, size=1, nrcpt=1 (queue active)"
    for stamp, year in (("Dec  7 20:59:00", 2026), ("Dec  9 20:59:00", 2025)):
        (rec,), _ = read_lines([submit.format(stamp), queued.format(stamp)], now=now)
        assert datetime.fromtimestamp(rec.time, UTC).year == year


# --- files and the command ---


def test_gzip_and_plain_files_give_the_same_records(tmp_path):
    gz = tmp_path / "maillog.1.gz"
    gz.write_bytes(gzip.compress(CAPTURE.read_bytes()))
    got = []
    stats = run_import([str(SAMPLE), str(gz)], timezone=UTC, now=NOW, sink=got.append)
    expected = read_files(lines_of(SAMPLE), lines_of(CAPTURE))
    _same(got, expected)
    assert (stats.submissions, stats.accounts) == (75, 5)


def test_run_import_reads_stdin_and_refuses_a_missing_file():
    got = []
    stats = run_import(["-"], timezone=UTC, now=NOW, sink=got.append, stdin=io.BytesIO(SAMPLE.read_bytes()))
    assert stats.submissions == len(got) == 60
    from fumidai.errors import FumidaiError

    with pytest.raises(FumidaiError, match="no such file"):
        run_import([str(SAMPLE), "/nonexistent/maillog"], timezone=UTC, now=NOW, sink=got.append)


def test_progress_bar_is_drawn_only_where_asked():
    bar = io.StringIO()
    run_import([str(SAMPLE)], timezone=UTC, now=NOW, sink=lambda r: None, progress=bar)
    assert "100%" in bar.getvalue() and "lines" in bar.getvalue()


def _cli(*args: str, stdin: bytes = b"", store: str = "sqlite:////nonexistent/fumidai.db",
         geo: str = "/nonexistent/geo.mmdb") -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "app"), FUMIDAI_CONFIG="", FUMIDAI_STORAGE__URL=store,
               FUMIDAI_GEOIP__DATABASE=geo)
    return subprocess.run([sys.executable, "-m", "fumidai.cli", "baseline", "import", *args],
                          input=stdin, capture_output=True, env=env, timeout=60)


def test_cli_reads_gzip_from_stdin_and_prints_the_summary(tmp_path, mmdb_path):
    r = _cli("--timezone", "UTC", "-", str(CAPTURE), stdin=gzip.compress(SAMPLE.read_bytes()),
             store=f"sqlite:///{tmp_path}/f.db", geo=str(mmdb_path))
    assert r.returncode == 0, r.stderr
    lines = len(lines_of(SAMPLE)) + len(lines_of(CAPTURE))
    assert r.stdout.decode().strip() == (f"{lines:,} lines, 75 submissions, 5 accounts, 0 skipped (malformed); "
                                         "learned 75 new submissions of 5 accounts (0 imported before)")
    assert r.stderr == b""  # no progress bar when stderr is not a terminal


def test_cli_exits_2_with_one_line_on_a_missing_file_or_bad_timezone():
    r = _cli("/nonexistent/maillog")
    assert (r.returncode, r.stderr.decode()) == (2, "fumidai: error: /nonexistent/maillog: no such file\n")
    r = _cli("--timezone", "Mars/Olympus", str(SAMPLE))
    assert r.returncode == 2 and r.stderr.decode().count("\n") == 1 and "Mars/Olympus" in r.stderr.decode()


@pytest.mark.e2e
def test_fresh_capture_from_the_installed_postfix_reads_like_the_fixture(tmp_path):
    """The capture script still runs against this machine's Postfix, and its log reads the same way."""
    from tests.e2e.conftest import _missing_tools

    reason = _missing_tools()
    if reason:
        pytest.skip(reason)
    from tests.behaviour.postfix_capture import capture

    fresh = tmp_path / "maillog"
    capture(fresh)
    records, reader = read_lines(lines_of(fresh), tz=None, now=time.time())
    assert reader.stats.skipped == 0
    assert {r.account for r in records} == {"normal1", "traveller1", "quota1"}
    assert by_message_id(records)["<deferred@capture.test>"].recipients == (
        "a@defer.example", "b@defer.example", "c@example.net", "lost@defer.example")
    assert by_message_id(records)["<v6@capture.test>"].client_address == "::1"
