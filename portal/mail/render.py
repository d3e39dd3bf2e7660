"""Render `templates/email/<name>/{subject.txt,body.txt,body.html}` outside any request."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from portal import i18n
from portal.presenters.reasons import register as register_reason_words

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent / "templates" / "email"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@cache
def _environments(language: str) -> tuple[jinja2.Environment, jinja2.Environment]:
    loader = jinja2.FileSystemLoader([TEMPLATE_ROOT])
    text = jinja2.Environment(
        loader=loader,
        autoescape=False,  # noqa: S701 - plain-text parts are not HTML
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    html = jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    for environment in (text, html):
        register_reason_words(environment)  # the same words as the pages
        # The same catalogue as the pages, and `{% trans %}` trimmed the same way.
        environment.install_gettext_translations(  # type: ignore[attr-defined]
            i18n.translations(language), newstyle=True
        )
        environment.policies["ext.i18n.trimmed"] = True
        environment.globals["language"] = language  # <html lang> of the HTML part
    return text, html


def render(
    name: str,
    context: dict[str, Any],
    unsubscribe_url: str | None = None,
    console_url: str | None = None,
    language: str | None = None,
) -> RenderedEmail:
    """Render the three parts of a named email with the same context.

    With an `unsubscribe_url`, both bodies end with a visible line that stops program email
    (the same link as the List-Unsubscribe header); with a `console_url` (emails to
    organizers), a line that opens the organizers' console.

    Everything is in `language` (the recipient's; English if none or not offered): the
    words, and the dates and numbers the presenters format.
    """
    with i18n.speaking(language) as chosen:
        return _render(name, context, unsubscribe_url, console_url, chosen)


def _render(
    name: str,
    context: dict[str, Any],
    unsubscribe_url: str | None,
    console_url: str | None,
    language: str,
) -> RenderedEmail:
    text_env, html_env = _environments(language)
    context = {**context, "unsubscribe_url": unsubscribe_url, "console_url": console_url}
    subject = text_env.get_template(f"{name}/subject.txt").render(context)
    text = text_env.get_template(f"{name}/body.txt").render(context)
    if console_url:
        console = text_env.get_template("_console.txt").render(context)
        text = text.rstrip("\n") + "\n\n" + console
    if unsubscribe_url:
        footer = text_env.get_template("_unsubscribe.txt").render(context)
        text = text.rstrip("\n") + "\n\n" + footer
    return RenderedEmail(
        subject=" ".join(subject.split()),
        text=text,
        html=html_env.get_template(f"{name}/body.html").render(context),
    )
