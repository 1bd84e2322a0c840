"""ApiClient: every endpoint of docs/api.md over one requests.Session, with typed errors.

Not thread-safe (requests.Session is not): each thread makes its own with ``clone()``.
"""

from __future__ import annotations

import ipaddress
import re
import ssl
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from ...errors import FumidaiError
from .models import (
    AccountDetail,
    AccountPage,
    AlertsPage,
    Countries,
    Me,
    Overview,
    Series,
)


class ApiClientError(FumidaiError):
    """Talking to the backend failed; ``str(err)`` is one line for a person."""


class ConnectionFailed(ApiClientError):
    """Nothing answered: wrong URL, port closed, DNS failure."""


class TimedOut(ConnectionFailed):
    """The backend accepted the connection but did not answer in time."""


class TlsError(ApiClientError):
    """The backend's certificate was refused. ``reason``: expired | untrusted | hostname | other."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


class ApiError(ApiClientError):
    """The backend answered with an error status and a ``detail`` line."""

    def __init__(self, status: int, detail: str):
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status
        self.detail = detail


class AuthFailed(ApiError):
    """401: the token is missing, wrong or revoked."""


class Forbidden(ApiError):
    """403: the token's role may not do this (a viewer tried to change something)."""


def _tls_reason(err: BaseException) -> str:
    text = str(err).lower()
    chain: BaseException | None = err
    while chain is not None:  # requests wraps urllib3 wraps ssl: find the verification error
        if isinstance(chain, ssl.SSLCertVerificationError):
            text = f"{chain.verify_message or ''} {chain}".lower()
            break
        chain = chain.__cause__ or chain.__context__ or (chain.args[0] if chain.args and
                                                         isinstance(chain.args[0], BaseException) else None)
    if "expired" in text:
        return "expired"
    if "hostname" in text or "ip address mismatch" in text or "doesn't match" in text:
        return "hostname"
    if "self-signed" in text or "self signed" in text or "unable to get local issuer" in text or "verify failed" in text:
        return "untrusted"
    return "other"


class PlainHttpRefused(ApiClientError):
    """An http:// URL to a host that is not this computer: the token would cross the network in clear."""


def is_loopback_url(url: str) -> bool:
    """True when the URL's host is this computer (localhost, 127.0.0.0/8, ::1)."""
    host = urlsplit(url if "://" in url else "//" + url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_base_url(url: str) -> str:
    """``host:8025``, ``https://host:8025/`` and ``https://host/api/v1`` all name the same backend.

    A bare host is reached over HTTPS, unless it is this computer (the API's default
    127.0.0.1:8025 speaks plain HTTP, which never leaves the machine).
    """
    url = url.strip().rstrip("/")
    if not url:
        raise ConnectionFailed("no backend URL given")
    if "://" not in url:
        url = ("http://" if is_loopback_url(url) else "https://") + url
    if url.endswith("/api/v1"):
        url = url[: -len("/api/v1")]
    return url


class ApiClient:
    """``allow_plain_http``: talk http:// to another host too (a trusted network only; the
    staff token crosses it in clear). Without it such a URL raises PlainHttpRefused."""

    def __init__(self, base_url: str, token: str, verify: bool | str = True, timeout: float = 10.0,
                 allow_plain_http: bool = False):
        self.base_url = normalize_base_url(base_url)
        if self.base_url.lower().startswith("http://") and not allow_plain_http and not is_loopback_url(self.base_url):
            raise PlainHttpRefused(f"{self.base_url} is plain HTTP to another computer: the token would cross the "
                                   "network unencrypted. Use https://, or allow plain HTTP explicitly "
                                   "(fumidai desk --allow-plain-http) on a network you trust.")
        self.allow_plain_http = allow_plain_http
        self.token = token
        self.verify = verify  # True, or a CA bundle path; never False: staff tokens travel here
        self.timeout = timeout
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"Bearer {token}"
        self._session.headers["Accept"] = "application/json"

    def clone(self, timeout: float | None = None) -> ApiClient:
        return ApiClient(self.base_url, self.token, self.verify, self.timeout if timeout is None else timeout,
                         self.allow_plain_http)

    def close(self) -> None:
        self._session.close()

    # -- transport --------------------------------------------------------------------------------
    def _request(self, method: str, path: str, *, params: dict | None = None, body: Any = None,
                 raw: bool = False) -> Any:
        url = f"{self.base_url}/api/v1{path}"
        try:
            r = self._session.request(method, url, params=params, json=body, timeout=self.timeout,
                                      verify=self.verify)
        except requests.exceptions.SSLError as err:
            reason = _tls_reason(err)
            what = {"expired": "its certificate has expired",
                    "untrusted": "its certificate is not signed by a trusted authority",
                    "hostname": "its certificate is for another host name"}.get(reason, "TLS failed")
            raise TlsError(f"cannot trust {self.base_url}: {what}", reason) from err
        except requests.exceptions.Timeout as err:
            raise TimedOut(f"{self.base_url} did not answer within {self.timeout:g} s") from err
        except requests.exceptions.InvalidURL as err:
            raise ConnectionFailed(f"not a valid backend URL: {self.base_url}") from err
        except requests.exceptions.RequestException as err:
            raise ConnectionFailed(f"cannot connect to {self.base_url}: {_short(err)}") from err
        if r.status_code >= 400:
            detail = ""
            try:
                detail = str(r.json().get("detail", ""))
            except (ValueError, AttributeError):
                detail = r.text[:200]
            detail = " ".join(detail.split()) or r.reason or "error"
            cls = {401: AuthFailed, 403: Forbidden}.get(r.status_code, ApiError)
            raise cls(r.status_code, detail)
        if raw:
            return r.text
        try:
            return r.json()
        except ValueError as err:
            raise ApiError(r.status_code, f"the answer from {url} is not JSON; is this a Fumidai backend?") from err

    def _account_path(self, account: str, rest: str = "") -> str:
        return f"/accounts/{quote(account, safe='')}{rest}"  # names are spammer-chosen: never raw in a URL

    # -- reads ------------------------------------------------------------------------------------
    def health(self) -> dict:
        return self._request("GET", "/health")

    def me(self) -> Me:
        """The token's staff name and role. A backend without /me gives role "" (it still enforces roles)."""
        try:
            return Me.from_json(self._request("GET", "/me"))
        except ApiError as err:
            if err.status in (404, 405):
                self.overview(limit=1)  # still check the token
                return Me("", "")
            raise

    def overview(self, window: int = 60, limit: int = 50) -> Overview:
        return Overview.from_json(self._request("GET", "/overview", params={"window": window, "limit": limit}))

    def accounts(self, q: str = "", status: str = "all", country: str = "", sort: str = "account",
                 limit: int = 100, offset: int = 0, window: int = 60) -> AccountPage:
        params = {"q": q, "status": status, "country": country, "sort": sort, "window": window, "limit": limit,
                  "offset": offset}
        return AccountPage.from_json(self._request("GET", "/accounts", params=params))

    def account(self, account: str) -> AccountDetail:
        return AccountDetail.from_json(self._request("GET", self._account_path(account)))

    def series(self, account: str, window: int = 3600, step: int = 60) -> Series:
        data = self._request("GET", self._account_path(account, "/series"), params={"window": window, "step": step})
        return Series.from_json(data)

    def countries(self, window: int = 3600) -> Countries:
        return Countries.from_json(self._request("GET", "/countries", params={"window": window}))

    def alerts(self, after_id: int = 0, limit: int = 200) -> AlertsPage:
        return AlertsPage.from_json(self._request("GET", "/alerts", params={"after_id": after_id, "limit": limit}))

    def templates(self) -> list[dict]:
        items = self._request("GET", "/templates").get("items")
        return [t for t in items if isinstance(t, dict)] if isinstance(items, list) else []

    def audit(self, account: str = "", after_id: int = 0, limit: int = 200) -> dict:
        return self._request("GET", "/audit", params={"account": account, "after_id": after_id, "limit": limit})

    def trends(self, days: int = 28) -> dict:
        return self._request("GET", "/trends", params={"days": days})

    def history_csv(self, account: str, days: int = 7) -> str:
        return self._request("GET", self._account_path(account, "/history.csv"), params={"days": days}, raw=True)

    # -- writes -----------------------------------------------------------------------------------
    def suspend(self, account: str, reason: str, until: str | None = None,
                notice: dict | None = None, unless_suspended: bool = False) -> AccountDetail:
        """``unless_suspended``: an account suspended already is left as it is (ApiError 409)."""
        body = {"reason": reason, "until": until, "notice": notice}
        if unless_suspended:
            body["unless_suspended"] = True
        return AccountDetail.from_json(self._request("POST", self._account_path(account, "/suspend"), body=body))

    def release(self, account: str, reason: str, suspension_id: int | None = None) -> AccountDetail:
        """``suspension_id``: release only that suspension (an undo; ApiError 409 if it is another one)."""
        body: dict[str, Any] = {"reason": reason}
        if suspension_id is not None:
            body["suspension_id"] = suspension_id
        return AccountDetail.from_json(self._request("POST", self._account_path(account, "/release"), body=body))

    def set_limits(self, account: str, limits: dict, reason: str, *, home_countries: list[str] | None = None,
                   abroad: dict | None = None, countries: dict | None = None,
                   expires_at: str | None = None) -> AccountDetail:
        body: dict[str, Any] = {"limits": limits, "reason": reason}
        for key, value in (("home_countries", home_countries), ("abroad", abroad), ("countries", countries),
                           ("expires_at", expires_at)):
            if value is not None:
                body[key] = value
        return AccountDetail.from_json(self._request("PUT", self._account_path(account, "/limits"), body=body))

    def reset_limits(self, account: str, reason: str) -> AccountDetail:
        body = {"reason": reason}
        return AccountDetail.from_json(self._request("DELETE", self._account_path(account, "/limits"), body=body))

    def preview_notice(self, account: str, template: str, language: str) -> dict:
        body = {"template": template, "language": language}
        return self._request("POST", self._account_path(account, "/notices/preview"), body=body)

    def send_notice(self, account: str, template: str, language: str, idempotency_key: str) -> dict:
        body = {"template": template, "language": language, "idempotency_key": idempotency_key}
        return self._request("POST", self._account_path(account, "/notices"), body=body)


    # -- behaviour and workflow (newer backends; an older one answers 404/405) --------------------------
    def set_travel(self, account: str, countries: list[str], expires_at: str, reason: str) -> dict:
        body = {"countries": countries, "expires_at": expires_at, "reason": reason}
        return self._request("PUT", self._account_path(account, "/permissions/travel"), body=body)

    def clear_travel(self, account: str, reason: str) -> dict:
        return self._request("DELETE", self._account_path(account, "/permissions/travel"), body={"reason": reason})

    def clear_probation(self, account: str, reason: str) -> dict:
        return self._request("POST", self._account_path(account, "/probation/clear"), body={"reason": reason})

    def ack_alert(self, alert_id: int, note: str = "") -> dict:
        body = {"note": note} if note else {}
        return self._request("POST", f"/alerts/{int(alert_id)}/ack", body=body)

    def incidents(self, status: str = "") -> list[dict]:
        items = self._request("GET", "/incidents", params={"status": status} if status else None).get("items")
        return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []

    def blocklists(self) -> dict:
        """Each egress address x zone as last checked: {"egress", "zones", "items": [...]}."""
        data = self._request("GET", "/blocklists")
        return data if isinstance(data, dict) else {}

    def blocklist_senders(self, egress: str, hours: int = 6, limit: int = 20) -> dict:
        """The accounts that sent most in the ``hours`` before ``egress``'s listing: {"egress", "listed",
        "zones", "listed_at", "hours", "items": [{"account", "messages", "recipients", "refused"}]}."""
        data = self._request("GET", f"/blocklists/{quote(egress, safe='')}/senders",
                             params={"hours": int(hours), "limit": int(limit)})
        return data if isinstance(data, dict) else {}

    def complaints(self, after_id: int = 0, limit: int = 200) -> dict:
        """Complaints after ``after_id``, oldest first: {"items", "newest_id", "kept_aside"}."""
        data = self._request("GET", "/complaints", params={"after_id": after_id, "limit": limit})
        return data if isinstance(data, dict) else {}

    def account_complaints(self, account: str, limit: int = 100) -> list[dict]:
        """The complaints traced to this account, newest first."""
        data = self._request("GET", self._account_path(account, "/complaints"), params={"limit": limit})
        items = data.get("items") if isinstance(data, dict) else None
        return [c for c in items if isinstance(c, dict)] if isinstance(items, list) else []

    def open_incident(self, account: str, alert_id: int | None = None) -> dict:
        body: dict[str, Any] = {"account": account}
        if alert_id is not None:
            body["alert_id"] = alert_id
        return self._request("POST", "/incidents", body=body)

    def update_incident(self, incident_id: int, **fields: Any) -> dict:
        """``owner``, ``status`` (open | investigating | closed), ``note``."""
        body = {k: v for k, v in fields.items() if k in ("owner", "status", "note") and v is not None}
        return self._request("PATCH", f"/incidents/{int(incident_id)}", body=body)


def _short(err: BaseException) -> str:
    """The innermost reason of a requests error ('Connection refused', 'Name or service not known')."""
    text = str(err)
    m = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
    if m:
        return m.group(1).strip()
    if "NameResolutionError" in text or "Failed to resolve" in text:
        return "host name not found"
    return text.splitlines()[0][:160] if text else type(err).__name__
