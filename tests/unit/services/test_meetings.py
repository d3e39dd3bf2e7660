"""A pair's first meeting on moto: proposals refused or stored, invites in each person's zone."""

from __future__ import annotations

import zoneinfo
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from icalendar import Calendar

from portal import i18n
from portal.container import Services
from portal.domain.matches import Match
from portal.domain.participants import Role
from portal.domain.program import MeetingSettings
from portal.mail.senders import MemorySender
from portal.presenters.meetings import moment_words
from portal.services.meetings import MeetingChanged, MeetingRefused
from tests.conftest import FakeClock, plain
from tests.factories import store_pair, stored_person

AFTERNOONS = tuple(f"{day}-afternoon" for day in ("mon", "tue", "wed", "thu", "fri"))
# Tuesday 10 March 2026: New York changed its clocks on the 8th, Madrid changes on the 29th.
# 17:00 UTC is 18:00 in Madrid (CET, UTC+1) and 13:00 in New York (EDT, UTC-4), not 12:00.
TUESDAY = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


@pytest.fixture
def match(services: Services, clock: FakeClock) -> Match:
    now = clock()
    ben = replace(
        stored_person("Ben", Role.MENTOR, now),
        timezone="America/New_York",
        availability=AFTERNOONS,
    )
    ada = replace(
        stored_person("Ada", Role.MENTEE, now),
        timezone="Europe/Madrid",
        availability=("tue-evening", "thu-evening"),
        language="es",
    )
    return store_pair(services, "demo", ben, ada, now)


def sent(services: Services, mailbox: MemorySender) -> dict[str, EmailMessage]:
    """Send what is queued; the messages sent, by recipient."""
    before = len(mailbox.sent)
    services.mail.drain(per_second=1000)
    return {to: message for to, message in mailbox.sent[before:]}


def invite_of(message: EmailMessage) -> Calendar:
    """The .ics of a message: the text/calendar alternative, the same as the attachment."""
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    attached = [p for p in message.walk() if p.get_filename() == "invite.ics"]
    assert len(parts) == 1
    assert len(attached) == 1
    text = parts[0].get_content()
    # The same event (a text part's lines end as the mail system's do; the attachment keeps
    # the CRLF of RFC 5545).
    assert attached[0].get_content().decode().splitlines() == text.splitlines()
    method = parts[0].get_param("method")
    calendar = Calendar.from_ical(text)
    assert calendar["METHOD"] == method
    return calendar


def event_of(calendar: Calendar) -> dict[str, object]:
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 1
    return {key: events[0].decoded(key) for key in ("DTSTART", "DTEND", "UID", "SEQUENCE")} | {
        "STATUS": str(events[0]["STATUS"])
    }


def test_a_proposal_is_stored_and_the_partner_is_told_in_their_language_and_zone(
    services: Services, match: Match, mailbox: MemorySender
) -> None:
    view = services.meetings.propose(
        "demo", match.match_id, match.mentor_id, TUESDAY, expected_version=0
    )
    assert view.state == "proposed"
    assert view.version == 1
    assert [p.start for p in view.proposals] == [TUESDAY]
    stored = services.meetings.view("demo", match.match_id, match.mentee_id)
    assert stored.proposals == view.proposals
    assert stored.partner.name == "Ben Example"
    messages = sent(services, mailbox)
    assert list(messages) == ["ada@example.org"]
    text = plain(messages["ada@example.org"])
    # In Spanish, at 18:00 Madrid time, and at 13:00 for Ben in New York (summer time there).
    with i18n.speaking("es"):
        assert moment_words(TUESDAY, "Europe/Madrid") in text
        assert moment_words(TUESDAY, "America/New_York") in text
    assert "martes, 10 de marzo, 18:00" in text
    assert "13:00" in text
    assert "/me/programs/demo/matches/" in text


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (datetime(2026, 3, 1, 17, tzinfo=UTC), "past"),
        (datetime(2026, 3, 2, 17, tzinfo=UTC), "too_soon"),
        (datetime(2026, 3, 24, 17, tzinfo=UTC), "too_far"),
        (datetime(2026, 3, 10, 9, tzinfo=UTC), "outside"),  # 10:00 in Madrid: Ada is busy
    ],
)
def test_a_time_that_does_not_suit_is_refused_and_nothing_is_stored(
    services: Services, match: Match, mailbox: MemorySender, start: datetime, code: str
) -> None:
    with pytest.raises(MeetingRefused) as refused:
        services.meetings.propose(
            "demo", match.match_id, match.mentor_id, start, expected_version=0
        )
    assert refused.value.refusal.code == code
    stored = services.participation.matches.get("demo", match.match_id)
    assert stored is not None
    assert stored.meeting is None
    assert sent(services, mailbox) == {}


@pytest.mark.parametrize(
    "link", ["http://meet.example.org/room", "javascript:alert(1)", "https://", "meet.jit.si/x"]
)
def test_a_meeting_link_that_is_not_https_is_refused(
    services: Services, match: Match, link: str
) -> None:
    with pytest.raises(MeetingRefused) as refused:
        services.meetings.propose(
            "demo", match.match_id, match.mentor_id, TUESDAY, expected_version=0, link=link
        )
    assert refused.value.refusal.code == "link_not_https"
    assert services.meetings.view("demo", match.match_id, match.mentor_id).version == 0


def test_only_the_pair_may_act_and_only_the_other_person_accepts(
    services: Services, match: Match
) -> None:
    with pytest.raises(MeetingRefused) as outsider:
        services.meetings.view("demo", match.match_id, "someone-else")
    assert outsider.value.refusal.code == "not_in_pair"
    view = services.meetings.propose(
        "demo", match.match_id, match.mentor_id, TUESDAY, expected_version=0
    )
    with pytest.raises(MeetingRefused) as own:
        services.meetings.accept(
            "demo", match.match_id, match.mentor_id, view.proposals[0].id, expected_version=1
        )
    assert own.value.refusal.code == "own_proposal"


def test_accepting_books_the_meeting_and_both_get_an_invite_in_their_own_zone(
    services: Services, match: Match, mailbox: MemorySender
) -> None:
    view = services.meetings.propose(
        "demo",
        match.match_id,
        match.mentor_id,
        TUESDAY,
        expected_version=0,
        link="https://meet.example.org/ada-ben",
    )
    sent(services, mailbox)
    booked = services.meetings.accept(
        "demo", match.match_id, match.mentee_id, view.proposals[0].id, expected_version=1
    )
    assert booked.state == "booked"
    assert booked.start == TUESDAY
    assert booked.proposals == ()
    messages = sent(services, mailbox)
    assert sorted(messages) == ["ada@example.org", "ben@example.org"]
    uids = set()
    for to, zone, local_time, language in (
        ("ada@example.org", "Europe/Madrid", "18:00", "es"),
        ("ben@example.org", "America/New_York", "13:00", "en"),
    ):
        calendar = invite_of(messages[to])
        assert calendar["METHOD"] == "REQUEST"
        event = event_of(calendar)
        start = event["DTSTART"]
        assert isinstance(start, datetime)
        assert start == TUESDAY  # the same instant
        assert str(start.tzinfo) == zone  # on the reader's own clock
        assert start.strftime("%H:%M") == local_time
        assert event["DTEND"] == TUESDAY + timedelta(minutes=45)
        assert event["SEQUENCE"] == 0
        assert event["STATUS"] == "CONFIRMED"
        assert calendar.walk("VTIMEZONE")  # the zone's rules travel with the invite
        uids.add(event["UID"])
        text = plain(messages[to])
        with i18n.speaking(language):
            assert moment_words(TUESDAY, zone) in text  # the email says the .ics's instant
        assert "https://meet.example.org/ada-ben" in text
    assert len(uids) == 1
    assert "Booked: your first meeting with Ada" in str(messages["ben@example.org"]["Subject"])


def test_a_page_that_showed_an_older_meeting_changes_nothing(
    services: Services, match: Match
) -> None:
    view = services.meetings.propose(
        "demo", match.match_id, match.mentor_id, TUESDAY, expected_version=0
    )
    services.meetings.accept(
        "demo", match.match_id, match.mentee_id, view.proposals[0].id, expected_version=1
    )
    with pytest.raises(MeetingChanged):
        services.meetings.cancel("demo", match.match_id, match.mentor_id, expected_version=1)
    assert services.meetings.view("demo", match.match_id, match.mentor_id).state == "booked"


def test_a_write_that_loses_the_race_is_told_the_meeting_changed(
    services: Services, match: Match
) -> None:
    # Two accepts read version 1; the first writes version 2; the second's write is refused.
    view = services.meetings.propose(
        "demo", match.match_id, match.mentor_id, TUESDAY, expected_version=0
    )
    stale = services.participation.matches.get("demo", match.match_id)
    assert stale is not None
    services.meetings.accept(
        "demo", match.match_id, match.mentee_id, view.proposals[0].id, expected_version=1
    )
    original = services.meetings.matches.get
    services.meetings.matches.get = lambda program, match_id: stale  # type: ignore[method-assign]
    try:
        with pytest.raises(MeetingChanged):
            services.meetings.accept(
                "demo", match.match_id, match.mentee_id, view.proposals[0].id, expected_version=1
            )
    finally:
        services.meetings.matches.get = original  # type: ignore[method-assign]
    stored = services.meetings.view("demo", match.match_id, match.mentee_id)
    assert stored.version == 2


def test_rescheduling_keeps_the_uid_and_raises_the_sequence_and_cancel_sends_cancel(
    services: Services, match: Match, mailbox: MemorySender
) -> None:
    first = services.meetings.propose(
        "demo", match.match_id, match.mentor_id, TUESDAY, expected_version=0
    )
    services.meetings.accept(
        "demo", match.match_id, match.mentee_id, first.proposals[0].id, expected_version=1
    )
    booked = event_of(invite_of(sent(services, mailbox)["ben@example.org"]))
    thursday = TUESDAY + timedelta(days=2)
    moved = services.meetings.propose(
        "demo", match.match_id, match.mentee_id, thursday, expected_version=2
    )
    assert moved.state == "booked"  # the booked meeting stands until the new time is accepted
    assert moved.start == TUESDAY
    proposed = sent(services, mailbox)
    assert list(proposed) == ["ben@example.org"]
    services.meetings.accept(
        "demo", match.match_id, match.mentor_id, moved.proposals[0].id, expected_version=3
    )
    rescheduled = sent(services, mailbox)
    assert str(rescheduled["ben@example.org"]["Subject"]).startswith("Moved: your meeting with Ada")
    event = event_of(invite_of(rescheduled["ada@example.org"]))
    assert event["UID"] == booked["UID"]
    assert event["SEQUENCE"] == 1
    assert event["DTSTART"] == thursday
    cancelled = services.meetings.cancel(
        "demo", match.match_id, match.mentee_id, expected_version=4
    )
    assert cancelled.state == "cancelled"
    messages = sent(services, mailbox)
    assert sorted(messages) == ["ada@example.org", "ben@example.org"]
    calendar = invite_of(messages["ben@example.org"])
    assert calendar["METHOD"] == "CANCEL"
    event = event_of(calendar)
    assert event["UID"] == booked["UID"]
    assert event["SEQUENCE"] == 2
    assert event["STATUS"] == "CANCELLED"
    assert "Ada Example cancelled your meeting" in plain(messages["ben@example.org"])


def test_an_unsubscribed_partner_gets_no_invite_and_the_other_still_does(
    services: Services, match: Match, mailbox: MemorySender, clock: FakeClock
) -> None:
    services.unsubscribes.suppressions.add("ada@example.org", "unsubscribe", clock())
    view = services.meetings.propose(
        "demo", match.match_id, match.mentor_id, TUESDAY, expected_version=0
    )
    assert sent(services, mailbox) == {}  # the proposal to Ada is not sent either
    services.meetings.accept(
        "demo", match.match_id, match.mentee_id, view.proposals[0].id, expected_version=1
    )
    assert list(sent(services, mailbox)) == ["ben@example.org"]


def test_after_europes_change_too_a_meeting_booked_weeks_ahead_shows_summer_times(
    services: Services, match: Match, mailbox: MemorySender, clock: FakeClock
) -> None:
    clock.advance(days=18)  # 20 March: New York on summer time, Madrid not yet
    after = datetime(2026, 3, 31, 16, 0, tzinfo=UTC)  # Tuesday: 18:00 CEST, 12:00 EDT
    view = services.meetings.propose(
        "demo", match.match_id, match.mentor_id, after, expected_version=0
    )
    services.meetings.accept(
        "demo", match.match_id, match.mentee_id, view.proposals[0].id, expected_version=1
    )
    messages = sent(services, mailbox)
    ben = event_of(invite_of(messages["ben@example.org"]))["DTSTART"]
    ada = event_of(invite_of(messages["ada@example.org"]))["DTSTART"]
    assert isinstance(ben, datetime)
    assert isinstance(ada, datetime)
    assert (ben.strftime("%H:%M"), ada.strftime("%H:%M")) == ("12:00", "18:00")
    assert ada.astimezone(zoneinfo.ZoneInfo("Europe/Madrid")).tzname() == "CEST"
    assert "Eastern Daylight Time" in plain(messages["ben@example.org"])
    assert "18:00" in plain(messages["ada@example.org"])


def test_the_day_after_the_meeting_both_are_asked_for_the_check_in_once(
    services: Services, match: Match, mailbox: MemorySender, clock: FakeClock
) -> None:
    view = services.meetings.propose(
        "demo", match.match_id, match.mentor_id, TUESDAY, expected_version=0
    )
    services.meetings.accept(
        "demo", match.match_id, match.mentee_id, view.proposals[0].id, expected_version=1
    )
    sent(services, mailbox)
    clock.now = TUESDAY + timedelta(minutes=45, hours=19)
    assert services.meetings.follow_ups("demo") == 0  # not yet: the next morning
    clock.advance(hours=2)
    assert services.meetings.follow_ups("demo") == 2
    assert services.meetings.follow_ups("demo") == 0  # once
    messages = sent(services, mailbox)
    assert str(messages["ben@example.org"]["Subject"]) == "How was your meeting with Ada?"
    assert "/checkin/" in plain(messages["ben@example.org"]) or "/me/" in plain(
        messages["ben@example.org"]
    )
    clock.advance(days=7)
    assert services.meetings.follow_ups("demo") == 0  # a week later: too late to ask


def test_the_reminder_run_waits_for_a_booked_meeting_and_follows_it_up_the_day_after(
    services: Services, match: Match, mailbox: MemorySender, clock: FakeClock
) -> None:
    clock.advance(days=5)
    later = TUESDAY + timedelta(days=7)  # Tuesday 17 March, match day 15
    view = services.meetings.propose(
        "demo", match.match_id, match.mentor_id, later, expected_version=0
    )
    services.meetings.accept(
        "demo", match.match_id, match.mentee_id, view.proposals[0].id, expected_version=1
    )
    sent(services, mailbox)
    # Day 14: a quiet pair gets its check-in reminder; this one has a date two days ahead.
    clock.now = datetime(2026, 3, 16, 9, tzinfo=UTC)
    (outcome,) = [o for o in services.reminders.remind(clock()) if o.program == "demo"]
    assert outcome.queued == {}
    clock.now = later + timedelta(hours=21)
    (outcome,) = [o for o in services.reminders.remind(clock()) if o.program == "demo"]
    assert outcome.queued == {"meeting_follow_up": 2}
    messages = sent(services, mailbox)
    assert sorted(messages) == ["ada@example.org", "ben@example.org"]
    assert str(messages["ada@example.org"]["Subject"]) == "¿Qué tal fue su reunión con Ben?"


def test_a_persons_export_holds_the_meeting_and_erasure_leaves_no_id_of_theirs_in_it(
    services: Services, match: Match
) -> None:
    view = services.meetings.propose(
        "demo",
        match.match_id,
        match.mentor_id,
        TUESDAY,
        expected_version=0,
        link="https://meet.example.org/ada-ben",
    )
    services.meetings.accept(
        "demo", match.match_id, match.mentee_id, view.proposals[0].id, expected_version=1
    )
    services.meetings.propose(
        "demo", match.match_id, match.mentee_id, TUESDAY + timedelta(days=2), expected_version=2
    )
    exported = services.exports.export("ada@example.org", route="web", requested_by="person")
    (section,) = exported.document["matches"]
    assert section["first_meeting"] == {
        "state": "booked",
        "start": "2026-03-10T17:00:00+00:00",
        "length_minutes": 45,
        "link": "https://meet.example.org/ada-ben",
        "proposals": [{"start": "2026-03-12T17:00:00+00:00", "by": "you", "link": None}],
    }
    services.erasure.erase("ada@example.org")
    (kept,) = services.participation.matches.for_program("demo")
    assert kept.meeting is not None
    assert kept.meeting.start == TUESDAY  # Ben's meeting stands
    assert match.mentee_id not in repr(kept.meeting)
    assert match.mentee_id not in kept.match_id


def test_a_proposal_whose_time_has_passed_cannot_be_accepted(
    services: Services, match: Match, clock: FakeClock
) -> None:
    view = services.meetings.propose(
        "demo", match.match_id, match.mentor_id, TUESDAY, expected_version=0
    )
    clock.now = TUESDAY + timedelta(minutes=1)
    with pytest.raises(MeetingRefused) as refused:
        services.meetings.accept(
            "demo", match.match_id, match.mentee_id, view.proposals[0].id, expected_version=1
        )
    assert refused.value.refusal.code == "proposal_passed"
    assert services.meetings.view("demo", match.match_id, match.mentee_id).state == "proposed"


def test_a_programs_video_room_is_the_pairs_own_from_the_first_view(
    services: Services, match: Match, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = services.programs.get("demo")
    assert demo is not None
    rooms = demo.model_copy(
        update={"meetings": MeetingSettings(link_pattern="https://meet.jit.si/mp-{room}")}
    )
    monkeypatch.setattr(services.meetings.programs, "get", lambda slug: rooms)
    # Before anyone proposes, the pair has no room yet: no link to a room named by nothing,
    # which every pair of the program would share.
    assert services.meetings.view("demo", match.match_id, match.mentor_id).link is None
    view = services.meetings.propose(
        "demo", match.match_id, match.mentor_id, TUESDAY, expected_version=0
    )
    assert view.link is not None
    assert view.link.startswith("https://meet.jit.si/mp-")
    assert len(view.link) > len("https://meet.jit.si/mp-")


def test_a_meeting_booked_again_after_a_cancellation_is_booked_not_moved(
    services: Services, match: Match, mailbox: MemorySender
) -> None:
    first = services.meetings.propose(
        "demo", match.match_id, match.mentor_id, TUESDAY, expected_version=0
    )
    services.meetings.accept(
        "demo", match.match_id, match.mentee_id, first.proposals[0].id, expected_version=1
    )
    services.meetings.cancel("demo", match.match_id, match.mentor_id, expected_version=2)
    sent(services, mailbox)
    thursday = TUESDAY + timedelta(days=2)
    again = services.meetings.propose(
        "demo", match.match_id, match.mentor_id, thursday, expected_version=3
    )
    services.meetings.accept(
        "demo", match.match_id, match.mentee_id, again.proposals[0].id, expected_version=4
    )
    messages = sent(services, mailbox)
    event = event_of(invite_of(messages["ben@example.org"]))
    assert event["SEQUENCE"] == 2  # the same event as the cancelled one, changed again
    assert event["STATUS"] == "CONFIRMED"
    # Nothing was booked to move from: the subject says it is booked, not moved.
    subject = str(messages["ben@example.org"]["Subject"])
    assert subject.startswith("Booked: your first meeting with Ada"), subject


def test_one_pairs_follow_up_failing_does_not_hold_back_the_other_pairs(
    services: Services, match: Match, mailbox: MemorySender, clock: FakeClock
) -> None:
    now = clock()
    cy = replace(stored_person("Cy", Role.MENTOR, now), availability=AFTERNOONS)
    di = replace(stored_person("Di", Role.MENTEE, now), availability=AFTERNOONS)
    other = store_pair(services, "demo", cy, di, now)
    for pair, time in ((match, TUESDAY), (other, TUESDAY - timedelta(hours=3))):
        view = services.meetings.propose(
            "demo", pair.match_id, pair.mentor_id, time, expected_version=0
        )
        services.meetings.accept(
            "demo", pair.match_id, pair.mentee_id, view.proposals[0].id, expected_version=1
        )
    sent(services, mailbox)
    clock.now = TUESDAY + timedelta(days=1)
    real = services.meetings.checkin_url

    def broken(program: str, match_id: str, email: str) -> str:
        if match_id == match.match_id:
            raise RuntimeError("this pair's link could not be made")
        return real(program, match_id, email)

    services.meetings.checkin_url = broken
    # The broken pair is logged and skipped; the other pair is still asked, and the run goes on.
    assert services.meetings.follow_ups("demo") == 2
    assert sorted(sent(services, mailbox)) == ["cy@example.org", "di@example.org"]


def test_each_action_says_whom_it_could_not_email_and_why(
    services: Services, match: Match, mailbox: MemorySender, clock: FakeClock
) -> None:
    services.unsubscribes.suppressions.add("ada@example.org", "unsubscribe", clock())
    proposed = services.meetings.propose(
        "demo", match.match_id, match.mentor_id, TUESDAY, expected_version=0
    )
    assert proposed.unreached == ((match.mentee_id, "unsubscribe"),)
    booked = services.meetings.accept(
        "demo", match.match_id, match.mentee_id, proposed.proposals[0].id, expected_version=1
    )
    assert booked.why_unreached(match.mentee_id) == "unsubscribe"  # Ada, who accepted
    assert booked.why_unreached(match.mentor_id) is None  # Ben's invite is queued
    assert list(sent(services, mailbox)) == ["ben@example.org"]
    services.unsubscribes.suppressions.add("ben@example.org", "bounce", clock())
    cancelled = services.meetings.cancel(
        "demo", match.match_id, match.mentee_id, expected_version=2
    )
    assert dict(cancelled.unreached) == {match.mentee_id: "unsubscribe", match.mentor_id: "bounce"}
    assert sent(services, mailbox) == {}


def test_a_link_pasted_with_a_new_time_is_the_meetings_only_once_that_time_is_accepted(
    services: Services, match: Match, mailbox: MemorySender
) -> None:
    first = services.meetings.propose(
        "demo",
        match.match_id,
        match.mentor_id,
        TUESDAY,
        expected_version=0,
        link="https://meet.example.org/first",
    )
    assert first.link is None  # nothing booked yet: the link waits with its proposal
    assert first.proposals[0].link == "https://meet.example.org/first"
    services.meetings.accept(
        "demo", match.match_id, match.mentee_id, first.proposals[0].id, expected_version=1
    )
    sent(services, mailbox)
    thursday = TUESDAY + timedelta(days=2)
    moved = services.meetings.propose(
        "demo",
        match.match_id,
        match.mentee_id,
        thursday,
        expected_version=2,
        link="https://meet.example.org/second",
    )
    # The booked meeting keeps its link (its invites carry it) until Thursday is accepted.
    assert moved.link == "https://meet.example.org/first"
    stored = services.participation.matches.get("demo", match.match_id)
    assert stored is not None
    assert stored.meeting is not None
    assert stored.meeting.link == "https://meet.example.org/first"
    proposal = plain(sent(services, mailbox)["ben@example.org"])
    assert "https://meet.example.org/second" in proposal
    services.meetings.accept(
        "demo", match.match_id, match.mentor_id, moved.proposals[0].id, expected_version=3
    )
    invites = sent(services, mailbox)
    for to in ("ada@example.org", "ben@example.org"):
        assert "https://meet.example.org/second" in plain(invites[to])
        calendar = invite_of(invites[to])
        (event,) = calendar.walk("VEVENT")
        assert str(event["LOCATION"]) == "https://meet.example.org/second"
    view = services.meetings.view("demo", match.match_id, match.mentor_id)
    assert view.link == "https://meet.example.org/second"


def test_a_meeting_that_has_started_cannot_be_cancelled(
    services: Services, match: Match, mailbox: MemorySender, clock: FakeClock
) -> None:
    view = services.meetings.propose(
        "demo", match.match_id, match.mentor_id, TUESDAY, expected_version=0
    )
    booked = services.meetings.accept(
        "demo", match.match_id, match.mentee_id, view.proposals[0].id, expected_version=1
    )
    assert not booked.started
    sent(services, mailbox)
    clock.now = TUESDAY + timedelta(minutes=10)
    assert services.meetings.view("demo", match.match_id, match.mentor_id).started
    with pytest.raises(MeetingRefused) as refused:
        services.meetings.cancel("demo", match.match_id, match.mentor_id, expected_version=2)
    assert refused.value.refusal.code == "started"
    assert services.meetings.view("demo", match.match_id, match.mentor_id).state == "booked"
    assert sent(services, mailbox) == {}  # no METHOD:CANCEL takes it out of their calendars
    clock.now = TUESDAY + timedelta(days=1)
    assert services.meetings.follow_ups("demo") == 2  # and the day after still asks


class Stopped(Exception):
    """The process stopping between storing a meeting and queueing its emails."""


def _stop_before_queueing(monkeypatch: pytest.MonkeyPatch, services: Services) -> None:
    def stopped(*args: object, **kwargs: object) -> bool:
        raise Stopped

    monkeypatch.setattr(services.mail, "queue_once", stopped)


def _reminded(services: Services, clock: FakeClock) -> dict[str, int]:
    (outcome,) = [o for o in services.reminders.remind(clock()) if o.program == "demo"]
    return outcome.queued


def test_emails_an_action_stored_but_never_queued_are_queued_by_the_next_reminder_run(
    services: Services,
    match: Match,
    mailbox: MemorySender,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with monkeypatch.context() as stop:
        _stop_before_queueing(stop, services)
        with pytest.raises(Stopped):
            services.meetings.propose(
                "demo", match.match_id, match.mentor_id, TUESDAY, expected_version=0
            )
    assert sent(services, mailbox) == {}
    assert _reminded(services, clock) == {"meeting_proposed": 1}
    assert list(sent(services, mailbox)) == ["ada@example.org"]
    view = services.meetings.view("demo", match.match_id, match.mentee_id)
    with monkeypatch.context() as stop:
        _stop_before_queueing(stop, services)
        with pytest.raises(Stopped):
            services.meetings.accept(
                "demo", match.match_id, match.mentee_id, view.proposals[0].id, expected_version=1
            )
    # The meeting is stored, so the page refuses the retry as changed: nobody has an invite.
    with pytest.raises(MeetingChanged):
        services.meetings.accept(
            "demo", match.match_id, match.mentee_id, view.proposals[0].id, expected_version=1
        )
    assert sent(services, mailbox) == {}
    assert _reminded(services, clock) == {"meeting_invite": 2}
    invites = sent(services, mailbox)
    assert sorted(invites) == ["ada@example.org", "ben@example.org"]
    for message in invites.values():
        assert invite_of(message)["METHOD"] == "REQUEST"
        assert event_of(invite_of(message))["DTSTART"] == TUESDAY
    assert _reminded(services, clock) == {}  # once: the next run finds them queued
    assert sent(services, mailbox) == {}
    with monkeypatch.context() as stop:
        _stop_before_queueing(stop, services)
        with pytest.raises(Stopped):
            services.meetings.cancel("demo", match.match_id, match.mentor_id, expected_version=2)
    assert _reminded(services, clock) == {"meeting_cancelled": 2}
    cancels = sent(services, mailbox)
    assert sorted(cancels) == ["ada@example.org", "ben@example.org"]
    assert all(invite_of(m)["METHOD"] == "CANCEL" for m in cancels.values())
    assert _reminded(services, clock) == {}


def test_the_times_suggested_are_never_the_booked_one_or_one_already_proposed(
    services: Services, match: Match
) -> None:
    view = services.meetings.view("demo", match.match_id, match.mentee_id)
    first = view.suggestions[0]
    proposed = services.meetings.propose(
        "demo", match.match_id, match.mentor_id, first, expected_version=0
    )
    assert first not in proposed.suggestions
    booked = services.meetings.accept(
        "demo", match.match_id, match.mentee_id, proposed.proposals[0].id, expected_version=1
    )
    # The times to move it to: never where it already is, and still as many as before.
    assert booked.start == first
    assert first not in booked.suggestions
    assert len(booked.suggestions) == len(view.suggestions)
