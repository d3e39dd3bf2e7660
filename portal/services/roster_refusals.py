"""Why a roster import was refused, in the reader's words (the console's language; English in
the CLI, which runs outside a request)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.i18n import format_number, gettext, ngettext

if TYPE_CHECKING:
    from portal.services.roster_import import DryRun


def too_big(size: int, limit: int) -> str:
    """A file over the console's limit."""
    return gettext(
        "The file is %(size)s MB: the console takes files up to %(limit)s MB. `portal import` "
        "takes larger ones.",
        size=format_number(round(size / 1024 / 1024, 1)),
        limit=format_number(limit // 1024 // 1024),
    )


def upload_gone() -> str:
    """The staged upload expired or was discarded."""
    return gettext("This upload is no longer kept: upload the file again.")


def changed_since() -> str:
    """The program changed since the dry run."""
    return gettext(
        "Nothing was stored: the program changed since this dry run (someone signed up, or "
        "another import was applied). Here is the dry run as things stand now."
    )


def another_import() -> str:
    """Another import was applied meanwhile."""
    return gettext(
        "Nothing was stored: another import was applied to this program meanwhile. Here is the "
        "dry run against it."
    )


def archived(title: str) -> str:
    """The program is archived."""
    return gettext(
        "Nothing was stored: %(title)s is archived. Bring it back from the archive first.",
        title=title,
    )


def signup_closed(title: str, invited: int) -> str:
    """The file would invite people to a program whose sign-up is closed."""
    return ngettext(
        "Nothing was stored: sign-up to %(title)s is closed, and this file would invite "
        "%(num)s person to it. Open sign-up first.",
        "Nothing was stored: sign-up to %(title)s is closed, and this file would invite "
        "%(num)s people to it. Open sign-up first.",
        invited,
        title=title,
    )


def why_not(dry: DryRun) -> str:
    """Why a dry run cannot be applied."""
    if dry.mapping_problems:
        return gettext("Nothing was stored: %(why)s", why=" ".join(dry.mapping_problems))
    if dry.problems:
        return ngettext(
            "Nothing was stored: the file has %(num)s bad cell. Correct it in the file and "
            "upload it again.",
            "Nothing was stored: the file has %(num)s bad cells. Correct them in the file and "
            "upload it again.",
            len(dry.problems),
        )
    return gettext("Nothing to change: the program already has this roster as it is.")
