"""A pair's first meeting in words, in the reader's language and time zone.

The domain (portal.domain.meetings) gives instants, weekly hours and refusals as codes; this
module says them. Every time is said with its zone named (portal.i18n.format_moment).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from babel import dates

from portal import i18n
from portal.domain.meetings import Refusal, weekly_hours
from portal.i18n import gettext, ngettext

_DAY_ORDER = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def moment_words(moment: datetime, timezone: str | None, *, today: date | None = None) -> str:
    """A meeting time as the reader sees it: "Tuesday 10 March, 18:00 (Greenwich Mean Time)"."""
    return i18n.format_moment(moment, timezone, today=today)


def times_for(
    start: datetime, zone: str, other_zone: str, language: str, now: datetime
) -> tuple[str, str]:
    """A meeting's start for an email's reader: on their clock, then on their partner's,
    both in the reader's language, each zone named."""
    with i18n.speaking(language):
        today = now.astimezone(i18n.zone(zone)).date()
        return moment_words(start, zone, today=today), moment_words(start, other_zone, today=today)


def duration_words(span: timedelta) -> str:
    """A duration as people say it: "24 hours", "14 days", "45 minutes"."""
    minutes = int(span.total_seconds() // 60)
    if minutes % (24 * 60) == 0 and minutes >= 2 * 24 * 60:
        return ngettext("%(num)s day", "%(num)s days", minutes // (24 * 60))
    if minutes % 60 == 0 and minutes >= 60:
        return ngettext("%(num)s hour", "%(num)s hours", minutes // 60)
    return ngettext("%(num)s minute", "%(num)s minutes", minutes)


def _day_name(key: str) -> str:
    """A weekday's name in the reader's language ("Monday", "lunes")."""
    names = dates.get_day_names("wide", locale=i18n.locale())
    return str(names[_DAY_ORDER.index(key)])


def _and(first: str, second: str) -> str:
    return gettext("%(first)s and %(second)s", first=first, second=second)


def weekly_words(slots: Iterable[str]) -> str:
    """Weekly availability in words: "Monday to Friday 08:00-12:00 and Saturday 17:00-21:00"."""
    days = weekly_hours(slots)
    index = {key: _DAY_ORDER.index(key) for key, _ in days}
    # Days next to each other with the same hours are said once: "Monday to Wednesday".
    runs: list[tuple[str, str, tuple[tuple[int, int], ...]]] = []
    for key, hours in days:
        if runs and index[runs[-1][1]] == index[key] - 1 and runs[-1][2] == hours:
            runs[-1] = (runs[-1][0], key, hours)
        else:
            runs.append((key, key, hours))
    parts = []
    for first, last, hours in runs:
        if first == last:
            said = _day_name(first)
        elif index[last] == index[first] + 1:
            said = _and(_day_name(first), _day_name(last))
        else:
            said = gettext("%(first)s to %(last)s", first=_day_name(first), last=_day_name(last))
        spans = [f"{begin:02d}:00-{finish:02d}:00" for begin, finish in hours]
        spans_said = spans[0] if len(spans) == 1 else _and(", ".join(spans[:-1]), spans[-1])
        parts.append(gettext("%(days)s %(hours)s", days=said, hours=spans_said))
    if any(len(hours) > 1 for _, _, hours in runs):
        # "Monday 08:00-12:00 and 17:00-21:00; Sunday 12:00-17:00": an "and" is taken.
        return "; ".join(parts)
    if len(parts) > 1:
        return _and(", ".join(parts[:-1]), parts[-1])
    return parts[0] if parts else ""


def _outside_one(person: Mapping[str, Any], start: datetime, end: datetime) -> str:
    """Why the time does not suit one person: what it is for them, and when they are free."""
    name, zone = str(person["name"]), str(person["zone"])
    if not person["slots"]:
        return gettext("%(name)s has not given any weekly availability yet.", name=name)
    return gettext(
        "For %(name)s it is %(day)s, %(start)s to %(end)s (%(zone)s), and %(name)s is free "
        "%(hours)s (%(place)s).",
        name=name,
        day=i18n.format_day(start, zone, weekday=True),
        start=i18n.format_time(start, zone),
        end=i18n.format_time(end, zone),
        zone=i18n.zone_name(zone, start),
        hours=weekly_words(person["slots"]),
        place=i18n.zone_name(zone),
    )


def refusal_text(refusal: Refusal) -> str:
    """The refusal of a meeting action as a sentence for the person who tried it."""
    params = refusal.params
    code = refusal.code
    if code == "past":
        return gettext(
            "That time is in the past: please choose one at least %(soonest)s from now.",
            soonest=duration_words(params["not_before"]),
        )
    if code == "too_soon":
        return gettext(
            "That time is too soon: a first meeting is proposed at least %(soonest)s ahead, "
            "so there is time to see it and answer.",
            soonest=duration_words(params["not_before"]),
        )
    if code == "too_far":
        return gettext(
            "That time is too far ahead: please choose one in the next %(horizon)s.",
            horizon=duration_words(params["horizon"]),
        )
    if code == "outside":
        people = params["people"]
        if len(people) == 1:
            whose = gettext("That time is outside %(name)s's availability.", name=people[0]["name"])
        else:
            whose = gettext(
                "That time is outside %(first)s's and %(second)s's availability.",
                first=people[0]["name"],
                second=people[1]["name"],
            )
        details = [_outside_one(person, params["start"], params["end"]) for person in people]
        return " ".join([whose, *details])
    return str(_SERVICE_WORDS.get(code, _unknown)(params))


def _unknown(params: Mapping[str, Any]) -> str:
    return gettext("That could not be done: please reload the page and try again.")


_SERVICE_WORDS: dict[str, Any] = {
    "link_not_https": lambda p: gettext(
        "A meeting link must be a web address starting with https://."
    ),
    "not_in_pair": lambda p: gettext("Only the two people in this match can arrange its meeting."),
    "changed": lambda p: gettext("The meeting changed a moment ago: here it is as it stands now."),
    "no_such_proposal": lambda p: gettext(
        "That time is no longer proposed: here is the meeting as it stands now."
    ),
    "own_proposal": lambda p: gettext(
        "You proposed that time yourself: it is booked when %(name)s accepts it.",
        name=p.get("partner", ""),
    ),
    "proposal_passed": lambda p: gettext(
        "That time has passed before it was accepted: please propose another."
    ),
    "not_booked": lambda p: gettext("There is no booked meeting to cancel."),
    "started": lambda p: gettext(
        "The meeting has started or is over, so it can no longer be cancelled."
    ),
    "started_move": lambda p: gettext(
        "The meeting has started or is over, so it can no longer be moved to another time."
    ),
}
