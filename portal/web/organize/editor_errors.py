"""The editor's problems as the top of its page lists them: every field with a message, in
the order the page shows them, each with the anchor that leads to it."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import Field, FieldList, Form, FormField


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
    pickers = {"rounds": "Matching rounds", "summaries": "The weekly summary"}
    for section in form:
        if isinstance(section, FieldList):
            whole: list[str] = getattr(form, "questions_problems", [])  # too many, a shared key
            if whole:
                rows.append(("questions-error", "Questions", " ".join(whole)))
            for number, entry in enumerate(section.entries, 1):
                rows += [
                    (
                        _anchor(field),
                        f"Question {number}: {field.label.text}",
                        " ".join(field.errors),
                    )
                    for field in entry.form
                    if field.errors
                ]
        elif isinstance(section, FormField):
            prefix = f"{pickers[section.short_name]}: " if section.short_name in pickers else ""
            rows += [
                (_anchor(field), prefix + str(field.label.text), " ".join(field.errors))
                for field in section.form
                if field.errors
            ]
        elif section.errors and section.type != "CSRFTokenField":
            rows.append((_anchor(section), str(section.label.text), " ".join(section.errors)))
    return rows
