"""Languages: which the portal speaks, its gettext catalogues, and the reader's language.

Words live in templates and in `portal/translations/<language>/LC_MESSAGES/messages.po`
(compiled to `.mo` by `make translations`; the `.mo` files are not committed). In a request
Flask-Babel chooses the language (`portal.app.select_language`); outside one (an email
rendered by a scheduled function, the CLI) the caller names it with `speaking(language)`.
`gettext` and friends here work in both, so that presenters shared by pages and emails
translate the same way.

Dates, times and numbers are formatted by Babel for the language's locale, always in the
reader's time zone, with the zone named where a time is shown.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, dates, numbers
from babel.support import LazyProxy, NullTranslations, Translations

# The languages offered, each named in itself (as a language menu shows them). Adding one:
# docs/translating.md.
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
DEFAULT_LANGUAGE = "en"
# The cookie the footer's language menu sets: this browser's choice.
LANGUAGE_COOKIE = "lang"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
# The locale whose conventions format dates and numbers in each language: the portal's
# English is British ("Monday 9 December", 24-hour times).
FORMATTING_LOCALES: dict[str, str] = {"en": "en_GB", "es": "es"}
# How each language writes a day (CLDR patterns): with or without the weekday and the year.
DAY_PATTERNS: dict[str, dict[tuple[bool, bool], str]] = {
    "en": {
        (False, False): "d MMMM",
        (True, False): "EEEE d MMMM",
        (False, True): "d MMMM y",
        (True, True): "EEEE d MMMM y",
    },
    "es": {
        (False, False): "d 'de' MMMM",
        (True, False): "EEEE, d 'de' MMMM",
        (False, True): "d 'de' MMMM 'de' y",
        (True, True): "EEEE, d 'de' MMMM 'de' y",
    },
}
# The same, short, for lists of many days (a summary's "Wed 8 Apr", "mié 8 abr").
SHORT_DAY_PATTERNS: dict[str, dict[tuple[bool, bool], str]] = {
    "en": {
        (False, False): "d MMM",
        (True, False): "EEE d MMM",
        (False, True): "d MMM y",
        (True, True): "EEE d MMM y",
    },
    "es": {
        (False, False): "d MMM",
        (True, False): "EEE d MMM",
        (False, True): "d MMM y",
        (True, True): "EEE d MMM y",
    },
}

_language: ContextVar[str] = ContextVar("portal_language", default=DEFAULT_LANGUAGE)


def checked_language(value: str | None) -> str:
    """`value` if it is a language the portal offers, else the default (English)."""
    if value:
        code = value.replace("-", "_").split("_")[0].lower()
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def is_offered(value: str | None) -> bool:
    """Whether `value` names a language the portal offers (exactly: "es", not "es-MX")."""
    return value in LANGUAGES


def negotiate(accepted: Iterable[str]) -> str:
    """The first offered language among those a browser asks for, best first; else English."""
    for value in accepted:
        code = value.replace("-", "_").split("_")[0].lower()
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue of `language` (English needs none: its words are the msgids)."""
    if language == DEFAULT_LANGUAGE:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [language], domain="messages")


def current_language() -> str:
    """The reader's language: the request's (Flask-Babel's choice), else `speaking`'s."""
    from flask import has_request_context

    if has_request_context():
        import flask_babel

        locale = flask_babel.get_locale()
        return checked_language(locale.language if locale else None)
    return _language.get()


@contextmanager
def speaking(language: str | None) -> Iterator[str]:
    """Words, dates and numbers in `language` (the default if it is not offered) within."""
    chosen = checked_language(language)
    token = _language.set(chosen)
    try:
        from flask import has_request_context

        if has_request_context():
            import flask_babel

            with flask_babel.force_locale(chosen):
                yield chosen
        else:
            yield chosen
    finally:
        _language.reset(token)


def gettext(message: str, **variables: Any) -> str:
    """`message` in the reader's language, with `%(name)s` filled from `variables`."""
    said = translations(current_language()).ugettext(message)
    return said % variables if variables else said


def ngettext(singular: str, plural: str, count: int, **variables: Any) -> str:
    """The singular or plural form for `count` (`%(num)s` is the count, in figures)."""
    said = translations(current_language()).ungettext(singular, plural, count)
    variables.setdefault("num", format_number(count))
    return said % variables


def pgettext(context: str, message: str, **variables: Any) -> str:
    """`message` in the reader's language, where the English word has several meanings."""
    said = translations(current_language()).upgettext(context, message)
    return said % variables if variables else said


def lazy_gettext(message: str, **variables: Any) -> Any:
    """`gettext`, looked up when shown: for words defined at import (form labels)."""
    return LazyProxy(gettext, message, enable_cache=False, **variables)


# Extraction marks a string without translating it where it is written (a tuple of choices
# translated when shown).
def N_(message: str) -> str:
    """Mark `message` for the catalogue; translate it later, where it is shown."""
    return message


# -- formatting ---------------------------------------------------------------------------


def locale() -> Locale:
    """The Babel locale whose conventions format dates and numbers for the reader."""
    return Locale.parse(FORMATTING_LOCALES[current_language()])


def language_name(code: str) -> str:
    """A language named in the reader's language: "Spanish", "inglés"."""
    return Locale.parse(code).get_display_name(locale()) or code


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The IANA zone `name`, or UTC when it is empty or unknown."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def format_number(value: float) -> str:
    """A number as the reader writes it ("1,234.5"; "1234,5" in Spanish)."""
    return numbers.format_decimal(value, locale=locale())


def format_percent(value: float) -> str:
    """A fraction as a percentage ("87%"; "87 %" in Spanish)."""
    return numbers.format_percent(value, locale=locale())


def format_day(
    moment: datetime | date,
    timezone: str | None = None,
    *,
    weekday: bool = False,
    year: bool = False,
) -> str:
    """A date as people say it where the reader is: "9 December", "lunes, 9 de diciembre"."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(zone(timezone)).date()
    pattern = DAY_PATTERNS[current_language()][(weekday, year)]
    return dates.format_date(moment, pattern, locale=locale())


def format_short_day(
    moment: datetime | date,
    timezone: str | None = None,
    *,
    weekday: bool = True,
    year: bool = False,
) -> str:
    """A day in short, where the reader is: "Wed 8 Apr" ("mié 8 abr"), for lists of days."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(zone(timezone)).date()
    pattern = SHORT_DAY_PATTERNS[current_language()][(weekday, year)]
    return dates.format_date(moment, pattern, locale=locale())


def format_time(moment: datetime, timezone: str | None) -> str:
    """A time of day in the reader's zone ("14:30")."""
    return dates.format_time(moment, "short", tzinfo=zone(timezone), locale=locale())


def zone_name(timezone: str | None, moment: datetime | None = None) -> str:
    """The zone named for the reader, e.g. "Central European Standard Time" or "hora de España".

    At `moment` the name says whether summer time applies then ("British Summer Time").
    """
    where = zone(timezone)
    if moment is None:
        return dates.get_timezone_location(where, locale=locale(), return_city=False)
    local = moment.astimezone(where)
    return dates.get_timezone_name(local, "long", locale=locale())


def format_moment(
    moment: datetime, timezone: str | None, *, weekday: bool = True, today: date | None = None
) -> str:
    """A date and time in the reader's zone, the zone named: "Tuesday 9 December, 14:30
    (Greenwich Mean Time)". The year is said only when it is not `today`'s."""
    local = moment.astimezone(zone(timezone))
    year = today is not None and local.year != today.year
    return gettext(
        "%(day)s, %(time)s (%(zone)s)",
        day=format_day(local, timezone, weekday=weekday, year=year),
        time=format_time(local, timezone),
        zone=zone_name(timezone, local),
    )


def format_duration(length: timedelta) -> str:
    """A length of time in words ("3 days", "2 horas")."""
    return dates.format_timedelta(length, locale=locale())
