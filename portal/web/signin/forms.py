"""The sign-in form: an email address, to which a link to the person's pages is sent."""

from __future__ import annotations

from portal.i18n import lazy_gettext
from portal.web.forms import PortalForm, email_field


class SignInForm(PortalForm):
    # As on the sign-up form: an address a sign-up could have been made with.
    email = email_field(lazy_gettext("The address you signed up with. No password needed, ever."))

    def errors_in_page_order(self) -> list[tuple[str, list[str]]]:
        """The form's errors, for the summary at the top (one field: its own order)."""
        return [(name, list(field.errors)) for name, field in self._fields.items() if field.errors]
