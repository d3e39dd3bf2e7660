"""Check-ins and goals in DynamoDB: queried by match, or by program and time for summaries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist

from portal.domain.checkins import Checkin, Fit, Goal, GoalState, Kind
from portal.persistence.conditional import save_if, update_if
from portal.persistence.tables import CheckinRecord, GoalRecord


def _details(checkin: Checkin) -> dict[str, Any]:
    details: dict[str, Any] = {"kind": checkin.kind.value}
    if checkin.day is not None:
        details["date"] = checkin.day.isoformat()
    if checkin.minutes is not None:
        details["minutes"] = checkin.minutes
    if checkin.topics:
        details["topics"] = list(checkin.topics)
    if checkin.goal_states:
        details["goals"] = {key: state.value for key, state in checkin.goal_states.items()}
    if checkin.satisfaction is not None:
        details["satisfaction"] = checkin.satisfaction
    if checkin.fit is not None:
        details["fit"] = checkin.fit.value
    if checkin.note:
        details["note"] = checkin.note
    if checkin.survey:
        details["survey"] = checkin.survey
    return details


def _checkin(record: CheckinRecord) -> Checkin:
    details = dict(record.details or {})
    return Checkin(
        program=record.program,
        match_id=record.match_id,
        checkin_id=record.checkin_id,
        author=record.author_email,
        kind=Kind(details.get("kind", Kind.CHECKIN.value)),
        created_at=record.created_at,
        met=record.met == "yes",
        day=date.fromisoformat(details["date"]) if details.get("date") else None,
        minutes=details.get("minutes"),
        topics=tuple(details.get("topics", ())),
        goal_states={key: GoalState(value) for key, value in details.get("goals", {}).items()},
        satisfaction=details.get("satisfaction"),
        fit=Fit(details["fit"]) if details.get("fit") else None,
        note=details.get("note", ""),
        survey=details.get("survey", ""),
    )


class CheckinRepository:
    def add(self, checkin: Checkin) -> bool:
        """Store a check-in once; False if one with its id exists (a resubmitted form)."""
        record = CheckinRecord(
            checkin.match_id,
            checkin.checkin_id,
            program=checkin.program,
            author_email=checkin.author,
            met="yes" if checkin.met else "no",
            details=_details(checkin),
            created_at=checkin.created_at,
        )
        return save_if(record, CheckinRecord.checkin_id.does_not_exist())

    def for_match(self, match_id: str) -> list[Checkin]:
        """A match's check-ins, oldest first."""
        return [_checkin(record) for record in CheckinRecord.query(match_id)]

    def for_program(self, program: str, since: datetime, until: datetime) -> list[Checkin]:
        """A program's check-ins created in [since, until), oldest first."""
        condition = CheckinRecord.created_at.between(since, until)
        return [
            _checkin(record)
            for record in CheckinRecord.by_program.query(program, condition)
            if record.created_at < until
        ]

    def every_for_program(self, program: str, page_size: int | None = None) -> Iterator[Checkin]:
        """All a program's check-ins, oldest first, read a page at a time as the caller
        iterates (the `by-program` index: a Query, never a Scan)."""
        for record in CheckinRecord.by_program.query(program, page_size=page_size):
            yield _checkin(record)


def _goal(record: GoalRecord) -> Goal:
    return Goal(
        match_id=record.match_id,
        goal_id=record.goal_id,
        text=record.text,
        state=GoalState(record.state),
        added_by=record.added_by,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


class GoalRepository:
    def for_match(self, match_id: str) -> list[Goal]:
        """A match's goals in the order they were added."""
        return [_goal(record) for record in GoalRecord.query(match_id)]

    def for_program(self, program: str) -> list[Goal]:
        """A program's goals, every match's, by one Query of the by-program index."""
        return [_goal(record) for record in GoalRecord.by_program.query(program)]

    def get(self, match_id: str, goal_id: str) -> Goal | None:
        try:
            return _goal(GoalRecord.get(match_id, goal_id, consistent_read=True))
        except DoesNotExist:
            return None

    def add(self, program: str, goal: Goal) -> bool:
        """Store a new goal; False if its id is taken (the same form posted twice)."""
        record = GoalRecord(
            goal.match_id,
            goal.goal_id,
            program=program,
            text=goal.text,
            state=goal.state.value,
            added_by=goal.added_by,
            created_at=goal.created_at,
            updated_at=goal.updated_at,
        )
        return save_if(record, GoalRecord.goal_id.does_not_exist())

    def update(
        self,
        match_id: str,
        goal_id: str,
        *,
        now: datetime,
        text: str | None = None,
        state: GoalState | None = None,
    ) -> bool:
        """Change an existing goal's text or state; False if there is no such goal."""
        actions = [GoalRecord.updated_at.set(now)]
        if text is not None:
            actions.append(GoalRecord.text.set(text))
        if state is not None:
            actions.append(GoalRecord.state.set(state.value))
        return update_if(GoalRecord(match_id, goal_id), actions, GoalRecord.goal_id.exists())
