"""`portal remind` sends all that is due whatever the hour; `--mornings` does as the hourly run."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime

from click.testing import CliRunner

from portal.cli import main
from portal.container import Services
from portal.domain.participants import Role
from portal.persistence.tables import OutboxRecord
from tests.factories import store_pair, stored_person

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # day 14, the first reminder's, is 19 January


def queued() -> Counter[str]:
    return Counter(record.recipient for record in OutboxRecord.scan())


def test_portal_remind_queues_everything_due_at_any_hour_and_mornings_only_in_mornings(
    services: Services, cli_env: None
) -> None:
    nia = replace(stored_person("Nia", Role.MENTOR, START), timezone="America/New_York")
    ben = replace(stored_person("Ben", Role.MENTEE, START), timezone="Europe/Berlin")
    store_pair(services, "demo", nia, ben, START)

    # 03:00 UTC: 22:00 the day before in New York, 04:00 in Berlin. Nobody's morning.
    night = CliRunner().invoke(main, ["remind", "--mornings", "--at", "2026-01-19T03:00"])
    assert night.exit_code == 0, night.output
    assert "Reminders at 2026-01-19 03:00 UTC (only to those whose morning it is):" in night.output
    assert "demo: 1 active pairs, nothing due" in night.output
    berlin = CliRunner().invoke(main, ["remind", "--mornings", "--at", "2026-01-19T06:00"])
    assert "demo: 1 active pairs, queued 1 checkin reminder" in berlin.output
    assert queued() == {"ben@example.org": 1}

    # Without --mornings, as the README's simulated days use it: all that is due, now.
    anytime = CliRunner().invoke(main, ["remind", "--at", "2026-01-19T06:30"])
    assert anytime.exit_code == 0, anytime.output
    assert "Reminders at 2026-01-19 06:30 UTC:" in anytime.output
    assert "demo: 1 active pairs, queued 1 checkin reminder" in anytime.output  # Nia's
    assert queued() == {"ben@example.org": 1, "nia@example.org": 1}
