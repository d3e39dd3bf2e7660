"""Small words the presenters share: numbers in words, lists, plurals, dates and viewpoints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from portal import i18n
from portal.i18n import N_, gettext

MENTEE = "mentee"
MENTOR = "mentor"
PEER = "peer"
ORGANIZER = "organizer"
VIEWPOINTS = (MENTEE, MENTOR, PEER, ORGANIZER)
# A role as a word in a sentence ("as a mentee"), translated where it is said.
ROLE_WORDS = {MENTEE: N_("mentee"), MENTOR: N_("mentor"), PEER: N_("peer")}

_NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
)


def number(value: float) -> str:
    """A count in words when small ("two"), in figures otherwise ("12", "5.5")."""
    if float(value).is_integer() and 0 <= value < len(_NUMBER_WORDS):
        return _NUMBER_WORDS[int(value)]
    return f"{value:g}"


def hours(value: float) -> str:
    """A length of time: "half an hour", "one hour", "five hours", "5.5 hours"."""
    if value == 0.5:
        return "half an hour"
    if value == 1:
        return "one hour"
    return f"{number(value)} hours"


def join(items: Sequence[str], word: str = "and") -> str:
    """A list as people write it: "A", "A and B", "A, B and C"."""
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    return "{first} {word} {last}".format(first=", ".join(items[:-1]), word=word, last=items[-1])


def plural(count: int, one: str, several: str, **params: Any) -> str:
    """`one` or `several`, with the count in words and the other parameters filled in."""
    return (one if count == 1 else several).format(count=number(count), **params)


def role_word(role: object) -> str:
    """A role (a Role or its value) as a word in the reader's language: "mentee", "mentora"."""
    word = ROLE_WORDS.get(str(role))
    return gettext(word) if word else str(role)


def checked_viewpoint(viewpoint: str) -> str:
    """The viewpoint, if it is one of VIEWPOINTS; else a ValueError."""
    if viewpoint not in VIEWPOINTS:
        raise ValueError(f"unknown viewpoint {viewpoint!r}: one of {', '.join(VIEWPOINTS)}")
    return viewpoint


def is_participant(viewpoint: str) -> bool:
    """Whether the reader takes part (else the organizer reads it)."""
    return checked_viewpoint(viewpoint) != ORGANIZER


def day(
    moment: datetime, timezone: str, *, weekday: bool = False, today: date | None = None
) -> str:
    """A date as people say it, where the reader is and in their language: "4 November",
    "Monday 9 December", "lunes, 9 de diciembre".

    The year is said only when it is not the year of `today` ("Monday 4 January 2027").
    """
    local = moment.astimezone(i18n.zone(timezone))
    year = today is not None and local.year != today.year
    return i18n.format_day(local, timezone, weekday=weekday, year=year)
