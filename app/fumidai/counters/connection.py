"""Redis clients built from ``[counters]``: TLS with checked certificates, ACL credentials, Sentinel.

One place decides how Fumidai talks to Redis, so no caller can weaken it:

- ``rediss://`` always checks the server's certificate and its host name (``ssl_cert_reqs``
  "required", ``check_hostname``), against ``redis_ca_file`` or the system's CAs. The URL's
  query string is refused: it is where redis-py would take ``ssl_cert_reqs=none`` from.
- The password comes from the URL or from ``redis_password_file`` (one line; the file must not
  be readable by everyone), never both; the user name from the URL or ``redis_username``.
- With ``redis_sentinels`` the client asks the sentinels for ``redis_sentinel_master`` and
  follows a failover; the URL then gives only the scheme, credentials and database.

``async_redis(settings, **timeouts)`` and ``sync_redis(settings, **timeouts)`` take the
``[counters]`` section and redis-py's connection options (timeouts, retry);
``describe(settings)`` names the server for messages, without the password.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import FumidaiError

MAX_SECRET = 4096  # bytes in a password file


def _url_error(url: str, why: str) -> FumidaiError:
    from .redis import _safe_url

    return FumidaiError(f"[counters] redis_url {_safe_url(url)!r} is not a Redis URL: {why}")


def _read_secret(path: str, key: str) -> str:
    """The password in ``path``: one line, the file not readable by everyone."""
    p = Path(path)
    try:
        mode = p.stat().st_mode
        if not stat.S_ISREG(mode):
            raise FumidaiError(f"[counters] {key} {path!r} is not a file")
        if mode & stat.S_IROTH:
            raise FumidaiError(f"[counters] {key} {path!r} is readable by everyone: chmod o-r it")
        raw = p.read_bytes()[: MAX_SECRET + 1]
    except OSError as err:
        raise FumidaiError(f"[counters] {key} {path!r} cannot be read: {err.strerror or err}") from None
    text = raw.decode("utf-8", "replace").rstrip("\r\n")
    if len(raw) > MAX_SECRET or not text or "\n" in text or "\r" in text or "\0" in text:
        raise FumidaiError(f"[counters] {key} {path!r} must hold the password alone on one line")
    return text


def _readable(path: str, key: str) -> str:
    if not os.path.isfile(path) or not os.access(path, os.R_OK):
        raise FumidaiError(f"[counters] {key} {path!r} is not a readable file")
    return path


def connection_kwargs(settings: Any) -> tuple[dict[str, Any], bool]:
    """redis-py keyword arguments for one connection to the server (host, port, db, credentials,
    TLS) and whether it is TLS. Raises FumidaiError naming the key for a bad value."""
    url = settings.redis_url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as err:
        raise _url_error(url, str(err)) from None
    scheme = parts.scheme.lower()
    if scheme not in ("redis", "rediss", "unix"):
        raise _url_error(url, "use redis://, rediss:// (TLS) or unix://")
    if parts.query or parts.fragment:
        raise _url_error(url, "no ?options: TLS files and credentials have keys of their own in [counters]")
    kw: dict[str, Any] = {}
    if scheme == "unix":
        if not parts.path:
            raise _url_error(url, "unix:// needs a socket path")
        kw["path"] = unquote(parts.path)
    else:
        kw["host"] = unquote(parts.hostname or "127.0.0.1")
        kw["port"] = port or 6379
        db = unquote(parts.path).strip("/")
        if db:
            if not db.isdigit() or int(db) > 65535:
                raise _url_error(url, f"the database {db!r} is not a number")
            kw["db"] = int(db)
    username = unquote(parts.username) if parts.username else ""
    password = unquote(parts.password) if parts.password is not None else None
    if settings.redis_username:
        if username and username != settings.redis_username:
            raise FumidaiError("[counters] redis_username and the user in redis_url differ: give one")
        username = settings.redis_username
    if settings.redis_password_file:
        if password:
            raise FumidaiError("[counters] redis_password_file and a password in redis_url: give one")
        password = _read_secret(settings.redis_password_file, "redis_password_file")
    if username:
        kw["username"] = username
    if password:
        kw["password"] = password
    tls = scheme == "rediss"
    if tls:
        kw.update(ssl_cert_reqs="required", ssl_check_hostname=True,
                  ssl_ca_certs=_readable(settings.redis_ca_file, "redis_ca_file") if settings.redis_ca_file else None)
        if settings.redis_cert_file:
            kw["ssl_certfile"] = _readable(settings.redis_cert_file, "redis_cert_file")
            if settings.redis_key_file:
                kw["ssl_keyfile"] = _readable(settings.redis_key_file, "redis_key_file")
    return kw, tls


def _sentinel_kwargs(settings: Any, kw: dict[str, Any], tls: bool, timeouts: dict[str, Any]) -> dict[str, Any]:
    """How to reach the sentinels themselves: the same TLS as the server, their own credentials."""
    out = {k: v for k, v in timeouts.items() if k.startswith("socket_")}
    if tls:
        out.update({k: v for k, v in kw.items() if k.startswith("ssl_")}, ssl=True)
    if settings.redis_sentinel_username:
        out["username"] = settings.redis_sentinel_username
    if settings.redis_sentinel_password_file:
        out["password"] = _read_secret(settings.redis_sentinel_password_file, "redis_sentinel_password_file")
    return out


def _sentinel_addresses(settings: Any) -> list[tuple[str, int]]:
    out = []
    for item in settings.redis_sentinels:  # checked by config: host:port, [v6]:port
        host, _, port = item.rpartition(":")
        out.append((host.strip("[]"), int(port)))
    return out


def async_redis(settings: Any, **timeouts: Any):
    """A ``redis.asyncio.Redis`` for ``[counters]`` (``settings``), with redis-py's connection
    options in ``timeouts`` (socket_connect_timeout, socket_timeout, retry, health_check_interval)."""
    import redis.asyncio as aioredis

    return _client(aioredis, settings, timeouts)


def sync_redis(settings: Any, **timeouts: Any):
    """The blocking twin of ``async_redis`` (the command line, check-config)."""
    import redis

    return _client(redis, settings, timeouts)


def _client(module: Any, settings: Any, timeouts: dict[str, Any]):
    """A client of ``module`` (``redis`` or ``redis.asyncio``: the same names in both)."""
    kw, tls = connection_kwargs(settings)
    if settings.redis_sentinels:
        from importlib import import_module

        sentinel_class = import_module(module.__name__ + ".sentinel").Sentinel
        kw.pop("host", None), kw.pop("port", None)
        sentinel = sentinel_class(_sentinel_addresses(settings),
                                  sentinel_kwargs=_sentinel_kwargs(settings, kw, tls, timeouts),
                                  **kw, **({"ssl": True} if tls else {}))
        return sentinel.master_for(settings.redis_sentinel_master, **timeouts)
    if tls:
        kw["connection_class"] = module.SSLConnection
    elif "path" in kw:
        kw["connection_class"] = module.UnixDomainSocketConnection
    return module.Redis(connection_pool=module.ConnectionPool(**kw, **timeouts))


def describe(settings: Any) -> str:
    """Where the counters' Redis is, for messages and check-config (no password)."""
    from .redis import _safe_url

    url = _safe_url(settings.redis_url)
    extras = []
    if settings.redis_username:
        extras.append(f"user {settings.redis_username}")
    if settings.redis_password_file:
        extras.append(f"password from {settings.redis_password_file}")
    if settings.redis_sentinels:
        return (f"Sentinel master {settings.redis_sentinel_master!r} via {', '.join(settings.redis_sentinels)} "
                f"({url}{'; ' + ', '.join(extras) if extras else ''})")
    return url + (f" ({', '.join(extras)})" if extras else "")
