"""The containment report computed from a known list of outcomes."""

from __future__ import annotations

import json

from fumidai.sim.client import MessageResult, Submission
from fumidai.sim.kinds import HIJACK_KINDS, HONEST_KINDS
from fumidai.sim.report import aggregate, build_report, render, render_summary


def result(account, kind, outcome, at, rcpts=2, spam=None, country="JP", action=None, latency=0.001, hijack=""):
    spam = kind in HIJACK_KINDS if spam is None else spam
    sub = Submission(account=account, recipients=tuple(f"r{i}@x.example" for i in range(rcpts)),
                     client_address="192.0.2.1", at=at, kind=kind, spam=spam, country=country, hijack=hijack)
    default = {"accepted": "DUNNO", "held": "HOLD q", "filtered": "FILTER smtp:[q]:25",
               "deferred": "DEFER_IF_PERMIT 4.7.1 later", "rejected": "REJECT 5.7.1 suspended"}[outcome]
    accepted = rcpts if outcome not in ("deferred", "rejected") else 0
    return MessageResult(sub, outcome, action or default, accepted_recipients=accepted, sent_at=at,
                         requests=rcpts + 2, request_latencies=[latency] * (rcpts + 2))


def known_results():
    return [
        # mallory: burst from CN; 2 got out (one more was filtered: quarantined), then refused for good from t=300.
        result("mallory", "burst", "accepted", 60, rcpts=30, country="CN"),
        result("mallory", "burst", "filtered", 120, rcpts=30, country="CN"),
        result("mallory", "burst", "deferred", 180, rcpts=30, country="CN"),  # not the stop: one got out later
        result("mallory", "burst", "accepted", 240, rcpts=30, country="CN"),
        result("mallory", "burst", "rejected", 300, rcpts=30, country="CN"),
        result("mallory", "burst", "held", 360, rcpts=30, country="CN"),
        result("mallory", "burst", "rejected", 420, rcpts=30, country="CN"),
        # her owner's own mail: refused once suspended; not a false positive
        result("mallory", "honest", "accepted", 100),
        result("mallory", "honest", "rejected", 400),
        # trudy: slow from RU, never stopped
        result("trudy", "slow", "accepted", 30, rcpts=5, country="RU"),
        result("trudy", "slow", "accepted", 900, rcpts=5, country="RU"),
        # oscar: proxy, refused from the first message
        result("oscar", "proxy", "rejected", 600, rcpts=40),
        # honest users
        result("alice", "honest", "accepted", 10),
        result("alice", "honest", "accepted", 20),
        result("bob", "honest", "deferred", 30),
        result("shop", "heavy", "accepted", 40, rcpts=20),
        result("shop", "heavy", "rejected", 50, rcpts=20),
        result("shop", "heavy", "held", 55, rcpts=20),
        result("carol", "traveller", "accepted", 70, country="FR", latency=0.010),
    ]


def test_hijack_containment():
    report = build_report(known_results())
    hijacks = {h["account"]: h for h in report["hijacks"]}
    m = hijacks["mallory"]
    assert m["kind"] == "burst" and m["countries"] == ["CN"]
    assert (m["spam_messages"], m["spam_recipients"]) == (7, 210)
    assert (m["escaped_messages"], m["escaped_recipients"]) == (2, 60)
    assert (m["quarantined_messages"], m["quarantined_recipients"]) == (2, 60)
    assert (m["filtered_messages"], m["held_messages"], m["refused_messages"]) == (1, 1, 3)
    assert m["stopped_by"] == "rejected"
    assert m["stopped"] and m["stopped_at"] == 300 and m["stopped_after_minutes"] == 4.0
    assert m["stop_action"] == "REJECT 5.7.1 suspended"
    assert (m["owner_messages"], m["owner_refused"]) == (2, 1)
    t = hijacks["trudy"]
    assert not t["stopped"] and t["stopped_after_minutes"] is None and t["escaped_messages"] == 2
    o = hijacks["oscar"]
    assert o["stopped"] and o["stopped_after_minutes"] == 0 and o["escaped_recipients"] == 0


def test_false_positives_per_kind_and_totals():
    report = build_report(known_results(), wall_seconds=2.0, duration=900)
    honest = report["honest"]
    assert honest["honest"] == {"accounts": 2, "messages": 3, "accepted": 2, "held": 0, "filtered": 0,
                                "deferred": 1, "rejected": 0, "accounts_refused": 1,
                                "false_positive_rate": round(1 / 3, 6)}
    assert (honest["heavy"]["rejected"], honest["heavy"]["held"], honest["heavy"]["accounts_refused"]) == (1, 1, 1)
    assert honest["traveller"]["accepted"] == 1
    assert honest["owner"]["messages"] == 2
    t = report["totals"]
    assert (t["hijacks"], t["hijacks_stopped"]) == (3, 2)
    assert (t["spam_messages"], t["spam_escaped_messages"], t["spam_escaped_recipients"]) == (10, 4, 70)
    assert t["spam_quarantined_messages"] == 2
    assert t["honest_held"] == 1  # the shop's held message
    assert t["longest_stop_minutes"] == 4.0
    # Owners' refused mail is not counted against the policy: 2 of 7 honest messages were refused.
    assert (t["honest_messages"], t["honest_refused"]) == (7, 2)
    assert t["messages"] == 19 and t["outcomes"]["rejected"] == 5
    assert t["requests"] == sum(r.requests for r in known_results())
    assert t["latency_ms"]["max"] == 10.0 and t["latency_ms"]["p50"] == 1.0
    assert t["wall_seconds"] == 2.0 and t["simulated_minutes"] == 15


def test_render_text_and_json():
    report = build_report(known_results())
    assert json.loads(render(report, "json")) == report
    text = render(report, "text")
    assert "mallory" in text and "NOT STOPPED" in text and "4.0 min" in text
    assert "hijacks stopped: 2/3" in text
    assert "honest messages refused: 2 of 7" in text


def test_empty_run():
    report = build_report([])
    assert report["hijacks"] == [] and report["totals"]["messages"] == 0
    assert "no hijacked accounts" in render(report)


def test_hold_and_filter_are_quarantined_not_accepted():
    held_spam = [result("eve", "burst", "held", 10 + i, rcpts=10, country="CN", action="HOLD behaviour") for i in range(3)]
    filtered_spam = [result("eve", "burst", "filtered", 20 + i, rcpts=10, country="CN") for i in range(2)]
    report = build_report(held_spam + filtered_spam + [result("ann", "honest", "held", 5), result("ann", "honest", "accepted", 6)])
    (h,) = report["hijacks"]
    assert (h["escaped_messages"], h["escaped_recipients"]) == (0, 0)
    assert (h["quarantined_messages"], h["quarantined_recipients"]) == (5, 50)
    assert h["stopped"] and h["stopped_after_minutes"] == 0 and h["stopped_by"] == "held"
    assert report["totals"]["honest_refused"] == 0 and report["totals"]["honest_held"] == 1
    summary = aggregate({1: report})
    assert summary["honest"]["honest"]["held"] == 1
    assert not summary["passed"]  # a held honest message fails the goal
    assert [c["passed"] for c in summary["checks"]] == [True, True, True, False]


def test_a_cohort_is_one_hijack_and_every_honest_kind_is_listed():
    cohort = [result(f"c{i}", "cohort", "accepted", 100 + i, rcpts=4, country="RU", hijack="cohort6") for i in range(7)]
    cohort.append(result("c0", "cohort", "rejected", 200, rcpts=4, country="RU", hijack="cohort6"))
    report = build_report(cohort + [result("c3", "honest", "accepted", 50)])
    (h,) = report["hijacks"]
    assert h["account"] == "cohort6" and h["accounts"] == [f"c{i}" for i in range(7)]
    assert (h["escaped_messages"], h["escaped_recipients"], h["owner_messages"]) == (7, 28, 1)
    assert list(report["honest"])[: len(HONEST_KINDS)] == list(HONEST_KINDS)  # listed even with no mail
    assert report["honest"]["vpn"]["messages"] == 0 and report["honest"]["owner"]["messages"] == 1
    assert "cohort6 (7 accounts)" in render(report)


def test_several_seeds_median_worst_and_goal_lines():
    def seed(escaped_burst, escaped_slow):
        rs = [result("b", "burst", "accepted", i, rcpts=10) for i in range(escaped_burst)]
        rs.append(result("b", "burst", "rejected", 99, rcpts=10))
        rs += [result("s", "slow", "accepted", i, rcpts=3) for i in range(escaped_slow)]
        rs += [result("shop", "heavy", "rejected", 5), result("ann", "honest", "accepted", 5)]
        return build_report(rs)

    summary = aggregate({1: seed(2, 4), 2: seed(3, 30), 3: seed(1, 5)})
    burst, slow = summary["hijack_kinds"]["burst"], summary["hijack_kinds"]["slow"]
    assert (burst["median_escaped_messages"], burst["worst_escaped_messages"]) == (2, 3)
    assert (burst["median_escaped_recipients"], burst["worst_escaped_recipients"]) == (20, 30)
    assert burst["stopped"] == 3 and slow["stopped"] == 0 and slow["worst_stop_minutes"] is None
    assert (slow["median_escaped_messages"], slow["worst_escaped_messages"]) == (5, 30)
    assert summary["goal"] == {"median_messages": 3.5, "median_recipients": 17.5, "worst_messages": 30,
                               "honest_harmed": 0}  # the heavy sender over its quota is not in the goal
    assert summary["honest"]["heavy"]["refused"] == 3
    text = render_summary(summary)
    assert "PASS  median spam accepted per hijack <= 5 messages  (measured: 3.5)" in text
    assert "FAIL  worst hijack <= 20 messages accepted  (measured: 30)" in text
    assert "PASS  honest messages refused, deferred or held: 0" in text
