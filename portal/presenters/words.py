"""Small words the presenters share: numbers in words, lists, plurals, dates and viewpoints."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date, datetime

from babel import numbers

from portal import i18n
from portal.i18n import N_, gettext, ngettext, pgettext

MENTEE = "mentee"
MENTOR = "mentor"
PEER = "peer"
ORGANIZER = "organizer"
VIEWPOINTS = (MENTEE, MENTOR, PEER, ORGANIZER)
# A role as a word in a sentence ("as a mentee"), translated where it is said.
ROLE_WORDS = {MENTEE: N_("mentee"), MENTOR: N_("mentor"), PEER: N_("peer")}
# A program's format as a visitor reads it (the Jinja filter `format_word`), by the value of
# portal.domain.program.Format: not imported here, since every page's filters load this.
FORMAT_WORDS = {
    "one-on-one": N_("One on one"),
    "group": N_("Group"),
    "reverse": N_("Reverse"),
    "flash": N_("Flash"),
    "peer": N_("Peer"),
}

# Small counts in words, translated where they are said ("two", "dos").
_NUMBER_WORDS = (
    N_("zero"),
    N_("one"),
    N_("two"),
    N_("three"),
    N_("four"),
    N_("five"),
    N_("six"),
    N_("seven"),
    N_("eight"),
    N_("nine"),
    N_("ten"),
)


def figures(value: float) -> str:
    """A number in figures, as short as it goes ("12", "5.5"; "5,5" in Spanish)."""
    written = f"{value:g}"
    # `:g` never groups thousands, so its one "." is the decimal point: the reader's own.
    return written.replace(".", numbers.get_decimal_symbol(i18n.locale()))


def number(value: float) -> str:
    """A count in words when small ("two"), in figures otherwise ("12", "5.5")."""
    if float(value).is_integer() and 0 <= value < len(_NUMBER_WORDS):
        return gettext(_NUMBER_WORDS[int(value)])
    return figures(value)


def hours(value: float) -> str:
    """A length of time: "half an hour", "one hour", "five hours", "5.5 hours"."""
    if value == 0.5:
        return gettext("half an hour")
    if value == 1:
        return gettext("one hour")
    # A fraction of an hour takes the plural ("5.5 hours"), as any count but one does.
    count = int(value) if float(value).is_integer() else 2
    return ngettext("%(num)s hour", "%(num)s hours", count, num=number(value))


def _sounds(word: str, *beginnings: str) -> bool:
    """Whether `word` starts with one of these sounds (accents and case aside)."""
    plain = unicodedata.normalize("NFD", word.strip().lower())
    plain = "".join(letter for letter in plain if not unicodedata.combining(letter))
    for beginning in beginnings:
        if plain.startswith(beginning):
            rest = plain[len(beginning) :]
            # "hie-", "io-": the i glides into the next vowel ("y hielo", not "e hielo").
            return not (beginning.endswith("i") and rest[:1] in ("a", "e", "o", "u"))
    return False


def join(items: Sequence[str], word: str = "and") -> str:
    """A list as people write it: "A", "A and B", "A, B and C"; `word` is "and" or "or"."""
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    first, last = ", ".join(items[:-1]), items[-1]
    # Spanish says "e" for "y" before an i sound and "u" for "o" before an o sound
    # ("inglés e italiano", "siete u ocho"): the catalogue holds those as their own forms.
    if word == "or":
        if _sounds(last, "o", "ho"):
            return pgettext("before an o sound", "%(first)s or %(last)s", first=first, last=last)
        return gettext("%(first)s or %(last)s", first=first, last=last)
    if _sounds(last, "i", "hi"):
        return pgettext("before an i sound", "%(first)s and %(last)s", first=first, last=last)
    return gettext("%(first)s and %(last)s", first=first, last=last)


def role_word(role: object) -> str:
    """A role (a Role or its value) as a word in the reader's language: "mentee", "mentora"."""
    word = ROLE_WORDS.get(str(role))
    return gettext(word) if word else str(role)


# Career stages (portal.domain.participants.SENIORITY_LEVELS' keys) in words.
SENIORITY_WORDS: dict[str, str] = {
    "student": N_("Student or apprentice"),
    "early": N_("Early career (0-2 years)"),
    "mid": N_("Mid-level (3-5 years)"),
    "senior": N_("Senior (6-10 years)"),
    "lead": N_("Lead or principal (10+ years)"),
    "executive": N_("Manager of managers or executive"),
}


def seniority_word(key: str) -> str:
    """A career stage's key in words in the reader's language ("Senior (6-10 years)")."""
    word = SENIORITY_WORDS.get(key)
    return gettext(word) if word else key


def career_levels(low: int, high: int) -> str:
    """A band of career levels: "one career level", "one or two career levels",
    "one to three career levels"."""
    if low == high:
        # Translators: how many career levels apart two people are (fills a sentence).
        return ngettext("%(num)s career level", "%(num)s career levels", high, num=number(high))
    if high == low + 1:
        # Translators: two neighbouring counts of career levels, "one or two career levels".
        return gettext("%(low)s or %(high)s career levels", low=number(low), high=number(high))
    # Translators: a range of career levels, "one to three career levels".
    return gettext("%(low)s to %(high)s career levels", low=number(low), high=number(high))


# A goal's state (portal.domain.checkins.GOAL_STATES) in words, translated where it is shown.
GOAL_STATE_WORDS: dict[str, str] = {
    "not-started": N_("Not started"),
    "in-progress": N_("In progress"),
    "done": N_("Done"),
}


def goal_state_word(state: object) -> str:
    """A goal's state (a GoalState or its value) in the reader's language: "En curso"."""
    word = GOAL_STATE_WORDS.get(str(state))
    return gettext(word) if word else str(state)


def match_state_word(state: object) -> str:
    """A match's state (a MatchState or its value) as a sentence says it: "ended", "terminado"."""
    value = str(state)
    if value == "suggested":
        return pgettext("match state", "suggested")
    if value == "proposed":
        return pgettext("match state", "a draft")
    if value == "active":
        return pgettext("match state", "active")
    if value == "ended":
        return pgettext("match state", "ended")
    if value == "completed":
        return pgettext("match state", "completed")
    return value


def checked_viewpoint(viewpoint: str) -> str:
    """The viewpoint, if it is one of VIEWPOINTS; else a ValueError."""
    if viewpoint not in VIEWPOINTS:
        raise ValueError(f"unknown viewpoint {viewpoint!r}: one of {', '.join(VIEWPOINTS)}")
    return viewpoint


def is_participant(viewpoint: str) -> bool:
    """Whether the reader takes part (else the organizer reads it)."""
    return checked_viewpoint(viewpoint) != ORGANIZER


def day(
    moment: datetime | date,
    timezone: str | None,
    *,
    weekday: bool = False,
    today: date | None = None,
) -> str:
    """A date as people say it, where the reader is and in their language: "4 November",
    "Monday 9 December", "lunes, 9 de diciembre" (a calendar date is said as it is).

    The year is said only when it is not the year of `today` ("Monday 4 January 2027").
    """
    if not isinstance(moment, datetime):
        year = today is not None and moment.year != today.year
        return i18n.format_day(moment, timezone, weekday=weekday, year=year)
    local = moment.astimezone(i18n.zone(timezone))
    year = today is not None and local.year != today.year
    return i18n.format_day(local, timezone, weekday=weekday, year=year)


def format_word(value: object) -> str:
    """A program's format (a Format or its value) in the reader's language: "One on one"."""
    word = FORMAT_WORDS.get(str(value))
    return gettext(word) if word else str(value).replace("-", " ").capitalize()
