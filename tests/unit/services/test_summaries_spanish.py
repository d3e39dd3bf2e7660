"""The weekly summary to an organizer who reads Spanish: no English left in it."""

from __future__ import annotations

from datetime import timedelta

from portal.container import Services
from portal.domain.program import Program
from portal.mail.senders import MemorySender
from tests.conftest import FakeClock, html, plain
from tests.english_left import english_left, visible_text
from tests.factories import pair
from tests.unit.services.test_summaries import (
    FRIDAY,
    ORGANIZER,
    START,
    Bounce,
    demo,  # noqa: F401 (a fixture)
    populate,
    text_of,
)


def test_the_summary_to_a_spanish_organizer_is_all_in_spanish(
    services: Services,
    demo: Program,  # noqa: F811
    clock: FakeClock,
    mailbox: MemorySender,
) -> None:
    services.organizers.set_language(ORGANIZER, "es")
    populate(services, clock)
    pair(services, "Maria", "Tom", START)
    services.mail.sender = Bounce(mailbox, "tom@example.org")
    clock.now = START + timedelta(days=35, hours=-2)
    services.reminders.remind(clock())  # the day-30 survey and a re-match offer bounce
    services.mail.drain(per_second=1000)
    clock.now = FRIDAY

    services.summaries.send(demo, FRIDAY, "test")
    services.mail.drain(per_second=1000)

    (message,) = [
        m for to, m in mailbox.sent if to == ORGANIZER and "Demo: Tech" in str(m["Subject"])
    ]
    text = text_of(message)
    assert english_left(str(message["Subject"])) == []
    assert english_left(text) == []
    assert english_left(visible_text(html(message))) == []
    # Days, trends and names of emails in Spanish, days in the program's zone.
    assert "vie 10 abr 2026" in str(message["Subject"])
    assert "mié 8 abr" in text
    assert "bajó 1,1" in text
    assert "«encuesta» a tom@example.org: MessageRejected" in text
    assert "Inscripción: " in plain(message)
