"""The demo's summary line reads alerts by the server's next_after_id: a late alert shows, none twice."""

from __future__ import annotations

from fumidai.desk.api.cursor import FeedCursor
from fumidai.sim.demo import Demo


class ScriptedApi:
    """Answers /alerts from a list of (id, visible) the test changes; records the after_id asked."""

    def __init__(self) -> None:
        self.alerts: dict[int, bool] = {}
        self.asked: list[int] = []

    def call(self, method: str, path: str):
        if path.startswith("/api/v1/overview"):
            return {"totals": {"messages_per_minute": 1.0, "active_accounts": 2, "suspended_accounts": 0}}
        after = int(path.split("after_id=")[1].split("&")[0])
        self.asked.append(after)
        items = [{"id": i, "account": f"acct{i}", "kind": "auto_suspend", "reason": "quota", "country": "CN"}
                 for i, visible in sorted(self.alerts.items()) if visible and i > after]
        nxt = after
        for item in items:
            if item["id"] != nxt + 1:
                break
            nxt = item["id"]
        return {"items": items + [{"id": "bad"}], "newest_id": max(self.alerts), "next_after_id": nxt}


def summary_demo(api) -> Demo:
    demo = Demo.__new__(Demo)  # no folders, no children: only what summary() reads
    demo.traffic, demo.api, demo.window, demo._alerts = None, api, 60, FeedCursor()
    return demo


def test_a_late_alert_is_shown_and_none_twice():
    api = ScriptedApi()
    api.alerts = {1: True, 2: False, 3: True}
    demo = summary_demo(api)
    first = demo.summary()
    assert "acct1" in first and "acct3" in first and "acct2" not in first
    assert "new alerts" not in demo.summary()  # 3 read again from 1, not shown again
    api.alerts[2] = True
    third = demo.summary()
    assert "acct2" in third and "acct3" not in third
    assert api.asked == [0, 1, 1]
    demo.summary()
    assert api.asked[-1] == 3
