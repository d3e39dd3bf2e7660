"""A program's figures as the console page shows them: words and numbers, as JSON.

What `view` returns is stored as it is (portal.persistence.figures), so the page reads it
with one GetItem and draws its charts from the numbers here. A figure about fewer than
SMALL_GROUP people is its words ("fewer than 5 people"), with no number to draw.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from typing import Any

from babel import numbers

from portal import i18n
from portal.domain.analytics import SMALL_GROUP, Figure
from portal.domain.checkins import GOAL_STATE_LABELS
from portal.domain.figures import ProgramFigures
from portal.domain.matches import MOVED
from portal.domain.participants import Participant
from portal.domain.program import Program
from portal.i18n import N_, gettext, ngettext
from portal.presenters.waiting import unmatched_text

LISTED = 25  # people waiting, and pairs of each kind, listed by name; the rest are counted
# Stored in English with the figures (computed outside any request); marked for the
# catalogue, and translated where the console shows them.
ROLE_NAMES = {"mentor": N_("Mentors"), "mentee": N_("Mentees"), "peer": N_("Peers")}


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
    if figure.suppressed:
        return {"text": suppressed_text(kind), "suppressed": True}
    if figure.value is None:
        return {"text": gettext("none yet"), "suppressed": False}
    if kind == "mean":
        text = gettext("%(mean)s of 5", mean=_decimal(f"{figure.value:.1f}"))
    elif kind == "pct":
        text = gettext("%(percent)s%%", percent=f"{figure.value:.0f}")
    elif kind == "days":
        days = int(figure.value) if float(figure.value).is_integer() else 2
        text = ngettext("%(num)s day", "%(num)s days", days, num=_decimal(f"{figure.value:g}"))
    else:
        text = f"{figure.value:.0f}"
    return {"text": text, "suppressed": False}


def _shown(figure: Figure, kind: str = "count") -> dict[str, Any]:
    """The figure's words, and its number when it may be drawn (None otherwise)."""
    words = show(figure, kind)
    number = None if words["suppressed"] or figure.value is None else figure.value
    return {**words, "value": number}


def view(
    program: Program, figures: ProgramFigures, people: Mapping[str, Participant]
) -> dict[str, Any]:
    """Everything the program-at-a-glance page shows, JSON-safe, in English.

    It is stored and shown to every organizer of the program, whatever their language: the
    words are English whoever computed it (the hourly function or a request).
    """
    with i18n.speaking(i18n.DEFAULT_LANGUAGE):
        return _view(program, figures, people)


def _view(
    program: Program, figures: ProgramFigures, people: Mapping[str, Participant]
) -> dict[str, Any]:
    zone = zoneinfo.ZoneInfo(program.timezone)
    progress = figures.progress

    def who(email: str) -> dict[str, str]:
        person = people.get(email)
        return {
            "name": person.name if person else email,
            "email": person.mailbox if person else email,
            "id": person.participant_id if person else "",
        }

    def day(moment: Any) -> str:
        return str(moment.astimezone(zone).strftime("%-d %b %Y"))

    funnel = progress.funnel
    reasons = figures.waiting_reasons
    # A low rating that also asks for another match is listed once, with the request.
    rematch = list(progress.rematch_requests)
    flags = rematch + [f for f in progress.low_ratings if f not in rematch]
    attention = [
        {
            "why": f"quiet for {pair.quiet_days} days",
            "people": [who(email) for email in pair.people],
            "since": day(pair.last_checkin) if pair.last_checkin else "",
        }
        for pair in progress.stalled
    ] + [
        {
            "why": (
                "asked for another match"
                if flag in rematch
                else f"rated their match {flag.satisfaction} of 5"
            ),
            "people": [who(flag.author), who(flag.other)],
            "since": day(flag.created_at),
        }
        for flag in flags
    ]
    return {
        "funnel": [
            {"label": label, **_shown(figure)}
            for label, figure in (
                (N_("Signed up"), funnel.signed_up),
                (N_("Confirmed their email"), funnel.confirmed),
                (N_("Matched"), funnel.matched),
                (N_("In an active match"), funnel.active),
                (N_("Completed the cycle"), funnel.completed),
            )
        ],
        "match_rate": [
            {"label": ROLE_NAMES[role.value], **_shown(figure, "pct")}
            for role, figure in figures.match_rate
        ],
        "waiting": [
            {
                **who(w.email),
                "role": w.role.value,
                "days": w.days,
                "reason": (
                    unmatched_text(reasons[w.email])
                    if w.email in reasons
                    else "not in a round yet, or the reason was not kept"
                ),
            }
            for w in progress.waiting[:LISTED]
        ],
        "waiting_total": len(progress.waiting),
        "attention": attention[: LISTED * 3],
        "attention_total": len(attention),
        "weeks": [
            {
                "label": week.start.astimezone(zone).strftime("%-d %b"),
                "checkins": _shown(week.checkins, "checkins"),
                "satisfaction": _shown(week.satisfaction, "mean"),
            }
            for week in figures.weeks
        ],
        "satisfaction": _shown(figures.satisfaction, "mean"),
        "distribution": {
            "shown": not figures.satisfaction.suppressed,
            "ratings": [{"rating": r, "count": n} for r, n in figures.distribution],
        },
        "cohorts": [
            {
                "label": (
                    "Moved by organizers"
                    if cohort.round_id == MOVED
                    else cohort.started.astimezone(zone).strftime("%-d %b %Y")
                ),
                "pairs": cohort.pairs,
                "active": cohort.active,
                "completed": cohort.completed,
                "ended_early": cohort.ended_early,
                "kept": _shown(cohort.kept, "pct"),
                "shown": not cohort.kept.suppressed,
            }
            for cohort in figures.cohorts
        ],
        "first_meetings": {
            "median": _shown(figures.first_meetings.median_days, "days"),
            "shown": not figures.first_meetings.median_days.suppressed,
            "buckets": [
                {"label": label, "pairs": n} for label, n in figures.first_meetings.buckets
            ],
            "not_yet": figures.first_meetings.not_yet,
        },
        "goals": {
            "states": [
                {"label": GOAL_STATE_LABELS[state], "count": n} for state, n in figures.goals.states
            ],
            "pairs": figures.goals.pairs_with_goals,
            "done": _shown(figures.goals.done, "pct"),
            "shown": not figures.goals.done.suppressed,
        },
    }
