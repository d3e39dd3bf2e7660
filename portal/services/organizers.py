"""Who may organize which program: the program's `organizers`, and the site admins for all;
and the language each organizer chose for the console and the emails it sends them."""

from __future__ import annotations

from portal import i18n
from portal.catalog.programs import ProgramCatalog
from portal.domain.addresses import email_key
from portal.domain.clock import Clock, system_clock
from portal.domain.program import Program
from portal.persistence.preferences import PreferenceRepository


class Organizers:
    def __init__(
        self,
        programs: ProgramCatalog,
        admins: tuple[str, ...],
        preferences: PreferenceRepository | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.programs = programs
        self.preferences = preferences or PreferenceRepository()
        self.clock = clock
        # Compared in the form addresses are stored in, whatever case the files use.
        self.admins = frozenset(email_key(address) for address in admins)

    def is_admin(self, email: str) -> bool:
        """Whether the address is a site admin's (PORTAL_ADMINS)."""
        return email_key(email) in self.admins

    def may_organize(self, email: str, program: Program) -> bool:
        """Whether the address may open the program's organizer pages."""
        key = email_key(email)
        return key in self.admins or key in {email_key(o) for o in program.organizers}

    def organizes(self, email: str, slug: str) -> bool:
        """Whether the address may organize the program with this slug (False if none has it)."""
        program = self.programs.get(slug)
        return program is not None and self.may_organize(email, program)

    def programs_of(self, email: str) -> list[Program]:
        """The programs the address may organize, in the catalogue's order (all, for an admin)."""
        return [p for p in self.programs if self.may_organize(email, p)]

    def language_of(self, email: str) -> str:
        """The language the organizer chose (English until they choose one)."""
        preference = self.preferences.of(email)
        # A language the portal no longer offers reads as the default.
        return i18n.checked_language(preference.language if preference else None)

    def chosen_language(self, email: str) -> str | None:
        """The language the organizer chose, if they chose one the portal offers (a page
        otherwise follows the browser, as for anyone)."""
        preference = self.preferences.of(email)
        language = preference.language if preference else None
        return language if i18n.is_offered(language) else None

    def set_language(self, email: str, language: str) -> None:
        """Keep `language` as the organizer's; ValueError if the portal does not offer it."""
        if not i18n.is_offered(language):
            raise ValueError(f"The portal does not speak {language!r}.")
        self.preferences.save(email, language, self.clock())
