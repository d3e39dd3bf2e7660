"""Sign-up timing: does a form for a known address answer faster than one for a new address?

    .venv/bin/python bench/signup_timing.py [--rounds 300] [--send-in-request]

One process: the Flask test client on moto (in memory), the test stage's services. Each round
sends the demo program's mentee form three times, in a rotating order, with:

- a new address (never seen before): a pending sign-up, a link and its email are stored;
- a confirmed participant's address, the same every time: "already signed up" emails, or
  nothing new within the 10-minute window of the last one;
- a pending sign-up's address, the same every time: a new link, or nothing within the window.

The clock moves one second a request, so windows open and close as they would. As on AWS, the
request hands its email to the courier (there: another invocation of the function) and the
bench sends it between requests, outside the timing; `--send-in-request` sends it inside the
request instead, as the local and test stages do. Printed: per path the median, p95 and mean
in milliseconds, and against the new address Welch's t (on the means) and the Mann-Whitney
rank z (on the whole distributions, robust to the long tail of a busy machine). With hundreds of
requests, either beyond 3 in size is a difference an attacker can measure.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import CONTENT, FAKE_AWS, MENTEE_FORM, FakeClock, csrf_token  # noqa: E402

PATHS = ("new address", "confirmed address", "pending address")


def welch_t(a: list[float], b: list[float]) -> float:
    """Welch's t statistic of the difference of the means of a and b."""
    va, vb = statistics.variance(a), statistics.variance(b)
    return (statistics.fmean(a) - statistics.fmean(b)) / math.sqrt(va / len(a) + vb / len(b))


def mann_whitney_z(a: list[float], b: list[float]) -> float:
    """The normal approximation of the Mann-Whitney U statistic: a rank test, robust to the
    long tail a busy machine gives timings (positive: a is slower than b)."""
    ranked = sorted([(v, 0) for v in a] + [(v, 1) for v in b])
    rank_sum = sum(rank for rank, (_, group) in enumerate(ranked, start=1) if group == 0)
    n, m = len(a), len(b)
    u = rank_sum - n * (n + 1) / 2
    return (u - n * m / 2) / math.sqrt(n * m * (n + m + 1) / 12)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(rounds: int, warmup: int, send_in_request: bool) -> dict[str, list[float]]:
    os.environ.update(FAKE_AWS)
    from moto import mock_aws

    from portal import create_app
    from portal.container import build_services
    from portal.mail.senders import MemorySender
    from portal.persistence import tables
    from portal.settings import Settings

    with mock_aws():
        tables.bind("portal-bench", "eu-west-1", None)
        tables.create_tables()
        clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        mailbox = MemorySender()
        settings = Settings(
            stage="test",
            table_prefix="portal-bench",
            base_url="http://portal.test",
            mail_transport="memory",
            data_dir=Path("/nonexistent"),
            secret_key="bench-secret-key-" + "x" * 32,
            content_dir=CONTENT,
        )
        services = build_services(settings, clock=clock, sender=mailbox)
        handed: list[str] = []
        if not send_in_request:
            services.mail.courier = handed.append
        app = create_app(settings, services)
        app.config.update(TESTING=True)
        client = app.test_client()
        token = csrf_token(client.get("/programs/demo/join/mentee").text)

        def send(email: str) -> float:
            data = {**MENTEE_FORM, "email": email, "csrf_token": token}
            started = time.perf_counter()
            response = client.post("/programs/demo/join/mentee", data=data)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.status_code
            for key in handed:  # the other invocation's work, outside the timing
                services.mail.deliver(key)
            handed.clear()
            clock.advance(seconds=1)
            return elapsed

        # The known addresses: one confirmed, one pending.
        send("known@example.org")
        link = mailbox.sent[-1][1].get_body(preferencelist=("plain",))
        assert link is not None
        path = next(w for w in link.get_content().split() if "/confirm/" in w)
        path = path.removeprefix("http://portal.test")
        confirmed = client.post(path, data={"csrf_token": csrf_token(client.get(path).text)})
        assert confirmed.status_code == 200, confirmed.status_code
        send("waiting@example.org")

        counter = iter(range(10**9))
        senders: dict[str, Callable[[], float]] = {
            "new address": lambda: send(f"new{next(counter)}@example.org"),
            "confirmed address": lambda: send("known@example.org"),
            "pending address": lambda: send("waiting@example.org"),
        }
        times: dict[str, list[float]] = {name: [] for name in PATHS}
        for number in range(warmup + rounds):
            order = PATHS[number % 3 :] + PATHS[: number % 3]
            for name in order:
                elapsed = senders[name]()
                if number >= warmup:
                    times[name].append(elapsed)
        return times


def report(times: dict[str, list[float]], send_in_request: bool) -> str:
    where = "inside the request" if send_in_request else "by the courier, outside the request"
    lines = [
        f"sign-up POST, {len(times[PATHS[0]])} requests per path, email sent {where}",
        f"{'path':<20}{'median ms':>10}{'p95 ms':>10}{'mean ms':>10}{'Welch t':>10}{'rank z':>10}",
    ]
    base = times[PATHS[0]]
    for name in PATHS:
        values = times[name]
        t = "" if name == PATHS[0] else f"{welch_t(values, base):+.2f}"
        z = "" if name == PATHS[0] else f"{mann_whitney_z(values, base):+.2f}"
        lines.append(
            f"{name:<20}{statistics.median(values):>10.2f}{percentile(values, 0.95):>10.2f}"
            f"{statistics.fmean(values):>10.2f}{t:>10}{z:>10}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=300, help="requests per path (300)")
    parser.add_argument("--warmup", type=int, default=20, help="rounds not counted (20)")
    parser.add_argument(
        "--send-in-request",
        action="store_true",
        help="send the email inside the request, as the local and test stages do",
    )
    args: Any = parser.parse_args(argv)
    times = run(args.rounds, args.warmup, args.send_in_request)
    print(report(times, args.send_in_request))
    return 0


if __name__ == "__main__":
    sys.exit(main())
