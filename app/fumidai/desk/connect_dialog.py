"""ConnectDialog: backend URL and token, checked against the backend before the desk opens."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from .api.client import ApiClient, ApiClientError, ConnectionFailed
from .api.models import Me
from .messages import error_text


def try_connect(url: str, token: str, timeout: float = 8.0, allow_plain_http: bool = False) -> tuple[ApiClient, Me]:
    """A client whose token the backend accepted, and who that token is; raises ApiClientError
    (PlainHttpRefused for http:// to another computer unless ``allow_plain_http``)."""
    client = ApiClient(url, token, timeout=timeout, allow_plain_http=allow_plain_http)
    return client, client.me()


class ConnectDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, url: str = "", error: str = "", insecure_store: bool = False,
                 allow_plain_http: bool = False):
        super().__init__(parent)
        self.allow_plain_http = allow_plain_http  # only from the command line: never a checkbox to click through
        self.setWindowTitle(self.tr("Connect to the Fumidai backend"))
        self.result_client: ApiClient | None = None
        self.result_me: Me | None = None
        self.url = QLineEdit(url)
        self.url.setPlaceholderText("https://fumidai.example.net:8025")
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(self.tr("the token printed by `fumidai staff add`"))
        self.remember = QCheckBox(self.tr("Remember the token on this computer"))
        self.remember.setChecked(True)
        self.error = QLabel(error)
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # may quote a server's detail line
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        self.warning = QLabel(self.tr("No system keyring is available: a remembered token is stored unencrypted "
                                      "in the desk's settings file."))
        self.warning.setWordWrap(True)
        self.warning.setVisible(insecure_store)
        form = QFormLayout()
        form.addRow(self.tr("Backend URL"), self.url)
        form.addRow(self.tr("Token"), self.token)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Connect"))
        self.buttons.accepted.connect(self.check)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.remember)
        layout.addWidget(self.warning)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        (self.token if url else self.url).setFocus()

    def check(self) -> None:
        url, token = self.url.text().strip(), self.token.text().strip()
        if not url or not token:
            self.error.setText(self.tr("Enter the backend URL and your token."))
            return
        self.error.setText(self.tr("Connecting…"))
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.result_client, self.result_me = try_connect(url, token, allow_plain_http=self.allow_plain_http)
        except ConnectionFailed as err:
            self.error.setText(error_text(err, url))
            return
        except ApiClientError as err:
            self.error.setText(error_text(err, url))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None = None, url: str = "", error: str = "",
            insecure_store: bool = False, allow_plain_http: bool = False) -> tuple[ApiClient, Me, bool] | None:
        """(client, me, remember) once the backend accepted the token; None when cancelled."""
        dialog = cls(parent, url, error, insecure_store, allow_plain_http)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result_client is None:
            return None
        return dialog.result_client, dialog.result_me, dialog.remember.isChecked()
