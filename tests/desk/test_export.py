"""export.py: history CSV from the backend's file or from /series (newer and older backends),
validated before it is written, and the two compared on a real backend."""

from __future__ import annotations

import csv

import pytest

from fumidai.desk.api.client import ApiClient
from fumidai.desk.api.models import Series
from fumidai.desk.export import HEADER, HistoryRow, rows_from_csv, rows_from_series, write_history_csv
from fumidai.errors import FumidaiError

from .fake_api import FakeApi, iso


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_backend_csv_round_trip(tmp_path):
    with FakeApi(accounts=3, now=1_800_000_000) as api:
        text = ApiClient(api.url, api.token("viewer")).history_csv("user0001")
    rows = rows_from_csv(text)
    assert rows == [HistoryRow(iso(1_800_000_000), "JP", 140, 280, 0, 0)]
    assert write_history_csv(tmp_path / "h.csv", rows) == 1
    assert read(tmp_path / "h.csv") == [list(HEADER), [iso(1_800_000_000), "JP", "140", "280", "0", "0"]]


@pytest.mark.parametrize("text, message", [
    ("hour,country\n", "unexpected header"),
    (",".join(HEADER) + "\n2026-11-27T21:00:00Z,JP,1,2,3\n", "5 fields"),
    (",".join(HEADER) + "\n2026-11-27T21:00:00Z,JP,=cmd|' /C calc'!A0,2,3,4\n", "whole numbers"),
    (",".join(HEADER) + "\n=HYPERLINK(1),JP,1,2,3,4\n", "ISO 8601"),
    (",".join(HEADER) + "\n2026-11-27T21:00:00Z,@SUM,1,2,3,4\n", "country code"),
    (",".join(HEADER) + "\n2026-11-27T21:00:00Z,JP,-1,2,3,4\n", "negative"),
])
def test_hostile_or_broken_csv_is_refused(text, message):
    with pytest.raises(FumidaiError, match=message):
        rows_from_csv(text)


def test_rows_from_series_aggregate_per_hour_and_country(tmp_path):
    with FakeApi(accounts=3, now=1_800_003_600 + 120) as api:
        series = ApiClient(api.url, api.token("viewer")).series("user0001", window=7200, step=600)
    assert series.recipient_detail
    rows = rows_from_series(series)
    hours = sorted({r.hour for r in rows})
    assert hours == [iso(1_799_996_400), iso(1_800_000_000), iso(1_800_003_600)]
    # per point: messages m all from JP (user0001), recipients 2m, all in recipients_by_country; refused 0
    per_hour: dict[str, int] = {}
    for p in series.points:
        hour = iso(p.time // 3600 * 3600)
        per_hour[hour] = per_hour.get(hour, 0) + p.messages
    assert rows == [HistoryRow(h, "JP", m, 2 * m, 0, 0) for h, m in sorted(per_hour.items()) if m]
    # Points alone (what an older caller passes) give the same rows.
    assert rows_from_series(series.points) == rows
    assert write_history_csv(tmp_path / "s.csv", rows) == len(rows)
    assert read(tmp_path / "s.csv")[0] == list(HEADER)


H = 1_800_000_000  # a whole hour


def _point(t, messages=0, recipients=0, refused=0, by_country=None, refused_recipients=None,
           recipients_by_country=None) -> dict:
    p = {"time": iso(t), "messages": messages, "recipients": recipients, "refused": refused,
         "by_country": by_country or {}}
    if refused_recipients is not None:  # the newer fields, absent from an older backend
        p["refused_recipients"] = refused_recipients
    if recipients_by_country is not None:
        p["recipients_by_country"] = recipients_by_country
    return p


def _series(points: list[dict]) -> Series:
    return Series.from_json({"account": "mallory", "start": points[0]["time"], "step": 600, "points": points})


NEW = _series([
    _point(H, 2, 5, 1, {"JP": 1, "US": 1}, 5, {"JP": 2, "US": 3}),
    _point(H + 600, 1, 4, 1, {"JP": 1}, 3, {"JP": 4}),
    _point(H + 1200),
    _point(H + 3600, 0, 0, 2, {}, 7, {}),  # only refusals in the next hour
])


def test_new_backend_splits_recipients_by_country_and_keeps_refusals_in_the_all_countries_row(tmp_path):
    assert NEW.recipient_detail
    rows = rows_from_series(NEW)
    assert rows == [
        HistoryRow(iso(H), "", 0, 0, 2, 8),  # refused messages and recipients of every country
        HistoryRow(iso(H), "JP", 2, 6, 0, 0),
        HistoryRow(iso(H), "US", 1, 3, 0, 0),
        HistoryRow(iso(H + 3600), "", 0, 0, 2, 7),
    ]
    # Nothing counted twice, nothing lost: the columns add up to the series' totals.
    assert sum(r.accepted_messages for r in rows) == sum(p.messages for p in NEW.points)
    assert sum(r.accepted_recipients for r in rows) == sum(p.recipients for p in NEW.points)
    assert sum(r.refused_messages for r in rows) == sum(p.refused for p in NEW.points)
    assert sum(r.refused_recipients for r in rows) == sum(p.refused_recipients for p in NEW.points)
    assert write_history_csv(tmp_path / "h.csv", rows) == 4
    assert read(tmp_path / "h.csv") == [list(HEADER), [iso(H), "", "0", "0", "2", "8"],
                                        [iso(H), "JP", "2", "6", "0", "0"], [iso(H), "US", "1", "3", "0", "0"],
                                        [iso(H + 3600), "", "0", "0", "2", "7"]]


# The same traffic as an older backend reports it: no refused_recipients, no recipients_by_country.
OLD = _series([
    _point(H, 2, 5, 1, {"JP": 1, "US": 1}),
    _point(H + 600, 1, 4, 1, {"JP": 1}),
    _point(H + 1200),
    _point(H + 3600, 0, 0, 2, {}),
])
OLD_ROWS = [
    HistoryRow(iso(H), "", 0, 9, 2, 0),  # every recipient, and the refused messages; refused recipients not known
    HistoryRow(iso(H), "JP", 2, 0, 0, 0),
    HistoryRow(iso(H), "US", 1, 0, 0, 0),
    HistoryRow(iso(H + 3600), "", 0, 0, 2, 0),
]


def test_older_backend_gives_the_rows_it_always_gave():
    assert not OLD.recipient_detail
    assert rows_from_series(OLD) == OLD_ROWS
    assert rows_from_series(OLD.points) == OLD_ROWS  # its points hold {} and 0: the same rows
    # Forced: the newer fields are left out even when present.
    assert rows_from_series(NEW, recipient_detail=False) == OLD_ROWS
    assert rows_from_series(NEW.points, recipient_detail=False) == OLD_ROWS


def test_series_counts_left_out_of_the_country_split_go_to_the_all_countries_row(tmp_path):
    hostile = "=cmd|' /C calc'!A0"
    series = _series([_point(H, 6, 12, 0, {hostile: 1, "jp": 2, "ZZ": 1}, 0,
                             {hostile: 2, "jp": 4, "ZZ": 1, "+1": 1})])
    rows = rows_from_series(series)
    # Keys that are not two letters are no country: their counts, and what the split leaves
    # over (2 messages, 4 recipients), are in the row with country "". ZZ (unknown place) stays.
    assert rows == [HistoryRow(iso(H), "", 3, 7, 0, 0), HistoryRow(iso(H), "JP", 2, 4, 0, 0),
                    HistoryRow(iso(H), "ZZ", 1, 1, 0, 0)]
    write_history_csv(tmp_path / "h.csv", rows)
    cells = [c for line in read(tmp_path / "h.csv")[1:] for c in line]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]


def test_series_export_matches_the_backends_history_csv(tmp_path):
    """The same traffic through a real backend: its history.csv against the rows built from its
    /series. Accepted counts agree per hour and country; /series has no refusals by country, so
    each hour's refusals, summed over the backend's countries, are in the desk's row with country ""."""
    pytest.importorskip("fastapi")
    from fumidai.api.server import serve_api
    from fumidai.config import settings_from_dict
    from fumidai.geo.build import build_from_ranges
    from fumidai.store import repo

    from tests.service.conftest import CN, JP, US, Clock, Running

    geo = tmp_path / "test.mmdb"
    build_from_ranges([("192.0.2.0/24", "JP"), ("198.51.100.0/24", "US"), ("203.0.113.0/24", "CN")], geo)
    settings = settings_from_dict({
        "api": {"listen": "127.0.0.1:0"},
        "storage": {"url": f"sqlite:///{tmp_path}/fumidai.db", "flush_interval": 0.2},
        "geoip": {"database": str(geo), "home_countries": ["JP"]},
        "limits": {"messages_per_hour": 3, "messages_per_day": 100},
    })
    clock = Clock(H)
    r = Running(settings, clock, geo)
    server = None
    try:
        server = r.call(serve_api(r.service, settings))
        with r.service.store.session() as s:
            token = repo.add_staff(s, "vic", "viewer")
        # Hour 0: two messages, from Japan and the US.
        assert r.message("mallory", ip=JP, recipients=2) == "DUNNO"
        assert r.message("mallory", ip=US, recipients=3) == "DUNNO"
        # Hour 1: three more accepted, then a fourth from China is over the hourly quota (refused
        # with its 5 recipients, the account stopped), and a retry refused at each of 3 RCPTs.
        clock.advance(3600 + 60)
        assert r.message("mallory", ip=JP, recipients=4) == "DUNNO"
        assert r.message("mallory", ip=US, recipients=1) == "DUNNO"
        assert r.message("mallory", ip=JP, recipients=1) == "DUNNO"
        assert r.message("mallory", ip=CN, recipients=5).startswith("REJECT")
        clock.advance(60)
        for i in range(3):
            assert r.ask("RCPT", sasl_username="mallory", client_address=CN, instance="again.0",
                         recipient=f"rcpt{i}@example.net").startswith("REJECT")
        r.flush()
        client = ApiClient(server.address, token)
        backend = rows_from_csv(client.history_csv("mallory", days=1))
        series = client.series("mallory", window=86400, step=3600)
    finally:
        if server is not None:
            r.call(server.stop())
        r.close()

    h0, h1 = iso(H), iso(H + 3600)
    assert backend == [HistoryRow(h0, "JP", 1, 2, 0, 0), HistoryRow(h0, "US", 1, 3, 0, 0),
                       HistoryRow(h1, "CN", 0, 0, 2, 8), HistoryRow(h1, "JP", 2, 5, 0, 0),
                       HistoryRow(h1, "US", 1, 1, 0, 0)]
    assert series.recipient_detail
    desk = rows_from_series(series)
    assert desk == [HistoryRow(h0, "JP", 1, 2, 0, 0), HistoryRow(h0, "US", 1, 3, 0, 0),
                    HistoryRow(h1, "", 0, 0, 2, 8), HistoryRow(h1, "JP", 2, 5, 0, 0),
                    HistoryRow(h1, "US", 1, 1, 0, 0)]
    # The general rule, whatever the traffic: per (hour, country) the same accepted counts; per
    # hour, the refusals of every country together.
    def accepted(rows):
        return {(x.hour, x.country): (x.accepted_messages, x.accepted_recipients) for x in rows
                if x.accepted_messages or x.accepted_recipients}

    def refused(rows):
        out: dict[str, tuple[int, int]] = {}
        for x in rows:
            m, n = out.get(x.hour, (0, 0))
            out[x.hour] = (m + x.refused_messages, n + x.refused_recipients)
        return out

    assert accepted(desk) == accepted(backend)
    assert refused(desk) == refused(backend)
    assert all(x.refused_messages == x.refused_recipients == 0 for x in desk if x.country)


def test_unwritable_path_is_one_line(tmp_path):
    with pytest.raises(FumidaiError, match="cannot write"):
        write_history_csv(tmp_path / "missing" / "h.csv", [])
