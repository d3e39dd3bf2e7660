"""Where a sign-up POST's time goes, on DynamoDB Local: each database call, and the request.

    /work/main/.venv/bin/python bench/signup_profile.py [--requests 60] [--in-memory]
        [--send-in-request] [--cprofile]

One process, one request at a time (as a Lambda instance serves): DynamoDB Local on a
temporary folder (or `-inMemory`), the local stage's services with mail written to files, and
the Flask test client sending the demo program's mentee form with a new address each time.
Every DynamoDB call the request makes is timed where PynamoDB hands it to botocore, with the
thread it ran on; the request's own time is its Server-Timing header.

Printed: per operation the calls per request and the median and p95 of one call; per request
the calls, the time spent in them, how much of it ran alongside other calls, and the
Server-Timing p50 and p95. As `portal dev` does, the request queues its email and rings the
mail loop (sent outside the request, between requests here); `--send-in-request` sends it in
the request, as before. `--cprofile` prints the top functions of a cProfile of the requests.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import MENTEE_FORM, csrf_token  # noqa: E402


@dataclass
class Call:
    operation: str
    thread: str
    start: float
    end: float

    @property
    def ms(self) -> float:
        return (self.end - self.start) * 1000


@dataclass
class Calls:
    """Every DynamoDB call made while recording, from any thread."""

    recording: bool = False
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> list[Call]:
        with self.lock:
            taken, self.calls = self.calls, []
        return taken


@contextmanager
def timed_calls() -> Iterator[Calls]:
    """Record each PynamoDB call to DynamoDB: its operation, thread and span."""
    from pynamodb.connection.base import Connection

    calls = Calls()
    original = Connection._make_api_call

    def timed(self: Connection, operation_name: str, operation_kwargs: dict[str, Any]) -> Any:
        start = time.perf_counter()
        try:
            return original(self, operation_name, operation_kwargs)
        finally:
            end = time.perf_counter()
            if calls.recording:
                with calls.lock:
                    calls.calls.append(
                        Call(operation_name, threading.current_thread().name, start, end)
                    )

    Connection._make_api_call = timed  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        Connection._make_api_call = original  # type: ignore[method-assign]


def covered_ms(calls: list[Call]) -> float:
    """The time during which at least one call was under way (overlaps counted once)."""
    total, end = 0.0, float("-inf")
    for call in sorted(calls, key=lambda c: c.start):
        if call.end > end:
            total += call.end - max(call.start, end)
            end = call.end
    return total * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class Profile:
    server_ms: list[float] = field(default_factory=list)
    per_request: list[list[Call]] = field(default_factory=list)
    cprofile: str = ""


def run(requests: int, in_memory: bool, send_in_request: bool, profile: bool) -> Profile:
    from portal import create_app
    from portal.container import build_services
    from portal.local.dynamodb import DynamoDBLocal
    from portal.local.mail_loop import Doorbell
    from portal.local.store import ensure_local_credentials
    from portal.persistence import tables
    from portal.settings import Settings

    ensure_local_credentials()
    result = Profile()
    with tempfile.TemporaryDirectory(prefix="portal-profile-") as folder:
        local = DynamoDBLocal.start(None if in_memory else Path(folder) / "dynamodb")
        try:
            settings = Settings(
                stage="local",
                table_prefix="portal-profile",
                data_dir=Path(folder) / "data",
                secret_key="profile-" + "k" * 40,
                dynamodb_endpoint=local.endpoint,
                content_dir=ROOT / "content",
                signups_per_source=(1_000_000, 1_000_000),
            )
            tables.bind(settings.table_prefix, settings.region, settings.dynamodb_endpoint)
            tables.create_tables()
            doorbell = Doorbell()
            courier = None if send_in_request else doorbell.ring
            services = build_services(settings, courier=courier)
            app = create_app(settings, services)
            client = app.test_client()
            profiler = cProfile.Profile()
            with timed_calls() as calls:
                for number in range(requests + 5):  # the first 5 warm up, not counted
                    form = client.get("/programs/demo/join/mentee")
                    data = {
                        **MENTEE_FORM,
                        "email": f"profile-{number}@example.org",
                        "csrf_token": csrf_token(form.text),
                    }
                    counted = number >= 5
                    calls.recording = counted
                    if counted and profile:
                        profiler.enable()
                    sent = client.post("/programs/demo/join/mentee", data=data)
                    if counted and profile:
                        profiler.disable()
                    calls.recording = False
                    if sent.status_code != 302:
                        raise SystemExit(f"the sign-up gave {sent.status_code}")
                    if counted:
                        timing = sent.headers["Server-Timing"].split("dur=")[1]
                        result.server_ms.append(float(timing))
                        result.per_request.append(calls.take())
                    services.mail.drain(per_second=1000)  # what the mail loop does
            doorbell.close()
            if profile:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
                result.cprofile = out.getvalue()
        finally:
            local.stop()
    return result


def report(result: Profile, label: str) -> list[str]:
    by_operation: dict[str, list[float]] = defaultdict(list)
    for calls in result.per_request:
        for call in calls:
            by_operation[call.operation].append(call.ms)
    n = len(result.per_request)
    lines = [f"{n} sign-up POSTs one at a time, DynamoDB Local {label}"]
    lines.append(f"{'operation':<22}{'per request':>12}{'p50 ms':>9}{'p95 ms':>9}")
    for operation, spans in sorted(by_operation.items()):
        lines.append(
            f"{operation:<22}{len(spans) / n:>12.1f}"
            f"{statistics.median(spans):>9.1f}{percentile(spans, 0.95):>9.1f}"
        )
    in_calls = [sum(c.ms for c in calls) for calls in result.per_request]
    covered = [covered_ms(calls) for calls in result.per_request]
    threads = {c.thread for calls in result.per_request for c in calls}
    lines += [
        f"calls per request: {statistics.median(len(c) for c in result.per_request):.0f}, "
        f"on {len(threads)} threads",
        f"time in calls per request, p50: {statistics.median(in_calls):.1f} ms summed, "
        f"{statistics.median(covered):.1f} ms with overlapping calls counted once",
        f"Server-Timing: p50 {percentile(result.server_ms, 0.5):.1f} ms, "
        f"p95 {percentile(result.server_ms, 0.95):.1f} ms",
    ]
    if result.cprofile:
        lines.append(result.cprofile)
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--in-memory", action="store_true")
    parser.add_argument("--send-in-request", action="store_true")
    parser.add_argument("--cprofile", action="store_true")
    args = parser.parse_args()
    result = run(args.requests, args.in_memory, args.send_in_request, args.cprofile)
    label = "in memory" if args.in_memory else "on disk"
    if args.send_in_request:
        label += ", the email sent in the request"
    print("\n".join(report(result, label)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
