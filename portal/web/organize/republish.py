"""After a console change to a program: its public pages republished, and the organizer told.

The static site (PORTAL_SITE_BUCKET) holds the program's page, the programs list and the home
page; they are rebuilt and published here, synchronously after the save. A failure is logged by
the republisher and said to the organizer; the save stands.
"""

from __future__ import annotations

from flask import current_app, flash

from portal.i18n import gettext
from portal.services.site_republish import Republished
from portal.web import services


def site_publishes() -> bool:
    """Whether this stage serves the public pages from a published static site."""
    return services().site.enabled


def republish(*slugs: str) -> None:
    """Republish the public pages these programs show on, and flash how it went (nothing
    where the app serves every page itself)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    outcome = services().site.republish(app, slugs)
    if outcome is Republished.UPDATED:
        flash(
            gettext(
                "The public pages were updated: visitors will see the change within a few minutes."
            ),
            "ok",
        )
    elif outcome is Republished.UNCHANGED:
        flash(
            gettext("The public pages show nothing of this change: they stay as they were."), "ok"
        )
    elif outcome is Republished.FAILED:
        flash(
            gettext(
                "The public pages could not be updated just now: they will show the change "
                "after this program's next save or the site's next publish."
            ),
            "error",
        )
