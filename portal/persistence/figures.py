"""The organizer console's figures: one item per program, read with one GetItem."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist

from portal.persistence.tables import FiguresRecord


@dataclass(frozen=True)
class StoredFigures:
    """What the page shows, and when it was computed."""

    program: str
    computed_at: datetime
    figures: dict[str, Any]


class FiguresRepository:
    def get(self, program: str) -> StoredFigures | None:
        """The program's figures as last computed; None before the first computation."""
        try:
            record = FiguresRecord.get(program)
        except DoesNotExist:
            return None
        return StoredFigures(record.program, record.computed_at, dict(record.figures or {}))

    def put(self, program: str, computed_at: datetime, figures: dict[str, Any]) -> None:
        """Replace the program's figures (each computation is whole: the last one wins)."""
        FiguresRecord(program, computed_at=computed_at, figures=figures).save()
