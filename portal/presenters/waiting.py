"""Why someone waits, and whom to recruit, in words: the organizer's and the person's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.domain import reasons as r
from portal.i18n import N_, gettext, ngettext
from portal.presenters.words import (
    MENTEE,
    MENTOR,
    ORGANIZER,
    PEER,
    career_levels,
    figures,
    hours,
    is_participant,
    join,
    number,
)

Reasonish = Mapping[str, Any] | str

# -- why someone waits ------------------------------------------------------------------------

# The role someone would be matched with, one and several, translated where it is said.
# Translators: these fill "no %(other)s ..." / "every %(other)s ..." sentences.
_ROLES = {
    MENTOR: (N_("mentor"), N_("mentors")),
    MENTEE: (N_("mentee"), N_("mentees")),
    PEER: (N_("peer"), N_("peers")),
}


def _counted_rule(rule: Mapping[str, Any]) -> str:
    """How many candidates one rule kept out: "two share no language"."""
    name, count = rule.get("rule"), int(rule.get("count", 0))
    n = number(count)
    if name == r.RULE_SENIORITY:
        if bool(rule.get("ahead", True)):
            return ngettext(
                "%(num)s is not further along in their career",
                "%(num)s are not further along in their career",
                count,
                num=n,
            )
        return ngettext(
            "%(num)s is not earlier in their career",
            "%(num)s are not earlier in their career",
            count,
            num=n,
        )
    if name == r.RULE_SENIORITY_GAP:
        return ngettext(
            "%(num)s is not the number of career levels apart the program requires",
            "%(num)s are not the number of career levels apart the program requires",
            count,
            num=n,
        )
    if name == r.RULE_LANGUAGE:
        return ngettext("%(num)s shares no language", "%(num)s share no language", count, num=n)
    if name == r.RULE_SKILLS:
        return ngettext(
            "%(num)s offers none of the goals sought",
            "%(num)s offer none of the goals sought",
            count,
            num=n,
        )
    if name == r.RULE_TIME_ZONE:
        return ngettext(
            "%(num)s is too many time zones away",
            "%(num)s are too many time zones away",
            count,
            num=n,
        )
    if name == r.RULE_AVAILABILITY:
        return ngettext(
            "%(num)s shares no weekly time", "%(num)s share no weekly time", count, num=n
        )
    if name == r.RULE_DEPARTMENT:
        return ngettext(
            "%(num)s is in the same department",
            "%(num)s are in the same department",
            count,
            num=n,
        )
    if name == r.RULE_REPORTING_LINE:
        return ngettext(
            "%(num)s is in the same reporting line",
            "%(num)s are in the same reporting line",
            count,
            num=n,
        )
    if name == r.RULE_PAIRED_BEFORE:
        return ngettext(
            "%(num)s was paired with them before",
            "%(num)s were paired with them before",
            count,
            num=n,
        )
    if name == r.RULE_SAME_PERSON:
        return ngettext("%(num)s is the same person", "%(num)s are the same person", count, num=n)
    if name == r.RULE_QUESTION:
        return ngettext(
            "%(num)s answered a must-match question differently",
            "%(num)s answered a must-match question differently",
            count,
            num=n,
        )
    return ngettext("%(num)s breaks a rule", "%(num)s break a rule", count, num=n)


def _everyone_breaks(rule: str, ahead: bool, you: bool, other: str) -> str:
    """The one rule that kept every candidate out, to the person or to the organizer."""
    if rule == r.RULE_SENIORITY and ahead:
        if you:
            return gettext("no %(other)s is further along in their career than you", other=other)
        return gettext("no %(other)s is further along in their career than them", other=other)
    if rule == r.RULE_SENIORITY:
        if you:
            return gettext("no %(other)s is earlier in their career than you", other=other)
        return gettext("no %(other)s is earlier in their career than them", other=other)
    if rule == r.RULE_LANGUAGE:
        if you:
            return gettext("no %(other)s shares a language with you", other=other)
        return gettext("no %(other)s shares a language with them", other=other)
    if rule == r.RULE_SKILLS:
        if you:
            return gettext("no %(other)s offers what you are looking for", other=other)
        return gettext("no %(other)s offers what they are looking for", other=other)
    if rule == r.RULE_TIME_ZONE:
        if you:
            return gettext("every %(other)s is too many time zones away from you", other=other)
        return gettext("every %(other)s is too many time zones away from them", other=other)
    if rule == r.RULE_AVAILABILITY:
        if you:
            return gettext("no %(other)s has weekly time in common with you", other=other)
        return gettext("no %(other)s has weekly time in common with them", other=other)
    if rule == r.RULE_DEPARTMENT:
        if you:
            return gettext("every %(other)s is in your department", other=other)
        return gettext("every %(other)s is in their department", other=other)
    if rule == r.RULE_REPORTING_LINE:
        if you:
            return gettext("every %(other)s is in your reporting line", other=other)
        return gettext("every %(other)s is in their reporting line", other=other)
    if rule == r.RULE_PAIRED_BEFORE:
        if you:
            return gettext("every %(other)s was paired with you before", other=other)
        return gettext("every %(other)s was paired with them before", other=other)
    if rule == r.RULE_QUESTION:
        if you:
            return gettext(
                "every %(other)s answered a must-match question differently from you",
                other=other,
            )
        return gettext(
            "every %(other)s answered a must-match question differently from them", other=other
        )
    if rule == r.RULE_SAME_PERSON:
        return gettext("no %(other)s has signed up yet", other=other)
    return gettext("every %(other)s breaks a rule", other=other)


def _outside_band(p: Mapping[str, Any], you: bool, other: str) -> str:
    """No one is in the program's seniority band: to the person or to the organizer."""
    if p.get("missing"):
        if you:
            return gettext(
                "this program pairs people a set number of career levels apart, and you have "
                "not given your career stage"
            )
        return gettext(
            "this program pairs people a set number of career levels apart, and they have "
            "not given their career stage"
        )
    levels = career_levels(int(p.get("min", 0)), int(p.get("max", 0)))
    if bool(p.get("ahead", True)):
        if you:
            return gettext("no %(other)s is %(levels)s above you", other=other, levels=levels)
        return gettext("no %(other)s is %(levels)s above them", other=other, levels=levels)
    if you:
        return gettext("no %(other)s is %(levels)s below you", other=other, levels=levels)
    return gettext("no %(other)s is %(levels)s below them", other=other, levels=levels)


def _band_speaks(p: Mapping[str, Any], you: bool, other: str) -> str:
    """No one in the seniority band speaks the person's languages."""
    words = {
        "other": other,
        "levels": career_levels(int(p.get("min", 0)), int(p.get("max", 0))),
        "languages": join(p.get("languages") or [], "or"),
    }
    if bool(p.get("ahead", True)):
        if you:
            return gettext("no %(other)s %(levels)s above you speaks %(languages)s", **words)
        return gettext("no %(other)s %(levels)s above them speaks %(languages)s", **words)
    if you:
        return gettext("no %(other)s %(levels)s below you speaks %(languages)s", **words)
    return gettext("no %(other)s %(levels)s below them speaks %(languages)s", **words)


def unmatched_text(reason: Reasonish, viewpoint: str = ORGANIZER) -> str:
    """Why someone waits, in words, from their side or the organizer's; a legacy one as it is."""
    if isinstance(reason, str):
        return reason
    you = is_participant(viewpoint)
    code, p = reason.get("code"), dict(reason)
    one_word, several_words = _ROLES.get(str(p.get("other", MENTOR)), _ROLES[MENTOR])
    other, others = gettext(one_word), gettext(several_words)
    count = int(p.get("count", 0))
    n = number(count)
    if code == r.NO_FREE_MENTOR:
        return gettext("no mentor has a free place in this round")
    if code == r.NO_MENTEE_WAITING:
        return gettext("no mentee is waiting for a mentor in this round")
    if code == r.NOBODY_SIGNED_UP:
        return gettext("no %(others)s have signed up yet", others=others)
    if code == r.NO_ONE_SPEAKS:
        languages = p.get("languages") or []
        if languages:
            return gettext(
                "no %(other)s speaks %(languages)s",
                other=other,
                languages=join(languages, "or"),
            )
        if you:
            return gettext("no %(other)s speaks a language you speak", other=other)
        return gettext("no %(other)s speaks a language they speak", other=other)
    if code == r.NO_ONE_OFFERS:
        goals = p.get("goals") or []
        if goals:
            return gettext(
                "no %(other)s offers any of %(goals)s", other=other, goals=join(goals, "or")
            )
        if you:
            return gettext("no %(other)s offers your goals", other=other)
        return gettext("no %(other)s offers their goals", other=other)
    if code == r.NO_ONE_SEEKS:
        skills = p.get("skills") or []
        if skills:
            return gettext(
                "no %(other)s seeks any of %(skills)s", other=other, skills=join(skills, "or")
            )
        if you:
            return gettext("no %(other)s seeks what you offer", other=other)
        return gettext("no %(other)s seeks what they offer", other=other)
    if code == r.EVERYONE_TOO_FAR:
        return gettext(
            "every %(other)s is more than %(hours)s away in time zone",
            other=other,
            hours=hours(float(p.get("hours", 0))),
        )
    if code == r.NO_ONE_SAME_ANSWER:
        return gettext(
            "no %(other)s gave the same answer to “%(question)s”, which must match",
            other=other,
            question=p.get("question", ""),
        )
    if code == r.EVERYONE_BREAKS and p.get("rule") == r.RULE_SENIORITY_GAP:
        return _outside_band(p, you, other)
    if code == r.NO_ONE_IN_BAND_SPEAKS:
        return _band_speaks(p, you, other)
    if code == r.EVERYONE_BREAKS:
        return _everyone_breaks(str(p.get("rule")), bool(p.get("ahead", True)), you, other)
    if code == r.NO_ONE_PASSES:
        return gettext(
            "none of the %(total)s %(others)s passes the rules: %(rules)s",
            total=number(int(p.get("total", 0))),
            others=others,
            rules=", ".join(_counted_rule(rule) for rule in p.get("rules", [])),
        )
    if code == r.OTHERS_HAVE_ROOM:
        return ngettext(
            "one mentor who passes the rules still has room, but this round keeps only pairs "
            "above the lowest score it could guarantee everyone",
            "%(num)s mentors who pass the rules still have room, but this round keeps only "
            "pairs above the lowest score it could guarantee everyone",
            count,
            num=n,
        )
    if code == r.COMPATIBLE_FULL:
        if p.get("outscored"):
            return ngettext(
                "the only mentor who passes the rules is full: the mentees they took scored "
                "higher with them",
                "all %(num)s mentors who pass the rules are full: the mentees they took "
                "scored higher with them",
                count,
                num=n,
            )
        if you:
            return ngettext(
                "the only mentor who passes the rules is full: matching you would have left "
                "someone else without a match",
                "all %(num)s mentors who pass the rules are full: matching you would have "
                "left someone else without a match",
                count,
                num=n,
            )
        return ngettext(
            "the only mentor who passes the rules is full: matching them would have left "
            "someone else without a match",
            "all %(num)s mentors who pass the rules are full: matching them would have "
            "left someone else without a match",
            count,
            num=n,
        )
    if code == r.COMPATIBLE_TAKEN:
        return ngettext(
            "the only mentee who passes the rules was matched with a mentor who suits them better",
            "the %(num)s mentees who pass the rules were matched with mentors who suit them better",
            count,
            num=n,
        )
    if code == r.PEERS_TAKEN:
        if p.get("odd"):
            return ngettext(
                "the only peer who passes the rules was matched with someone else (an odd "
                "number of people can leave one person out)",
                "all %(num)s peers who pass the rules were matched with others (an odd "
                "number of people can leave one person out)",
                count,
                num=n,
            )
        return ngettext(
            "the only peer who passes the rules was matched with someone else",
            "all %(num)s peers who pass the rules were matched with others",
            count,
            num=n,
        )
    if code == r.NO_MATCH_GOOD_ENOUGH:
        # "The only mentor" and "the three mentors" name the role differently (one word, and
        # several): two sentences, since a plural entry's forms share their placeholders.
        minimum = figures(float(p.get("min_score", 0)))
        if you and count == 1:
            return gettext(
                "no match is good enough yet: the only %(other)s who passes the program's rules "
                "would be a weak match for you",
                other=other,
            )
        if you:
            return gettext(
                "no match is good enough yet: the %(num)s %(others)s who pass the program's "
                "rules would each be a weak match for you",
                num=n,
                others=others,
            )
        if count == 1:
            return gettext(
                "no match good enough yet: the only %(other)s who passes the rules scores below "
                "the program's minimum of %(min_score)s",
                other=other,
                min_score=minimum,
            )
        return gettext(
            "no match good enough yet: the %(num)s %(others)s who pass the rules each score "
            "below the program's minimum of %(min_score)s",
            num=n,
            others=others,
            min_score=minimum,
        )
    return gettext("not matched in this round")


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
# A tip for each rule that kept someone out, translated where it is given.
_RULE_TIPS = {
    r.RULE_LANGUAGE: N_("If you are happy to meet in another language, add it to your answers."),
    r.RULE_TIME_ZONE: N_(
        "Adding more weekly times when you are free makes time in common with people in other "
        "time zones more likely."
    ),
    r.RULE_AVAILABILITY: N_(
        "Adding more weekly times when you are free gives others time in common with you."
    ),
    r.RULE_SENIORITY: N_("If your career stage has changed, update it in your answers."),
    r.RULE_SENIORITY_GAP: N_("If your career stage has changed, update it in your answers."),
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
    if rule == r.RULE_SENIORITY_GAP and p.get("missing"):
        return gettext("Adding your career stage to your answers lets the program match you.")
    if code == r.NO_ONE_IN_BAND_SPEAKS:
        rule = r.RULE_LANGUAGE
    if code in (r.NO_ONE_OFFERS, r.NO_ONE_SEEKS) or rule == r.RULE_SKILLS:
        if mentor or code == r.NO_ONE_SEEKS:
            return gettext(
                "Adding skills you could help with lets more mentees find a match in you."
            )
        return gettext("Adding goals, or choosing broader ones, lets more people help you.")
    if code == r.NO_ONE_SAME_ANSWER or rule == r.RULE_QUESTION:
        question = p.get("question")
        if question:
            return gettext(
                "Check your answer to “%(question)s”: it must be the same as the other person's.",
                question=question,
            )
        return gettext("Check your answers to the questions that must match.")
    if rule in _RULE_TIPS:
        return gettext(_RULE_TIPS[rule])
    if code == r.NO_MATCH_GOOD_ENOUGH:
        return gettext(
            "A match suits you better with more weekly times when you are free, more languages "
            "you are happy to meet in, and more goals or skills: each of these raises how well "
            "others fit."
        )
    if code in _CAPACITY_CODES:
        return gettext(
            "This depends on who else signs up more than on your answers, but more weekly times "
            "when you are free, more languages you are happy to meet in, and more goals or "
            "skills can still widen your chances."
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
    words = {"num": number(count), "language": language, "goal": goal}
    if language and goal:
        return ngettext(
            "one mentee who speaks %(language)s and wants %(goal)s has no mentor: recruit "
            "mentors offering %(goal)s who speak %(language)s",
            "%(num)s mentees who speak %(language)s and want %(goal)s have no mentor: "
            "recruit mentors offering %(goal)s who speak %(language)s",
            count,
            **words,
        )
    if language:
        return ngettext(
            "one mentee who speaks %(language)s has no mentor: recruit mentors who speak "
            "%(language)s",
            "%(num)s mentees who speak %(language)s have no mentor: recruit mentors who "
            "speak %(language)s",
            count,
            **words,
        )
    if goal:
        return ngettext(
            "one mentee who wants %(goal)s has no mentor: recruit mentors offering %(goal)s",
            "%(num)s mentees who want %(goal)s have no mentor: recruit mentors offering %(goal)s",
            count,
            **words,
        )
    return ngettext(
        "one mentee has no mentor: recruit mentors",
        "%(num)s mentees have no mentor: recruit mentors",
        count,
        **words,
    )
