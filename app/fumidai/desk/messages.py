"""One translated line for each way the backend can fail, for banners, dialogs and the status bar."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from .api.client import ApiError, AuthFailed, ConnectionFailed, Forbidden, TimedOut, TlsError


def ui_is_japanese() -> bool:
    """True while the Japanese catalogue is loaded: texts the backend sends in both languages
    (behaviour reasons: text, text_ja) are then shown in Japanese."""
    return QCoreApplication.translate("language", "en") == "ja"


def error_text(err: BaseException, base_url: str = "") -> str:
    if isinstance(err, TlsError):
        what = {
            "expired": QCoreApplication.translate("messages", "the server's certificate has expired"),
            "untrusted": QCoreApplication.translate("messages", "the server's certificate is not signed by a trusted authority"),
            "hostname": QCoreApplication.translate("messages", "the server's certificate is for another host name"),
        }.get(err.reason, QCoreApplication.translate("messages", "the secure connection failed"))
        return QCoreApplication.translate("messages", "Cannot trust {url}: {what}.").format(url=base_url, what=what)
    if isinstance(err, TimedOut):
        return QCoreApplication.translate("messages", "The backend at {url} did not answer in time.").format(url=base_url)
    if isinstance(err, ConnectionFailed):
        return QCoreApplication.translate("messages", "Cannot reach the backend at {url}; check the address and that the server runs.").format(
            url=base_url)
    if isinstance(err, AuthFailed):
        return QCoreApplication.translate("messages", "The backend refused the token (wrong, expired or revoked).")
    if isinstance(err, Forbidden):
        return QCoreApplication.translate("messages", "Your role does not allow this action.")
    if isinstance(err, ApiError):
        return QCoreApplication.translate("messages", "The backend answered an error: {detail}").format(detail=f"{err.status} {err.detail}")
    return str(err)
