"""What every form of the portal shares: text only, lists of known choices, plain words.

Each rule here answers bad input with a message beside its field, never a server error:
a file sent in a text field, a checkbox value sent 40,000 times, a name that hides
characters or carries a link into someone else's inbox.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

from flask import has_request_context, request
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import CombinedMultiDict
from wtforms import EmailField, Field, SelectMultipleField
from wtforms.form import BaseForm
from wtforms.validators import DataRequired, Email, Length, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.i18n import N_, gettext, lazy_gettext, ngettext

if TYPE_CHECKING:
    # Protocols of the WTForms stubs only: what a form reads its submitted values from.
    from _typeshed import SupportsItems
    from wtforms.meta import _MultiDictLike, _MultiDictLikeWithGetlist

FILE_MESSAGE = N_("Please type your answer here: this form does not take files.")


class PortalForm(FlaskForm):
    """A form of the portal: every field takes typed text, so a file gets a message beside it.

    Flask-WTF hands uploaded files to the fields beside the form's text, and a file in a
    text field reached `len()` and `str.strip()`: a server error. Files are kept away from
    the fields, and each field a file was sent in is refused by name.
    """

    class Meta(FlaskForm.Meta):
        @overload
        def wrap_formdata(self, form: BaseForm, formdata: None) -> None: ...
        @overload
        def wrap_formdata(
            self, form: BaseForm, formdata: _MultiDictLike
        ) -> _MultiDictLikeWithGetlist: ...
        @overload
        def wrap_formdata(
            self, form: BaseForm, formdata: object
        ) -> _MultiDictLikeWithGetlist | None: ...
        def wrap_formdata(
            self, form: BaseForm, formdata: object
        ) -> _MultiDictLikeWithGetlist | None:
            wrapped = super().wrap_formdata(form, formdata)
            if isinstance(wrapped, CombinedMultiDict):
                return request.form  # the typed fields only: files never reach a field
            return wrapped

        def render_field(self, field: Field, render_kw: SupportsItems[str, Any]) -> Markup:
            """Render a field; the hidden CSRF token without an id.

            A page has one token field per form, and each rendered `id="csrf_token"`, which
            repeated the id (invalid HTML): nothing points at the token, so it needs none.
            """
            if field.type == "CSRFTokenField":
                render_kw = {**dict(render_kw.items()), "id": False}
            return super().render_field(field, render_kw)

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        """Validate the fields, then refuse every field a file was sent in."""
        valid = super().validate(extra_validators)
        if not has_request_context() or not request.files:
            return valid
        for name in request.files:
            field = self._fields.get(name)
            if field is not None and name != "csrf_token":
                # Not "please answer": an answer came, as a file.
                field.errors = [gettext(FILE_MESSAGE)]
                valid = False
        return valid


def _shown(value: str, limit: int = 40) -> str:
    """A value someone sent, short enough to quote back in a message."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: usable on a phone and without JavaScript, unlike <select multiple>.

    Each value must be one of the choices, once: a list can never be longer than its
    choices, however many values a request repeats.
    """

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: BaseForm) -> None:
        """Refuse values outside the choices and values sent more than once."""
        values: Sequence[str] = self.data or []
        if not values:
            return
        labels = {str(value): str(label) for value, label, *_ in self._choices_as_pairs()}
        unknown = list(dict.fromkeys(str(v) for v in values if str(v) not in labels))
        if unknown:
            quoted = "', '".join(_shown(v) for v in unknown[:3])
            if len(unknown) == 1:
                raise StopValidation(
                    gettext("'%(value)s' is not a valid choice for this field.", value=quoted)
                )
            if len(unknown) > 3:
                raise StopValidation(
                    ngettext(
                        "'%(values)s' and %(num)s more are not valid choices for this field.",
                        "'%(values)s' and %(num)s more are not valid choices for this field.",
                        len(unknown) - 3,
                        values=quoted,
                        num=str(len(unknown) - 3),  # in figures only, as the values are
                    )
                )
            raise StopValidation(
                gettext("'%(values)s' are not valid choices for this field.", values=quoted)
            )
        seen: set[str] = set()
        for value in map(str, values):
            if value in seen:
                raise StopValidation(
                    gettext(
                        "“%(choice)s” was chosen more than once: please tick each box once.",
                        choice=_shown(labels[value]),
                    )
                )
            seen.add(value)

    def _choices_as_pairs(self) -> list[tuple[object, object]]:
        choices = self.choices or []
        items = choices.items() if isinstance(choices, dict) else choices
        return [(c, c) if isinstance(c, str) else (c[0], c[1]) for c in items]


_MARKUP = re.compile(r"<\s*[a-zA-Z/!?]|[<>]")
# Control characters (NUL, escape, bell, ... and the C1 set: the 8-bit terminal escape
# U+009B, next line U+0085) have no place in an answer either; a bio may keep its line
# breaks and tabs.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Invisible letters that are not format characters: Hangul fillers, the combining grapheme
# joiner, Khmer inherent vowels and the blank Braille pattern, all used to fake blank names.
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u034f\u17b4\u17b5\u2800")
_JOINERS = frozenset("\u200c\u200d")  # needed between letters (Persian, Indic) and in emoji
# What a mail client makes clickable: any scheme://, www., a domain name (an email address
# holds one). Possessive quantifiers, and a domain starts only after a space or a sign: no
# backtracking, however the dots and letters repeat.
_LINK = re.compile(
    r"""
    \b[a-z][a-z0-9+.-]{0,30}+://\S*+                 # http://, https://, ftp://...
    | \bwww\d{0,3}\.\S*+                           # www.example
    | (?<![\w.-])(?:[^\W_][\w-]*+\.)++[^\W\d_]{2,63}+\b\S*+   # example.com, evil.click/
    """,
    re.IGNORECASE | re.VERBOSE,
)


def invisible_character(text: str) -> str | None:
    """The first character that would not show, or would turn the text around; else None.

    Format characters (zero-width spaces, text-direction overrides and isolates, direction
    marks, the soft hyphen, tag characters) make a name read differently from what it is.
    A zero-width joiner or non-joiner between two visible characters is kept: Persian and
    Indic writing, and emoji such as a technologist, need it.
    """
    for index, char in enumerate(text):
        if char in _FILLERS or unicodedata.category(char) in ("Zl", "Zp"):
            return char
        if unicodedata.category(char) != "Cf":
            continue
        if char in _JOINERS and _between_visible(text, index):
            continue
        return char
    return None


def _between_visible(text: str, index: int) -> bool:
    if index == 0 or index == len(text) - 1:
        return False
    before, after = text[index - 1], text[index + 1]
    return not any(c.isspace() or unicodedata.category(c) in ("Cf", "Cc") for c in (before, after))


def count_links(text: str) -> int:
    """How many web addresses, email addresses and domain names the text holds."""
    return len(_LINK.findall(text))


class PlainText:
    """Text as people type it: no markup, no control or invisible characters, few links.

    `links` caps the web addresses (and domain names) the text may hold: None for no
    limit, 0 for none at all (a name), 2 for a bio.
    """

    message = lazy_gettext("Please use plain text, without < or > characters.")
    control_message = lazy_gettext("Please use plain text, without control characters.")
    invisible_message = lazy_gettext(
        "Please use plain text, without invisible characters such as zero-width spaces "
        "or text-direction marks."
    )
    no_links_message = lazy_gettext("Please leave out web and email addresses.")

    def __init__(self, links: int | None = None, hint: Any = "") -> None:
        self.links = links
        self.hint = hint  # said after the no-links message, e.g. how to write initials

    def __call__(self, form: FlaskForm, field: Field) -> None:
        text = field.data
        if not isinstance(text, str) or field.errors:
            return  # too long already said so: nothing more to read in a megabyte
        if _MARKUP.search(text):
            raise ValidationError(self.message)
        if _CONTROL.search(text):
            raise ValidationError(self.control_message)
        if invisible_character(text) is not None:
            raise ValidationError(self.invisible_message)
        if self.links is None:
            return
        found = count_links(text)
        if found and self.links == 0:
            raise ValidationError(f"{self.no_links_message} {self.hint}".strip())
        if found > self.links:
            raise ValidationError(
                ngettext(
                    "Please keep to %(num)s links at most (you have %(found)s): your match "
                    "sees them as plain text.",
                    "Please keep to %(num)s links at most (you have %(found)s): your match "
                    "sees them as plain text.",
                    self.links,
                    found=found,
                )
            )


EMAIL_MAX = 254


def email_field(description: str) -> Any:
    """An address field, as every form asks for one: required, at most EMAIL_MAX, and one
    that SES can send to (SMTPUTF8 local parts, josé@..., are refused politely)."""
    return EmailField(
        lazy_gettext("Email address"),
        validators=[
            DataRequired(message=lazy_gettext("Please give your email address.")),
            Length(max=EMAIL_MAX),
            Email(
                message=lazy_gettext("This does not look like an email address."),
                check_deliverability=False,
                allow_smtputf8=False,
            ),
        ],
        description=description,
        render_kw={"autocomplete": "email"},
    )
