"""The desk's Undo after a bulk suspend, against the real backend (tests.harness: service, store,
API): an account the policy path had stopped already is skipped (its automatic reason stays, and
the undo leaves it stopped), and the undo releases exactly the suspensions this desk made — not
an automatic stop made since (issue 15)."""

from __future__ import annotations

import uuid

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QObject, Slot  # noqa: E402

from fumidai.config import settings_from_dict  # noqa: E402
from fumidai.desk.actions import ActionRunner, UndoToast  # noqa: E402
from fumidai.desk.api.client import ApiClient  # noqa: E402
from fumidai.geo.build import demo_address  # noqa: E402

from tests.conftest import free_port  # noqa: E402
from tests.harness import ServerThread  # noqa: E402

pytestmark = pytest.mark.desk


class Outcomes(QObject):
    def __init__(self, runner: ActionRunner):
        super().__init__()
        self.ok: list[tuple[str, str, object]] = []
        self.bad: list[tuple[str, str, str]] = []
        runner.succeeded.connect(self.on_ok)
        runner.failed.connect(self.on_bad)

    @Slot(str, str, object)
    def on_ok(self, action, account, result):
        self.ok.append((action, account, result))

    @Slot(str, str, str)
    def on_bad(self, action, account, message):
        self.bad.append((action, account, message))


@pytest.fixture
def backend(tmp_path, mmdb_path):
    settings = settings_from_dict({
        "api": {"listen": f"127.0.0.1:{free_port()}"},
        "storage": {"url": f"sqlite:///{tmp_path}/fumidai.db", "flush_interval": 0.2},
        "geoip": {"database": str(mmdb_path), "home_countries": ["JP"]},
        "limits": {"messages_per_hour": 3},
    })
    server = ServerThread(settings, policy=False, api=True)
    try:
        server.start()
        server.token = server.call(server.actions.add_staff, "bob", "operator", "test")
        yield server
    finally:
        server.close()


def hijack(server, account: str) -> None:
    """Messages past the quota of 3 an hour: the policy path stops the account itself."""
    client = demo_address("JP")
    for _ in range(5):
        instance = uuid.uuid4().hex[:12]
        common = {"sasl_username": account, "client_address": client, "instance": instance}
        server.handle({**common, "protocol_state": "RCPT", "recipient": "x@example.net", "recipient_count": "0"})
        server.handle({**common, "protocol_state": "DATA", "recipient": "", "recipient_count": "1"})
    server.flush()


def test_undo_after_a_bulk_suspend_releases_only_what_it_suspended(qtbot, backend):
    hijack(backend, "hijacked")
    api = ApiClient(backend.url, backend.token, timeout=10)
    auto = api.account("hijacked")
    assert auto.status == "suspended" and auto.suspension.by == "auto"
    runner = ActionRunner(ApiClient(backend.url, backend.token, timeout=10), role="operator")
    toast = UndoToast(runner)
    qtbot.addWidget(toast)
    seen = Outcomes(runner)
    try:
        for account in ("carol", "hijacked", "dave"):  # as the account panel's bulk suspend does
            runner.suspend(account, "botnet sweep")
        qtbot.waitUntil(lambda: len(seen.ok) + len(seen.bad) == 3, timeout=15000)
        assert sorted(a for _, a, _ in seen.ok) == ["carol", "dave"]
        [(_, skipped, message)] = seen.bad
        assert skipped == "hijacked" and "suspended already" in message
        assert sorted(toast.accounts) == ["carol", "dave"]  # the skipped one is not offered for undo
        still = api.account("hijacked")
        assert (still.suspension.by, still.suspension.reason) == ("auto", auto.suspension.reason)

        # Before the undo: another desk releases dave, whose account is then hijacked and stopped.
        api.release("dave", "owner called")
        hijack(backend, "dave")
        assert api.account("dave").suspension.by == "auto"

        toast.undo_action.trigger()
        qtbot.waitUntil(lambda: len(seen.ok) + len(seen.bad) == 5, timeout=15000)
        assert [(a, acc) for a, acc, _ in seen.ok[2:]] == [("undo", "carol")]
        assert seen.bad[1][:2] == ("undo", "dave") and "not released" in seen.bad[1][2]
        assert api.account("carol").status != "suspended"
        for account in ("hijacked", "dave"):  # the automatic stops stand
            detail = api.account(account)
            assert detail.status == "suspended" and detail.suspension.by == "auto"
        entries = api.audit(account="hijacked")["items"]
        assert [(e["action"], e["actor"]) for e in entries] == [("auto_suspend", "auto")]
    finally:
        runner.close()
        api.close()
