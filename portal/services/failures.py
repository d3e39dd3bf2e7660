"""Logging one program's failure in a scheduled run without the people it was about."""

from __future__ import annotations

import logging
import sys
import traceback


def log_failure(log: logging.Logger, message: str, *args: object) -> None:
    """Log the exception being handled: its type and where it was raised, never its message.

    An exception's message can quote an address or a name (a KeyError on an email, a
    database error echoing a key), and the log is kept for weeks; the type, the code a
    database error carries and the frames are enough to find the fault.
    """
    error = sys.exc_info()[1]
    parts: list[str] = []
    seen: set[int] = set()
    lead = "failed with"
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        kind = type(error)
        name = (
            kind.__qualname__
            if kind.__module__ == "builtins"
            else f"{kind.__module__}.{kind.__qualname__}"
        )
        # PynamoDB's errors carry DynamoDB's error code: a fixed word, never data.
        code = getattr(error, "cause_response_code", None)
        frames = "".join(traceback.format_list(traceback.extract_tb(error.__traceback__)))
        parts.append(f"{lead} {name}{f' ({code})' if code else ''}, raised at:\n{frames}")
        if error.__cause__ is not None:
            lead, error = "caused by", error.__cause__
        elif not error.__suppress_context__:
            lead, error = "raised while handling", error.__context__
        else:
            error = None
    log.error(
        message + " (the error's message is left out: it may name people)\n%s",
        *args,
        "".join(parts),
    )
