"""A first meeting in words: refusals, weekly hours and times, in English and Spanish."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest

from portal import i18n
from portal.domain.meetings import Refusal, check_proposal
from portal.domain.participants import SLOTS
from portal.presenters.meetings import moment_words, refusal_text, weekly_words

AFTERNOONS = tuple(f"{day}-afternoon" for day in ("mon", "tue", "wed", "thu", "fri"))
ADA = ("Europe/London", ("tue-evening", "thu-morning"))
BEN = ("America/New_York", SLOTS)
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)  # a Monday


def at(text: str, zone: str = "UTC") -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zoneinfo.ZoneInfo(zone))


def said(refusal: Refusal | None, language: str = "en") -> str:
    assert refusal is not None
    with i18n.speaking(language):
        return refusal_text(refusal)


def check(moment: datetime) -> Refusal | None:
    return check_proposal(moment, *ADA, *BEN, NOW, a_name="Ada", b_name="Ben")


def test_a_time_in_the_past_too_soon_or_too_far_is_refused_in_words() -> None:
    assert said(check(at("2026-02-24T18:00"))) == (
        "That time is in the past: please choose one at least 24 hours from now."
    )
    assert said(check(NOW + timedelta(hours=6))) == (
        "That time is too soon: a first meeting is proposed at least 24 hours ahead, so there "
        "is time to see it and answer."
    )
    assert said(check(at("2026-03-19T09:00", "Europe/London"))) == (
        "That time is too far ahead: please choose one in the next 14 days."
    )


def test_a_time_outside_a_persons_window_names_them_their_clock_and_their_hours() -> None:
    assert said(check(at("2026-03-03T13:00", "Europe/London"))) == (
        "That time is outside Ada's availability. For Ada it is Tuesday 3 March, 13:00 to "
        "13:45 (Greenwich Mean Time), and Ada is free Tuesday 17:00-21:00 and Thursday "
        "08:00-12:00 (United Kingdom Time)."
    )


def test_two_people_outside_and_one_without_availability() -> None:
    refused = check_proposal(
        at("2026-03-10T21:00", "America/New_York"),
        "America/New_York",
        ["tue-evening"],
        "Europe/London",
        [],
        NOW,
        a_name="Ben",
        b_name="Ada",
    )
    assert said(refused) == (
        "That time is outside Ben's and Ada's availability. For Ben it is Tuesday 10 March, "
        "21:00 to 21:45 (Eastern Daylight Time), and Ben is free Tuesday 17:00-21:00 "
        "(United States (New York) Time). Ada has not given any weekly availability yet."
    )


def test_refusals_in_spanish() -> None:
    assert said(check(NOW + timedelta(hours=6)), "es").startswith("Esa hora es demasiado pronto")
    words = said(check(at("2026-03-03T13:00", "Europe/London")), "es")
    assert words.startswith("Esa hora está fuera de la disponibilidad de Ada.")
    assert "martes" in words
    assert "13:00" in words
    assert "jueves" in words


@pytest.mark.parametrize(
    ("slots", "words"),
    [
        (("tue-evening", "thu-morning"), "Tuesday 17:00-21:00 and Thursday 08:00-12:00"),
        (AFTERNOONS, "Monday to Friday 12:00-17:00"),
        (
            ("mon-morning", "mon-evening", "tue-morning", "tue-evening", "sun-afternoon"),
            "Monday and Tuesday 08:00-12:00 and 17:00-21:00; Sunday 12:00-17:00",
        ),
        (SLOTS, "Monday to Sunday 08:00-21:00"),
        ((), ""),
    ],
)
def test_weekly_availability_in_words(slots: tuple[str, ...], words: str) -> None:
    with i18n.speaking("en"):
        assert weekly_words(slots) == words


def test_weekly_availability_in_spanish() -> None:
    with i18n.speaking("es"):
        assert weekly_words(AFTERNOONS) == "lunes a viernes 12:00-17:00"
        assert weekly_words(("tue-evening", "thu-morning")) == (
            "martes 17:00-21:00 y jueves 08:00-12:00"
        )


@pytest.mark.parametrize(
    ("moment", "zone", "english"),
    [
        ("2026-03-10T18:00", "Europe/London", "Tuesday 10 March, 18:00 (Greenwich Mean Time)"),
        ("2026-07-14T18:00", "Europe/London", "Tuesday 14 July, 19:00 (British Summer Time)"),
        # The US changed on 8 March, Europe on 29 March: three weeks of a 4-hour gap.
        ("2026-03-16T16:00", "America/New_York", "Monday 16 March, 12:00 (Eastern Daylight Time)"),
        (
            "2026-03-16T16:00",
            "Europe/Madrid",
            "Monday 16 March, 17:00 (Central European Standard Time)",
        ),
        (
            "2026-10-26T16:00",
            "Europe/Madrid",
            "Monday 26 October, 17:00 (Central European Standard Time)",
        ),
        (
            "2026-10-26T16:00",
            "America/New_York",
            "Monday 26 October, 12:00 (Eastern Daylight Time)",
        ),
        ("2026-03-10T18:00", "Not/AZone", "Tuesday 10 March, 18:00 (Coordinated Universal Time)"),
    ],
)
def test_a_time_in_the_readers_zone_names_the_zone(moment: str, zone: str, english: str) -> None:
    with i18n.speaking("en"):
        assert moment_words(at(moment), zone) == english


def test_a_time_in_spanish_names_the_zone_in_spanish() -> None:
    with i18n.speaking("es"):
        words = moment_words(at("2026-03-16T16:00"), "Europe/Madrid")
    assert words.startswith("lunes, 16 de marzo, 17:00")
    assert "Europa central" in words


@pytest.mark.parametrize(
    "code",
    [
        "link_not_https",
        "not_in_pair",
        "changed",
        "no_such_proposal",
        "own_proposal",
        "proposal_passed",
        "not_booked",
    ],
)
def test_every_refusal_of_the_service_has_words_in_english_and_spanish(code: str) -> None:
    refusal = Refusal(code, {"partner": "Ben"})
    english, spanish = said(refusal), said(refusal, "es")
    assert english != said(Refusal("no-such-code"))
    assert spanish != english
