"""A stop by behaviour analysis said to the owner in their words (ja/en), nothing internal."""

from __future__ import annotations

import pytest

from fumidai.behaviour import Signal
from fumidai.notices.reasons import behaviour_reason_code, is_reason_code
from fumidai.notices.templates import TemplateSet

from .helpers import T0, sample_facts

REASONS = [Signal("new_country", 3.0, {"country": "NG", "days": 0}),
           Signal("new_network", 1.0, {"network": "198.51.100.0/24", "asn": 64500}),
           Signal("new_recipients", 2.0, {"new": 29, "total": 30}),
           Signal("cohort", 2.0, {"accounts": 8, "minutes": 40})]
CODE = behaviour_reason_code(REASONS)


def test_the_code_keeps_signals_and_the_country_only():
    assert CODE == "behaviour:new_country/NG,new_network,new_recipients,cohort"
    assert behaviour_reason_code([r.as_dict() for r in REASONS]) == CODE


@pytest.mark.parametrize("language, words", [
    ("ja", ["普段とは異なる傾向のメール", "普段と異なる国 (ナイジェリア) からメールが送信されました。",
            "これまで送信したことのない多数の宛先", "盗まれたパスワード"]),
    ("en", ["in a way that is\nunusual for it", "Mail was sent from a country this account had not used (Nigeria).",
            "many addresses this account had never written to", "stolen passwords"]),
])
def test_suspended_auto_says_the_behaviour_reasons(language, words):
    r = TemplateSet().render(sample_facts(language, suspension={"by": "auto", "reason": CODE, "since": T0}),
                             "suspended_auto", language)
    for w in words:
        assert w in r.text, w
    heading = "■停止の理由" if language == "ja" else "Why it was stopped"
    why = r.text.split(heading, 1)[1].split("■" if language == "ja" else "What was sent", 1)[0]
    assert why.strip() and all(w in why for w in words[1:])
    for internal in ("198.51.100", "64500", "29", "30", "40", "8", "behaviour:", "new_country", "cohort"):
        assert internal not in why, internal
    assert "198.51.100" not in r.text and "behaviour:" not in r.text and "64500" not in r.text
    assert ("多数のメールが" not in r.text) if language == "ja" else ("unusually large amount" not in r.text)


@pytest.mark.parametrize("code", [
    "behaviour:", "behaviour:new_country/XX", "behaviour:luck", "behaviour:new_network/JP",
    "behaviour:new_country/NG,call 090-1234", "behaviour:" + ",".join(["volume"] * 13),
])
def test_anything_else_after_the_prefix_is_free_text_and_dropped(code, tmp_path):
    assert not is_reason_code(code)
    (tmp_path / "warning.en.txt").write_text("Reason: [{{ reason | reason }}]\n", encoding="utf-8")
    r = TemplateSet(tmp_path).render(sample_facts("en", suspension={"by": "auto", "reason": code, "since": T0}),
                                     "warning", "en")
    assert r.text.strip() == "Reason: []"


def test_a_quota_stop_still_opens_as_before():
    r = TemplateSet().render(sample_facts("en", suspension={"by": "auto", "reason": "quota:messages_per_hour",
                                                            "since": T0}), "suspended_auto", "en")
    assert "unusually large amount" in r.text
