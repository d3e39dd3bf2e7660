"""A scheduled run's failure is logged by its type and frames, without the people it was about."""

from __future__ import annotations

import logging

import pytest

from portal.services.failures import log_failure

log = logging.getLogger("tests.failures")
# Data, as the portal's code handles it: the source lines in a traceback never hold it.
MARIA = ("maria@example.org", "Maria Example")
TOM = "tom@example.org"


def look_up(people: dict[str, str], email: str) -> str:
    return people[email]


def test_the_log_names_the_error_and_where_it_was_raised_but_not_its_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    try:
        try:
            look_up({}, MARIA[0])
        except KeyError as exc:
            raise RuntimeError(f"{MARIA[1]} could not be introduced") from exc
    except RuntimeError:
        log_failure(log, "round of %s failed", "demo")

    (record,) = caplog.records
    text = record.getMessage()
    assert record.levelno == logging.ERROR
    assert text.startswith("round of demo failed")
    assert "failed with RuntimeError, raised at:" in text
    assert "caused by KeyError, raised at:" in text
    assert "in look_up" in text  # the frame where the KeyError was raised
    assert MARIA[0] not in text
    assert MARIA[1] not in text


def test_an_error_raised_while_handling_another_is_logged_with_both(
    caplog: pytest.LogCaptureFixture,
) -> None:
    try:
        try:
            look_up({}, TOM)
        except KeyError:
            _ = 1 / 0
    except ZeroDivisionError:
        log_failure(log, "summary of %s failed", "demo")

    text = caplog.records[0].getMessage()
    assert "failed with ZeroDivisionError, raised at:" in text
    assert "raised while handling KeyError, raised at:" in text
    assert TOM not in text
