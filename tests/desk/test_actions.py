"""ActionRunner against the fake HTTP API: outcomes on the GUI thread, plain-words failures, undo."""

from __future__ import annotations

import gc

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QObject, QThread, Slot  # noqa: E402

from fumidai.desk.actions import ActionRunner, UndoToast, explain  # noqa: E402
from fumidai.desk.api.client import ApiClient, ApiError, AuthFailed, TimedOut, TlsError  # noqa: E402
from fumidai.errors import FumidaiError  # noqa: E402

from .fake_api import FakeApi  # noqa: E402

pytestmark = pytest.mark.desk


@pytest.fixture(autouse=True)
def collect_in_gui_thread():
    """Python's cyclic GC runs in whichever thread allocates; a Qt object collected in a pool
    thread crashes. Keep it off during the test and collect here, in the GUI thread."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


@pytest.fixture
def api():
    with FakeApi(accounts=5) as fake:
        yield fake


def make_runner(api: FakeApi, role: str = "operator") -> ActionRunner:
    return ActionRunner(ApiClient(api.url, api.token(role), timeout=5), role=role)


@pytest.fixture
def runner(api):
    r = make_runner(api)
    yield r
    r.close()


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
                          {"reason": "spam run", "until": None, "notice": None}, "bob")]


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


def test_viewer_is_told_in_plain_words(qtbot, api):
    runner = make_runner(api, "viewer")
    try:
        rec = Recorder(runner)
        runner.release("user0001", "owner called")
        qtbot.waitUntil(lambda: bool(rec.bad), timeout=5000)
        action, account, message = rec.bad[0]
        assert (action, account) == ("release", "user0001")
        assert message.startswith("your role (viewer) may not release accounts")
        assert rec.threads == [QThread.currentThread()]
        assert api.posts == []
    finally:
        runner.close()


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
    assert api.posts[1][2] == {"reason": "undo"}
    assert rec.ok[1][0] == "undo"
    assert api.accounts["user0003"]["status"] == "ok"
    assert not toast.undo_action.isEnabled()


def test_undo_offer_expires(qtbot, api):
    runner = make_runner(api)
    try:
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
    finally:
        runner.close()


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
