"""Broken submissions to every POST route: no server error, no malformed record (bench/fuzz.py).

The same harness as `bench/fuzz.py --requests 10000`, with fewer requests and a fixed seed:
every POST route of the app gets about 50 submissions, each broken one way (odd text, file
uploads, repeated values, oversize bodies, other methods and content types, bad tokens and
path parameters), with real links, sessions and CSRF tokens so that the forms' code runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bench.fuzz import FUZZ_ADMIN, RAISED_LIMITS, fuzz, post_rules, prepare_content
from tests.conftest import FakeClock
from tests.web.conftest import Site

REQUESTS = 1_000
SEED = 9


def test_broken_submissions_get_no_server_error_and_store_nothing_malformed(
    build_site: Callable[..., Site], tmp_path: Path, clock: FakeClock
) -> None:
    site = build_site(
        content_dir=prepare_content(tmp_path / "content"),
        signups_per_source=RAISED_LIMITS,
        signups_per_address=RAISED_LIMITS,
        admins=(FUZZ_ADMIN,),
    )

    report = fuzz(site.app, site.services, clock, REQUESTS, SEED)

    summary = "\n".join(report.lines())
    assert len(report.per_route) == len(post_rules(site.app)), summary
    assert not report.harness_problems, summary
    assert report.requests == REQUESTS, summary
    assert report.statuses[422] > 0, summary  # the forms' own checks were reached
    assert report.statuses[429] > 0, summary  # and the limits, on the site that keeps them
    assert report.server_errors == 0, summary
    assert report.dropped_cookies == 0, summary
    assert report.malformed == 0, summary
