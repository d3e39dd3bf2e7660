"""No introduction lists a weak point as a reason: a whole demo round, every email read."""

from __future__ import annotations

from portal.container import Services
from portal.domain.participants import Role
from portal.mail.senders import MemorySender
from portal.presenters.reasons import strengths, weak_points
from tests.conftest import FakeClock, html, plain
from tests.factories import ROUND, seed_demo_people
from tests.web.dom import parse


def test_no_introduction_lists_a_weak_point_as_a_reason(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    demo = services.programs.get("demo")
    assert demo is not None
    people = {p.email: p for p in seed_demo_people(services, demo, clock())}
    services.rounds.run(demo, ROUND, trigger="cli")
    services.mail.drain(per_second=0)
    matches = {
        (m.mentor, m.mentee): m
        for m in services.rounds.matches.for_program("demo")
        if m.status == "active"
    }
    seen_weak = 0
    for to, message in mailbox.sent:
        if not str(message["Subject"]).startswith("Meet "):
            continue
        me = people[to]
        other = str(message["Reply-To"])
        key = (to, other) if me.role is Role.MENTOR else (other, to)
        reasons = matches[key].reasons
        weak = weak_points(reasons, me.role.value)
        listed = [li.text for li in parse(html(message)).find_all("li")]
        lines = [line.strip() for line in plain(message).splitlines()]
        for point in weak:
            seen_weak += 1
            assert point not in listed, f"{to}: a weak point listed as a reason: {point}"
            assert f"- {point}" not in lines
        for strength in strengths(reasons, me.role.value):
            assert strength in listed  # the strengths are the reasons
    assert seen_weak > 0  # the round gave some pairs a weak point, said apart or not at all
