"""run(): the desk application — QApplication, translations, theme, sign-in, main window."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtWidgets import QApplication

from ..bundled import resource_path
from .api.client import ApiClientError, normalize_base_url
from .connect_dialog import ConnectDialog, try_connect
from .credentials import TokenStore, initial_token
from .messages import error_text
from .theme import THEMES, apply_theme

DEFAULT_BACKEND = "http://127.0.0.1:8025"
LANGUAGES = ("en", "ja")
LANGUAGE_PROPERTY = "fumidaiLanguage"


class Translations:
    """Installs Fumidai's and Qt's own catalogues for one language; switchable at run time."""

    def __init__(self, app: QApplication):
        self.app = app
        self._installed: list[QTranslator] = []
        self.language = "en"

    def set(self, code: str) -> str:
        """Switch to ``code`` ("" follows the system locale); returns the language in effect."""
        if code not in LANGUAGES:
            code = "ja" if QLocale.system().name().startswith("ja") else "en"
        for t in self._installed:
            self.app.removeTranslator(t)
        self._installed.clear()
        if code != "en":  # the source strings are English
            ours = QTranslator(self.app)
            if ours.load(str(resource_path("i18n", f"fumidai_{code}.qm"))):
                self.app.installTranslator(ours)
                self._installed.append(ours)
            qt = QTranslator(self.app)
            if qt.load(f"qtbase_{code}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
                self.app.installTranslator(qt)
                self._installed.append(qt)
        self.language = code
        self.app.setProperty(LANGUAGE_PROPERTY, code)  # country names etc. follow it
        return code


def run(backend: str | None = None, token_file: str | None = None, language: str | None = None,
        theme: str | None = None, allow_plain_http: bool = False) -> int:
    """``allow_plain_http`` (--allow-plain-http): http:// to another computer is allowed; without it
    the client refuses such a URL and the connect dialog says why."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    # Collect garbage on the GUI thread only: a collection that happens to run on a worker
    # thread would free Qt objects there and can crash the app.
    from pyqtgraph.util.garbage_collector import GarbageCollector

    app._fumidai_gc = GarbageCollector(interval=1.0)
    app.setOrganizationName("Fumidai")
    app.setApplicationName("desk")
    app.setApplicationDisplayName("Fumidai")
    settings = QSettings()
    translations = Translations(app)
    lang = translations.set(language or str(settings.value("language", "") or ""))
    theme = theme or str(settings.value("theme", "auto") or "auto")
    apply_theme(app, theme if theme in THEMES else "auto")

    url = normalize_base_url(backend or str(settings.value("backend", "") or "") or DEFAULT_BACKEND)
    store = TokenStore(settings)
    token, source = initial_token(token_file, store, url)
    client = me = None
    error = ""
    if token:
        try:
            client, me = try_connect(url, token, allow_plain_http=allow_plain_http)
        except ApiClientError as err:
            error = error_text(err, url)
    while client is None:
        answer = ConnectDialog.ask(None, url, error, insecure_store=not store.has_keyring(),
                                   allow_plain_http=allow_plain_http)
        if answer is None:
            return 1
        client, me, remember = answer
        if remember:
            store.save(client.base_url, client.token)
    if source in ("keyring", "settings") and client.base_url != url:
        store.forget(url)
    settings.setValue("backend", client.base_url)

    from .main_window import MainWindow  # pyqtgraph and the widgets: only once signed in

    window = MainWindow(client, me, settings, theme=theme, language=lang, set_language=translations.set)
    window.show()
    if store.insecure:
        window.show_message(QCoreApplication.translate(
            "MainWindow", "No system keyring: the token is stored unencrypted in the settings file."))
    return app.exec()
