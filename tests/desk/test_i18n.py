"""The Japanese catalogue: complete, in step with the code, compiled, and really shown on screen."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from fumidai.desk.account_panel import AccountPanel  # noqa: E402
from fumidai.desk.api.client import ApiClient  # noqa: E402
from fumidai.desk.dialogs import QuotaDialog, SuspendDialog  # noqa: E402
from fumidai.desk.main_window import MainWindow  # noqa: E402

pytestmark = pytest.mark.desk

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "i18n" / "fumidai_ja.ts"
QM = TS.with_suffix(".qm")
DESK = ROOT / "app" / "fumidai" / "desk"
TOOLS = Path(sys.executable).parent
FIELD = re.compile(r"\{[^{}]*\}")


def messages(path: Path) -> dict[tuple[str, str], ET.Element]:
    out = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name")
        for m in context.iter("message"):
            out[(name, m.findtext("source"))] = m.find("translation")
    return out


def test_every_message_is_translated_with_the_same_fields():
    catalogue = messages(TS)
    assert len(catalogue) > 250
    unfinished = [key for key, tr in catalogue.items()
                  if tr.get("type") in ("unfinished", "vanished", "obsolete") or not (tr.text or "").strip()]
    assert unfinished == []
    for (context, source), tr in catalogue.items():
        # A lost or renamed {field} would raise KeyError or show a raw brace at run time.
        assert sorted(FIELD.findall(source)) == sorted(FIELD.findall(tr.text)), (context, source, tr.text)
        assert ("&" in source.replace("&&", "")) <= ("&" in tr.text), (context, source)  # keep the mnemonic


@pytest.mark.skipif(not (TOOLS / "pyside6-lupdate").exists(), reason="pyside6-lupdate not installed")
def test_catalogue_is_in_step_with_the_code(tmp_path):
    """Every string the code marks for translation is in the .ts, and the .qm is built from it."""
    copy = tmp_path / "resources" / "i18n" / TS.name
    copy.parent.mkdir(parents=True)
    shutil.copy(TS, copy)
    sources = sorted(str(p) for p in DESK.rglob("*.py"))
    subprocess.run([str(TOOLS / "pyside6-lupdate"), *sources, "-ts", str(copy), "-no-obsolete"],
                   check=True, capture_output=True)
    assert set(messages(copy)) == set(messages(TS)), "run pyside6-lupdate (see resources/i18n/README.md)"
    qm = tmp_path / "ja.qm"
    subprocess.run([str(TOOLS / "pyside6-lrelease"), str(TS), "-qm", str(qm)], check=True, capture_output=True)
    assert qm.read_bytes() == QM.read_bytes(), "run pyside6-lrelease (see resources/i18n/README.md)"


def test_switching_to_japanese_changes_what_staff_see(qtbot, api, translations, tmp_path):
    client = ApiClient(api.url, api.token("operator"), timeout=5)
    settings = QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)
    window = MainWindow(client, client.me(), settings, start_polling=False, set_language=translations.set)
    qtbot.addWidget(window)
    try:
        header = lambda: window.model.headerData(0, Qt.Orientation.Horizontal)  # noqa: E731
        panel: AccountPanel = window.account_panel
        assert (window.tabs.tabText(0), window.account_dock.windowTitle(), header()) == ("Live", "Account", "Account")
        assert (panel.tabs.tabText(0), panel.act_suspend.text()) == ("Limits", "&Suspend…")

        next(a for a in window.language_group.actions() if a.data() == "ja").trigger()
        QApplication.processEvents()  # LanguageChange is posted to every widget

        assert translations.language == "ja" and settings.value("language") == "ja"
        assert (window.tabs.tabText(0), window.account_dock.windowTitle(), header()) == ("ライブ", "アカウント",
                                                                                          "アカウント")
        assert window.view_menu.title() == "表示(&V)"
        assert [b.text() for b in window.map_buttons.buttons()] == ["5分", "1時間", "24時間"]
        assert (panel.tabs.tabText(0), panel.act_suspend.text()) == ("送信上限", "送信停止(&S)…")
        assert panel.act_suspend.toolTip().startswith("このアカウントの送信を停止")
        assert window.undo_toast.undo_button.text() == "元に戻す"
        assert window.trends.reload_button.text() == "再読み込み"

        dialog = SuspendDialog(["user0001"])
        qtbot.addWidget(dialog)
        assert dialog.windowTitle() == "送信停止" and dialog.ok_button.text() == "送信停止"
        quota = QuotaDialog("user0001", {"account": {"messages_per_hour": 100}}, None)
        qtbot.addWidget(quota)
        assert quota.windowTitle() == "user0001 の送信上限"
    finally:
        window.shutdown()
