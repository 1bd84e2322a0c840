"""The desk's view of the HTTP API: a requests client and plain dataclasses. No Qt here."""

from .client import ApiClient, ApiClientError, ApiError, AuthFailed, ConnectionFailed, Forbidden, TimedOut, TlsError

__all__ = ["ApiClient", "ApiClientError", "ApiError", "AuthFailed", "ConnectionFailed", "Forbidden", "TimedOut",
           "TlsError"]
