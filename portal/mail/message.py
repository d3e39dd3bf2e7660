"""Build the RFC 5322 message that both the file sender and SES receive."""

from __future__ import annotations

import email.policy
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from portal.domain.addresses import AddressError, ascii_address
from portal.mail.calendar import CalendarPart
from portal.mail.render import RenderedEmail


def on_the_wire(address: str) -> str:
    """The address as SES and a To header take it: the domain in IDNA2008 A-labels.

    `max@straße.de` goes out as `max@xn--strae-oqa.de`, the same domain (never `strasse.de`).
    An address that has no ASCII form is left as it is, and SES refuses it as a failed email.
    """
    try:
        return ascii_address(address)
    except AddressError:
        return address.strip()


def build_message(
    rendered: RenderedEmail,
    *,
    sender: str,
    recipient: str,
    now: datetime,
    unsubscribe_url: str | None = None,
    reply_to: str | None = None,
    calendar: CalendarPart | None = None,
) -> EmailMessage:
    """A multipart/alternative message: plain text first, HTML second.

    With a `calendar`, the invite is also a third alternative (text/calendar with its
    method, which Outlook and Gmail show as an invitation) and an attached invite.ics (for
    every other mail program): multipart/mixed around the alternatives.
    """
    # refold_source="none" keeps long header values we set raw (List-Unsubscribe) unencoded.
    message = EmailMessage(policy=email.policy.default.clone(refold_source="none"))
    message["From"] = sender
    # Without the ASCII form, Python writes the domain as an encoded word, which is no address.
    message["To"] = Address(addr_spec=on_the_wire(recipient))
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(now)
    domain = sender.rsplit("@", 1)[-1].rstrip(">") or "mentor-portal.invalid"
    message["Message-ID"] = make_msgid(domain=domain)
    if reply_to:
        message["Reply-To"] = on_the_wire(reply_to)
    if unsubscribe_url:
        # RFC 2369 wants the bare <URL>; the default policy would RFC 2047-encode a long one.
        message.set_raw("List-Unsubscribe", f"<{unsubscribe_url}>")
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Plain ASCII stays 7bit so links are readable in the raw message; anything else is
    # quoted-printable, which every mail system accepts.
    message.set_content(rendered.text, cte=_transfer_encoding(rendered.text))
    message.add_alternative(rendered.html, subtype="html", cte=_transfer_encoding(rendered.html))
    if calendar is not None:
        message.add_alternative(
            calendar.text,
            subtype="calendar",
            params={"method": calendar.method},
            cte=_transfer_encoding(calendar.text),
        )
        message.add_attachment(
            calendar.text.encode(),
            maintype="application",
            subtype="ics",
            filename="invite.ics",
        )
    return message


def _transfer_encoding(text: str) -> str:
    if text.isascii() and all(len(line) <= 998 for line in text.splitlines()):
        return "7bit"
    return "quoted-printable"
