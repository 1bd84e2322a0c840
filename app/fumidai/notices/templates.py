"""Notice templates: bundled in resources/templates/, overridable file by file.

A template NAME in language LANG is up to three files:

    NAME.LANG.subject   one line after rendering (a line break is refused)
    NAME.LANG.txt       the plain-text body
    NAME.LANG.html      optional HTML alternative (autoescaped)

Files whose names start with "_" are partials for ``{% include %}``. ``templates.toml``
names each template and describes it per language. A folder in ``[notices] templates``
is searched first, so a file there replaces the bundled file of the same name, and its
own templates.toml adds or replaces entries.

Templates run in Jinja2's immutable sandbox with StrictUndefined: an unknown variable
or an unsafe attribute fails the preview with a NoticeError naming the file and line.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
    pass_context,
    select_autoescape,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from ..bundled import resource_path
from ..geo.countries import country_name
from . import NoticeError
from .facts import LANGUAGES
from .reasons import is_behaviour_code, is_reason_code, quota_label, reason_text

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MANIFEST = "templates.toml"
# Control characters and bidi overrides in spammer-chosen values could fake or hide text.
_UNSAFE_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return _UNSAFE_CHARS.sub("", value)
    return value


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise NoticeError(f"unknown time zone {name!r} (use an IANA name such as Asia/Tokyo)") from None


def format_time(epoch: float | None, language: str, timezone: str) -> str:
    """A moment as an owner reads it: in their time zone, with the zone named."""
    if epoch is None:
        return ""
    zone = _zone(timezone)
    t = datetime.fromtimestamp(float(epoch), zone)
    abbrev = t.tzname() or ""
    if not abbrev or abbrev[0] in "+-":  # zones without a letter abbreviation
        abbrev = "UTC" + t.strftime("%z")[:3] + ":" + t.strftime("%z")[3:]
    if language == "ja":
        label = "日本時間" if timezone == "Asia/Tokyo" else abbrev
        return f"{t.year}年{t.month}月{t.day}日 {t.hour}時{t.minute:02d}分（{label}）"
    return f"{t.day} {t.strftime('%B')} {t.year}, {t:%H:%M} {abbrev}"


@pass_context
def _when_filter(ctx, epoch):
    return format_time(epoch, ctx.get("language") or "en", ctx.get("timezone") or "UTC")


@pass_context
def _country_filter(ctx, code):
    return country_name(str(code), ctx.get("language") or "en")


@pass_context
def _reason_filter(ctx, code):
    # Only a reason code becomes a sentence: anything else is a staff member's free text (an
    # internal note, a ticket number) and never reaches the owner, whatever a template says.
    code = str(code)
    if not is_reason_code(code):
        return ""
    return reason_text(code, ctx.get("language") or "en", ctx.get("limits"))


@pass_context
def _quota_filter(ctx, key):
    return quota_label(str(key), ctx.get("language") or "en")


def _number_filter(value):
    return f"{int(value):,}" if value is not None else ""


class TemplateSet:
    """The templates: bundled ones, with an optional override folder searched first."""

    def __init__(self, override_dir: str | Path | None = None) -> None:
        self.bundled = resource_path("templates")
        self.override = Path(override_dir) if override_dir else None
        if self.override is not None and not self.override.is_dir():
            raise NoticeError(f"[notices] templates: {self.override} is not a folder")
        self.dirs = ([self.override] if self.override else []) + [self.bundled]
        self.env = ImmutableSandboxedEnvironment(
            loader=FileSystemLoader([str(d) for d in self.dirs]),
            undefined=StrictUndefined,
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
            finalize=_finalize,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=True,
        )
        self.env.filters.update(
            when=_when_filter, country=_country_filter, reason=_reason_filter,
            quota=_quota_filter, number=_number_filter,
        )
        self.env.tests["reason_code"] = lambda v: isinstance(v, str) and is_reason_code(v)
        # A stop by behaviour analysis (not a quota): the notice opens differently.
        self.env.tests["behaviour_reason"] = lambda v: isinstance(v, str) and is_behaviour_code(v)

    # -- what is there -------------------------------------------------------------

    def _manifest(self) -> dict[str, dict[str, Any]]:
        merged: dict[str, dict[str, Any]] = {}
        for d in reversed(self.dirs):  # bundled first, the override folder on top
            path = d / MANIFEST
            if not path.is_file():
                continue
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
                raise NoticeError(f"{path}: cannot read: {err}") from None
            for name, entry in data.items():
                if isinstance(entry, dict):
                    merged.setdefault(name, {}).update(entry)
        return merged

    def _languages(self, name: str) -> list[str]:
        found = []
        for lang in LANGUAGES:
            if any((d / f"{name}.{lang}.subject").is_file() for d in self.dirs) and any(
                (d / f"{name}.{lang}.txt").is_file() for d in self.dirs
            ):
                found.append(lang)
        return found

    def templates(self) -> list[dict[str, Any]]:
        """[{name, languages, description: {ja, en}}] for every template with a subject and body."""
        manifest = self._manifest()
        names = set(manifest)
        for d in self.dirs:
            for f in d.glob("*.*.subject"):
                names.add(f.name.split(".", 1)[0])
        out = []
        for name in sorted(n for n in names if NAME_RE.match(n)):
            langs = self._languages(name)
            if not langs:
                continue
            desc = manifest.get(name, {}).get("description", {})
            out.append({"name": name, "languages": langs,
                        "description": {k: str(v) for k, v in desc.items()} if isinstance(desc, dict) else {}})
        return out

    # -- rendering -----------------------------------------------------------------

    def render(self, facts: Mapping[str, Any], name: str, language: str) -> Rendered:
        if not NAME_RE.match(name or ""):
            raise NoticeError(f"{name!r} is not a template name")
        if language not in LANGUAGES:
            raise NoticeError(f"language must be one of {', '.join(LANGUAGES)} (got {language!r})")
        langs = self._languages(name)
        if not langs:
            known = ", ".join(t["name"] for t in self.templates())
            raise NoticeError(f"unknown template {name!r} (known: {known})")
        if language not in langs:
            raise NoticeError(f"template {name!r} has no {language!r} version (has: {', '.join(langs)})")
        context = dict(facts)
        context["language"] = language  # the notice's language rules the filters
        subject = self._render(f"{name}.{language}.subject", context).strip()
        if len(subject.splitlines()) > 1 or "\r" in subject or "\n" in subject:
            raise NoticeError(f"template {name}.{language}.subject: the subject has a line break "
                              "(from a value such as the account or owner name); refused")
        if not subject:
            raise NoticeError(f"template {name}.{language}.subject: the subject is empty")
        text = self._render(f"{name}.{language}.txt", context)
        html_file = f"{name}.{language}.html"
        html = self._render(html_file, context) if any((d / html_file).is_file() for d in self.dirs) else None
        return Rendered(subject=subject, text=_tidy(text), html=html)

    def _render(self, file: str, context: dict[str, Any]) -> str:
        try:
            return self.env.get_template(file).render(context)
        except TemplateNotFound as err:
            raise NoticeError(f"template {file}: {err.name} not found") from None
        except TemplateSyntaxError as err:
            raise NoticeError(f"template {err.name or file}, line {err.lineno}: {err.message}") from None
        except SecurityError as err:
            raise NoticeError(f"template {_where(err, file)}: unsafe access refused: {err}") from None
        except UndefinedError as err:
            raise NoticeError(f"template {_where(err, file)}: unknown variable: {err}") from None
        except NoticeError:
            raise
        except (TemplateError, TypeError, ValueError, KeyError, AttributeError) as err:
            raise NoticeError(f"template {_where(err, file)}: {type(err).__name__}: {err}") from None


def _where(err: BaseException, default: str) -> str:
    """The template file and line where a render error happened (Jinja rewrites tracebacks)."""
    where = default
    tb = err.__traceback__
    while tb is not None:
        path = tb.tb_frame.f_code.co_filename
        if path.endswith((".subject", ".txt", ".html")):
            where = f"{Path(path).name}, line {tb.tb_lineno}"
        tb = tb.tb_next
    return where


def _tidy(text: str) -> str:
    """Normalised text with no run of more than one blank line and one final newline."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n") + "\n"
