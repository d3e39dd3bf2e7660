"""Signing in: a person types their address and is emailed a link to their own pages.

The answer is the same whatever the address (known, unknown, in several programs), and so is
the work, as for sign-ups (portal.services.signup): the same reads at once (the address's
sign-ups, its suppression), an email composed, one transaction that counts the request
against the sign-up limits and stores what there is to store, and the email handed to the
mail service. For an address with no page nothing is stored but the counts, and the email
composed for it is thrown away.

An organizer of a program, or a site admin, gets in the same email a link that signs them in
to the organizers' console (an `organize` link whose program is "*": the console's session
opens every program they may organize). Which programs an address organizes is read from
the program files and the settings, not the tables, so the work stays the same.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from portal.catalog.programs import ProgramCatalog
from portal.domain.addresses import address_digest
from portal.domain.clock import Clock
from portal.domain.participants import Status
from portal.mail.catalog import EMAILS, Recipient
from portal.persistence.conditional import Put
from portal.persistence.outbox import queued_record
from portal.persistence.participants import ParticipantRepository
from portal.persistence.tables import OutboxRecord, TokenRecord
from portal.services.limits import Limits, Refusal
from portal.services.magic_links import MagicLinks, Purpose
from portal.services.mail import MailService
from portal.services.organizers import Organizers
from portal.services.parallel import together

SIGN_IN = EMAILS["sign_in"]
# Who has a page to come back to: everyone whose sign-up was confirmed, also after leaving
# (their page offers their data and its erasure). A pending sign-up has its confirmation.
WITHOUT_PAGE = (Status.PENDING,)
# The program of an organizer sign-in link that opens the console rather than one program.
CONSOLE = "*"  # no program slug has a "*"


@dataclass(frozen=True)
class PageLink:
    """One of the person's pages, as the email lists it."""

    title: str
    url: str


class SignInService:
    def __init__(
        self,
        participants: ParticipantRepository,
        programs: ProgramCatalog,
        organizers: Organizers,
        links: MagicLinks,
        mail: MailService,
        limits: Limits,
        clock: Clock,
    ) -> None:
        self.participants = participants
        self.programs = programs
        self.organizers = organizers
        self.links = links
        self.mail = mail
        self.limits = limits
        self.clock = clock

    def request(self, email: str, mailbox: str, source: str) -> Refusal | None:
        """Email `mailbox` a link to each of its pages, if `email` (the comparison form) has any.

        Counted against the sign-up limits per source and per recipient, in the transaction
        that stores the links and the email: past a limit nothing is stored or counted, and
        the Refusal is returned.
        """
        # The organizer's language is read whatever the address, as the email is composed
        # whatever it is: an organizer's request takes no longer than anyone's.
        people, suppressed, (key, organizer_language) = together(
            lambda: self.participants.everywhere(email, as_if_known=True),
            lambda: self.mail.suppression(mailbox),
            lambda: (
                SIGN_IN.key_for(address=address_digest(email), request=uuid.uuid4().hex),
                self.organizers.chosen_language(email),
            ),
        )
        mine = [
            (program, person)
            for person in people
            if person.status not in WITHOUT_PAGE
            and (program := self.programs.get(person.program)) is not None
        ]
        links = [self.links.prepare(Purpose.ME, program.slug, email) for program, _ in mine]
        organizes = self.organizers.programs_of(email)
        # Made whatever the address, as the email is; stored only for an organizer.
        console_token, console_link = self.links.prepare(Purpose.ORGANIZE, CONSOLE, email)
        # Composed whatever the address, so that an unknown one takes as long; stored and
        # sent only for an address with pages.
        item = self.mail.compose(
            key,
            to=mailbox,
            template=SIGN_IN.template,
            recipient=Recipient.APPLICANT,
            context={
                "name": mine[0][1].name if mine else "",
                "pages": [
                    PageLink(program.title, self.links.page_url_of(token))
                    for (program, _), (token, _) in zip(mine, links, strict=True)
                ],
                "expires_days": self.links.lifetime(Purpose.ME).days,
                "organizes": [program.title for program in organizes],
                "console_link": self.links.organize_url_of(console_token) if organizes else None,
                "console_hours": int(self.links.lifetime(Purpose.ORGANIZE).total_seconds()) // 3600,
            },
            program=mine[0][0].slug if len(mine) == 1 else None,
            suppressed=suppressed,
            # An organizer's sign-in email is in the language they chose for the console, a
            # participant's in the one on their profile (the same on all their sign-ups); an
            # organizer who chose none, in their profile's if they have one (the console
            # follows their browser, which an email cannot).
            language=(organizer_language if organizes else None)
            or (mine[0][1].language if mine else None),
        )
        writes: list[Put] = []
        if item is not None and (mine or organizes):
            new = TokenRecord.token_hash.does_not_exist()
            writes = [Put(link.record(), new) for _, link in links]
            if organizes:
                writes.append(Put(console_link.record(), new))
            queued = queued_record(item, self.clock())
            writes.append(Put(queued, OutboxRecord.key.does_not_exist()))
        refusal = self.limits.admit_signup(source, email, writes)
        if refusal is not None:
            return refusal
        self.mail.dispatch(key)  # for an address with no page, a key with nothing under it
        return None
