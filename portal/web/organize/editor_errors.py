"""The editor's problems as the top of its page lists them: every field with a message, in
the order the page shows them, each with the anchor that leads to it."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import Field, FieldList, Form, FormField

from portal.i18n import gettext, language_name


def all_fields(form: Form) -> Iterable[Field]:
    """Every field of a form, inside its sections and question rows."""
    for field in form:
        if isinstance(field, FormField):
            yield from all_fields(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from all_fields(entry.form) if isinstance(entry, FormField) else [entry]
        else:
            yield field


def _anchor(field: Field) -> str:
    # A group of radios or checkboxes is reached at its first option.
    return f"{field.id}-0" if field.type in ("RadioField", "MultiCheckboxField") else str(field.id)


def error_summary(form: Form) -> list[tuple[str, str, str]]:
    """Each field with a problem, in page order: its anchor, its name and the messages."""
    rows: list[tuple[str, str, str]] = []
    pickers = {"rounds": gettext("Matching rounds"), "summaries": gettext("The weekly summary")}
    for section in form:
        if isinstance(section, FieldList):
            whole: list[str] = getattr(form, "questions_problems", [])  # too many, a shared key
            if whole:
                rows.append(("questions-error", gettext("Questions"), " ".join(whole)))
            for number, entry in enumerate(section.entries, 1):
                rows += [
                    (
                        _anchor(field),
                        gettext(
                            "Question %(number)s: %(field)s", number=number, field=field.label.text
                        ),
                        " ".join(map(str, field.errors)),
                    )
                    for field in entry.form
                    if field.errors
                ]
        elif isinstance(section, FormField) and section.short_name == "translations":
            for page in section.form:
                where = gettext("The page in %(language)s", language=language_name(page.short_name))
                rows += [
                    (
                        _anchor(field),
                        gettext("%(what)s: %(field)s", what=where, field=field.label.text),
                        " ".join(map(str, field.errors)),
                    )
                    for field in page.form
                    if field.errors
                ]
        elif isinstance(section, FormField):
            picker = pickers.get(section.short_name)
            rows += [
                (
                    _anchor(field),
                    gettext("%(what)s: %(field)s", what=picker, field=field.label.text)
                    if picker
                    else str(field.label.text),
                    " ".join(map(str, field.errors)),
                )
                for field in section.form
                if field.errors
            ]
        elif section.errors and section.type != "CSRFTokenField":
            rows.append(
                (_anchor(section), str(section.label.text), " ".join(map(str, section.errors)))
            )
    return rows
