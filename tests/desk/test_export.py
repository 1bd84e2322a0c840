"""export.py: history CSV from the backend's file or from /series, validated before it is written."""

from __future__ import annotations

import csv

import pytest

from fumidai.desk.api.client import ApiClient
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
    rows = rows_from_series(series.points)
    hours = sorted({r.hour for r in rows})
    assert hours == [iso(1_799_996_400), iso(1_800_000_000), iso(1_800_003_600)]
    # per point: messages m all from JP (user0001), recipients 2m, refused 0
    total_jp = sum(p.messages for p in series.points)
    assert sum(r.accepted_messages for r in rows if r.country == "JP") == total_jp
    assert sum(r.accepted_recipients for r in rows if r.country == "") == 2 * total_jp
    assert all(r.accepted_messages == 0 for r in rows if r.country == "")
    assert write_history_csv(tmp_path / "s.csv", rows) == len(rows)
    assert read(tmp_path / "s.csv")[0] == list(HEADER)


def test_unwritable_path_is_one_line(tmp_path):
    with pytest.raises(FumidaiError, match="cannot write"):
        write_history_csv(tmp_path / "missing" / "h.csv", [])
