"""The sign-in form: an email address, to which a link to the person's pages is sent."""

from __future__ import annotations

from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from portal.web.forms import PortalForm
from portal.web.signup.forms import EMAIL_MAX


class SignInForm(PortalForm):
    email = EmailField(
        "Email address",
        validators=[
            DataRequired(message="Please give your email address."),
            Length(max=EMAIL_MAX),
            # As on the sign-up form: an address a sign-up could have been made with.
            Email(
                message="This does not look like an email address.",
                check_deliverability=False,
                allow_smtputf8=False,
            ),
        ],
        description="The address you signed up with. No password needed, ever.",
        render_kw={"autocomplete": "email"},
    )

    def errors_in_page_order(self) -> list[tuple[str, list[str]]]:
        """The form's errors, for the summary at the top (one field: its own order)."""
        return [(name, list(field.errors)) for name, field in self._fields.items() if field.errors]
