"""Reasons as data: a code and its parameters, never words.

Every reason the engine gives (why a pair suits, why a pair is ruled out, why someone waits,
what to recruit) is a map such as `{"code": "shared_language", "languages": ["Spanish"]}`.
It is stored as it is and put into words by `portal.presenters.reasons` alone, so that the
words can change, or be translated, without touching what is stored.
"""

from __future__ import annotations

from typing import Any

# A reason as stored: JSON-like (strings, numbers, booleans, lists of strings).
Reason = dict[str, Any]


def reason(code: str, **params: Any) -> Reason:
    """A reason with its code first and its parameters."""
    return {"code": code, **params}


# -- why a pair suits (or what is worth knowing about it) ------------------------------------
SHARED_LANGUAGE = "shared_language"  # languages
NO_SHARED_LANGUAGE = "no_shared_language"
GOALS_COVERED = "goals_covered"  # topics, goals (how many goals the mentee has)
NO_GOALS_COVERED = "no_goals_covered"  # goals
PEER_GOALS_COVERED = "peer_goals_covered"  # first, first_offers, second, second_offers
PEER_NO_GOALS_COVERED = "peer_no_goals_covered"
TIME_ZONE_GAP = "time_zone_gap"  # hours (0 for the same zone)
SHARED_AVAILABILITY = "shared_availability"  # hours
NO_SHARED_AVAILABILITY = "no_shared_availability"
CAREER_AHEAD = "career_ahead"  # who ("mentor" | "mentee"), stages: the one expected ahead is
SAME_CAREER_STAGE = "same_career_stage"  # mentoring: neither is ahead
CAREER_BEHIND = "career_behind"  # who: the one expected ahead is earlier in their career
PEER_CAREER_STAGES = "peer_career_stages"  # apart (0 for the same stage)
SAME_ANSWER = "same_answer"  # question, answers
DIFFERENT_ANSWERS = "different_answers"  # question

# -- why a pair is ruled out (vetoes) ---------------------------------------------------------
VETO_SAME_PERSON = "same_person"
VETO_LANGUAGE = "no_shared_language"
VETO_SKILLS = "no_goals_offered"
VETO_TIME_ZONE = "time_zone_too_far"  # hours, allowed
VETO_AVAILABILITY = "no_shared_availability"
VETO_SENIORITY = "not_further_along"  # who: the one who must be further along and is not
# who: the one who must be ahead; min, max: the band; missing: a career stage is unknown
VETO_SENIORITY_GAP = "outside_seniority_band"
VETO_DEPARTMENT = "same_department"  # department
VETO_REPORTING_LINE = "same_reporting_line"
VETO_PAIRED_BEFORE = "paired_before"
VETO_QUESTION = "different_required_answer"  # question
VETO_WEAK = "below_min_score"  # min_score: every rule allows it, but it scores below this
VETO_OTHER = "not_allowed"

# -- why someone waits ------------------------------------------------------------------------
NO_FREE_MENTOR = "no_free_mentor"
NO_MENTEE_WAITING = "no_mentee_waiting"
NOBODY_SIGNED_UP = "nobody_signed_up"  # other (the role they would be matched with)
NO_ONE_SPEAKS = "no_one_speaks"  # other, languages (the person's own; may be empty)
NO_ONE_OFFERS = "no_one_offers"  # other, goals (the mentee's; may be empty)
NO_ONE_SEEKS = "no_one_seeks"  # other, skills (the mentor's; may be empty)
EVERYONE_TOO_FAR = "everyone_too_far"  # other, hours (the largest gap allowed)
# other, languages, ahead, min, max: others in the seniority band exist, none speaks these
NO_ONE_IN_BAND_SPEAKS = "no_one_in_band_speaks"
NO_ONE_SAME_ANSWER = "no_one_same_answer"  # other, question
# other, rule (see RULE_*), ahead (for the seniority rules), min, max (the seniority band)
EVERYONE_BREAKS = "everyone_breaks"
NO_ONE_PASSES = "no_one_passes"  # other, total, rules: [{"rule", "count", "ahead"?}], top 3
OTHERS_HAVE_ROOM = "others_have_room"  # count: mentors who pass the rules and have room
COMPATIBLE_FULL = "compatible_full"  # count, outscored (the mentees they took scored higher)
COMPATIBLE_TAKEN = "compatible_taken"  # count: the mentees who pass went to better mentors
PEERS_TAKEN = "peers_taken"  # count, odd (an odd number of people can leave one out)
# other, count (how many pass every rule), min_score: each of them would be a weak match
NO_MATCH_GOOD_ENOUGH = "no_match_good_enough"

# The rules named in EVERYONE_BREAKS and NO_ONE_PASSES.
RULE_LANGUAGE = "language"
RULE_SKILLS = "skills"
RULE_TIME_ZONE = "time_zone"
RULE_AVAILABILITY = "availability"
RULE_SENIORITY = "seniority"  # with ahead: whether the others must be further along (True)
# with ahead, min, max (the band) and missing (the person's own career stage is not given)
RULE_SENIORITY_GAP = "seniority_gap"
RULE_DEPARTMENT = "department"
RULE_REPORTING_LINE = "reporting_line"
RULE_PAIRED_BEFORE = "paired_before"
RULE_SAME_PERSON = "same_person"
RULE_QUESTION = "question"
RULE_OTHER = "other"

# -- what to recruit --------------------------------------------------------------------------
RECRUIT_MENTORS = "recruit_mentors"  # mentees (how many wait), language, goal ("" when any)
