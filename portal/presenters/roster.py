"""A roster import's figures, reasons and notes in the reader's words.

The domain (portal.domain.roster_plan) and the stored import keep numbers and English source
words marked for the catalogue; this module says them in the reader's language where shown.
An import stored before its figures were kept as numbers has its English words kept: they are
shown as they are.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from portal.domain.audit import AuditEntry
from portal.domain.roster_plan import Note
from portal.i18n import gettext, ngettext
from portal.presenters.audit_details import detail_words

_KEYS = ("new", "known", "changed", "gone", "paused", "unchanged", "inactive")


def counts_words(n: Mapping[str, int]) -> str:
    """The dry run's one-line summary: "12 new (invited), 3 changed, 2 gone (paused), ..."."""
    parts = [ngettext("%(num)s new (invited)", "%(num)s new (invited)", n["new"])]
    if n["known"]:
        parts.append(ngettext("%(num)s already signed up", "%(num)s already signed up", n["known"]))
    parts.append(ngettext("%(num)s changed", "%(num)s changed", n["changed"]))
    if n["paused"] == n["gone"]:
        parts.append(ngettext("%(num)s gone (paused)", "%(num)s gone (paused)", n["gone"]))
    else:
        parts.append(
            ngettext(
                "%(num)s gone (%(paused)s paused)",
                "%(num)s gone (%(paused)s paused)",
                n["gone"],
                paused=n["paused"],
            )
        )
    parts.append(ngettext("%(num)s unchanged", "%(num)s unchanged", n["unchanged"]))
    if n["inactive"]:
        parts.append(
            ngettext(
                "%(num)s marked inactive (not invited)",
                "%(num)s marked inactive (not invited)",
                n["inactive"],
            )
        )
    return ", ".join(parts)


def stored_numbers(numbers: Mapping[str, int]) -> str:
    """An import's figures as stored (its summary, its audit entry's detail): numbers."""
    return json.dumps(dict(numbers), sort_keys=True)


def summary_words(stored: str) -> str:
    """A stored import summary in words: its numbers said, or old English words in the
    reader's words where they are the console's own (as they are otherwise)."""
    try:
        numbers = json.loads(stored)
    except ValueError:
        return detail_words(stored)
    if not isinstance(numbers, dict):
        return detail_words(stored)
    return counts_words({key: int(numbers.get(key, 0)) for key in _KEYS})


def audit_detail(entry: AuditEntry) -> str:
    """An audit entry's details as the log shows them: an import's figures in words."""
    if entry.action == "import_roster":
        return summary_words(entry.detail)
    return detail_words(entry.detail)


def note_words(note: Note) -> str:
    """A dry run's note (e.g. a manager id the roster does not hold) in the reader's words."""
    return gettext(note.message, **note.params)
