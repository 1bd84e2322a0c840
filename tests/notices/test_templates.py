"""Rendering: bundled templates in both languages, the sandbox, StrictUndefined, overrides."""

from __future__ import annotations

import pytest

from fumidai.notices import NoticeError
from fumidai.notices.facts import build_facts
from fumidai.notices.reasons import reason_text
from fumidai.notices.templates import TemplateSet, format_time

from .helpers import T0, sample_facts

NAMES = ["suspended_auto", "suspended_staff", "warning", "restored"]


def test_templates_list_names_languages_and_descriptions():
    items = {t["name"]: t for t in TemplateSet().templates()}
    assert set(items) == set(NAMES)
    for t in items.values():
        assert t["languages"] == ["ja", "en"]
        assert t["description"]["ja"] and t["description"]["en"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("with_usage", [True, False])
def test_every_template_renders_with_and_without_usage(name, language, with_usage):
    facts = sample_facts(language) if with_usage else sample_facts(language, usage=None, limits=None)
    r = TemplateSet().render(facts, name, language)
    assert "taro01" in r.subject and "\n" not in r.subject
    assert "taro01" in r.text and "0120-000-000" in r.text
    assert r.html is None
    assert "{{" not in r.text and "{%" not in r.text
    assert ("123" in r.text) == (with_usage and name != "restored")


def test_suspended_auto_in_japanese_says_what_happened_in_the_owners_words():
    r = TemplateSet().render(sample_facts("ja"), "suspended_auto", "ja")
    assert r.subject == "【重要】メールアカウント「taro01」の送信を停止しました"
    assert r.text.startswith("山田 太郎 様\n")
    assert "2026年11月18日 19時56分（日本時間）" in r.text  # T0 - 600 s, in Asia/Tokyo
    assert "中国からの送信が、24時間あたりの送信メール数の上限（5通）に達しました。" in r.text
    assert "直近1時間の送信: 123通（宛先 4,567件）" in r.text
    assert "    中国: 125通" in r.text and "    日本: 5通" in r.text
    assert "パスワードを変更してください" in r.text and "転送設定" in r.text and "ウイルス対策ソフト" in r.text


def test_suspended_auto_in_english_with_another_time_zone():
    facts = sample_facts("en", timezone="Europe/London", owner_name="")
    r = TemplateSet().render(facts, "suspended_auto", "en")
    assert r.text.startswith("Dear customer,\n")
    assert "18 November 2026, 10:56 GMT" in r.text
    assert "Mail sent from China reached the limit of 5 messages per 24 hours." in r.text
    assert "China: 125 messages" in r.text and "Last hour: 123 messages to 4,567 recipients" in r.text


def test_staff_free_text_reason_is_not_shown_to_the_owner():
    facts = sample_facts("ja", suspension={"by": "bob", "reason": "ticket 4411: internal note", "since": T0})
    r = TemplateSet().render(facts, "suspended_staff", "ja")
    assert "ticket" not in r.text and "■停止の理由" not in r.text
    coded = sample_facts("ja", suspension={"by": "bob", "reason": "abroad:messages_per_day", "since": T0})
    assert "日本以外の国・地域からの送信" in TemplateSet().render(coded, "suspended_staff", "ja").text


def test_reason_codes_and_times_as_sentences():
    assert reason_text("quota:messages_per_hour", "en", {"account": {"messages_per_hour": 100}}) == \
        "The account reached its limit of 100 messages per hour."
    assert reason_text("suspended", "ja").endswith("。")
    assert reason_text("something staff wrote", "ja") == "something staff wrote"
    assert format_time(T0, "ja", "Asia/Tokyo") == "2026年11月18日 20時06分（日本時間）"
    assert format_time(T0, "en", "Asia/Kolkata") == "18 November 2026, 16:36 IST"


def test_facts_accept_api_shapes_and_fill_every_quota_key():
    facts = build_facts(account="a", contact="a@example.jp", language="fr", now=T0, support_contact="s",
                        suspension={"by": "auto", "reason": "suspended", "since": "2026-11-18T10:00:00Z"},
                        usage={"hour": {"messages": 1}, "countries": {"US": (3, 4)}},
                        limits={"account": {"messages_per_hour": 10}})
    assert facts["language"] == "en"  # unknown languages fall back to English
    assert facts["suspension"]["since"] == T0 - 4000 and facts["reason"] == "suspended"
    assert facts["usage"]["countries"] == [{"country": "US", "messages_day": 3, "recipients_day": 4}]
    assert facts["usage"]["day"] == {"messages": 0, "recipients": 0}
    assert facts["limits"]["account"]["recipients_per_day"] is None


def test_unknown_variable_fails_naming_the_template_and_the_variable(tmp_path):
    (tmp_path / "warning.en.txt").write_text("Hello {{ owner_name }}\n{{ usage.hour.mesages }}\n")
    with pytest.raises(NoticeError, match=r"warning\.en\.txt, line 2: unknown variable: .*'mesages'"):
        TemplateSet(tmp_path).render(sample_facts("en"), "warning", "en")
    (tmp_path / "warning.en.txt").write_text("{{ nosuchvar }}\n")
    with pytest.raises(NoticeError, match=r"warning\.en\.txt, line 1: unknown variable: 'nosuchvar' is undefined"):
        TemplateSet(tmp_path).render(sample_facts("en"), "warning", "en")


@pytest.mark.parametrize("expr", [
    "''.__class__.__mro__[1].__subclasses__()",
    "account.__class__",
    "usage.hour.update({'messages': 0})",
    "lipsum.__globals__",
])
def test_sandbox_refuses_unsafe_access(tmp_path, expr):
    (tmp_path / "warning.en.txt").write_text("{{ " + expr + " }}\n")
    with pytest.raises(NoticeError, match=r"warning\.en\.txt, line 1: unsafe access refused"):
        TemplateSet(tmp_path).render(sample_facts("en"), "warning", "en")


def test_override_folder_wins_by_name_and_can_add_templates(tmp_path):
    (tmp_path / "warning.ja.subject").write_text("【お知らせ】{{ account }} の送信について\n", encoding="utf-8")
    (tmp_path / "welcome.en.subject").write_text("Welcome {{ account }}\n")
    (tmp_path / "welcome.en.txt").write_text("Hi {{ owner_name }}\n")
    (tmp_path / "templates.toml").write_text('[welcome]\ndescription.en = "A greeting"\n')
    ts = TemplateSet(tmp_path)
    r = ts.render(sample_facts("ja"), "warning", "ja")
    assert r.subject == "【お知らせ】taro01 の送信について"
    assert "普段とは異なる送信" in r.text  # the body still comes from the bundled file
    names = {t["name"]: t for t in ts.templates()}
    assert names["welcome"] == {"name": "welcome", "languages": ["en"], "description": {"en": "A greeting"}}
    with pytest.raises(NoticeError, match="has no 'ja' version"):
        ts.render(sample_facts("ja"), "welcome", "ja")
    with pytest.raises(NoticeError, match="unknown template 'nope'"):
        ts.render(sample_facts("ja"), "nope", "ja")
    with pytest.raises(NoticeError, match="is not a folder"):
        TemplateSet(tmp_path / "missing")


def test_line_break_in_a_spammer_value_cannot_reach_the_subject():
    facts = sample_facts("en", account="x\r\nBcc: victim@example.com")
    with pytest.raises(NoticeError, match="line break"):
        TemplateSet().render(facts, "warning", "en")


def test_html_alternative_is_autoescaped_and_text_is_not(tmp_path):
    (tmp_path / "warning.en.html").write_text("<p>Dear {{ owner_name }}</p>\n")
    facts = sample_facts("en", owner_name="<script>alert(1)</script> & co")
    r = TemplateSet(tmp_path).render(facts, "warning", "en")
    assert r.html == "<p>Dear &lt;script&gt;alert(1)&lt;/script&gt; &amp; co</p>\n"
    assert r.text.startswith("Dear <script>alert(1)</script> & co,")


def test_control_and_bidi_characters_are_dropped_from_values():
    facts = sample_facts("en", owner_name="Eve\u202egnp.exe\x07")
    r = TemplateSet().render(facts, "warning", "en")
    assert r.text.startswith("Dear Evegnp.exe,")


def test_facts_from_the_api_account_detail_render_a_warning():
    from fumidai.notices.facts import facts_from_detail

    detail = {
        "account": "hanako", "status": "limited", "suspension": None,
        "limits": {"account": {"messages_per_hour": 100}, "abroad": {"messages_per_day": 20},
                   "countries": {}, "home_countries": ["JP"]},
        "usage": {"hour": {"messages": 30, "recipients": 60}, "day": {"messages": 45, "recipients": 90},
                  "refused_day": {"messages": 7, "recipients": 7}, "unique_recipients_day": 50,
                  "countries": [{"country": "JP", "messages_hour": 5, "messages_day": 25, "recipients_day": 50,
                                 "refused_day": 0},
                                {"country": "BR", "messages_hour": 25, "messages_day": 20, "recipients_day": 40,
                                 "refused_day": 7}]},
        "recent": [{"time": "2026-11-18T11:00:00Z", "reason": "abroad:messages_per_day", "country": "BR"},
                   {"time": "2026-11-18T10:59:00Z", "reason": "", "country": "JP"}],
    }
    facts = facts_from_detail(detail, contact="hanako@example.jp", owner_name="佐藤 花子", language="ja",
                              now=T0, support_contact="support@isp.example")
    assert facts["reason"] == "abroad:messages_per_day" and facts["status"] == "limited"
    r = TemplateSet().render(facts, "warning", "ja")
    assert "日本以外の国・地域からの送信が、24時間あたりの送信メール数の上限（20通）に達しました。" in r.text
    assert r.text.index("日本: 25通") < r.text.index("ブラジル: 20通")
    assert "お断りしたメール: 7通" in r.text and "佐藤 花子 様" in r.text
