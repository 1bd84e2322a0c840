"""Where the desk's API token comes from and where it is kept.

Order: --token-file, then $FUMIDAI_TOKEN, then the OS keyring, then QSettings (only where no
keyring works; the desk then says the token is stored unencrypted).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import quote

from PySide6.QtCore import QSettings

from ..errors import FumidaiError

log = logging.getLogger(__name__)
SERVICE = "fumidai-desk"
ENV_TOKEN = "FUMIDAI_TOKEN"


def read_token_file(path: str | os.PathLike) -> str:
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except OSError as err:
        raise FumidaiError(f"cannot read the token file {path}: {err.strerror or err}") from err
    if not token or len(token.split()) != 1:
        raise FumidaiError(f"the token file {path} must hold one token on one line")
    return token


class TokenStore:
    """The token for one backend URL: OS keyring when one works, else QSettings with a warning."""

    def __init__(self, settings: QSettings, use_keyring: bool = True):
        self.settings = settings
        self.use_keyring = use_keyring
        self.insecure = False  # True once the token sits in QSettings (a plain file or registry key)

    def _keyring(self):
        if not self.use_keyring:
            return None
        try:
            import keyring
            from keyring.backends import fail

            backend = keyring.get_keyring()
            if isinstance(backend, fail.Keyring) or backend.priority <= 0:
                return None  # no usable backend (a bare X server has no Secret Service)
            return keyring
        except Exception as err:  # any backend failure: fall back, never crash the desk
            log.debug("no keyring: %s", err)
            return None

    def has_keyring(self) -> bool:
        return self._keyring() is not None

    def load(self, backend_url: str) -> str:
        kr = self._keyring()
        if kr is not None:
            try:
                token = kr.get_password(SERVICE, backend_url)
                if token:
                    return token
            except Exception as err:
                log.debug("keyring read failed: %s", err)
        token = self.settings.value(_key(backend_url), "")
        self.insecure = bool(token)
        return str(token or "")

    def save(self, backend_url: str, token: str) -> bool:
        """Keep the token; returns False when it had to go to QSettings (not encrypted)."""
        kr = self._keyring()
        if kr is not None:
            try:
                kr.set_password(SERVICE, backend_url, token)
                self.settings.remove(_key(backend_url))
                self.insecure = False
                return True
            except Exception as err:
                log.debug("keyring write failed: %s", err)
        self.settings.setValue(_key(backend_url), token)
        self.insecure = True
        return False

    def forget(self, backend_url: str) -> None:
        kr = self._keyring()
        if kr is not None:
            try:
                kr.delete_password(SERVICE, backend_url)
            except Exception as err:  # nothing stored there, or the backend failed
                log.debug("keyring delete: %s", err)
        self.settings.remove(_key(backend_url))


def initial_token(token_file: str | None, store: TokenStore, backend_url: str,
                  environ: dict | None = None) -> tuple[str, str]:
    """(token, source) with source one of file | env | keyring | settings | "" (none yet)."""
    env = os.environ if environ is None else environ
    if token_file:
        return read_token_file(token_file), "file"
    if env.get(ENV_TOKEN, "").strip():
        return env[ENV_TOKEN].strip(), "env"
    token = store.load(backend_url)
    if token:
        return token, "settings" if store.insecure else "keyring"
    return "", ""


def _key(backend_url: str) -> str:
    return "tokens/" + quote(backend_url, safe="")  # "/" would nest QSettings groups
