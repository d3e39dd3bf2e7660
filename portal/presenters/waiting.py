"""Why someone waits, and whom to recruit, in words: the organizer's and the person's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.domain import reasons as r
from portal.presenters.words import (
    MENTEE,
    MENTOR,
    ORGANIZER,
    PEER,
    hours,
    is_participant,
    join,
    number,
    plural,
)

Reasonish = Mapping[str, Any] | str

# -- why someone waits ------------------------------------------------------------------------

# Each rule that kept everyone out, for one person and for several, as the count's sentence.
_COUNTED_RULES = {
    r.RULE_LANGUAGE: ("{count} shares no language", "{count} share no language"),
    r.RULE_SKILLS: (
        "{count} offers none of the goals sought",
        "{count} offer none of the goals sought",
    ),
    r.RULE_TIME_ZONE: (
        "{count} is too many time zones away",
        "{count} are too many time zones away",
    ),
    r.RULE_AVAILABILITY: (
        "{count} shares no weekly time",
        "{count} share no weekly time",
    ),
    r.RULE_DEPARTMENT: ("{count} is in the same department", "{count} are in the same department"),
    r.RULE_REPORTING_LINE: (
        "{count} is in the same reporting line",
        "{count} are in the same reporting line",
    ),
    r.RULE_PAIRED_BEFORE: (
        "{count} was paired with them before",
        "{count} were paired with them before",
    ),
    r.RULE_SAME_PERSON: ("{count} is the same person", "{count} are the same person"),
    r.RULE_QUESTION: (
        "{count} answered a must-match question differently",
        "{count} answered a must-match question differently",
    ),
    r.RULE_OTHER: ("{count} breaks a rule", "{count} break a rule"),
}
_COUNTED_SENIORITY = {
    True: (
        "{count} is not further along in their career",
        "{count} are not further along in their career",
    ),
    False: (
        "{count} is not earlier in their career",
        "{count} are not earlier in their career",
    ),
}
# The one rule that kept every candidate out: (to the person, to the organizer).
_EVERYONE_BREAKS = {
    r.RULE_LANGUAGE: (
        "no {other} shares a language with you",
        "no {other} shares a language with them",
    ),
    r.RULE_SKILLS: (
        "no {other} offers what you are looking for",
        "no {other} offers what they are looking for",
    ),
    r.RULE_TIME_ZONE: (
        "every {other} is too many time zones away from you",
        "every {other} is too many time zones away from them",
    ),
    r.RULE_AVAILABILITY: (
        "no {other} has weekly time in common with you",
        "no {other} has weekly time in common with them",
    ),
    r.RULE_DEPARTMENT: (
        "every {other} is in your department",
        "every {other} is in their department",
    ),
    r.RULE_REPORTING_LINE: (
        "every {other} is in your reporting line",
        "every {other} is in their reporting line",
    ),
    r.RULE_PAIRED_BEFORE: (
        "every {other} was paired with you before",
        "every {other} was paired with them before",
    ),
    r.RULE_QUESTION: (
        "every {other} answered a must-match question differently from you",
        "every {other} answered a must-match question differently from them",
    ),
    r.RULE_SAME_PERSON: ("no {other} has signed up yet", "no {other} has signed up yet"),
    r.RULE_OTHER: ("every {other} breaks a rule", "every {other} breaks a rule"),
}
_EVERYONE_BREAKS_SENIORITY = {
    True: (
        "no {other} is further along in their career than you",
        "no {other} is further along in their career than them",
    ),
    False: (
        "no {other} is earlier in their career than you",
        "no {other} is earlier in their career than them",
    ),
}
_ROLES = {MENTOR: ("mentor", "mentors"), MENTEE: ("mentee", "mentees"), PEER: ("peer", "peers")}


def _counted_rule(rule: Mapping[str, Any]) -> str:
    name = rule.get("rule")
    if name == r.RULE_SENIORITY:
        one, several = _COUNTED_SENIORITY[bool(rule.get("ahead", True))]
    else:
        one, several = _COUNTED_RULES.get(str(name), _COUNTED_RULES[r.RULE_OTHER])
    return plural(int(rule.get("count", 0)), one, several)


def unmatched_text(reason: Reasonish, viewpoint: str = ORGANIZER) -> str:
    """Why someone waits, in words, from their side or the organizer's; a legacy one as it is."""
    if isinstance(reason, str):
        return reason
    you = is_participant(viewpoint)
    code, p = reason.get("code"), dict(reason)
    other, others = _ROLES.get(str(p.get("other", MENTOR)), _ROLES[MENTOR])
    count = int(p.get("count", 0))
    if code == r.NO_FREE_MENTOR:
        return "no mentor has a free place in this round"
    if code == r.NO_MENTEE_WAITING:
        return "no mentee is waiting for a mentor in this round"
    if code == r.NOBODY_SIGNED_UP:
        return f"no {others} have signed up yet"
    if code == r.NO_ONE_SPEAKS:
        languages = p.get("languages") or []
        if languages:
            return "no {other} speaks {languages}".format(
                other=other, languages=join(languages, "or")
            )
        return (
            "no {other} speaks a language you speak"
            if you
            else "no {other} speaks a language they speak"
        ).format(other=other)
    if code == r.NO_ONE_OFFERS:
        goals = p.get("goals") or []
        if goals:
            return "no {other} offers any of {goals}".format(other=other, goals=join(goals, "or"))
        return ("no {other} offers your goals" if you else "no {other} offers their goals").format(
            other=other
        )
    if code == r.NO_ONE_SEEKS:
        skills = p.get("skills") or []
        if skills:
            return "no {other} seeks any of {skills}".format(other=other, skills=join(skills, "or"))
        return (
            "no {other} seeks what you offer" if you else "no {other} seeks what they offer"
        ).format(other=other)
    if code == r.EVERYONE_TOO_FAR:
        return "every {other} is more than {hours} away in time zone".format(
            other=other, hours=hours(float(p.get("hours", 0)))
        )
    if code == r.NO_ONE_SAME_ANSWER:
        return "no {other} gave the same answer to “{question}”, which must match".format(
            other=other, question=p.get("question", "")
        )
    if code == r.EVERYONE_BREAKS:
        rule = str(p.get("rule"))
        if rule == r.RULE_SENIORITY:
            pair = _EVERYONE_BREAKS_SENIORITY[bool(p.get("ahead", True))]
        else:
            pair = _EVERYONE_BREAKS.get(rule, _EVERYONE_BREAKS[r.RULE_OTHER])
        return (pair[0] if you else pair[1]).format(other=other)
    if code == r.NO_ONE_PASSES:
        return "none of the {total} {others} passes the rules: {rules}".format(
            total=number(int(p.get("total", 0))),
            others=others,
            rules=", ".join(_counted_rule(rule) for rule in p.get("rules", [])),
        )
    if code == r.OTHERS_HAVE_ROOM:
        return plural(
            count,
            "one mentor who passes the rules still has room, but this round keeps only pairs "
            "above the lowest score it could guarantee everyone",
            "{count} mentors who pass the rules still have room, but this round keeps only "
            "pairs above the lowest score it could guarantee everyone",
        )
    if code == r.COMPATIBLE_FULL:
        if p.get("outscored"):
            one = (
                "the only mentor who passes the rules is full: the mentees they took scored "
                "higher with them"
            )
            several = (
                "all {count} mentors who pass the rules are full: the mentees they took scored "
                "higher with them"
            )
        elif you:
            one = (
                "the only mentor who passes the rules is full: matching you would have left "
                "someone else without a match"
            )
            several = (
                "all {count} mentors who pass the rules are full: matching you would have left "
                "someone else without a match"
            )
        else:
            one = (
                "the only mentor who passes the rules is full: matching them would have left "
                "someone else without a match"
            )
            several = (
                "all {count} mentors who pass the rules are full: matching them would have "
                "left someone else without a match"
            )
        return plural(count, one, several)
    if code == r.COMPATIBLE_TAKEN:
        return plural(
            count,
            "the only mentee who passes the rules was matched with a mentor who suits them better",
            "the {count} mentees who pass the rules were matched with mentors who suit them better",
        )
    if code == r.PEERS_TAKEN:
        if p.get("odd"):
            return plural(
                count,
                "the only peer who passes the rules was matched with someone else (an odd "
                "number of people can leave one person out)",
                "all {count} peers who pass the rules were matched with others (an odd number "
                "of people can leave one person out)",
            )
        return plural(
            count,
            "the only peer who passes the rules was matched with someone else",
            "all {count} peers who pass the rules were matched with others",
        )
    if code == r.NO_MATCH_GOOD_ENOUGH:
        if you:
            return plural(
                count,
                "no match is good enough yet: the only {other} who passes the program's rules "
                "would be a weak match for you",
                "no match is good enough yet: the {count} {others} who pass the program's rules "
                "would each be a weak match for you",
                other=other,
                others=others,
            )
        return plural(
            count,
            "no match good enough yet: the only {other} who passes the rules scores below the "
            "program's minimum of {min_score}",
            "no match good enough yet: the {count} {others} who pass the rules each score below "
            "the program's minimum of {min_score}",
            other=other,
            others=others,
            min_score=f"{float(p.get('min_score', 0)):g}",
        )
    return "not matched in this round"


# -- how to widen one's chances --------------------------------------------------------------

_CAPACITY_CODES = frozenset(
    {
        r.NO_FREE_MENTOR,
        r.NO_MENTEE_WAITING,
        r.NOBODY_SIGNED_UP,
        r.OTHERS_HAVE_ROOM,
        r.COMPATIBLE_FULL,
        r.COMPATIBLE_TAKEN,
        r.PEERS_TAKEN,
    }
)
_BROADER = (
    "more weekly times when you are free, more languages you are happy to meet in, and more "
    "goals or skills"
)
_RULE_TIPS = {
    r.RULE_LANGUAGE: "If you are happy to meet in another language, add it to your answers.",
    r.RULE_TIME_ZONE: (
        "Adding more weekly times when you are free makes time in common with people in other "
        "time zones more likely."
    ),
    r.RULE_AVAILABILITY: (
        "Adding more weekly times when you are free gives others time in common with you."
    ),
    r.RULE_SENIORITY: "If your career stage has changed, update it in your answers.",
}


def widen_text(reason: Reasonish, viewpoint: str) -> str:
    """What a waiting person could change in their answers to be matched sooner, or ""."""
    if isinstance(reason, str):
        return ""
    code, p = reason.get("code"), dict(reason)
    rule = str(p.get("rule", ""))
    if code == r.NO_ONE_PASSES and p.get("rules"):
        rule = str(p["rules"][0].get("rule", ""))  # the most binding rule
    mentor = viewpoint == MENTOR
    if code == r.NO_ONE_SPEAKS:
        rule = r.RULE_LANGUAGE
    if code == r.EVERYONE_TOO_FAR:
        rule = r.RULE_TIME_ZONE
    if code in (r.NO_ONE_OFFERS, r.NO_ONE_SEEKS) or rule == r.RULE_SKILLS:
        if mentor or code == r.NO_ONE_SEEKS:
            return "Adding skills you could help with lets more mentees find a match in you."
        return "Adding goals, or choosing broader ones, lets more people help you."
    if code == r.NO_ONE_SAME_ANSWER or rule == r.RULE_QUESTION:
        question = p.get("question")
        if question:
            return f"Check your answer to “{question}”: it must be the same as the other person's."
        return "Check your answers to the questions that must match."
    if rule in _RULE_TIPS:
        return _RULE_TIPS[rule]
    if code == r.NO_MATCH_GOOD_ENOUGH:
        return (
            f"A match suits you better with {_BROADER}: each of these raises how well others fit."
        )
    if code in _CAPACITY_CODES:
        return (
            "This depends on who else signs up more than on your answers, but "
            f"{_BROADER} can still widen your chances."
        )
    return ""  # a rule such as the same department: nothing in the answers to change


# -- what to recruit --------------------------------------------------------------------------


def hint_text(hint: Reasonish) -> str:
    """What to recruit so that fewer wait, for an organizer; a legacy hint as it is."""
    if isinstance(hint, str):
        return hint
    if hint.get("code") != r.RECRUIT_MENTORS:
        return ""
    count = int(hint.get("mentees", 0))
    language, goal = str(hint.get("language") or ""), str(hint.get("goal") or "")
    if language and goal:
        one = (
            "one mentee who speaks {language} and wants {goal} has no mentor: recruit mentors "
            "offering {goal} who speak {language}"
        )
        several = (
            "{count} mentees who speak {language} and want {goal} have no mentor: recruit "
            "mentors offering {goal} who speak {language}"
        )
    elif language:
        one = "one mentee who speaks {language} has no mentor: recruit mentors who speak {language}"
        several = (
            "{count} mentees who speak {language} have no mentor: recruit mentors who speak "
            "{language}"
        )
    elif goal:
        one = "one mentee who wants {goal} has no mentor: recruit mentors offering {goal}"
        several = "{count} mentees who want {goal} have no mentor: recruit mentors offering {goal}"
    else:
        one = "one mentee has no mentor: recruit mentors"
        several = "{count} mentees have no mentor: recruit mentors"
    return plural(count, one, several, language=language, goal=goal)
