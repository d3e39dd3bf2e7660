"""A program's figures for the console page: stored as data, put into words when shown.

What `view` returns is stored as it is (portal.persistence.figures), computed outside any
request (the hourly function) or in one: codes, numbers, ISO dates and the engine's reasons,
never words, so that each organizer reads it in their own language and the program's zone.
`page` puts it into words for the reader. A figure about fewer than SMALL_GROUP people keeps
no number: it is shown as words ("fewer than 5 people").

VERSION names the stored shape: a view of another version (the first stored finished English
text and had no version) is computed again when read (ConsoleFigures.current).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from babel import numbers

from portal import i18n
from portal.domain.analytics import SMALL_GROUP, Figure
from portal.domain.figures import ProgramFigures
from portal.domain.matches import MOVED
from portal.domain.participants import Participant
from portal.domain.program import Program
from portal.i18n import N_, gettext, ngettext
from portal.presenters.waiting import unmatched_text
from portal.presenters.words import goal_state_word, role_word

VERSION = 2  # the stored shape: 2 is data (codes, numbers, ISO dates); none was English text
LISTED = 25  # people waiting, and pairs of each kind, listed by name; the rest are counted
# The stored codes' words, marked for the catalogue and translated where the page shows them.
ROLE_NAMES = {"mentor": N_("Mentors"), "mentee": N_("Mentees"), "peer": N_("Peers")}
FUNNEL_STEPS = {
    "signed-up": N_("Signed up"),
    "confirmed": N_("Confirmed their email"),
    "matched": N_("Matched"),
    "active": N_("In an active match"),
    "completed": N_("Completed the cycle"),
}
# portal.domain.figures.FIRST_MEETING_BUCKETS' codes.
FIRST_MEETING_WORDS = {
    "week": N_("Within a week"),
    "2-weeks": N_("1 to 2 weeks"),
    "4-weeks": N_("2 to 4 weeks"),
    "later": N_("Over 4 weeks"),
}


def suppressed_text(kind: str) -> str:
    """What a figure about fewer than SMALL_GROUP people says instead of its number, by kind:
    words that cannot be read as a score, a count of check-ins or a number of days."""
    if kind == "checkins":
        return gettext("not shown, fewer than %(small)s people checked in", small=SMALL_GROUP)
    if kind == "mean":
        return gettext("not shown, fewer than %(small)s people rated", small=SMALL_GROUP)
    if kind in ("pct", "days"):
        return gettext("not shown, fewer than %(small)s people", small=SMALL_GROUP)
    return gettext("fewer than %(small)s people", small=SMALL_GROUP)


def _decimal(written: str) -> str:
    """Figures written with "." as the reader writes them ("4,2" in Spanish)."""
    return written.replace(".", numbers.get_decimal_symbol(i18n.locale()))


def show(figure: Figure, kind: str = "count") -> dict[str, Any]:
    """A figure as the summary email and the console show it: in words below SMALL_GROUP."""
    return {"text": _words(figure.value, figure.suppressed, kind), "suppressed": figure.suppressed}


def _words(value: float | None, suppressed: bool, kind: str) -> str:
    if suppressed:
        return suppressed_text(kind)
    if value is None:
        return gettext("none yet")
    if kind == "mean":
        return gettext("%(mean)s of 5", mean=_decimal(f"{value:.1f}"))
    if kind == "pct":
        return gettext("%(percent)s%%", percent=f"{value:.0f}")
    if kind == "days":
        days = int(value) if float(value).is_integer() else 2
        return ngettext("%(num)s day", "%(num)s days", days, num=_decimal(f"{value:g}"))
    return f"{value:.0f}"


def _stored(figure: Figure) -> dict[str, Any]:
    """A figure as stored: its number only when it may be shown."""
    suppressed = figure.suppressed
    return {"value": None if suppressed else figure.value, "suppressed": suppressed}


def view(
    program: Program, figures: ProgramFigures, people: Mapping[str, Participant]
) -> dict[str, Any]:
    """Everything the program-at-a-glance page shows, as JSON-safe data (no words): `page`
    puts it into the reader's words."""
    progress = figures.progress

    def who(email: str) -> dict[str, str]:
        person = people.get(email)
        return {
            "name": person.name if person else email,
            "email": person.mailbox if person else email,
            "id": person.participant_id if person else "",
        }

    funnel = progress.funnel
    reasons = figures.waiting_reasons
    # A low rating that also asks for another match is listed once, with the request.
    rematch = list(progress.rematch_requests)
    flags = rematch + [f for f in progress.low_ratings if f not in rematch]
    attention = [
        {
            "why": {"code": "quiet", "days": pair.quiet_days},
            "people": [who(email) for email in pair.people],
            "since": pair.last_checkin.isoformat() if pair.last_checkin else "",
        }
        for pair in progress.stalled
    ] + [
        {
            "why": (
                {"code": "rematch"}
                if flag in rematch
                else {"code": "low-rating", "rating": flag.satisfaction}
            ),
            "people": [who(flag.author), who(flag.other)],
            "since": flag.created_at.isoformat(),
        }
        for flag in flags
    ]
    return {
        "version": VERSION,
        "funnel": [
            {"step": step, **_stored(figure)}
            for step, figure in (
                ("signed-up", funnel.signed_up),
                ("confirmed", funnel.confirmed),
                ("matched", funnel.matched),
                ("active", funnel.active),
                ("completed", funnel.completed),
            )
        ],
        "match_rate": [
            {"role": role.value, **_stored(figure)} for role, figure in figures.match_rate
        ],
        "waiting": [
            {**who(w.email), "role": w.role.value, "days": w.days, "reason": reasons.get(w.email)}
            for w in progress.waiting[:LISTED]
        ],
        "waiting_total": len(progress.waiting),
        "attention": attention[: LISTED * 3],
        "attention_total": len(attention),
        "weeks": [
            {
                "start": week.start.isoformat(),
                "checkins": _stored(week.checkins),
                "satisfaction": _stored(week.satisfaction),
            }
            for week in figures.weeks
        ],
        "satisfaction": _stored(figures.satisfaction),
        "distribution": {
            "shown": not figures.satisfaction.suppressed,
            "ratings": [{"rating": r, "count": n} for r, n in figures.distribution],
        },
        "cohorts": [
            {
                "moved": cohort.round_id == MOVED,
                "started": cohort.started.isoformat(),
                "pairs": cohort.pairs,
                "active": cohort.active,
                "completed": cohort.completed,
                "ended_early": cohort.ended_early,
                "kept": _stored(cohort.kept),
            }
            for cohort in figures.cohorts
        ],
        "first_meetings": {
            "median": _stored(figures.first_meetings.median_days),
            "buckets": [{"bucket": code, "pairs": n} for code, n in figures.first_meetings.buckets],
            "not_yet": figures.first_meetings.not_yet,
        },
        "goals": {
            "states": [{"state": state.value, "count": n} for state, n in figures.goals.states],
            "pairs": figures.goals.pairs_with_goals,
            "done": _stored(figures.goals.done),
        },
    }


def is_current(stored: Mapping[str, Any]) -> bool:
    """Whether a stored view has the shape `page` reads (else it is computed again)."""
    return stored.get("version") == VERSION


def _shown(stored: Mapping[str, Any], kind: str = "count") -> dict[str, Any]:
    """A stored figure's words, and its number when it may be drawn (None otherwise)."""
    suppressed = bool(stored.get("suppressed"))
    value = None if suppressed else stored.get("value")
    number = float(value) if value is not None else None
    return {"text": _words(number, suppressed, kind), "suppressed": suppressed, "value": number}


def _why(reason: Mapping[str, Any]) -> str:
    """Why a pair needs attention, in words."""
    code = reason.get("code")
    if code == "quiet":
        days = int(reason.get("days", 0))
        return ngettext("quiet for %(num)s day", "quiet for %(num)s days", days)
    if code == "rematch":
        return gettext("asked for another match")
    return gettext("rated their match %(rating)s of 5", rating=reason.get("rating", ""))


def _day(iso: str, timezone: str) -> str:
    return (
        i18n.format_short_day(datetime.fromisoformat(iso), timezone, weekday=False, year=True)
        if iso
        else ""
    )


def _words_of(table: Mapping[str, str], code: str) -> str:
    word = table.get(code)
    return gettext(word) if word else code


def page(stored: Mapping[str, Any], timezone: str) -> dict[str, Any]:
    """A stored view (of VERSION) in the reader's words, its days in the program's `timezone`."""
    meetings = stored["first_meetings"]
    goals = stored["goals"]
    return {
        "funnel": [
            {"label": _words_of(FUNNEL_STEPS, step["step"]), **_shown(step)}
            for step in stored["funnel"]
        ],
        "match_rate": [
            {"label": _words_of(ROLE_NAMES, rate["role"]), **_shown(rate, "pct")}
            for rate in stored["match_rate"]
        ],
        "waiting": [
            {
                **person,
                "role": role_word(person["role"]),
                "reason": (
                    unmatched_text(person["reason"])
                    if person.get("reason")
                    else gettext("not in a round yet, or the reason was not kept")
                ),
            }
            for person in stored["waiting"]
        ],
        "waiting_total": stored["waiting_total"],
        "attention": [
            {**item, "why": _why(item["why"]), "since": _day(item["since"], timezone)}
            for item in stored["attention"]
        ],
        "attention_total": stored["attention_total"],
        "weeks": [
            {
                "label": i18n.format_short_day(
                    datetime.fromisoformat(week["start"]), timezone, weekday=False
                ),
                "checkins": _shown(week["checkins"], "checkins"),
                "satisfaction": _shown(week["satisfaction"], "mean"),
            }
            for week in stored["weeks"]
        ],
        "satisfaction": _shown(stored["satisfaction"], "mean"),
        "distribution": stored["distribution"],
        "cohorts": [
            {
                **cohort,
                "label": (
                    gettext("Moved by organizers")
                    if cohort["moved"]
                    else _day(cohort["started"], timezone)
                ),
                "kept": _shown(cohort["kept"], "pct"),
                "shown": not cohort["kept"].get("suppressed"),
            }
            for cohort in stored["cohorts"]
        ],
        "first_meetings": {
            "median": _shown(meetings["median"], "days"),
            "shown": not meetings["median"].get("suppressed"),
            "buckets": [
                {"label": _words_of(FIRST_MEETING_WORDS, b["bucket"]), "pairs": b["pairs"]}
                for b in meetings["buckets"]
            ],
            "not_yet": meetings["not_yet"],
        },
        "goals": {
            "states": [
                {"label": goal_state_word(s["state"]), "count": s["count"]} for s in goals["states"]
            ],
            "pairs": goals["pairs"],
            "done": _shown(goals["done"], "pct"),
            "shown": not goals["done"].get("suppressed"),
        },
    }
