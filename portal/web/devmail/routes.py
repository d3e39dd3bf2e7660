"""`/dev/mail`: the local stage's inbox, the .eml files the file sender wrote."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from flask import Blueprint, abort, render_template
from markupsafe import Markup, escape

from portal.web import services

bp = Blueprint("devmail", __name__, url_prefix="/dev/mail")
_NAME = re.compile(r"^[A-Za-z0-9._-]+\.eml$")
_URL = re.compile(r"https?://[^\s<>\"]+")


@dataclass(frozen=True)
class MailSummary:
    name: str
    to: str
    subject: str
    date: str


def _folder() -> Path:
    return services().settings.mail_dir


def _read(path: Path) -> EmailMessage:
    with path.open("rb") as handle:
        message = email.message_from_binary_file(handle, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _linkify(text: str, base_url: str) -> Markup:
    """The portal's own links made clickable; any other address (a bio's) stays text."""
    own = base_url.rstrip("/") + "/"

    def link(match: re.Match[str]) -> str:
        url = match.group(0)
        return f'<a href="{url}">{url}</a>' if url.startswith(own) else url

    return Markup(_URL.sub(link, str(escape(text))))  # noqa: S704 - input escaped above


@bp.get("/")
def index() -> str:
    folder = _folder()
    paths = sorted(folder.glob("*.eml"), reverse=True) if folder.is_dir() else []
    messages = []
    for path in paths:
        message = _read(path)
        messages.append(
            MailSummary(
                name=path.name,
                to=str(message["To"]),
                subject=str(message["Subject"]),
                date=str(message["Date"]),
            )
        )
    return render_template("devmail/index.html", messages=messages, folder=folder)


@bp.get("/<name>")
def show(name: str) -> str:
    path = _folder() / name
    if not _NAME.fullmatch(name) or not path.is_file():
        abort(404)
    message = _read(path)
    text_part = message.get_body(preferencelist=("plain",))
    text = text_part.get_content() if text_part is not None else ""
    return render_template(
        "devmail/show.html",
        name=name,
        message=message,
        body=_linkify(text, services().settings.base_url),
        headers=[(key, str(value)) for key, value in message.items()],
    )
