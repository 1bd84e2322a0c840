"""Baselines: learning, familiarity by separate days, bounds, bytes that never poison."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings, strategies as st

from fumidai.behaviour import Baseline, BaselineError, BaselineTable, BehaviourConfig, RecipientHasher, network_of
from fumidai.behaviour.baseline import IPV6_FLAG, days_used, network_text

from .helpers import DAY, T0, hashes


def test_network_of_groups_by_24_and_48_and_refuses_what_is_not_an_address():
    assert network_of("203.0.113.5") == network_of("203.0.113.250") != network_of("203.0.114.5")
    assert network_text(network_of("203.0.113.5")) == "203.0.113.0/24"
    v6 = network_of("2001:db8:1:2::5")
    assert v6 == network_of("2001:db8:1:ffff::1") and v6 & IPV6_FLAG
    assert network_text(v6) == "2001:db8:1::/48"
    assert network_of("::ffff:203.0.113.9") == network_of("203.0.113.5")
    for bad in ("", "unknown", "999.1.1.1", "1.2.3", "::g", "a" * 100, None, 12):
        assert network_of(bad) is None


def test_recipient_hash_is_keyed_case_insensitive_and_carries_the_domain():
    h = RecipientHasher(b"k" * 32)
    other = RecipientHasher(b"j" * 32)
    assert h("Bob@Example.JP") == h("bob@example.jp")
    assert h("bob@example.jp") != other("bob@example.jp")
    assert h("bob@example.jp") >> 32 == h("carol@example.jp") >> 32 != h("bob@example.com") >> 32
    with pytest.raises(ValueError):
        RecipientHasher(b"short")


def test_recipient_hash_values_are_stable():
    # Stored baselines hold these fingerprints: the construction (keyed blake2b, 4-byte
    # digests little-endian, the domain hashed as "@domain") must never change silently.
    h = RecipientHasher(b"k" * 32)
    assert h("r1@example.net") == 2654858192856126875
    assert h("R1@Example.NET") == 2654858192856126875
    assert h("\udcff@x.example") == h("\udcff@X.example")  # undecodable bytes, as the parser keeps them
    assert repr(h) == "RecipientHasher(<key>)"  # nothing of the key's state


def test_a_country_or_network_is_familiar_only_after_separate_days():
    b = Baseline()
    net = network_of("198.51.100.1")
    for minute in range(30):  # thirty messages within one half hour: still one day
        b.learn(T0 + minute * 60, net, "FR", 64500, ())
    assert b.country_days("FR") == b.network_days(net) == b.asn_days(64500) == 1
    b.learn(T0 + DAY, net, "FR", 64500, ())
    assert b.country_days("FR") == b.network_days(net) == 2
    assert b.days_active() == 2 and b.messages == 31


def test_days_are_counted_exactly_when_a_log_is_read_out_of_order():
    b = Baseline()
    for day in (10, 3, 7, 3, 10, 45, 7):  # rotated files in any order, some days twice
        b.learn(T0 + day * DAY, None, "JP", None, ())
    assert b.country_days("JP") == 4  # days 3, 7, 10, 45
    assert b.days_active() == 4


def test_bounded_networks_lose_the_least_recently_used():
    cfg = BehaviourConfig(networks_kept=4)
    b = Baseline()
    for i in range(10):
        b.learn(T0 + i * DAY, network_of(f"10.0.{i}.1"), "JP", None, (), cfg)
    assert len(b.networks) == 4
    assert b.network_days(network_of("10.0.9.1")) == 1 and b.network_days(network_of("10.0.0.1")) == 0


def test_correspondents_two_generations_keep_the_recent_and_stay_bounded():
    cfg = BehaviourConfig(correspondents_per_generation=8, domains_per_generation=4)
    b = Baseline()
    addrs = [f"p{i}@d{i % 6}.example" for i in range(30)]
    for i, a in enumerate(addrs):
        b.learn(T0 + i * 60, None, "JP", None, hashes([a]), cfg)
    assert b.known_correspondents() <= 16
    assert all(b.knows(h) for h in hashes(addrs[-8:]))
    assert not b.knows(hashes(addrs[:1])[0])
    assert len(b.domains) + len(b.domains_old) <= 8


def test_usual_volume_is_a_decaying_high_water_mark():
    b = Baseline()
    start = T0 - T0 % DAY
    for m in range(40):  # one busy hour: 40 messages
        b.learn(start + m * 60, None, "JP", None, ())
    for d in range(1, 4):
        b.learn(start + d * DAY, None, "JP", None, ())
    assert b.usual_hour_messages(start + 3 * DAY) == pytest.approx(40 * 0.5 ** (3 * 24 / (14 * 24)), rel=0.02)
    assert b.usual_hour_messages(start + 31 * DAY) < 10  # a month later it has mostly faded
    assert b.usual_day_messages(start + 3 * DAY) >= 30


def _rich() -> Baseline:
    b = Baseline()
    for i in range(60):
        b.learn(T0 + i * 7000, network_of(f"2001:db8:{i % 5}::1" if i % 2 else f"198.51.{i % 7}.3"),
                ("JP", "FR", "US")[i % 3], 64500 + i % 3, hashes([f"x{i % 13}@d{i % 4}.example", f"y{i}@e.example"]))
    return b


def test_bytes_round_trip_and_compact():
    b = _rich()
    blob = b.to_bytes()
    assert Baseline.from_bytes(blob) == b
    assert Baseline.from_bytes(blob).to_bytes() == blob
    assert len(blob) < 1000  # 60 messages, 73 correspondents, 12 networks
    assert len(Baseline().to_bytes()) < 100


def test_truncated_oversized_and_out_of_range_blobs_are_refused_clearly():
    blob = _rich().to_bytes()
    with pytest.raises(BaselineError, match="truncated"):
        Baseline.from_bytes(blob[:20])
    with pytest.raises(BaselineError, match="header says"):
        Baseline.from_bytes(blob[:-1])
    with pytest.raises(BaselineError, match="header says"):
        Baseline.from_bytes(blob + b"\0")
    with pytest.raises(BaselineError, match="magic"):
        Baseline.from_bytes(b"XX" + blob[2:])
    with pytest.raises(BaselineError, match="format 9"):
        Baseline.from_bytes(blob[:2] + b"\x09" + blob[3:])
    with pytest.raises(BaselineError, match="bytes, not str"):
        Baseline.from_bytes("nope")  # type: ignore[arg-type]
    # A NaN peak, a country code that is not one, a count far past the bound:
    head = struct.Struct("<2sBBHHHIIIIIIHIIffff24sBBBBHHHH")
    fields = list(head.unpack_from(blob))
    for index, value, match in ((15, float("nan"), "out of range"), (27, 60000, "more than")):
        bad = list(fields)
        bad[index] = value
        with pytest.raises(BaselineError, match=match):
            Baseline.from_bytes(head.pack(*bad) + blob[head.size:])
    with pytest.raises(BaselineError, match="capital letters"):
        Baseline.from_bytes(blob[:head.size] + b"j1" + blob[head.size + 2:])


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_never_crash_from_bytes(data):
    try:
        b = Baseline.from_bytes(data)
    except BaselineError:
        return
    assert Baseline.from_bytes(b.to_bytes()) == b


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_corrupted_real_blobs_are_refused_or_read_into_a_usable_baseline(data):
    blob = bytearray(_rich().to_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        blob[data.draw(st.integers(0, len(blob) - 1))] = data.draw(st.integers(0, 255))
    try:
        b = Baseline.from_bytes(bytes(blob))
    except BaselineError:
        return
    # Whatever was accepted works: it learns, answers and round-trips.
    b.learn(T0 + 90 * DAY, network_of("192.0.2.1"), "JP", None, hashes(["a@b.example"]))
    assert b.country_days("JP") >= 1 and b.knows(hashes(["a@b.example"])[0])
    assert Baseline.from_bytes(b.to_bytes()) == b


messages = st.lists(
    st.tuples(st.floats(0, 60 * DAY), st.sampled_from(["JP", "FR", "US", "KR"]),
              st.sampled_from(["203.0.113.5", "198.51.100.7", "2001:db8::1", "bogus"]),
              st.lists(st.sampled_from([f"r{i}@d{i % 3}.example" for i in range(12)]), max_size=5)),
    max_size=40)


@settings(max_examples=200, deadline=None)
@given(messages, messages)
def test_learning_never_makes_a_familiar_country_unfamiliar(history, later):
    cfg = BehaviourConfig()
    b = Baseline()
    for t, country, client, rcpts in history:
        b.learn(T0 + t, network_of(client), country, None, hashes(rcpts), cfg)
    familiar = {c for c in b.countries if b.country_days(c) >= cfg.familiar_after_days}
    for t, country, client, rcpts in later:
        b.learn(T0 + 60 * DAY + t, network_of(client), country, None, hashes(rcpts), cfg)
        assert all(b.country_days(c) >= cfg.familiar_after_days for c in familiar)
    assert Baseline.from_bytes(b.to_bytes()) == b


def test_table_keeps_inactive_baselines_as_bytes_and_tracks_what_changed():
    table = BaselineTable(max_live=2)
    for i in range(5):
        table.learn(f"a{i}", T0 + i, network_of("203.0.113.5"), "JP", None, hashes([f"x{i}@e.example"]))
    assert len(table) == 5 and len(table._live) == 2
    dirty = table.take_dirty()
    assert set(dirty) == {f"a{i}" for i in range(5)} and table.take_dirty() == {}
    assert Baseline.from_bytes(dirty["a0"]).messages == 1
    b0 = table.get("a0")  # decoded on use
    assert b0 is not None and b0.knows(hashes(["x0@e.example"])[0])
    table.load("a9", dirty["a1"])
    assert table.get("a9").messages == 1
    table.load("a8", b"garbage")  # from another node, unreadable: that account starts afresh
    assert table.get("a8") is None and table.unreadable == 1
    assert days_used(table.get_or_create("a8").active) == 0


def test_dirty_baselines_are_taken_a_slice_at_a_time():
    table = BaselineTable(max_live=3)
    for i in range(7):
        table.learn(f"a{i}", T0 + i, network_of("203.0.113.5"), "JP", None, hashes([f"x{i}@e.example"]))
    assert table.dirty_count() == 7
    first, second = table.take_dirty(4), table.take_dirty(4)
    assert len(first) == 4 and len(second) == 3 and not set(first) & set(second)
    assert table.dirty_count() == 0 and table.take_dirty(4) == {}
    table.touched("a1")  # still the set that take_dirty empties
    assert set(table.take_dirty()) == {"a1"}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 40 * 86400), st.integers(1, 50)), min_size=1, max_size=40))
def test_closing_an_hour_and_a_day_at_once_rounds_as_closing_each(messages):
    # _count packs the four peaks at once when a message closes an hour and a day: the same
    # float32 roundings as one pair at a time (the plain way, below).
    from fumidai.behaviour.baseline import _f32_pair

    b = Baseline()
    for t, n in sorted(messages):
        hour, day = int((T0 + t) // 3600), int((T0 + t) // 86400)
        closes_both = b.cur_hour and hour > b.cur_hour and day > b.cur_day
        if closes_both:
            cfg = BehaviourConfig()
            hd = 0.5 ** ((hour - b.cur_hour) / (cfg.volume_half_life_days * 24))
            dd = 0.5 ** ((day - b.cur_day) / cfg.volume_half_life_days)
            want = (_f32_pair(max(b.peak_hour_messages, b.hour_messages) * hd, max(b.peak_hour_recipients, b.hour_recipients) * hd)
                    + _f32_pair(max(b.peak_day_messages, b.day_messages) * dd, max(b.peak_day_recipients, b.day_recipients) * dd))
        b.learn(T0 + t, None, "JP", None, tuple(range(n)))
        if closes_both:
            assert (b.peak_hour_messages, b.peak_hour_recipients, b.peak_day_messages, b.peak_day_recipients) == want
    assert Baseline.from_bytes(b.to_bytes()) == b


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 120), min_size=1, max_size=40), st.sampled_from(["JP", "FR"]))
def test_learn_marks_days_as_mark_does(days, country):
    # learn spells _mark's common case out (a later day, nothing carried past 32 days) for the
    # active days, the country and the network: the same bitmaps and older-day counts as _mark.
    from fumidai.behaviour.baseline import _mark

    b = Baseline()
    want_active, want_country, want_network = None, None, None
    net = network_of("203.0.113.5")
    for d in days:
        t = T0 + d * DAY + 3600
        day = int(t // DAY)
        if want_active is None:
            want_active, want_country, want_network = [0, day, 1], [0, day, 1, 0], [0, day, 1]
        else:
            for e in (want_active, want_country, want_network):
                if e[1] != day:
                    _mark(e, day)
        want_country[3] += 1
        b.learn(t, net, country, None, (1,))
        assert b.active == want_active and b.countries[country] == want_country and b.networks[net] == want_network


def _learn_all(b: Baseline, sequence, cfg: BehaviourConfig, start: float = T0) -> Baseline:
    for t, country, client, rcpts in sequence:
        b.learn(start + t, network_of(client), country, None, hashes(rcpts), cfg)
    return b


# Messages within 31 days (a day bitmap's reach: the union of days is then exact).
month = st.lists(
    st.tuples(st.floats(0, 31 * 86400 - 1), st.sampled_from(["JP", "US", "KR"]),
              st.sampled_from(["203.0.113.5", "198.51.100.7", "2001:db8::1"]),
              st.lists(st.sampled_from([f"r{i}@d{i % 3}.example" for i in range(12)]), max_size=4)),
    max_size=25)


@settings(max_examples=200, deadline=None)
@given(month, month, month)
def test_merging_an_imported_baseline_keeps_what_either_side_learned(common, live_part, imported_part):
    """A server learned ``live_part`` while an import learned ``imported_part``, both on top of
    the same stored baseline: the merge knows every day, place and correspondent either
    learned — as if one had learned everything — and invents nothing."""
    cfg = BehaviourConfig()
    stored = _learn_all(Baseline(), sorted(common), cfg).to_bytes()
    live = _learn_all(Baseline.from_bytes(stored), sorted(live_part), cfg)
    imported = _learn_all(Baseline.from_bytes(stored), sorted(imported_part), cfg)
    truth = _learn_all(Baseline(), sorted(common + live_part + imported_part), cfg)
    live.merge(imported, cfg)
    assert Baseline.from_bytes(live.to_bytes()) == live  # still a valid baseline
    assert live.days_active() == truth.days_active()
    assert {c: live.country_days(c) for c in live.countries} == {c: truth.country_days(c) for c in truth.countries}
    assert {n: live.network_days(n) for n in live.networks} == {n: truth.network_days(n) for n in truth.networks}
    for _t, _c, _a, rcpts in common + live_part + imported_part:
        assert all(live.knows(h) for h in hashes(rcpts))
    assert max(len(common) + len(live_part), len(common) + len(imported_part)) <= live.messages <= truth.messages


@settings(max_examples=100, deadline=None)
@given(month)
def test_merging_a_baseline_with_itself_or_an_empty_one_changes_nothing(sequence):
    cfg = BehaviourConfig()
    b = _learn_all(Baseline(), sorted(sequence), cfg)
    same = Baseline.from_bytes(b.to_bytes())
    b.merge(Baseline.from_bytes(b.to_bytes()), cfg)
    assert b == same
    b.merge(Baseline(), cfg)
    assert b == same
    empty = Baseline()
    empty.merge(same, cfg)
    assert empty == same and empty.countries is not same.countries


def test_merged_correspondents_stay_within_the_generation_bounds():
    cfg = BehaviourConfig(correspondents_per_generation=8, domains_per_generation=4)
    a = _learn_all(Baseline(), [(i * 60.0, "JP", "203.0.113.5", [f"a{i}@x{i % 5}.example"]) for i in range(7)], cfg)
    b = _learn_all(Baseline(), [(i * 60.0, "JP", "203.0.113.5", [f"b{i}@y{i % 5}.example"]) for i in range(7)], cfg)
    a.merge(b, cfg)
    assert len(a.correspondents) <= 7 and len(a.correspondents_old) <= 8
    assert len(a.domains) <= 3 and len(a.domains_old) <= 4
    assert Baseline.from_bytes(a.to_bytes()) == a


def test_a_baseline_learned_since_the_last_save_is_merged_with_an_imported_one_not_dropped():
    table = BaselineTable()
    table.learn("alice", T0, network_of("203.0.113.5"), "JP", None, hashes(["live@e.example"]))
    imported = _learn_all(Baseline(), [(-3 * DAY, "US", "198.51.100.7", ["old@e.example"])], BehaviourConfig())
    table.load("alice", imported.to_bytes())  # an import while the server runs; alice is dirty
    b = table.get("alice")
    assert b.knows(hashes(["live@e.example"])[0]) and b.knows(hashes(["old@e.example"])[0])
    assert b.country_days("US") == 1 and b.days_active() == 2
    assert "alice" in table.take_dirty()  # saved with both at the next save
    table.load("alice", b"garbage")  # not dirty now: replaced, and unreadable at use
    assert table.get("alice") is None and table.unreadable == 1
