"""The organizer console's program at a glance, on a large program, on DynamoDB Local.

Builds a program of 10,000 participants, their matches over six rounds, 40,000 check-ins
and two goals per pair in DynamoDB Local (in memory, 127.0.0.1 only; items by batch
writes), runs the hourly computation of the console's figures once and prints its time,
then renders the page N times through the Flask test client as a signed-in organizer and
prints p50, p95 and the longest. Every DynamoDB call is counted by its operation name
(botocore's `_make_api_call`, which every PynamoDB request goes through): the counts per
page and for the computation are printed, and the run fails if either made a Scan.

    PYTHONPATH=$PWD .venv/bin/python -m bench.console_glance [--renders 50]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PARTICIPANTS = 10_000
CHECKINS = 40_000
ROUNDS = 6
GOALS_PER_PAIR = 2
WAITING = 400  # confirmed mentees no round could match, with the engine's reason
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SLUG = "demo"
ORGANIZER = "organizer@example.org"  # content/programs/demo.md
P95_LIMIT = 1.0  # seconds: the issue's target

calls: Counter[str] = Counter()


@contextmanager
def counted_calls() -> Iterator[None]:
    """Count every DynamoDB operation (by name) made inside the block."""
    import botocore.client

    original = botocore.client.BaseClient._make_api_call

    def counting(self: Any, operation_name: str, api_params: Any) -> Any:
        calls[operation_name] += 1
        return original(self, operation_name, api_params)

    botocore.client.BaseClient._make_api_call = counting  # type: ignore[method-assign]
    try:
        yield
    finally:
        botocore.client.BaseClient._make_api_call = original  # type: ignore[method-assign]


def build_program(rng: random.Random) -> tuple[int, int, int]:
    """Write the participants, matches, check-ins and goals; how many of each kind."""
    from portal.domain.checkins import checkin_id_for
    from portal.persistence.matches import match_id
    from portal.persistence.tables import (
        CheckinRecord,
        GoalRecord,
        MatchRecord,
        ParticipantRecord,
    )

    start = NOW - timedelta(weeks=14)
    mentors = PARTICIPANTS // 2
    people = []
    with ParticipantRecord.batch_write() as batch:
        for n in range(PARTICIPANTS):
            role = "mentor" if n < mentors else "mentee"
            created = start + timedelta(minutes=n)
            pending = n % 50 == 49  # a few never confirmed their email
            record = ParticipantRecord(
                SLUG,
                f"p{n:05d}",
                email=f"{role}{n:05d}@bench.example.org",
                role=role,
                status="pending" if pending else "confirmed",
                name=f"Person {n:05d}",
                timezone="Europe/London",
                created_at=created,
                updated_at=created,
                confirmed_at=None if pending else created,
            )
            people.append(record)
            batch.save(record)
    confirmed_mentees = [p for p in people[mentors:] if p.status == "confirmed"]
    waiting = confirmed_mentees[:WAITING]
    with ParticipantRecord.batch_write() as batch:
        for record in waiting:
            record.waiting_since = start
            record.waiting_told = "bench"
            record.waiting_reason = {"code": "no_free_mentor"}
            batch.save(record)
    paired = confirmed_mentees[WAITING:]
    matches = []
    with MatchRecord.batch_write() as batch:
        for index, mentee in enumerate(paired):
            mentor = people[index % mentors]
            week = index % ROUNDS
            round_id = (start + timedelta(weeks=week)).strftime("%Y-%m-%dT%H%MZ")
            created = start + timedelta(weeks=week)
            status = rng.choices(("active", "ended", "completed"), (8, 1, 1))[0]
            record = MatchRecord(
                SLUG,
                match_id(round_id, mentor.participant_id, mentee.participant_id),
                round_id=round_id,
                mentor_key=f"{SLUG}#{mentor.participant_id}",
                mentee_key=f"{SLUG}#{mentee.participant_id}",
                mentor_email=mentor.email,
                mentee_email=mentee.email,
                status=status,
                score=70,
                created_at=created,
                updated_at=created,
                ended_at=created + timedelta(weeks=3) if status == "ended" else None,
                end_reason="left" if status == "ended" else None,
            )
            matches.append(record)
            batch.save(record)
    with CheckinRecord.batch_write() as batch:
        for n in range(CHECKINS):
            match = matches[n % len(matches)]
            author = match.mentee_email if n % 2 else match.mentor_email
            moment = match.created_at + timedelta(days=rng.randint(1, 60), seconds=n)
            moment = min(moment, NOW - timedelta(minutes=1))
            details: dict[str, Any] = {"kind": "checkin", "satisfaction": rng.randint(1, 5)}
            batch.save(
                CheckinRecord(
                    match.match_id,
                    checkin_id_for(moment, f"a{n}"),
                    program=SLUG,
                    author_email=author,
                    met=rng.choice(("yes", "no")),
                    details=details,
                    created_at=moment,
                )
            )
    goals = 0
    with GoalRecord.batch_write() as batch:
        for match in matches:
            for g in range(GOALS_PER_PAIR):
                goals += 1
                batch.save(
                    GoalRecord(
                        match.match_id,
                        f"{match.created_at:%Y%m%d}#{g}",
                        program=SLUG,
                        text="A goal",
                        state=rng.choice(("not-started", "in-progress", "done")),
                        added_by=match.mentee_email,
                        created_at=match.created_at,
                        updated_at=match.created_at,
                    )
                )
    return len(people), len(matches), goals


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(fraction * len(ordered)), len(ordered) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=50, help="page renders to time")
    args = parser.parse_args(argv)

    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        os.environ.pop(key, None)
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    from portal import create_app
    from portal.container import build_services
    from portal.local.dynamodb import DynamoDBLocal
    from portal.mail.senders import MemorySender
    from portal.persistence import tables
    from portal.services.magic_links import Purpose
    from portal.settings import Settings

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="portal-glance-") as folder:
        # On disk: in memory (-inMemory, 512 MB heap) DynamoDB Local lost items once the
        # program was loaded (a session written and read back was gone a moment later).
        local = DynamoDBLocal.start(Path(folder) / "dynamodb")
        try:
            settings = Settings(
                stage="test",
                table_prefix="portal-bench",
                base_url="http://portal.test",
                mail_transport="memory",
                data_dir=Path(folder) / "data",
                secret_key=secrets.token_urlsafe(48),
                region="eu-west-1",
                dynamodb_endpoint=local.endpoint,
                content_dir=root / "content",
            )
            tables.bind(settings.table_prefix, settings.region, local.endpoint)
            tables.create_tables()
            began = time.perf_counter()
            people, pairs, goals = build_program(random.Random(13))
            print(
                f"built {people} participants, {pairs} matches, {CHECKINS} check-ins, "
                f"{goals} goals in {time.perf_counter() - began:.1f} s"
            )
            services = build_services(settings, clock=lambda: NOW, sender=MemorySender())
            program = services.programs.get(SLUG)
            assert program is not None

            calls.clear()
            with counted_calls():
                began = time.perf_counter()
                outcomes = services.figures.refresh_all()
                computed = time.perf_counter() - began
            computation_calls = dict(calls)
            print(f"hourly computation (every program): {computed:.2f} s; {outcomes}")
            print(f"  DynamoDB calls: {computation_calls}")

            app = create_app(settings, services)
            app.config.update(TESTING=True)
            client = app.test_client()
            token = services.links.issue(Purpose.ORGANIZE, SLUG, ORGANIZER)
            opened = client.get(f"/organize/{token}")
            marker = 'name="csrf_token" value="'
            csrf = opened.text.split(marker, 1)[1].split('"', 1)[0]
            signed = client.post(f"/organize/{token}", data={"csrf_token": csrf})
            assert signed.status_code == 302, signed.status_code
            times = []
            per_page: list[dict[str, int]] = []
            with counted_calls():
                for _ in range(args.renders):
                    calls.clear()
                    began = time.perf_counter()
                    page = client.get(f"/organize/programs/{SLUG}")
                    times.append(time.perf_counter() - began)
                    assert page.status_code == 200, page.status_code
                    per_page.append(dict(calls))
            text = page.text
            assert "Figures as of" in text
            p50, p95 = statistics.median(times), percentile(times, 0.95)
            print(
                f"page renders: {args.renders}, p50 {p50 * 1000:.0f} ms, "
                f"p95 {p95 * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
                f"({len(text) // 1024} KiB of HTML)"
            )
            print(f"  DynamoDB calls per page render: {per_page[-1]}")
            scans = computation_calls.get("Scan", 0) + sum(p.get("Scan", 0) for p in per_page)
            print(f"  Scans: {scans}")
            ok = scans == 0 and p95 <= P95_LIMIT
            print("targets met" if ok else "TARGETS MISSED")
            return 0 if ok else 1
        finally:
            local.stop()


if __name__ == "__main__":
    sys.exit(main())
