"""One translated line for each way the backend can fail, for banners, dialogs and the status bar."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from .api.client import ApiError, AuthFailed, ConnectionFailed, Forbidden, TimedOut, TlsError


def _tr(text: str) -> str:
    return QCoreApplication.translate("messages", text)


def error_text(err: BaseException, base_url: str = "") -> str:
    if isinstance(err, TlsError):
        what = {
            "expired": _tr("the server's certificate has expired"),
            "untrusted": _tr("the server's certificate is not signed by a trusted authority"),
            "hostname": _tr("the server's certificate is for another host name"),
        }.get(err.reason, _tr("the secure connection failed"))
        return _tr("Cannot trust {url}: {what}.").format(url=base_url, what=what)
    if isinstance(err, TimedOut):
        return _tr("The backend at {url} did not answer in time.").format(url=base_url)
    if isinstance(err, ConnectionFailed):
        return _tr("Cannot reach the backend at {url}; check the address and that the server runs.").format(
            url=base_url)
    if isinstance(err, AuthFailed):
        return _tr("The backend refused the token (wrong, expired or revoked).")
    if isinstance(err, Forbidden):
        return _tr("Your role does not allow this action.")
    if isinstance(err, ApiError):
        return _tr("The backend answered an error: {detail}").format(detail=f"{err.status} {err.detail}")
    return str(err)
