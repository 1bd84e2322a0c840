"""A staff member's internal note (the reason they typed) never reaches the account's owner."""

from __future__ import annotations

import pytest

from fumidai.notices.templates import TemplateSet

from .helpers import T0, sample_facts

NOTE = "ticket 4411: owner is a known troublemaker, do not refund"


@pytest.mark.parametrize("template", ["warning", "suspended_auto", "suspended_staff"])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_internal_note_is_not_in_any_bundled_notice(template, language):
    facts = sample_facts(language, suspension={"by": "bob", "reason": NOTE, "since": T0})
    assert facts["reason"] == NOTE  # the note is there to leak: the templates must hold it back
    r = TemplateSet().render(facts, template, language)
    assert "ticket" not in r.text and "troublemaker" not in r.text and "ticket" not in r.subject


@pytest.mark.parametrize("language", ["ja", "en"])
def test_suspended_auto_without_a_code_says_a_limit_was_reached(language):
    r = TemplateSet().render(sample_facts(language, suspension={"by": "bob", "reason": NOTE, "since": T0}),
                             "suspended_auto", language)
    assert ("上限に達しました" if language == "ja" else "reached one of our sending limits") in r.text


@pytest.mark.parametrize("language", ["ja", "en"])
def test_reason_codes_still_become_sentences(language):
    r = TemplateSet().render(sample_facts(language), "warning", language)  # reason country:CN:messages_per_day
    assert ("中国からの送信" if language == "ja" else "Mail sent from China") in r.text


def test_the_filter_itself_drops_free_text_in_an_override_template(tmp_path):
    # An ISP's own template may forget the guard: the filter still returns nothing for free text.
    (tmp_path / "warning.en.txt").write_text("Reason: [{{ reason | reason }}]\n", encoding="utf-8")
    ts = TemplateSet(tmp_path)
    leaked = ts.render(sample_facts("en", suspension={"by": "bob", "reason": NOTE, "since": T0}), "warning", "en")
    assert leaked.text.strip() == "Reason: []"
    coded = ts.render(sample_facts("en", suspension={"by": "auto", "reason": "quota:messages_per_hour", "since": T0}),
                      "warning", "en")
    assert coded.text.strip() == "Reason: [The account reached its limit of 100 messages per hour.]"
