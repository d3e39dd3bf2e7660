"""What a change to a program's settings would do, shown before it is saved.

A dry run of matching on today's pool under the current settings and under the changed ones
(pairs gained and lost, and who would stay unmatched and why), warnings about questions people
have already answered, and the changes that cannot be saved at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.domain.program import Program


@dataclass(frozen=True)
class PairView:
    """A pair as the preview lists it: the mentor's (or first peer's) name, the mentee's
    (or second peer's), and the pair's score under the settings it appears in."""

    left: str
    right: str
    score: float


@dataclass(frozen=True)
class UnmatchedView:
    """Someone the changed settings would leave unmatched, and the reason in words."""

    name: str
    role: str
    reason: str


@dataclass(frozen=True)
class ChangePreview:
    """The effect of a change on today's pool, and what to know before saving it."""

    people: int  # in today's pool (confirmed, with a place left)
    gained: tuple[PairView, ...]  # pairs the changed settings make that the current do not
    lost: tuple[PairView, ...]  # pairs the current settings make that the changed do not
    kept: int  # pairs both make
    unmatched_before: int  # left unmatched under the current settings
    unmatched: tuple[UnmatchedView, ...]  # left unmatched under the changed settings
    warnings: tuple[str, ...]  # questions people answered that change, and how answers carry over
    refusals: tuple[str, ...]  # changes that cannot be saved (a question a `must` rule uses)


class ProgramChanges:
    """Previews a change to a program's settings (see portal/container.py for its wiring)."""

    def preview(self, current: Program, candidate: Program) -> ChangePreview:
        """A dry run of today's pool under both settings; nothing is stored, no email sent."""
        raise NotImplementedError("issue 14: the preview of a change is being written")

    def warnings(self, current: Program, candidate: Program) -> tuple[str, ...]:
        """Questions people have answered that the change alters, and what becomes of answers."""
        raise NotImplementedError("issue 14: the preview of a change is being written")

    def refusals(self, current: Program, candidate: Program) -> tuple[str, ...]:
        """Changes that cannot be saved, each in words (cheap: no table read)."""
        raise NotImplementedError("issue 14: the preview of a change is being written")
