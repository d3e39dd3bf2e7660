"""Learning tracks: a sequence of steps by week that reminders suggest to a pair."""

from __future__ import annotations

import itertools
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from portal.domain.program import Slug

StepText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
StepTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class TrackStep(_Strict):
    """What to focus on from a week of the match onwards."""

    week: Annotated[int, Field(ge=1, le=104)]
    title: StepTitle
    text: StepText


class Track(_Strict):
    """A named sequence of steps, e.g. "The first 12 weeks"."""

    title: StepTitle
    slug: Slug
    steps: Annotated[tuple[TrackStep, ...], Field(min_length=1)]
    body: str = ""

    @model_validator(mode="after")
    def _weeks_ascend(self) -> Track:
        weeks = [step.week for step in self.steps]
        for position, (earlier, later) in enumerate(itertools.pairwise(weeks), 1):
            if later <= earlier:
                raise ValueError(
                    f"steps[{position}]: week {later} must come after week {earlier} "
                    "(list the steps in order, one per week at most)"
                )
        return self

    def step_for(self, week: int) -> TrackStep | None:
        """The step a pair in `week` (1 = the week they were matched) should focus on."""
        current = None
        for step in self.steps:
            if step.week <= week:
                current = step
        return current
