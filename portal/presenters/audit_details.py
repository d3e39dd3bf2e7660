"""The audit log's details in the reader's words.

The console records its own details in English, counts only (the log outlives erasure, so
no names): "3 pairs introduced, 1 refused". They are stored as written and said here in the
reader's language when the log is shown; an organizer's own words (a reason they gave) and
any detail not listed are shown as they were written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from portal.i18n import gettext, ngettext

Say = Callable[[re.Match[str]], str]


def _count(found: re.Match[str], name: str) -> int:
    return int(found.group(name))


# The roster import's reasons for pausing someone (portal.domain.roster_plan).
_ROSTER_REASONS: dict[str, Callable[[], str]] = {
    "not in this roster": lambda: gettext("not in this roster"),
    "marked inactive": lambda: gettext("marked inactive"),
}


def _ended(count: int) -> str:
    return ngettext("%(num)s active match ended", "%(num)s active matches ended", count)


def _roster_pause(found: re.Match[str]) -> str:
    reason = _ROSTER_REASONS[found.group("reason")]()
    if found.group("ended") is None:
        return gettext("by the roster import: %(reason)s", reason=reason)
    return gettext(
        "by the roster import: %(reason)s; %(ended)s",
        reason=reason,
        ended=_ended(_count(found, "ended")),
    )


# The parts of a roster import's counts (portal.domain.roster_plan.RosterPlan.counts).
_IMPORT_PARTS: tuple[tuple[re.Pattern[str], Say], ...] = tuple(
    (re.compile(pattern), say)
    for pattern, say in (
        (
            r"(?P<n>\d+) new \(invited\)",
            lambda f: ngettext("%(num)s new (invited)", "%(num)s new (invited)", int(f["n"])),
        ),
        (
            r"(?P<n>\d+) already signed up",
            lambda f: ngettext(
                "%(num)s already signed up", "%(num)s already signed up", int(f["n"])
            ),
        ),
        (
            r"(?P<n>\d+) changed",
            lambda f: ngettext("%(num)s changed", "%(num)s changed", int(f["n"])),
        ),
        (
            r"(?P<n>\d+) gone \(paused\)",
            lambda f: ngettext("%(num)s gone (paused)", "%(num)s gone (paused)", int(f["n"])),
        ),
        (
            r"(?P<n>\d+) gone \((?P<paused>\d+) paused\)",
            lambda f: ngettext(
                "%(num)s gone (%(paused)s paused)",
                "%(num)s gone (%(paused)s paused)",
                int(f["n"]),
                paused=f["paused"],
            ),
        ),
        (
            r"(?P<n>\d+) unchanged",
            lambda f: ngettext("%(num)s unchanged", "%(num)s unchanged", int(f["n"])),
        ),
        (
            r"(?P<n>\d+) marked inactive \(not invited\)",
            lambda f: ngettext(
                "%(num)s marked inactive (not invited)",
                "%(num)s marked inactive (not invited)",
                int(f["n"]),
            ),
        ),
    )
)


def _import_counts(detail: str) -> str | None:
    """A roster import's counts, part by part; None if a part is not one of its own."""
    said = []
    for part in detail.split(", "):
        for pattern, say in _IMPORT_PARTS:
            found = pattern.fullmatch(part)
            if found:
                said.append(say(found))
                break
        else:
            return None
    return ", ".join(said)


# Each detail the console writes (portal/web/organize/*, portal/services/*), and its words.
# Patterns, compiled when first used (re caches them): not at import, which every cold
# start pays.
_DETAILS: tuple[tuple[str, Say], ...] = (
    (
        r"(?P<pairs>\d+) pairs introduced, (?P<refused>\d+) refused",
        lambda f: gettext(
            "%(pairs)s pairs introduced, %(refused)s refused",
            pairs=f["pairs"],
            refused=f["refused"],
        ),
    ),
    (r"moved to another mentor", lambda f: gettext("moved to another mentor")),
    (r"taken out of the round", lambda f: gettext("taken out of the round")),
    (
        r"(?P<pairs>\d+) pairs, (?P<unmatched>\d+) unmatched",
        lambda f: gettext(
            "%(pairs)s pairs, %(unmatched)s unmatched",
            pairs=f["pairs"],
            unmatched=f["unmatched"],
        ),
    ),
    (
        r"(?P<suggestions>\d+) suggestions to (?P<mentees>\d+) mentees, "
        r"(?P<unmatched>\d+) unmatched",
        lambda f: gettext(
            "%(suggestions)s suggestions to %(mentees)s mentees, %(unmatched)s unmatched",
            suggestions=f["suggestions"],
            mentees=f["mentees"],
            unmatched=f["unmatched"],
        ),
    ),
    (
        r"(?P<made>\d+) made, (?P<failed>\d+) could not be made",
        lambda f: gettext(
            "%(made)s made, %(failed)s could not be made", made=f["made"], failed=f["failed"]
        ),
    ),
    (
        r"(?P<n>\d+) drafts deleted",
        lambda f: gettext("%(num)s drafts deleted", num=f["n"]),
    ),
    (
        r"(?P<file>[a-z_-]+\.csv), all columns",
        lambda f: gettext("%(file)s, all columns", file=f["file"]),
    ),
    (
        r"(?P<file>[a-z_-]+\.csv), default columns",
        lambda f: gettext("%(file)s, default columns", file=f["file"]),
    ),
    (r"as (?P<slug>[a-z0-9-]+)", lambda f: gettext("as %(slug)s", slug=f["slug"])),
    (r"(?P<n>\d+) active match(es)? ended", lambda f: _ended(_count(f, "n"))),
    (
        r"by the roster import: (?P<reason>not in this roster|marked inactive)"
        r"(; (?P<ended>\d+) active match(es)? ended)?",
        _roster_pause,
    ),
)


def detail_words(detail: str) -> str:
    """An audit entry's detail in the reader's words, if the console wrote it; else as is."""
    for pattern, say in _DETAILS:
        found = re.fullmatch(pattern, detail)
        if found:
            return say(found)
    if re.fullmatch(r"\d+ new \(invited\)(, .+)?", detail):
        return _import_counts(detail) or detail
    return detail
