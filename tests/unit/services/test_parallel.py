"""Reads made at once: results in order, and a failure of any is raised, after all finished."""

from __future__ import annotations

import threading

import pytest

from portal.services.parallel import together


def test_the_three_run_at_the_same_time_and_come_back_in_order() -> None:
    started = threading.Barrier(3, timeout=5)  # would time out if they ran one after another

    def arrive(value: str) -> str:
        started.wait()
        return value

    assert together(lambda: arrive("a"), lambda: arrive("b"), lambda: arrive("c")) == (
        "a",
        "b",
        "c",
    )


def test_a_read_that_fails_is_raised_once_the_others_have_finished() -> None:
    finished: list[str] = []

    def slow() -> str:
        threading.Event().wait(0.05)
        finished.append("slow")
        return "slow"

    def fails() -> str:
        raise LookupError("table gone")

    with pytest.raises(LookupError, match="table gone"):
        together(slow, fails, lambda: "here")
    assert finished == ["slow"]
