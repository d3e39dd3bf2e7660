"""The program editor's words and its schedule picker: each setting's choices in plain words,
the picker of days and a time, and the validation's setting names said in words."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wtforms import Field, Form, HiddenField, RadioField, SelectField
from wtforms.validators import ValidationError

from portal.domain.program import Question
from portal.domain.schedule import rate_of
from portal.i18n import (
    DEFAULT_LANGUAGE,
    N_,
    current_language,
    gettext,
    language_name,
    lazy_gettext,
    ngettext,
)
from portal.web.forms import MultiCheckboxField

TEXT_MAX = 200  # a title, a topic, a language, a question's label or choice (the model's Text)

WEIGHT_WORDS = {
    "must": lazy_gettext("must (never match without it)"),
    "high": lazy_gettext("very important"),
    "medium": lazy_gettext("important"),
    "low": lazy_gettext("a little"),
    "off": lazy_gettext("ignore"),
}
FORMAT_WORDS = {
    "one-on-one": lazy_gettext("One-on-one: each mentee meets one mentor"),
    "group": lazy_gettext("Group: a mentor meets a small group of mentees together"),
    "reverse": lazy_gettext("Reverse: junior colleagues mentor senior ones"),
    "flash": lazy_gettext("Flash: one short conversation, then a new match"),
    "peer": lazy_gettext("Peer: people at a similar stage help each other (no mentors or mentees)"),
}
APPROVAL_WORDS = {
    "auto": lazy_gettext("Automatic: pairs are introduced by email as soon as a round makes them"),
    "organizer": lazy_gettext(
        "An organizer approves: each round's pairs wait for you to review them"
    ),
    "mentee-choice": lazy_gettext(
        "The mentee chooses: each mentee is emailed a few suggested mentors"
    ),
}
TYPE_WORDS = {
    "text": lazy_gettext("Text (typed answer)"),
    "choice": lazy_gettext("One choice"),
    "multi": lazy_gettext("Several choices"),
}
MATCH_WORDS = {
    "none": lazy_gettext("Not at all"),
    "same": lazy_gettext("Same answer"),
    "overlap": lazy_gettext("Overlapping answers (several-choice questions only)"),
}
OBJECTIVE_WORDS = {
    "participation": lazy_gettext("Match as many people as possible"),
    "score": lazy_gettext("Make the best-scoring pairs, even if fewer people are matched"),
}
FAIRNESS_WORDS = {
    "none": lazy_gettext("No: nothing of the total score is given up for fairer pairs"),
    "balanced": lazy_gettext(
        "Yes: lift the weakest pairs, giving up at most half a percent of the total score"
    ),
}
DAYS = (
    ("MON", lazy_gettext("Monday")),
    ("TUE", lazy_gettext("Tuesday")),
    ("WED", lazy_gettext("Wednesday")),
    ("THU", lazy_gettext("Thursday")),
    ("FRI", lazy_gettext("Friday")),
    ("SAT", lazy_gettext("Saturday")),
    ("SUN", lazy_gettext("Sunday")),
)
MINUTES = tuple(range(0, 60, 5))
# What the model's names mean, for its messages ("second_nudge_days (21) must be more than ...").
SETTING_WORDS = {
    "checkin_reminder_days": N_("the reminder"),
    "second_nudge_days": N_("the second nudge"),
    "organizer_alert_days": N_("the alert to organizers"),
    "rematch_offer_days": N_("the offer to re-match"),
    "first_survey_day": N_("the first survey"),
}
# The days as a schedule says them ("on Mondays and Thursdays").
EVERY_DAY = {
    "MON": N_("Mondays"),
    "TUE": N_("Tuesdays"),
    "WED": N_("Wednesdays"),
    "THU": N_("Thursdays"),
    "FRI": N_("Fridays"),
    "SAT": N_("Saturdays"),
    "SUN": N_("Sundays"),
}
_WEEKLY = re.compile(r"^cron\((\d{1,2}) (\d{1,2}) \? \* ([A-Z,]+|\*) \*\)$")


def weekly_cron(days: Sequence[str], hour: int, minute: int) -> str:
    """The EventBridge expression for these days at this time (in the program's time zone)."""
    order = [code for code, _ in DAYS if code in days]
    return f"cron({minute} {hour} ? * {','.join(order)} *)"


@dataclass(frozen=True)
class Weekly:
    """A schedule the picker can show: days of the week, an hour and a minute."""

    days: tuple[str, ...]
    hour: int
    minute: int


def read_weekly(expression: str) -> Weekly | None:
    """The picker's days and time for an expression; None if the picker cannot show it."""
    found = _WEEKLY.match(expression)
    if not found:
        return None
    minute, hour, days = int(found.group(1)), int(found.group(2)), found.group(3)
    codes = [code for code, _ in DAYS]
    chosen = codes if days == "*" else days.split(",")
    if hour > 23 or minute not in MINUTES or any(day not in codes for day in chosen):
        return None
    return Weekly(tuple(code for code in codes if code in chosen), hour, minute)


def _and(words: Sequence[str]) -> str:
    if len(words) == 1:
        return words[0]
    return gettext("%(first)s and %(last)s", first=", ".join(words[:-1]), last=words[-1])


def when_words(expression: str, timezone: str) -> str | None:
    """When a schedule runs, in words ("on Mondays at 09:00 (UTC)"); None for no schedule."""
    if expression == "manual":
        return None
    weekly = read_weekly(expression)
    if weekly is not None:
        time = f"{weekly.hour:02d}:{weekly.minute:02d}"
        if len(weekly.days) == len(DAYS):
            return gettext("every day at %(time)s (%(zone)s)", time=time, zone=timezone)
        days = _and([gettext(EVERY_DAY[day]) for day in weekly.days])
        return gettext("on %(days)s at %(time)s (%(zone)s)", days=days, time=time, zone=timezone)
    rate = rate_of(expression)
    if rate is not None:
        number, unit = rate
        if unit == "minute":
            return ngettext("every minute", "every %(num)s minutes", number)
        if unit == "hour":
            return ngettext("every hour", "every %(num)s hours", number)
        if unit == "day":
            return ngettext("every day", "every %(num)s days", number)
        return f"every {unit}" if number == 1 else f"every {number} {unit}s"
    return gettext(
        "on the schedule %(expression)s (%(zone)s)", expression=expression, zone=timezone
    )


def problem(error: Mapping[str, Any]) -> tuple[tuple[Any, ...], str]:
    """A program validation error as the setting it is about (a path, such as ("questions", 2,
    "label")) and its message (in the model's names: `in_words` says them in words).

    A problem of the whole program has no path in pydantic; its message then starts with the
    setting's name ("schedule.first_survey_day: ..."), which becomes the path.
    """
    loc = tuple(error.get("loc", ()))
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    if error.get("type") == "missing":
        message = gettext("This is required.")
    context = error.get("ctx") or {}
    if error.get("type") == "too_long" and loc and "max_length" in context:
        # pydantic says "Tuple should have at most 50 items after validation, not 51".
        what = str(loc[-1]).replace("_", " ") if isinstance(loc[-1], str) else "entries"
        message = (
            f"at most {context['max_length']} {what}, please (there are "
            f"{context.get('actual_length', 'more')})"
        )
    if not loc:
        name, _, rest = message.partition(": ")
        if rest and re.fullmatch(r"[a-z_]+(\.[a-z0-9_]+)*", name):
            loc = tuple(int(p) if p.isdigit() else p for p in name.split("."))
            message = rest
    return loc, message


# The program validation's messages (English, from portal.domain.program and pydantic, once
# `in_words` has named the settings) and the whole sentence each is said as in the reader's
# language; a message not listed is shown as the validation says it.
# Patterns, compiled when first used (re caches them): not at import, which every cold
# start pays.
MODEL_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"This is required\.", N_("This is required.")),
    (
        r"a (?P<kind>one-choice|several-choice) question needs at least two choices",
        N_("a %(kind)s question needs at least two choices"),
    ),
    (
        r"a text question takes no choices \(make it a one-choice question\)",
        N_("a text question takes no choices (make it a one-choice question)"),
    ),
    (r"choices must not repeat", N_("choices must not repeat")),
    (
        r"overlapping answers need a several-choice question \(use same answer\)",
        N_("overlapping answers need a several-choice question (use same answer)"),
    ),
    (r"must not list the same entry twice", N_("must not list the same entry twice")),
    (r"two questions share a key", N_("two questions share a key")),
    (
        r"an archived program cannot be open for sign-up",
        N_("an archived program cannot be open for sign-up"),
    ),
    (
        r"peers have no mentor to be ahead; the rule needs mentors and mentees",
        N_(
            "a peer program cannot have a seniority band: no one is the mentor (leave both "
            "numbers empty)"
        ),
    ),
    (
        r"mentee-choice needs mentors and mentees, not peers",
        N_("mentee-choice needs mentors and mentees, not peers"),
    ),
    (
        r"(?P<high_name>the [a-z -]+) \((?P<high>\d+)\) must be more than "
        r"(?P<low_name>the [a-z -]+) \((?P<low>\d+)\): the steps for a quiet pair come in "
        r"this order, reminder, second nudge, organizer alert, re-match offer",
        N_(
            "%(high_name)s (%(high)s) must be more than %(low_name)s (%(low)s): the steps "
            "for a quiet pair come in this order, reminder, second nudge, organizer alert, "
            "re-match offer"
        ),
    ),
    (
        r"day (?P<day>\d+) is not within the (?P<weeks>\d+)-week cycle \(days 0 to "
        r"(?P<last>\d+)\); use 0 for no milestone surveys",
        N_(
            "day %(day)s is not within the %(weeks)s-week cycle (days 0 to %(last)s); use 0 "
            "for no milestone surveys"
        ),
    ),
    (
        r"value is not a valid email address: (?P<detail>.*)",
        N_("value is not a valid email address: %(detail)s"),
    ),
    (
        r"String should have at most (?P<max>\d+) characters",
        N_("String should have at most %(max)s characters"),
    ),
    (
        r"at most (?P<max>\d+) (?P<what>[a-z ]+), please \(there are (?P<count>\d+|more)\)",
        N_("at most %(max)s %(what)s, please (there are %(count)s)"),
    ),
    # The schedules' (portal.domain.program.Schedule and portal.domain.schedule).
    (
        r'must be an EventBridge expression such as "cron\(0 9 \? \* MON \*\)" or '
        r'"rate\(7 days\)", or "manual"',
        N_(
            'must be an EventBridge expression such as "cron(0 9 ? * MON *)" or '
            '"rate(7 days)", or "manual"'
        ),
    ),
    (
        r"(?P<expression>.+) is not a schedule the portal can read: (?P<detail>.+)",
        N_("%(expression)s is not a schedule the portal can read: %(detail)s"),
    ),
    (
        r"(?P<expression>.+) would run more than once an hour; the portal checks schedules "
        r"hourly, so use one time in the hour \(such as cron\(0 9 \? \* MON \*\)\) or "
        r"a rate of 1 hour or more",
        N_(
            "%(expression)s would run more than once an hour; the portal checks schedules "
            "hourly, so use one time in the hour (such as cron(0 9 ? * MON *)) or a rate "
            "of 1 hour or more"
        ),
    ),
    (
        r"must be a number of points from 0 to 100 \(pairs scoring below it are not "
        r"matched; 0 keeps every pair the rules allow\), not (?P<value>.*)",
        N_(
            "must be a number of points from 0 to 100 (pairs scoring below it are not "
            "matched; 0 keeps every pair the rules allow), not %(value)s"
        ),
    ),
    (
        r"(?P<zone>.+) is not an IANA time zone such as Europe/London",
        N_("%(zone)s is not an IANA time zone such as Europe/London"),
    ),
    # The languages' and the page's translations'.
    (
        r"(?P<language>.+) is not a language the portal speaks: one of (?P<offered>.+)",
        N_("%(language)s is not a language the portal speaks: one of %(offered)s"),
    ),
    (
        r"'(?P<code>[a-z]+)' is the program's own language: its page is the body",
        N_(
            "the page is in %(code)s already (the program's own language): empty its "
            "translation into %(code)s, or choose another language"
        ),
    ),
    # The first meetings' (portal.domain.program.MeetingSettings).
    (
        r"(?P<link>.+) is not an https address: a meeting link must be https",
        N_("%(link)s is not an https address: a meeting link must be https"),
    ),
    (
        r"(?P<link>.+) has no \{room\}: each pair needs a room of its own, named by \{room\}",
        N_("%(link)s has no {room}: each pair needs a room of its own, named by {room}"),
    ),
    # pydantic's own, for a value the form's checks let through.
    (r"Input should be a valid integer.*", N_("Please give a whole number.")),
    (r"Input should be a valid number.*", N_("Please give a number.")),
    (r"Input should be a valid boolean.*", N_("Please answer yes or no.")),
    (r"Input should be a valid string", N_("Please give some words.")),
    (
        r"Input should be a valid (dictionary|list|tuple).*",
        N_("This is not in a form the portal can read."),
    ),
    (
        r"Input should be greater than or equal to (?P<low>[\d.]+)",
        N_("Input should be greater than or equal to %(low)s"),
    ),
    (
        r"Input should be less than or equal to (?P<high>[\d.]+)",
        N_("Input should be less than or equal to %(high)s"),
    ),
    (
        r"Input should be greater than (?P<low>[\d.]+)",
        N_("Input should be greater than %(low)s"),
    ),
    (r"Input should be less than (?P<high>[\d.]+)", N_("Input should be less than %(high)s")),
    # The choices pydantic names are codes ('organizer', 'auto'): the form offers them in
    # words, so the message points there.
    (r"Input should be '.+", N_("Please choose one of the choices the form offers.")),
    (
        r"String should have at least (?P<min>\d+) characters?",
        N_("String should have at least %(min)s characters"),
    ),
    (r"String should match pattern .*", N_("This is not written as the setting needs.")),
    (
        r"(Tuple|List) should have at least (?P<min>\d+) items? after validation, not \d+",
        N_("Please give at least %(min)s."),
    ),
    (r"Extra inputs are not permitted", N_("This is not a setting a program has.")),
)
# What email-validator says is wrong with an address, for the message about it; in another
# language a detail not listed here is left out rather than shown in English.
EMAIL_DETAILS = frozenset(
    (
        N_("An email address must have an @-sign."),
        N_("There must be something before the @-sign."),
        N_("There must be something after the @-sign."),
        N_("The part after the @-sign is not valid. It should have a period."),
        N_("An email address cannot start with a period."),
        N_("An email address cannot end with a period."),
        N_("An email address cannot have a period immediately before the @-sign."),
        N_("An email address cannot have a period immediately after the @-sign."),
        N_("An email address cannot have two periods in a row."),
        N_("An email address cannot have a period and a hyphen next to each other."),
        N_("The email address contains invalid characters before the @-sign."),
        N_("The email address contains an invalid character."),
        N_("There can't be anything after the email address."),
        N_("The part after the @-sign is not valid. It is not within a valid top-level domain."),
        N_(
            "The part after the @-sign is a special-use or reserved name that cannot be used "
            "with email."
        ),
    )
)
NO_DETAIL = N_("value is not a valid email address")
# The names in the messages that are themselves words to translate.
NAMED = ("high_name", "low_name", "kind", "what", "detail")
# Those words (the setting names are SETTING_WORDS').
NAMED_WORDS = (
    N_("one-choice"),
    N_("several-choice"),
    N_("questions"),
    N_("organizers"),
    N_("topics"),
    N_("languages"),
    N_("choices"),
    N_("entries"),
    # portal.domain.schedule's reasons an expression cannot be read.
    N_("a rate must be at least 1"),
    N_("a cron expression has six fields: minutes, hours, day, month, weekday, year"),
    N_("give the day of the month or the weekday, and ? for the other"),
    N_("a field is out of range or not understood"),
)


def translated(message: str) -> str:
    """A validation message (in English words) said in the reader's language."""
    for pattern, words in MODEL_MESSAGES:
        found = re.fullmatch(pattern, message)
        if found:
            values = {
                name: gettext(value) if name in NAMED else value
                for name, value in found.groupdict().items()
            }
            if "code" in values:
                values["code"] = language_name(values["code"])
            detail = found.groupdict().get("detail")
            if (
                detail is not None
                and words.startswith("value is not a valid email")
                and detail not in EMAIL_DETAILS
                and current_language() != DEFAULT_LANGUAGE
            ):
                return gettext(NO_DETAIL)
            return gettext(words, **values)
    return message


def in_words(message: str) -> str:
    """A validation message with the model's setting names said in words, in the reader's
    language where it is a message the editor knows."""
    return translated(_named(message))


def _named(message: str) -> str:
    for name, words in SETTING_WORDS.items():
        message = message.replace(name, words)
    return (
        message.replace("(use type: choice)", "(make it a one-choice question)")
        .replace(
            "match: overlap needs a multi question (use match: same)",
            "overlapping answers need a several-choice question (use same answer)",
        )
        .replace("a choice question", "a one-choice question")
        .replace("a multi question", "a several-choice question")
    )


def said(words: Mapping[str, Any] | Sequence[tuple[str, Any]]) -> Callable[[], dict[str, str]]:
    """A field's choices in the reader's language, said when the form is made."""
    pairs = words.items() if isinstance(words, Mapping) else words
    return lambda: {value: str(label) for value, label in pairs}


ON_THESE_DAYS = lazy_gettext("On these days, at this time")
NOT_SCHEDULED = lazy_gettext("Not on a schedule")


class SchedulePicker(Form):
    """Days of the week and a time, or no scheduled runs; or keep a schedule it cannot show."""

    when = RadioField(
        lazy_gettext("When"),
        choices=said({"weekly": ON_THESE_DAYS, "manual": NOT_SCHEDULED}),
        validate_choice=False,  # validate_when says what to do instead
    )
    days = MultiCheckboxField(lazy_gettext("Days"), choices=said(DAYS))
    hour = SelectField(
        lazy_gettext("Hour"),
        choices={str(h): f"{h:02d}" for h in range(24)},
        default="9",
        validate_choice=True,
    )
    minute = SelectField(
        lazy_gettext("Minute"),
        choices={str(m): f"{m:02d}" for m in MINUTES},
        default="0",
        validate_choice=True,
    )
    kept = HiddenField()  # the stored expression the picker cannot show, kept unless changed

    def load(self, expression: str) -> None:
        """Show a stored expression: in the picker if it can, else as-is, kept."""
        weekly = read_weekly(expression)
        self.kept.data = ""
        if expression == "manual":
            self.when.data = "manual"
        elif weekly is None:
            self.when.data = "keep"
            self.kept.data = expression
        else:
            self.when.data = "weekly"
            self.days.data = list(weekly.days)
            self.hour.data, self.minute.data = str(weekly.hour), str(weekly.minute)
        self.offer_keep(expression)

    def offer_keep(self, stored: str) -> None:
        """Offer "keep" among the choices when there is an expression to keep: only the one
        stored now (the page sends `kept` back, and a page's word is no proof of it)."""
        if self.kept.data != stored:
            self.kept.data = ""
        if self.kept.data:
            choices = {"weekly": str(ON_THESE_DAYS), "manual": str(NOT_SCHEDULED)}
            self.when.choices = {"keep": gettext("Keep %(kept)s", kept=self.kept.data), **choices}

    def validate_when(self, field: Field) -> None:
        offered = {"weekly", "manual"} | ({"keep"} if self.kept.data else set())
        if field.data not in offered:
            raise ValidationError(
                gettext(
                    "The schedule kept on this page is not the program's any more: please "
                    "choose days and a time, or not on a schedule."
                )
                if field.data == "keep"
                else gettext("Please choose days and a time, or not on a schedule.")
            )

    def validate_days(self, field: Field) -> None:
        if self.when.data == "weekly" and not field.data:
            raise ValidationError(
                gettext("Please tick at least one day, or choose not on a schedule.")
            )

    def expression(self) -> str:
        """The EventBridge expression the organizer chose."""
        if self.when.data == "keep" and self.kept.data:
            return str(self.kept.data)
        if self.when.data == "manual":
            return "manual"
        return weekly_cron(self.days.data or [], int(self.hour.data), int(self.minute.data))


# -- helpers of the editor's form ----------------------------------------------------------


def lines(text: str | None) -> list[str]:
    """The non-empty lines of a textarea, trimmed."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class MaxLines:
    """At most `limit` lines, each at most `length` characters."""

    def __init__(self, limit: int, length: int = TEXT_MAX) -> None:
        self.limit, self.length = limit, length

    def __call__(self, form: Form, field: Field) -> None:
        given = lines(field.data)
        if len(given) > self.limit:
            raise ValidationError(
                gettext("Please list at most %(limit)s (one a line).", limit=self.limit)
            )
        for number, line in enumerate(given, 1):
            if len(line) > self.length:
                raise ValidationError(
                    gettext(
                        "Line %(line)s is %(length)s characters long: at most %(max)s, please.",
                        line=number,
                        length=len(line),
                        max=self.length,
                    )
                )


def question_data(question: Question | None, position: int) -> dict[str, Any]:
    """A question's row on the form (None: the empty row for a new one)."""
    if question is None:
        return {"position": position, "type": "text", "match": "none", "weight": "medium"}
    return {
        "position": position,
        "label": question.label,
        "key": question.key,
        "help": question.help,
        "type": question.type,
        "choices": "\n".join(question.choices),
        "required": question.required,
        "match": question.match,
        "weight": question.weight.value,
    }


def new_key(label: str, taken: set[str]) -> str:
    """A key made from a question's words: lower-case, digits and _, starting with a letter."""
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    base = re.sub(r"^[^a-z]+", "", base)[:36].rstrip("_") or "question"
    key, number = base, 2
    while key in taken:
        key = f"{base}_{number}"
        number += 1
    return key
