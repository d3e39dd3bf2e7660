"""The templates a new program starts from: sensible settings and a draft public page for each.

A template gives every setting a program file would have, so that a program created from one
is valid as it is; the organizer then edits what differs. The page text is a draft written for
the format, in the same sections as the example programs, for the organizer to make their own:
it is in English (the New program page says so), while each template's name and description are
marked for the catalogue and shown in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.domain.program import DEFAULT_LANGUAGES


def N_(message: str) -> str:
    """Mark words for the catalogue (`make messages`): the console translates them where shown.

    The domain imports nothing of the portal's i18n, so it marks its words with its own marker.
    """
    return message


@dataclass(frozen=True)
class ProgramTemplate:
    """A starting point for a new program."""

    key: str
    name: str
    description: str
    settings: dict[str, Any]
    body: str


_CAREER_TOPICS = (
    "career growth",
    "leadership",
    "communication",
    "networking",
    "technical skills",
    "work-life balance",
    "confidence",
    "changing roles",
)

# One conversation within two weeks: a shorter ladder, and no milestone surveys (the closing
# survey asks how it went).
_ONE_CONVERSATION = {
    "checkin_reminder_days": 7,
    "second_nudge_days": 9,
    "organizer_alert_days": 11,
    "rematch_offer_days": 13,
    "first_survey_day": 0,
    "survey_every_days": 0,
}

_PAGE_END = """
## How matching works here

We match people on what they tell us on the sign-up form: the topics they want to work on or
can help with, a shared language, time zones and free hours. Once you are matched, you hear
by email.

## Your data

We keep what you tell us for as long as the program's retention period, and you can download
or erase it at any time from your page.
"""


def _page(what: str, who: str, commit: str, timeline: str) -> str:
    return (
        f"## What this program is\n\n{what}\n\n## Who it is for\n\n{who}\n\n"
        f"## What you commit to\n\n{commit}\n\n## Timeline\n\n{timeline}\n{_PAGE_END}"
    )


TEMPLATES: dict[str, ProgramTemplate] = {
    template.key: template
    for template in (
        ProgramTemplate(
            key="one-on-one",
            name=N_("One-on-one mentoring"),
            description=N_("Each mentee meets one mentor regularly for a cycle of twelve weeks."),
            settings={
                "format": "one-on-one",
                "capacity": 2,
                "approval": "organizer",
                "cycle_weeks": 12,
                "topics": list(_CAREER_TOPICS),
            },
            body=_page(
                "Each mentee is matched with one mentor for twelve weeks, to work on a goal "
                "they choose.",
                "- **Mentees** who want to grow in one of the topics on the form.\n"
                "- **Mentors** with experience to share and about two hours a month.",
                "Meeting about every two weeks, and answering a short check-in email.",
                "You are matched in a matching round after you confirm your email address. "
                "After twelve weeks, you decide together whether to keep meeting.",
            ),
        ),
        ProgramTemplate(
            key="group",
            name=N_("Group mentoring"),
            description=N_("One mentor meets a small group of mentees, about every two weeks."),
            settings={
                "format": "group",
                "capacity": 4,
                "approval": "organizer",
                "cycle_weeks": 12,
                "topics": list(_CAREER_TOPICS),
            },
            body=_page(
                "A mentor meets a small group of up to four mentees who share goals, so that "
                "everyone learns from the mentor and from each other.",
                "- **Mentees** who would like to learn alongside others.\n"
                "- **Mentors** happy to lead a small group conversation.",
                "Joining the group's meeting about every two weeks, and answering a short "
                "check-in email.",
                "Groups are formed in the matching rounds after people confirm their email "
                "addresses, and meet for twelve weeks.",
            ),
        ),
        ProgramTemplate(
            key="reverse",
            name=N_("Reverse mentoring"),
            description=N_("Newer colleagues mentor senior ones on what they know best."),
            settings={
                "format": "reverse",
                "capacity": 1,
                "approval": "organizer",
                "cycle_weeks": 8,
                "topics": [
                    "new tools and technology",
                    "social media",
                    "AI at work",
                    "inclusion and belonging",
                    "how newer colleagues see the organisation",
                    "hybrid and remote work",
                ],
            },
            body=_page(
                "Reverse mentoring turns the usual direction around: a newer colleague "
                "mentors a senior one on something they know well.",
                "- **Mentors**: colleagues early in their career, with a view to share.\n"
                "- **Mentees**: senior colleagues who want to see their work anew.",
                "Meeting about every two weeks for eight weeks, with an open mind.",
                "Pairs are formed in the matching rounds; the cycle lasts eight weeks.",
            ),
        ),
        ProgramTemplate(
            key="flash",
            name=N_("Flash mentoring"),
            description=N_("Short, single conversations: a new mentor each time."),
            settings={
                "format": "flash",
                "capacity": 1,
                "approval": "auto",
                "cycle_weeks": 2,
                "topics": list(_CAREER_TOPICS),
                "schedule": _ONE_CONVERSATION,
            },
            body=_page(
                "Flash mentoring is a single conversation with someone who has done what "
                "you want to do next. Each round brings a new person.",
                "- **Mentees** with a question to ask.\n"
                "- **Mentors** who can spare an hour now and then.",
                "One conversation of about an hour within two weeks of your introduction.",
                "Two weeks after you are matched, your place is free again and a later "
                "matching round matches you with someone new, never the same person twice.",
            ),
        ),
        ProgramTemplate(
            key="peer",
            name=N_("Peer mentoring"),
            description=N_("People on the same journey pair up and support each other."),
            settings={
                "format": "peer",
                "capacity": 1,
                "approval": "auto",
                "cycle_weeks": 8,
                "topics": list(_CAREER_TOPICS),
            },
            body=_page(
                "Peer mentoring pairs two people at a similar stage, to support each other "
                "for eight weeks.",
                "Anyone who would like a partner to share the journey with.",
                "Meeting about every two weeks, and answering a short check-in email.",
                "Pairs are formed in the matching rounds and meet for eight weeks.",
            ),
        ),
        ProgramTemplate(
            key="informational",
            name=N_("Informational conversations"),
            description=N_("A one-off conversation: each person is matched once, with no cycle."),
            settings={
                "format": "one-on-one",
                "capacity": 1,
                "approval": "auto",
                "cycle_weeks": 2,
                "topics": list(_CAREER_TOPICS),
                "matching": {"match_once": True},
                "schedule": _ONE_CONVERSATION,
            },
            body=_page(
                "An informational conversation is one meeting with someone whose work "
                "interests you, to ask your questions. Each person is matched once.",
                "- **Mentees** curious about a role, a team or a career.\n"
                "- **Mentors** willing to talk about their work for an hour.",
                "One conversation of about an hour within two weeks of your introduction.",
                "You are matched once, in a matching round after you confirm your email "
                "address. After your conversation, you are not matched again in this program.",
            ),
        ),
    )
}


def from_template(
    key: str, *, title: str, slug: str, organizers: tuple[str, ...], signup_open: bool
) -> dict[str, Any]:
    """A new program's settings: the template's, with the organizer's title, slug and people.

    The result is a program document, still to be validated (the title or slug may be wrong).
    """
    template = TEMPLATES[key]
    document: dict[str, Any] = {
        "title": title,
        "slug": slug,
        "summary": template.description,
        "organizers": list(organizers),
        "timezone": "UTC",
        "signup_open": signup_open,
        "languages": list(DEFAULT_LANGUAGES),
        "body": template.body,
    }
    document.update(template.settings)
    return document
