"""The console's stored figures put into words: the reader's language, the program's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from portal import i18n
from portal.i18n import format_short_day
from portal.presenters.figures import VERSION, page
from portal.presenters.words import goal_state_word

SHOWN = {"value": None, "suppressed": False}
FEW = {"value": None, "suppressed": True}
# Late on 2 March in UTC: already 3 March in Tokyo, still 2 March in New York.
LATE = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)


def stored_view() -> dict[str, Any]:
    """A small view as `view` stores it: data, no words."""
    return {
        "version": VERSION,
        "funnel": [{"step": "signed-up", "value": 12.0, "suppressed": False}],
        "match_rate": [{"role": "mentee", "value": 85.7, "suppressed": False}],
        "waiting": [
            {"name": "Ana", "email": "a@x", "id": "1", "role": "mentee", "days": 3, "reason": None}
        ],
        "waiting_total": 1,
        "attention": [
            {"why": {"code": "quiet", "days": 1}, "people": [], "since": ""},
            {"why": {"code": "low-rating", "rating": 2}, "people": [], "since": LATE.isoformat()},
        ],
        "attention_total": 2,
        "weeks": [
            {
                "start": LATE.isoformat(),
                "checkins": FEW,
                "satisfaction": {"value": 4.25, "suppressed": False},
            }
        ],
        "satisfaction": FEW,
        "distribution": {"shown": False, "ratings": []},
        "cohorts": [
            {
                "moved": False,
                "started": LATE.isoformat(),
                "pairs": 2,
                "active": 2,
                "completed": 0,
                "ended_early": 0,
                "kept": FEW,
            }
        ],
        "first_meetings": {
            "median": {"value": 1.5, "suppressed": False},
            "buckets": [{"bucket": "2-weeks", "pairs": 3}],
            "not_yet": 0,
        },
        "goals": {"states": [{"state": "in-progress", "count": 1}], "pairs": 1, "done": SHOWN},
    }


def test_the_days_are_the_programs_whoever_reads_them() -> None:
    tokyo = page(stored_view(), "Asia/Tokyo")
    new_york = page(stored_view(), "America/New_York")

    assert tokyo["cohorts"][0]["label"] == "3 Mar 2026"
    assert tokyo["weeks"][0]["label"] == "3 Mar"
    assert tokyo["attention"][1]["since"] == "3 Mar 2026"
    assert new_york["cohorts"][0]["label"] == "2 Mar 2026"
    assert format_short_day(LATE, "Asia/Tokyo", weekday=False) == "3 Mar"


def test_the_same_stored_view_reads_in_english_and_in_spanish() -> None:
    english = page(stored_view(), "Europe/Madrid")
    with i18n.speaking("es"):
        spanish = page(stored_view(), "Europe/Madrid")

    assert [english["funnel"][0]["label"], spanish["funnel"][0]["label"]] == [
        "Signed up",
        "Inscripción",
    ]
    assert english["match_rate"][0]["label"] == "Mentees"
    assert english["match_rate"][0]["text"] == "86%"
    assert english["waiting"][0]["reason"] == "not in a round yet, or the reason was not kept"
    assert spanish["waiting"][0]["reason"] == (
        "aún no ha entrado en una ronda, o no se guardó el motivo"
    )
    assert [item["why"] for item in english["attention"]] == [
        "quiet for 1 day",
        "rated their match 2 of 5",
    ]
    assert [item["why"] for item in spanish["attention"]] == [
        "sin actividad desde hace 1 día",
        "valoró su emparejamiento con 2 de 5",
    ]
    assert english["weeks"][0]["checkins"]["text"] == ("not shown, fewer than 5 people checked in")
    assert english["weeks"][0]["satisfaction"]["text"] == "4.2 of 5"
    assert spanish["weeks"][0]["satisfaction"]["text"] == "4,2 de 5"
    assert spanish["cohorts"][0]["label"] == "3 mar 2026"
    assert not spanish["cohorts"][0]["shown"]
    assert spanish["first_meetings"]["median"]["text"] == "1,5 días"
    assert spanish["first_meetings"]["buckets"] == [{"label": "De 1 a 2 semanas", "pairs": 3}]
    assert english["goals"]["states"] == [{"label": "In progress", "count": 1}]
    assert spanish["goals"]["states"] == [{"label": "En curso", "count": 1}]
    assert spanish["goals"]["done"]["text"] == "ninguno todavía"


def test_a_goals_state_in_words() -> None:
    assert goal_state_word("not-started") == "Not started"
    with i18n.speaking("es"):
        assert goal_state_word("done") == "Hecho"
