"""A participants CSV of 1,000 and of 10,000 people, on DynamoDB Local: time and peak memory.

The export is streamed (portal/services/csv_exports.py): a Query a page at a time, each row
written into a small buffer handed on when it fills. This puts N people in the demo program,
reads the whole file through the service as the web response would, and prints the time it
took and the peak of memory Python allocated meanwhile (tracemalloc). The peak stays about
the same for 10,000 people as for 1,000: it is a page of rows, not the table.

    python -m bench.console_exports [--people 1000 10000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(counts: list[int]) -> list[str]:
    from portal.container import build_services
    from portal.domain.participants import Participant, Role, Status
    from portal.local.dynamodb import DynamoDBLocal
    from portal.local.store import ensure_local_credentials
    from portal.mail.senders import MemorySender
    from portal.persistence import tables
    from portal.persistence.participants import address_record, to_record
    from portal.persistence.tables import AddressRecord, ParticipantRecord
    from portal.settings import Settings

    ensure_local_credentials()
    lines = []
    with tempfile.TemporaryDirectory(prefix="portal-exports-") as folder:
        local = DynamoDBLocal.start(None)  # in memory
        try:
            settings = Settings(
                stage="local",
                table_prefix="portal-exports",
                data_dir=Path(folder) / "data",
                secret_key="exports-" + "k" * 40,
                dynamodb_endpoint=local.endpoint,
                content_dir=ROOT / "content",
            )
            tables.bind(settings.table_prefix, settings.region, settings.dynamodb_endpoint)
            tables.create_tables()
            services = build_services(settings, sender=MemorySender())
            program = services.programs.get("demo")
            assert program is not None
            now = datetime(2026, 4, 10, 8, 0, tzinfo=UTC)
            template = Participant(
                program="demo",
                email="",
                participant_id="",
                role=Role.MENTEE,
                name="",
                timezone="Europe/London",
                languages=("English",),
                availability=("mon-evening",),
                goals=("python",),
                department="Engineering",
                answers={"industry": "Software"},
                status=Status.CONFIRMED,
                created_at=now,
                updated_at=now,
                confirmed_at=now,
            )
            stored = 0
            for count in sorted(counts):
                with (
                    ParticipantRecord.batch_write() as people,
                    AddressRecord.batch_write() as addresses,
                ):
                    for n in range(stored, count):
                        person = replace(
                            template,
                            email=f"person{n}@example.org",
                            participant_id=f"p{n:06d}",
                            name=f"Person Number {n}",
                        )
                        people.save(to_record(person))
                        addresses.save(address_record(person))
                stored = count
                tracemalloc.start()
                tracemalloc.reset_peak()
                began = time.perf_counter()
                rows = size = 0
                for chunk in services.csv_exports.stream(program, "participants", False):
                    rows += chunk.count("\n")
                    size += len(chunk)
                seconds = time.perf_counter() - began
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                lines.append(
                    f"{count:>6} people: {rows - 1:>6} rows, {size / 1e6:5.2f} MB of CSV in "
                    f"{seconds:5.2f} s, peak memory {peak / 1e6:5.2f} MB"
                )
        finally:
            local.stop()
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, nargs="+", default=[1_000, 10_000])
    args = parser.parse_args()
    print("\n".join(run(args.people)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
