"""How long the editor's preview of a program change takes, on 1,000 and 2,000 people.

A change of weight (languages must -> off, skills high -> low) and the removal of a question
people answered, previewed on the benchmark population (bench.population). The database is
stood in for by lists in memory: this times the preview's own work (two engine runs, the
pairs compared, the reasons put into words, the answers counted), not DynamoDB's reads.

    PYTHONPATH=$PWD .venv/bin/python -m bench.program_preview
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator

from bench.population import NOW, bench_program, population
from portal.domain.participants import Participant
from portal.domain.program import Program
from portal.services.program_changes import ProgramChanges

SIZES = (1_000, 2_000)
REPEATS = 3


class _People:
    """The participant repository's one read the preview makes, from memory."""

    def __init__(self, people: list[Participant]) -> None:
        self.people = people

    def for_program(self, program: str) -> Iterator[Participant]:
        return iter(self.people)


class _NoHistory:
    def history(self, program: str) -> set[frozenset[str]]:
        return set()


def candidate_of(program: Program) -> Program:
    """The change previewed: two weights, and the answered question removed."""
    document = program.model_dump()
    weights = {**document["matching"]["weights"], "languages": "off", "skills": "low"}
    document["matching"] = {**document["matching"], "weights": weights}
    document["questions"] = []
    return Program.model_validate(document)


def main() -> None:
    program = bench_program()
    candidate = candidate_of(program)
    for size in SIZES:
        people = population(program, size)
        changes = ProgramChanges(_People(people), _NoHistory(), lambda: NOW)  # type: ignore[arg-type]
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            preview = changes.preview(program, candidate)
            times.append(time.perf_counter() - start)
        print(
            f"preview of a change, {size:>5} people: median {statistics.median(times):.2f} s "
            f"(best {min(times):.2f} s of {REPEATS}); {len(preview.gained)} pairs gained, "
            f"{len(preview.lost)} lost, {preview.kept} kept, {len(preview.unmatched)} unmatched, "
            f"{len(preview.warnings)} warning(s)"
        )


if __name__ == "__main__":
    main()
