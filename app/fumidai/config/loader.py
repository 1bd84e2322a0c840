"""Reading the configuration: the TOML file, the environment over it, errors that name the key; secrets masked."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Mapping

from pydantic import ValidationError

from ..errors import ConfigError
from .settings import Settings

ENV_PREFIX = "FUMIDAI_"
CONFIG_ENV = "FUMIDAI_CONFIG"


MASK = "********"
# scheme://user:PASSWORD@host: up to the last "@", so a password with a raw "@" or "/" is hidden whole.
_URL_PASSWORD = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://[^/@:]*:)(.*)@")


def mask_secrets(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of a settings dump (``Settings.model_dump(mode="json")``) fit to print.

    Every non-empty ``password`` key and the password in any URL (storage.url,
    counters.redis_url) become ``********``; nothing else changes.
    """
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out[key] = mask_secrets(value)
        elif key == "password" and value:
            out[key] = MASK
        elif isinstance(value, str):
            out[key] = _URL_PASSWORD.sub(lambda m: f"{m.group(1)}{MASK}@" if m.group(2) else m.group(0), value)
        else:
            out[key] = value
    return out


def _env_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _apply_env(data: dict[str, Any], env: Mapping[str, str]) -> None:
    for name, raw in sorted(env.items()):
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV or "__" not in name:
            continue
        path = name[len(ENV_PREFIX):].split("__")
        # Country sections are keyed by upper-case ISO codes; everything else is lower case.
        keys = [p if (i >= 2 and path[:2] == ["LIMITS", "COUNTRY"] and i == 2) else p.lower() for i, p in enumerate(path)]
        node = data
        for key in keys[:-1]:
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                raise ConfigError(f"{name}: {'.'.join(keys[:-1])} is not a table")
            node = child
        node[keys[-1]] = _env_value(raw)


def _is_type_tag(part: str) -> bool:
    """A union branch's name in an error location ("int", "literal['unlimited']"), not a key."""
    return part == "int" or part.startswith(("function-", "literal[", "constrained"))


def _describe(err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"] if not _is_type_tag(str(p)))
        if e["type"] == "extra_forbidden":
            lines.append(f"{loc}: unknown key")
        elif e["type"] == "value_error" and isinstance(e.get("input"), dict):
            # A check across a section's keys: its message starts with the key it is about.
            lines.append(f"{loc}.{str(e['msg']).removeprefix('Value error, ')}")
        else:
            lines.append(f"{loc}: {e['msg']} (got {e.get('input')!r})")
    # Unions report once per branch; keep each key's first message.
    seen: dict[str, str] = {}
    for line in lines:
        seen.setdefault(line.split(":", 1)[0], line)
    return "; ".join(seen.values())


def settings_from_dict(data: dict[str, Any], source: str = "configuration") -> Settings:
    try:
        return Settings.model_validate(data)
    except ValidationError as err:
        raise ConfigError(f"{source}: {_describe(err)}") from None


def load_settings(path: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read the TOML file (``path``, else $FUMIDAI_CONFIG, else none) and the environment."""
    env = os.environ if env is None else env
    path = path or env.get(CONFIG_ENV) or None
    data: dict[str, Any] = {}
    source = "defaults"
    if path:
        source = str(path)
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such configuration file") from None
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(f"{path}: cannot read: {err}") from None
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{path}: not valid TOML: {err}") from None
    _apply_env(data, env)
    return settings_from_dict(data, source)
