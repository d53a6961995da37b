"""Language for one request: Bahasa Indonesia by default, English by a switch.

Message ids are the Indonesian text; `locale/en/LC_MESSAGES/messages.po` holds the English.
The .po files are compiled in memory at import (no build step, nothing written to disk), and
`tests/web/test_i18n.py` checks that every string in the code and templates is in the catalog.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_percent as babel_percent
from babel.support import NullTranslations, Translations

LANGUAGES = ("id", "en")
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANG_COOKIE = "pilah_lang"
_language: ContextVar[str] = ContextVar("pilah_language", default="id")
_zone: ContextVar[ZoneInfo] = ContextVar("pilah_zone", default=ZoneInfo("Asia/Jakarta"))  # noqa: B039 - immutable


def _compile(language: str) -> NullTranslations:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


CATALOGS: dict[str, NullTranslations] = {language: _compile(language) for language in LANGUAGES}


def set_language(language: str) -> None:
    _language.set(language if language in LANGUAGES else "id")


def set_zone(zone: ZoneInfo) -> None:
    _zone.set(zone)


def current_language() -> str:
    return _language.get()


def current_zone() -> ZoneInfo:
    return _zone.get()


def gettext(message: str) -> str:
    return CATALOGS[_language.get()].gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return CATALOGS[_language.get()].ngettext(singular, plural, count)


def N_(message: str) -> str:
    return message


def format_when(value: datetime | None) -> str:
    """'5 Januari 2026 14.30' in the office's time zone and the reader's language."""
    if value is None:
        return "–"
    return _formatted_when(value, _zone.get(), _language.get())


@lru_cache(maxsize=8192)
def _formatted_when(value: datetime, zone: ZoneInfo, language: str) -> str:
    return format_datetime(value, "d MMMM y HH.mm", tzinfo=zone, locale=language)


def format_percent(value: float | None) -> str:
    """A share as the reader writes it ("42%"): a bare 0.42 reads as an English decimal in Indonesian."""
    if value is None:
        return "–"
    return babel_percent(value, locale=_language.get())


def format_day(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.astimezone(_zone.get()).date()
    return format_date(value, "d MMMM y", locale=_language.get())


class LanguageMiddleware:
    """Sets the request's language from the pilah_lang cookie before anything renders."""

    def __init__(self, app, *, default: str = "id", zone: ZoneInfo | None = None) -> None:
        self.app, self.default, self.zone = app, default, zone or ZoneInfo("Asia/Jakarta")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] in ("http", "websocket"):
            set_language(_cookie_language(scope) or self.default)
            set_zone(self.zone)
        await self.app(scope, receive, send)


def _cookie_language(scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                if key == LANG_COOKIE and val in LANGUAGES:
                    return val
    return None
