"""Complaint parsing on report samples that look like the real ones, and on broken and hostile input."""

from __future__ import annotations

import io
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fumidai.errors import FumidaiError
from fumidai.reputation.reports import (MAX_REPORT_BYTES, Complaint, Ignored, KeptAside, RawReport, parse_report,
                                        read_bounded, read_report, read_sources)
from fumidai.reputation.trace import TraceCodec, new_key

from .conftest import NOW, REPORTS, RETENTION, sample

TARO = "zR4OjJ7frOvwdqbY4Fne7KJbEmSxYNwBCmMDVm6FOOzhrA"  # taro@example.jp under the samples' key


def _read(raw: bytes, codec, origin="test"):
    return read_report(raw, codec, "X-Fumidai-Trace", origin, now=NOW)


def test_microsoft_jmrp(codec):
    c = _read(sample("jmrp.eml"), codec)
    assert isinstance(c, Complaint), c
    assert (c.kind, c.account, c.feedback_type) == ("arf", "taro@example.jp", "abuse")
    assert c.report_message_id == "<7b1c9a2e-5f0d-4c61-9a53-1e2f0c3d4b5a@hotmail.com>"
    assert c.reporter == "staff@hotmail.com"
    assert c.original_message_id == "<20261208095230.1A2B3C@submit1.isp.example>"
    assert c.subject == "Your mailbox is almost full - verify now"
    assert c.source_ip == "203.0.113.10"
    assert c.user_agent == "Microsoft Junk Mail Reporting Program"
    assert c.original_date == 1796723550.0  # Tue, 8 Dec 2026 18:52:30 +0900
    assert c.arrived_at == 1796723553.0  # Arrival-Date, 01:52:33 -0800
    assert c.received_at == NOW


def test_yahoo_arf_with_a_japanese_subject(codec):
    c = _read(sample("yahoo.eml"), codec)
    assert isinstance(c, Complaint), c
    assert (c.kind, c.account, c.source_ip) == ("arf", "hanako@example.jp", "203.0.113.11")
    assert c.subject == "未承認の支払いが届いています"  # ISO-2022-JP encoded word
    assert c.user_agent == "Yahoo!-Mail-Feedback/2.0"
    assert c.arrived_at is not None  # Yahoo says Received-Date


def test_spamcop_attaches_the_original(codec):
    c = _read(sample("spamcop.eml"), codec)
    assert isinstance(c, Complaint), c
    assert (c.kind, c.account, c.feedback_type) == ("attached", "taro@example.jp", "abuse")
    assert c.original_message_id == "<meds.8812@submit1.isp.example>"
    assert c.reporter == "7234566110@reports.spamcop.net"


def test_forwarded_message_with_quoted_headers(codec):
    c = _read(sample("forwarded.eml"), codec)
    assert isinstance(c, Complaint), c
    assert (c.kind, c.account, c.subject) == ("forwarded", "taro@example.jp", "URGENT invoice attached")
    assert c.original_message_id == "<inv-0042@submit1.isp.example>"


def test_rfc2231_report_type_parameter(codec):
    raw = sample("jmrp.eml").replace(b"report-type=feedback-report;", b"report-type*=us-ascii'en'feedback-report;")
    c = _read(raw, codec)
    assert isinstance(c, Complaint) and c.kind == "arf"


def test_text_rfc822_headers_part(codec):
    raw = sample("jmrp.eml")
    raw = raw.replace(b"Content-Type: message/rfc822\nContent-Disposition: inline",
                      b"Content-Type: text/rfc822-headers")
    c = _read(raw, codec)
    assert isinstance(c, Complaint) and c.account == "taro@example.jp" and c.subject.startswith("Your mailbox")


@pytest.mark.parametrize("encoding", ["base64", "quoted-printable"])
def test_an_encoded_message_rfc822_part_is_decoded(codec, encoding):
    import base64
    import quopri

    raw = sample("spamcop.eml")
    head, rest = raw.split(b"Content-Transfer-Encoding: 7bit\n\n", 1)
    original, tail = rest.rsplit(b"\n------------=_SpamCop_7234566110--", 1)
    encoded = base64.encodebytes(original) if encoding == "base64" else quopri.encodestring(original.replace(b"Subject: Cheap", b"Subject: Ch=ap"))
    raw = head + f"Content-Transfer-Encoding: {encoding}\n\n".encode() + encoded + b"\n------------=_SpamCop_7234566110--" + tail
    c = _read(raw, codec)
    assert isinstance(c, Complaint) and c.account == "taro@example.jp", c
    assert c.original_message_id == "<meds.8812@submit1.isp.example>"
    assert c.subject == ("Cheap meds, no prescription" if encoding == "base64" else "Ch=ap meds, no prescription")


def test_the_reports_own_trace_header_is_never_used(codec):
    """A customer of ours who forwards spam carries their own token in the report's headers."""
    hanako = codec.token_for("hanako@example.jp")
    raw = sample("forwarded.eml").replace(b"MIME-Version: 1.0\n", f"X-Fumidai-Trace: {hanako}\nMIME-Version: 1.0\n".encode())
    assert _read(raw, codec).account == "taro@example.jp"
    only_outer = re.sub(rb"(?m)^> X-Fumidai-Trace: .*\n", b"", raw)
    out = _read(only_outer, codec)
    assert isinstance(out, Ignored) and "no X-Fumidai-Trace header" in out.reason


def test_no_trace_header_is_ignored_with_the_reason(codec):
    raw = re.sub(rb"(?m)^X-Fumidai-Trace: .*\n", b"", sample("jmrp.eml"))
    out = _read(raw, codec)
    assert isinstance(out, Ignored)
    assert out.reason == "no X-Fumidai-Trace header in the original"
    assert out.report_message_id == "<7b1c9a2e-5f0d-4c61-9a53-1e2f0c3d4b5a@hotmail.com>"


def test_a_forged_token_is_ignored(codec):
    forged = TARO[:10] + ("B" if TARO[10] != "B" else "C") + TARO[11:]
    out = _read(sample("jmrp.eml").replace(TARO.encode(), forged.encode()), codec)
    assert isinstance(out, Ignored) and "forged" in out.reason and out.token == forged
    junk = _read(sample("jmrp.eml").replace(TARO.encode(), b"<script>alert(1)</script>"), codec)
    assert isinstance(junk, Ignored) and "forged" in junk.reason


def test_a_token_of_another_installation_is_ignored():
    other = TraceCodec([new_key(NOW)], RETENTION)
    out = _read(sample("spamcop.eml"), other)
    assert isinstance(out, Ignored) and "forged" in out.reason


def test_not_spam_feedback_is_not_a_complaint(codec):
    out = _read(sample("jmrp.eml").replace(b"Feedback-Type: abuse", b"Feedback-Type: not-spam"), codec)
    assert isinstance(out, Ignored) and "not-spam" in out.reason


def test_truncated_mime(codec):
    raw = sample("jmrp.eml")
    # Cut before the original: the structure is broken and nothing traces it: kept aside for staff.
    before_original = raw[: raw.index(b"Content-Type: message/rfc822")]
    out = _read(before_original, codec)
    assert isinstance(out, KeptAside) and "malformed MIME" in out.reason and out.head == before_original
    # Cut inside the original's body: the trace header is there, the complaint counts.
    inside_original = raw[: raw.index(b"<p>Click") + 10]
    c = _read(inside_original, codec)
    assert isinstance(c, Complaint) and c.account == "taro@example.jp"


def test_wrong_and_unknown_charsets(codec):
    raw = sample("yahoo.eml")
    raw = raw.replace(b"=?iso-2022-jp?b?GyRCTCQ+NUcnJE47WUonJCQkLEZPJCQkRiQkJF4kORsoQg==?=",
                      b"=?x-no-such-charset?q?caf=E9?=")
    raw = raw.replace(b'Content-Type: text/plain; charset=us-ascii', b'Content-Type: text/plain; charset="utf-99"')
    c = _read(raw, codec)
    assert isinstance(c, Complaint) and c.subject == "caf\ufffd"
    # Raw 8-bit Shift_JIS in a header that says nothing: replaced, not fatal.
    sjis = sample("spamcop.eml").replace(b"Subject: Cheap meds, no prescription\nDate: Tue",
                                         "Subject: 激安\nDate: Tue".encode("shift_jis"))
    c = _read(sjis, codec)
    assert isinstance(c, Complaint) and c.subject == "激安"  # Shift_JIS guessed
    latin = sample("spamcop.eml").replace(b"Subject: Cheap meds", b"Subject: Caf\xe9 \xff\xfe meds")
    assert _read(latin, codec).subject == "Caf\ufffd \ufffd\ufffd meds, no prescription"  # no guess fits: replaced


def test_spammer_text_is_data_one_line_without_controls(codec):
    raw = sample("spamcop.eml").replace(
        b"Subject: Cheap meds, no prescription\nDate: Tue",
        b"Subject: <b>Cheap</b> \x1b[31mmeds\x00 \x07now\n\tfolded & more\nDate: Tue")
    c = _read(raw, codec)
    assert c.subject == "<b>Cheap</b> [31mmeds now folded & more"  # kept as text: escaping is the viewer's job


def test_a_10_mb_report_is_read_and_a_21_mb_one_kept_aside_unread(codec):
    raw = sample("jmrp.eml")
    body = b"<p>" + b"x" * 76 + b"</p>\n"
    big = raw.replace(b"<p>Click", body * (10 * 1024 * 1024 // len(body)) + b"<p>Click")
    assert len(big) > 10 * 1024 * 1024
    start = time.perf_counter()
    c = _read(big, codec)
    elapsed = time.perf_counter() - start
    assert isinstance(c, Complaint) and c.account == "taro@example.jp"
    assert elapsed < 20, f"a 10 MB report took {elapsed:.1f} s"
    huge = io.BytesIO(raw.replace(b"<p>Click", body * (21 * 1024 * 1024 // len(body)) + b"<p>Click"))
    report = read_bounded(huge, "pipe")
    assert len(report.data) == MAX_REPORT_BYTES + 1 and report.size > 21 * 1024 * 1024  # the rest was drained
    out = read_report(report, codec, now=NOW)
    assert isinstance(out, KeptAside) and "larger than 20 MiB" in out.reason
    assert out.size == report.size and len(out.head) <= 256 * 1024


def test_header_bomb_is_kept_aside(codec):
    bomb = b"".join(b"X-Junk-%d: %s\n" % (i, b"y" * 20) for i in range(5000)) + sample("jmrp.eml")
    out = _read(bomb, codec)
    assert isinstance(out, KeptAside) and "header fields" in out.reason
    inner = sample("spamcop.eml").replace(
        b"X-Fumidai-Trace:", b"".join(b"X-Junk-%d: y\n" % i for i in range(5000)) + b"X-Fumidai-Trace:")
    out = _read(inner, codec)
    assert isinstance(out, KeptAside) and "original has more than" in out.reason


def test_deep_nesting_and_many_parts_are_kept_aside_or_ignored_never_raised(codec):
    nested = b"Content-Type: multipart/mixed; boundary=b0\n\n"
    for i in range(1, 400):
        nested += b"--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n" % (i - 1, i)
    out = _read(b"From: x@y\nMessage-ID: <n@y>\n" + nested, codec)
    assert isinstance(out, KeptAside) and "multipart levels" in out.reason
    many = b"From: x@y\nContent-Type: multipart/mixed; boundary=B\n\n" + b"--B\nContent-Type: text/plain\n\nhi\n" * 600 + b"--B--\n"
    out = _read(many, codec)
    assert isinstance(out, KeptAside) and "MIME parts" in out.reason


def test_reports_that_would_take_the_parser_minutes_are_kept_aside_at_once(codec):
    raw = sample("jmrp.eml")
    short_lines = raw.replace(b"<p>Click", b"x\n" * 9_000_000 + b"<p>Click")  # 24 s in the email parser
    params = raw.replace(b'boundary="dd1f9a3c-2f6e-4b0a-8c1e-JMRP"', b'boundary="dd1f9a3c-2f6e-4b0a-8c1e-JMRP"'
                         + b"".join(b";\n x%d=y" % i for i in range(20_000)), 1)  # 44 s: quadratic parameters
    for data, reason in [(short_lines, "more than 400000 lines"),
                         (params, "a Content-Type header field longer than 4096 bytes")]:
        start = time.perf_counter()
        out = _read(data, codec)
        assert isinstance(out, KeptAside) and out.reason == reason
        assert time.perf_counter() - start < 2


@pytest.mark.parametrize("raw, reason", [(b"", "empty"), (b"\n\n\n", "empty"),
                                         (b"\x00\x01\x02 binary junk \xff\xfe", "not an e-mail message")])
def test_not_a_message_is_kept_aside(codec, raw, reason):
    out = _read(raw, codec)
    assert isinstance(out, KeptAside) and reason in out.reason


def test_a_report_without_message_id_gets_a_content_hash_id(codec):
    raw = re.sub(rb"(?m)^Message-ID: <7b1c.*\n", b"", sample("jmrp.eml"))
    c = _read(raw, codec)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", c.report_message_id)
    assert _read(raw, codec).report_message_id == c.report_message_id  # the same file twice: one id


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_never_crash_the_parser(data):
    out = parse_report(data, origin="fuzz", received_at=NOW)
    assert isinstance(out, Complaint | Ignored | KeptAside)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["jmrp.eml", "yahoo.eml", "spamcop.eml", "forwarded.eml"]),
       st.lists(st.tuples(st.integers(min_value=0, max_value=4000), st.binary(max_size=40)), max_size=6),
       st.integers(min_value=0, max_value=5000))
def test_mangled_samples_never_crash(name, edits, cut):
    data = bytearray(sample(name))
    for at, junk in edits:
        data[at:at + len(junk)] = junk
    out = parse_report(bytes(data[: max(cut, 1)]), origin="fuzz", received_at=NOW)
    assert isinstance(out, Complaint | Ignored | KeptAside)


# --- readers -------------------------------------------------------------------------------


def test_maildir_mbox_file_and_stdin(tmp_path, codec):
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1733.M1.host").write_bytes(sample("jmrp.eml"))
    (maildir / "cur" / "1734.M2.host:2,S").write_bytes(sample("yahoo.eml"))
    (maildir / "tmp" / "half-written").write_bytes(b"From: x\n")  # tmp/ is never read
    mbox = tmp_path / "reports.mbox"
    quoted_from = sample("forwarded.eml") + b"\nFrom here on, I am quoting.\n"
    mbox.write_bytes(b"".join(
        b"From MAILER-DAEMON Tue Dec  8 04:20:01 2026\n" + body.replace(b"\nFrom ", b"\n>From ") + b"\n"
        for body in (sample("spamcop.eml"), quoted_from)))
    single = tmp_path / "one.eml"
    single.write_bytes(sample("forwarded.eml"))
    reports = list(read_sources([str(maildir), str(mbox), str(single), "-"], stdin=io.BytesIO(sample("yahoo.eml"))))
    assert [r.origin.replace(str(tmp_path), "") for r in reports] == [
        "/Maildir/new/1733.M1.host", "/Maildir/cur/1734.M2.host:2,S", "/reports.mbox#1", "/reports.mbox#2",
        "/one.eml", "-"]
    outcomes = [read_report(r, codec, now=NOW) for r in reports]
    assert [o.account for o in outcomes] == ["taro@example.jp", "hanako@example.jp", "taro@example.jp",
                                            "taro@example.jp", "taro@example.jp", "hanako@example.jp"]
    assert b"\nFrom here on, I am quoting." in reports[3].data  # mboxrd >From unquoted


def test_bad_paths_stop_before_anything_is_read(tmp_path):
    (tmp_path / "plain-folder").mkdir()
    with pytest.raises(FumidaiError, match="no such file or folder"):
        list(read_sources([str(REPORTS / "jmrp.eml"), str(tmp_path / "missing")]))
    with pytest.raises(FumidaiError, match="not a maildir"):
        list(read_sources([str(tmp_path / "plain-folder")]))


def test_raw_report_origin_is_kept(codec):
    out = read_report(RawReport("maildir/new/x", sample("jmrp.eml"), len(sample("jmrp.eml"))), codec, now=NOW)
    assert out.origin == "maildir/new/x"
