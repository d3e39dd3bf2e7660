"""How much of a round explaining the unmatched takes (issue 17: at most 10% at 10,000 people).

    python bench/explain.py                 # every case below
    python bench/explain.py --case lang:10000

Each case runs a whole round (`portal.domain.matching.match`) and times, in the same run, the
call that explains why each person waits (`explain_unmatched`, `explain_alone_peers`); it
prints that time, the round's, and the share. The cases: the benchmark population at its
defaults (few wait); the same with few mentors (many mentees wait, their compatible mentors
full); with many mentors (many mentors idle); one where a third of the mentees speak only
Portuguese, a language `must` that few mentors speak (many wait with no one compatible); the
ERG population (tie-heavy, grades and departments binding) at its defaults and with few
mentors; and peers, an odd number of them.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.population import NOW, bench_program, erg_population, erg_program, population
from portal.domain.matching import flow, match, peers
from portal.domain.participants import Participant, Role
from portal.domain.program import Program

SIZES = (2_000, 10_000)
KINDS = ("default", "few-mentors", "many-mentors", "lang", "erg", "erg-few-mentors")
# Peers at 2,000 only: the peer solver itself takes minutes at 10,000.
CASES = [f"{kind}:{size}" for size in SIZES for kind in KINDS] + ["peer:2000"]


def setting(kind: str, size: int) -> tuple[Program, list[Participant]]:
    """The program and people of a case."""
    if kind == "erg":
        program = erg_program()
        return program, erg_population(program, size)
    if kind == "erg-few-mentors":
        program = erg_program()
        return program, erg_population(program, size, mentor_share=0.1)
    if kind == "peer":
        program = bench_program("peer")
        return program, population(program, size + 1)
    program = bench_program()
    share = {"few-mentors": 0.1, "many-mentors": 0.6}.get(kind, 0.3)
    people = population(program, size, mentor_share=share)
    if kind == "lang":
        rng = random.Random(7)
        people = [
            replace(p, languages=("Portuguese",))
            if p.role is Role.MENTEE and rng.random() < 1 / 3
            else p
            for p in people
        ]
    return program, people


@contextmanager
def timed(module: Any, name: str, spent: list[float]) -> Iterator[None]:
    """Wrap `module.name` so that each call's time is added to `spent`."""
    original: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    setattr(module, name, wrapper)
    try:
        yield
    finally:
        setattr(module, name, original)


def run(kind: str, size: int) -> None:
    """Time one round and its explanations, and print the share."""
    program, people = setting(kind, size)
    spent: list[float] = []
    with timed(flow, "explain_unmatched", spent), timed(peers, "explain_alone_peers", spent):
        start = time.perf_counter()
        result = match(program, people, now=NOW)
        total = time.perf_counter() - start
    explaining = sum(spent)
    waiting = sum(u.role != "mentor" for u in result.unmatched)
    idle = len(result.unmatched) - waiting
    print(
        f"{kind + ':' + str(size):<22} waiting {waiting:>5}, idle mentors {idle:>5}: "
        f"explanations {explaining:.2f} s of {total:.2f} s round = "
        f"{100 * explaining / total:.1f}%",
        flush=True,
    )


def main() -> None:
    """Run the cases asked for (all by default)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", help="kind:size, e.g. lang:10000")
    args = parser.parse_args()
    for case in args.case or CASES:
        kind, size = case.split(":")
        run(kind, int(size))


if __name__ == "__main__":
    main()
