"""Magic-link tokens never reach a log line: the token segments of paths are redacted.

Emailed links carry single-use tokens in their paths (`/confirm/<token>`, `/me/<token>`...),
and Flask's error log line names the path ("Exception on /confirm/<token> [POST]"), as do
Werkzeug's and Zappa's access logs. A token in CloudWatch is a sign-in for whoever reads it.

The redaction is done where every log record is made (the log record factory), not by a
filter: a filter on a logger misses the records of its children, and a filter on handlers
misses handlers added later, such as the one Werkzeug adds at its first request. The message
(with its arguments), the exception's text and the stack are redacted.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "[redacted]"

# Every route that carries a token (grep the blueprints for "<token>"); /me/programs/<slug>
# and /organize/programs/<slug> are the signed-in pages, not links.
_SEGMENT = r"[A-Za-z0-9._~%-]+"  # what a token can hold (URL-safe base64, signatures)
_PAGES = r"programs(?![A-Za-z0-9._~%-])"  # the whole segment is "programs"
_TOKEN_PATH = re.compile(
    rf"/(?P<route>confirm|me|checkin|organize|rate|unsubscribe|invited)/(?!{_PAGES}){_SEGMENT}"
)
# A roster import's invitation, /programs/<slug>/invited/<token> (above), leads to the join
# form as ?invite=<token>: the token opens a pre-filled form with the person's details.
_INVITE_QUERY = re.compile(rf"(?P<start>[?&]invite=){_SEGMENT}")
# /choose/<round id>/<token>/<n>: the round id is not secret, the token is.
_CHOOSE_PATH = re.compile(rf"/choose/(?P<round>{_SEGMENT})/{_SEGMENT}")
_FORMATTER = logging.Formatter()


def redact(text: str) -> str:
    """The text with the token of every magic-link path replaced by [redacted]."""
    if "/" not in text:
        return text
    text = _CHOOSE_PATH.sub(lambda m: f"/choose/{m['round']}/{REDACTED}", text)
    text = _INVITE_QUERY.sub(lambda m: f"{m['start']}{REDACTED}", text)
    return _TOKEN_PATH.sub(lambda m: f"/{m['route']}/{REDACTED}", text)


def redact_record(record: logging.LogRecord) -> None:
    """Redact a record in place: its message, exception text and stack."""
    try:
        message = record.getMessage()
    except Exception:
        message = None
    if message is not None:
        clean = redact(message)
        if clean != message:
            # Formatted now: a token split between the format and its arguments is caught too.
            record.msg, record.args = clean, ()
    if record.exc_info and record.exc_info[1] is not None:
        text = _FORMATTER.formatException(record.exc_info)
        clean = redact(text)
        if clean != text:
            record.exc_text = clean  # what formatters print in place of the traceback
            # A formatter that renders the exception itself (Lambda's JSON log format) would
            # print the token: keep only the redacted text.
            record.exc_info = None
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def install_log_redaction() -> None:
    """Redact every log record this process makes from now on (safe to call again)."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "redacts_tokens", False):
        return

    def redacted_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        redact_record(record)
        return record

    # A mark on the function itself (read above), so that a second call installs nothing.
    redacted_record.redacts_tokens = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacted_record)
