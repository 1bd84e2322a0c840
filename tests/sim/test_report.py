"""The containment report computed from a known list of outcomes."""

from __future__ import annotations

import json

from fumidai.sim.client import MessageResult, Submission
from fumidai.sim.report import build_report, render


def result(account, kind, outcome, at, rcpts=2, spam=None, country="JP", action=None, latency=0.001):
    spam = kind in ("burst", "slow", "multi", "proxy") if spam is None else spam
    sub = Submission(account=account, recipients=tuple(f"r{i}@x.example" for i in range(rcpts)),
                     client_address="192.0.2.1", at=at, kind=kind, spam=spam, country=country)
    default = {"accepted": "DUNNO", "held": "HOLD q", "filtered": "FILTER smtp:[q]:25",
               "deferred": "DEFER_IF_PERMIT 4.7.1 later", "rejected": "REJECT 5.7.1 suspended"}[outcome]
    accepted = rcpts if outcome not in ("deferred", "rejected") else 0
    return MessageResult(sub, outcome, action or default, accepted_recipients=accepted, sent_at=at,
                         requests=rcpts + 2, request_latencies=[latency] * (rcpts + 2))


def known_results():
    return [
        # mallory: burst from CN; 3 got out (one filtered), then refused for good from t=300.
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
    assert (m["escaped_messages"], m["escaped_recipients"]) == (3, 90)
    assert (m["filtered_messages"], m["held_messages"], m["refused_messages"]) == (1, 1, 3)
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
    assert (t["spam_messages"], t["spam_escaped_messages"], t["spam_escaped_recipients"]) == (10, 5, 100)
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
