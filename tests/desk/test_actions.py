"""ActionRunner against the fake HTTP API: outcomes on the GUI thread, plain-words failures, undo."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QObject, QThread, Slot  # noqa: E402

from fumidai.desk.actions import UNDO_REASON, ActionRunner, UndoToast, explain  # noqa: E402
from fumidai.desk.api.client import ApiClient, ApiError, AuthFailed, TimedOut, TlsError  # noqa: E402
from fumidai.errors import FumidaiError  # noqa: E402


pytestmark = pytest.mark.desk


class Recorder(QObject):
    """Bound slots in the GUI thread: they note which thread each outcome arrived on."""

    def __init__(self, runner: ActionRunner):
        super().__init__()
        self.ok: list[tuple[str, str, object]] = []
        self.bad: list[tuple[str, str, str]] = []
        self.threads: list[QThread] = []
        runner.succeeded.connect(self.on_ok)
        runner.failed.connect(self.on_bad)

    @Slot(str, str, object)
    def on_ok(self, action, account, result):
        self.threads.append(QThread.currentThread())
        self.ok.append((action, account, result))

    @Slot(str, str, str)
    def on_bad(self, action, account, message):
        self.threads.append(QThread.currentThread())
        self.bad.append((action, account, message))


def test_suspend_succeeds_on_gui_thread(qtbot, api, runner):
    rec = Recorder(runner)
    callback_threads = []
    runner.suspend("user0001", "spam run", on_success=lambda r: callback_threads.append(QThread.currentThread()))
    qtbot.waitUntil(lambda: bool(rec.ok), timeout=5000)
    action, account, detail = rec.ok[0]
    assert (action, account, detail.status) == ("suspend", "user0001", "suspended")
    gui = QThread.currentThread()
    assert rec.threads == [gui] and callback_threads == [gui]
    assert api.posts == [("POST", "/accounts/user0001/suspend",
                          {"reason": "spam run", "until": None, "notice": None, "unless_suspended": True}, "bob")]


def test_bulk_suspend_notifies_each_owner_in_their_language_and_undoes_together(qtbot, api, runner):
    toast = UndoToast(runner)
    qtbot.addWidget(toast)
    rec = Recorder(runner)
    for account in ("user0000", "user0001"):  # languages en and ja in the fake
        runner.suspend_and_notify(account, "botnet")
    qtbot.waitUntil(lambda: len(rec.ok) == 2, timeout=5000)
    notices = {p[1]: p[2]["notice"]["language"] for p in api.posts}
    assert notices == {"/accounts/user0000/suspend": "en", "/accounts/user0001/suspend": "ja"}
    assert sorted(toast.accounts) == ["user0000", "user0001"]
    toast.undo_action.trigger()
    qtbot.waitUntil(lambda: len(rec.ok) == 4, timeout=5000)
    assert sorted(p[1] for p in api.posts[2:]) == ["/accounts/user0000/release", "/accounts/user0001/release"]
    assert all(api.accounts[a]["status"] == "ok" for a in ("user0000", "user0001"))


def test_suspend_and_notify_is_one_call_in_the_owners_language(qtbot, api, runner):
    rec = Recorder(runner)
    runner.suspend_and_notify("user0001", "hijacked", language="en")
    qtbot.waitUntil(lambda: bool(rec.ok), timeout=5000)
    assert len(api.posts) == 1
    method, path, body, _ = api.posts[0]
    assert (method, path) == ("POST", "/accounts/user0001/suspend")
    assert body["notice"] == {"template": "suspended_staff", "language": "en"}
    assert rec.ok[0][2].notice is not None


def test_viewer_is_told_in_plain_words(qtbot, api, make_runner):
    runner = make_runner("viewer")
    rec = Recorder(runner)
    runner.release("user0001", "owner called")
    qtbot.waitUntil(lambda: bool(rec.bad), timeout=5000)
    action, account, message = rec.bad[0]
    assert (action, account) == ("release", "user0001")
    assert message.startswith("your role (viewer) may not release accounts")
    assert rec.threads == [QThread.currentThread()]
    assert api.posts == []


def test_unreachable_backend_is_explained(qtbot, api, runner):
    api.stop()  # the port is closed now: connection refused
    rec = Recorder(runner)
    failures = []
    runner.suspend("user0001", "spam", on_failure=failures.append)
    qtbot.waitUntil(lambda: bool(rec.bad), timeout=5000)
    assert rec.bad[0][2].startswith("backend unreachable")
    assert failures == [rec.bad[0][2]]


def test_server_error_and_validation_are_explained(qtbot, api, runner):
    rec = Recorder(runner)
    api.fail_next(1, 500)
    runner.suspend("user0001", "spam")
    qtbot.waitUntil(lambda: len(rec.bad) == 1, timeout=5000)  # one at a time: the 500 is for the next request
    runner.release("user0002", "not suspended")  # the fake answers 409
    qtbot.waitUntil(lambda: len(rec.bad) == 2, timeout=5000)
    messages = dict((a, m) for a, _, m in rec.bad)
    assert "backend failed (500" in messages["suspend"]
    assert messages["release"] == "not possible now: the account is not suspended"


def test_undo_releases_with_reason_undo(qtbot, api, runner):
    toast = UndoToast(runner)
    qtbot.addWidget(toast)
    rec = Recorder(runner)
    runner.suspend("user0003", "spam")
    qtbot.waitUntil(lambda: toast.accounts == ["user0003"], timeout=5000)
    assert toast.undo_action.isEnabled()
    toast.undo_button.click()
    qtbot.waitUntil(lambda: len(rec.ok) == 2, timeout=5000)
    assert [p[:2] for p in api.posts] == [("POST", "/accounts/user0003/suspend"),
                                          ("POST", "/accounts/user0003/release")]
    assert api.posts[1][2] == {"reason": "undo", "suspension_id": rec.ok[0][2].suspension_id}
    assert rec.ok[1][0] == "undo"
    assert api.accounts["user0003"]["status"] == "ok"
    assert not toast.undo_action.isEnabled()


def test_undo_offer_expires(qtbot, api, make_runner):
    runner = make_runner()
    toast = UndoToast(runner, seconds=0.2)
    qtbot.addWidget(toast)
    rec = Recorder(runner)
    runner.suspend("user0003", "spam")
    qtbot.waitUntil(lambda: bool(rec.ok), timeout=5000)
    assert toast.accounts == ["user0003"]
    qtbot.waitUntil(lambda: toast.accounts == [], timeout=2000)
    toast.undo()  # nothing to undo any more
    qtbot.wait(100)
    assert len(api.posts) == 1


@pytest.mark.parametrize("error, expected", [
    (AuthFailed(401, "bad token"),
     "the backend did not accept your token"),
    (TlsError("cannot trust https://x: expired", "expired"),
     "the backend's TLS certificate could not be verified (cannot trust https://x: expired)"),
    (TimedOut("http://x did not answer within 5 s"),
     "the backend did not answer in time"),
    (ApiError(404, "unknown account bob"),
     "the backend does not know this account (unknown account bob)."),
    (ApiError(422, "messages_per_hour: must be >= 0"),
     "the backend refused the values: messages_per_hour: must be >= 0"),
    (FumidaiError("cannot write /x.csv: Permission denied"),
     "cannot write /x.csv: Permission denied"),
    (KeyError("oops"), "unexpected error: KeyError: 'oops'"),
])
def test_explain(error, expected):
    assert explain("suspend", error, "operator").startswith(expected)


# ----- against the real backend (service + API, SQLite), not only the fake -----

class LiveBackend:
    """The real Service and HTTP API on their own asyncio loop in a thread."""

    def __init__(self, tmp_path):
        import asyncio
        import socket
        import threading

        from fumidai.config import settings_from_dict
        from fumidai.geo.build import build_demo

        def port() -> int:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                return s.getsockname()[1]

        self.settings = settings_from_dict({
            "policy": {"listen": f"127.0.0.1:{port()}"}, "api": {"listen": f"127.0.0.1:{port()}"},
            "storage": {"url": f"sqlite:///{tmp_path / 'fumidai.db'}"},
            "geoip": {"database": str(build_demo(tmp_path / "demo.mmdb").path)},
            "notices": {"smtp_port": port()},  # nothing listens: notices stay queued
        })
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.svc = self.api = None

    def call(self, coro_fn):
        import asyncio

        return asyncio.run_coroutine_threadsafe(coro_fn(), self.loop).result(30)

    async def start(self):
        from fumidai.api.server import serve_api
        from fumidai.service import Service

        svc = Service(self.settings)
        await svc.start()
        self.svc = svc
        self.api = await serve_api(svc, self.settings)

    async def stop(self):
        if self.api is not None:
            await self.api.stop()
        if self.svc is not None:
            await self.svc.stop()
            self.svc.store.dispose()


@pytest.fixture
def backend(tmp_path):
    pytest.importorskip("fastapi")
    live = LiveBackend(tmp_path)
    try:
        live.call(live.start)
        from fumidai.store import repo

        with live.svc.store.session() as s:
            repo.upsert_accounts(s, [{"account": "alice", "contact": "alice@example.jp", "name": "<b>A</b>",
                                      "language": "en"}])
            live.token = repo.add_staff(s, "bob", "operator")
        yield live
    finally:
        live.call(live.stop)
        live.loop.call_soon_threadsafe(live.loop.stop)
        live.thread.join(10)


def test_actions_against_the_real_backend(qtbot, backend):
    runner = ActionRunner(ApiClient(backend.api.address, backend.token, timeout=10), role="operator")
    rec = Recorder(runner)
    try:
        def step(start):
            done = len(rec.ok) + len(rec.bad) + 1
            start()
            qtbot.waitUntil(lambda: len(rec.ok) + len(rec.bad) == done, timeout=10000)
            assert not rec.bad, rec.bad
            return rec.ok[-1][2]

        detail = step(lambda: runner.suspend_and_notify("alice", "botnet"))  # language looked up: en
        assert detail.status == "suspended" and detail.suspension.by == "bob"
        assert (detail.notice["template"], detail.notice["language"]) == ("suspended_staff", "en")
        step(lambda: runner.release("alice", UNDO_REASON))
        body = {"limits": {"messages_per_hour": 400, "recipients_per_message": None}, "home_countries": ["JP", "KR"],
                "abroad": {"messages_per_day": 200}, "countries": {"CN": {"messages_per_day": 5}, "RU": {}},
                "expires_at": "2099-01-01T00:00:00Z", "reason": "event"}
        detail = step(lambda: runner.set_limits("alice", body))
        assert {key: detail.override[key] for key in body} == body  # the dialog's body, stored as sent
        assert detail.limits["account"]["messages_per_hour"] == 400
        assert detail.limits["account"]["recipients_per_message"] is None
        assert step(lambda: runner.reset_limits("alice", "done")).override is None
        first = step(lambda: runner.send_notice("alice", "warning", "en", "key-1"))
        again = step(lambda: runner.send_notice("alice", "warning", "en", "key-1"))
        assert first["id"] == again["id"]
        audit = runner.client.audit(account="alice")["items"]
        assert [e["action"] for e in audit if e["action"] != "notice"] == [
            "suspend", "release", "set_limits", "clear_limits"]
        assert [e["reason"] for e in audit][:3] == ["botnet", "notice suspended_staff (en)", "undo"]
    finally:
        runner.close()


def test_every_undoable_action_offers_its_inverse_with_a_visible_countdown(qtbot, api, runner):
    from fumidai.desk.actions import UNDO_SECONDS

    assert UNDO_SECONDS >= 30
    toast = UndoToast(runner)
    qtbot.addWidget(toast)
    rec = Recorder(runner)
    api.set_account("user0003", status="suspended", suspended_by="bob")
    runner.release("user0003", "owner called")
    qtbot.waitUntil(lambda: toast.accounts == ["user0003"], timeout=5000)
    assert toast.undo_button.text() in ("Undo (30 s)", "Undo (29 s)")
    assert toast._label.text() == "Released user0003"
    toast.undo()
    qtbot.waitUntil(lambda: len(rec.ok) == 2, timeout=5000)
    assert api.posts[-1][:3] == ("POST", "/accounts/user0003/suspend", {"reason": "undo", "until": None, "notice": None,
                                                                                  "unless_suspended": True})
    assert toast.accounts == []  # the undo is not offered for undoing in turn

    previous = {"limits": {"messages_per_hour": 50}, "expires_at": None, "set_by": "amy"}
    runner.set_limits("user0001", {"limits": {"messages_per_hour": 900}, "reason": "newsletter"}, previous=previous)
    qtbot.waitUntil(lambda: toast.accounts == ["user0001"], timeout=5000)
    assert toast._label.text() == "Limits changed for user0001"
    toast.undo_action.trigger()
    qtbot.waitUntil(lambda: len(rec.ok) == 4, timeout=5000)
    assert api.posts[-1][:3] == ("PUT", "/accounts/user0001/limits",
                                 {"limits": {"messages_per_hour": 50}, "reason": "undo"})

    runner.set_limits("user0002", {"limits": {"messages_per_hour": 900}, "reason": "x"}, previous=None)
    qtbot.waitUntil(lambda: toast.accounts == ["user0002"], timeout=5000)
    toast.undo()
    qtbot.waitUntil(lambda: len(rec.ok) == 6, timeout=5000)
    assert api.posts[-1][:3] == ("DELETE", "/accounts/user0002/limits", {"reason": "undo"})
