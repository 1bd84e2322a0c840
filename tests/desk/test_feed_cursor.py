"""The desk's feed cursor (desk/api/cursor.py): each item once, never past the server's next_after_id."""

from __future__ import annotations

from fumidai.desk.api.cursor import FeedCursor


def ids(items):
    return [i["id"] for i in items]


def test_items_above_a_gap_come_once_and_the_late_one_comes_too():
    cur = FeedCursor(10)
    assert ids(cur.take(10, [{"id": 11}, {"id": 13}], next_after_id=11)) == [11, 13]
    assert cur.after_id == 11 and cur.high == 13
    assert ids(cur.take(11, [{"id": 13}], next_after_id=11)) == []  # 12 still in flight
    assert ids(cur.take(11, [{"id": 12}, {"id": 13}, {"id": 14}], next_after_id=14)) == [12, 14]
    assert cur.after_id == 14 and cur.high == 14


def test_a_page_read_from_above_the_cursor_does_not_move_it():
    cur = FeedCursor(0)
    cur.take(0, [{"id": 2}, {"id": 3}], next_after_id=0)
    assert ids(cur.take(3, [{"id": 4}], next_after_id=4)) == [4]
    assert cur.after_id == 0  # 1 may still come
    assert ids(cur.take(0, [{"id": 1}, {"id": 2}, {"id": 3}, {"id": 4}], next_after_id=4)) == [1]
    assert cur.after_id == 4


def test_an_older_server_without_next_after_id_moves_to_its_last_item():
    cur = FeedCursor(0)
    assert ids(cur.take(0, [{"id": 1}, {"id": 3}], next_after_id=None)) == [1, 3]
    assert cur.after_id == 3
    copy = cur.copy()
    copy.take(3, [{"id": 4}], None)
    assert (cur.after_id, copy.after_id) == (3, 4)
