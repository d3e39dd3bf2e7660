"""What the portal holds about a person, as categories: the one list that the export's sections
and the privacy page's "what is stored" list are both made from, so that they cannot drift."""

from __future__ import annotations

from dataclasses import dataclass


def N_(message: str) -> str:
    """Mark words for the catalogue (`make messages`): the privacy page translates them.

    The domain imports nothing of the portal, so it marks its words with its own marker.
    """
    return message


@dataclass(frozen=True)
class Category:
    """One kind of personal data: its key in the export, and what it is in plain words
    (English; the privacy page shows them in the reader's language)."""

    name: str
    description: str


CATEGORIES: tuple[Category, ...] = (
    Category(
        "sign_ups",
        N_(
            "Your sign-up in each program: your answers to its form, the language you chose for "
            "the portal and its emails, your role and status, when you signed up and confirmed, "
            "which privacy notice you agreed to and when, and, while you wait for a match, since "
            "when, which reason we last told you and how many rounds in a row have left you "
            "waiting."
        ),
    ),
    Category(
        "matches",
        N_(
            "Your matches: when they started and ended, their state, why you were matched (the "
            "reasons and the score), your first meeting (the times proposed, the time booked and "
            "its link), and your match's name (nothing else about them)."
        ),
    ),
    Category(
        "checkins",
        N_(
            "The check-ins and survey answers you wrote: whether you met, when, for how long, "
            "the topics, and how it went."
        ),
    ),
    Category(
        "groups",
        N_(
            "In a group program, the groups you were in: when you joined, the other members' "
            "names (nothing else about them), and the group check-ins you logged."
        ),
    ),
    Category("ratings", N_("The quick ratings you gave your matches from an email.")),
    Category("goals", N_("The goals you and your match set, and their progress.")),
    Category(
        "private_notes",
        N_(
            "The notes for the organizers that you wrote in check-ins (your match never sees them)."
        ),
    ),
    Category(
        "emails",
        N_(
            "The emails the portal sent you: subject, date and whether they were delivered "
            "(their text is not kept once sent, and the record of them is kept for 90 days)."
        ),
    ),
    Category(
        "suppression",
        N_(
            "Whether program email to your address is stopped (you unsubscribed, or it bounced or "
            "was reported as spam), and since when."
        ),
    ),
    Category(
        "roster",
        N_(
            "What an organizer's roster import (a file from your organization's HR system) says "
            "of you, in each program that imported one: your name, employee number, job title, "
            "department, manager, location, time zone and career stage as the file gave them, "
            "whether it lists you as active, and when you were invited and reminded."
        ),
    ),
    Category(
        "console_language",
        N_(
            "If you organize a program, the language you chose for its console and the emails "
            "it sends you, and when you chose it."
        ),
    ),
    Category(
        "exports",
        N_("When your data was exported, by you or by an organizer at your request, and how."),
    ),
)

CATEGORY_NAMES: tuple[str, ...] = tuple(category.name for category in CATEGORIES)
