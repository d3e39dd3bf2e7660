"""Reads a request makes at once: two round trips to the database in the time of one."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")

# Shared by the requests of a process (one at a time on Lambda, many under `portal dev`). Its
# tasks submit nothing to it: a task that waited for another task of the pool could wait for
# ever once every thread was such a task.
_POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="reads")


def _new_pool() -> None:
    # A forked process (`portal dev --processes`) has none of its parent's threads: a pool
    # that had started some would wait for them for ever.
    global _POOL
    _POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="reads")


os.register_at_fork(after_in_child=_new_pool)


def together(
    first: Callable[[], A], second: Callable[[], B], third: Callable[[], C]
) -> tuple[A, B, C]:
    """Call the three at the same time (the last on this thread); their results, in order.

    For reads that do not depend on each other. An exception from any is raised here, once
    all three have finished.
    """
    one, two = _POOL.submit(first), _POOL.submit(second)
    try:
        three = third()
    finally:
        results = one.exception(), two.exception()
    for error in results:
        if error is not None:
            raise error
    return one.result(), two.result(), three
