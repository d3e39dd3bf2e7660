"""The one place services are wired: tables bound, catalogs loaded, repositories handed over.

The web app, the Lambda functions and the `portal` command each ask this module for their
services; nothing else builds a repository or a service for them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from portal.adapters import make_courier, make_import_finisher, make_republisher, make_sender
from portal.domain.clock import Clock, shifted_clock, system_clock
from portal.persistence import tables
from portal.persistence.usage import count_database_units
from portal.settings import Settings, resolve_secret_key

# Only the types: each catalog's, repository's and service's module is imported when it is
# first used (below).
if TYPE_CHECKING:
    from portal.catalog.agreements import Agreements
    from portal.catalog.pages import PageCatalog
    from portal.catalog.programs import ProgramCatalog
    from portal.catalog.tracks import TrackCatalog
    from portal.mail.senders import Sender
    from portal.persistence.checkins import CheckinRepository, GoalRepository
    from portal.persistence.matches import MatchRepository, RoundRepository
    from portal.persistence.outbox import OutboxRepository
    from portal.persistence.participants import ParticipantRepository
    from portal.persistence.programs import ProgramStore
    from portal.persistence.suppressions import SuppressionRepository
    from portal.services.audit import AuditLog
    from portal.services.checkins import CheckinService
    from portal.services.console_figures import ConsoleFigures
    from portal.services.console_matches import ConsoleMatches
    from portal.services.csv_exports import CsvExports
    from portal.services.digests import OrganizerDigests
    from portal.services.erasure import ErasureService
    from portal.services.export import ExportService
    from portal.services.groups import GroupService
    from portal.services.limits import Limits
    from portal.services.magic_links import MagicLinks
    from portal.services.mail import MailService
    from portal.services.meetings import Meetings
    from portal.services.organizers import Organizers
    from portal.services.participation import ParticipationService
    from portal.services.program_changes import ProgramChanges
    from portal.services.programs import ProgramAdmin
    from portal.services.reminders import ReminderService
    from portal.services.retention import RetentionService
    from portal.services.roster import Roster
    from portal.services.roster_import import RosterImports
    from portal.services.rounds import RoundService
    from portal.services.ses_feedback import SesFeedback
    from portal.services.sessions import Sessions
    from portal.services.signin import SignInService
    from portal.services.signup import SignupService
    from portal.services.site_republish import SiteRepublisher
    from portal.services.summaries import SummaryService
    from portal.services.unsubscribe import Unsubscribes
    from portal.services.usage import UsageService


class Services:
    """Everything a request or a scheduled function needs, built once per process.

    Each catalog, repository and service is built, and its module imported, when it is first
    used: a Lambda's cold start then imports and builds only what its first request needs
    (bench/coldstart.py). build_services reads the catalogs at once unless told not to, so
    that a bad content file stops the start; the packaged Lambda's were checked when its zip
    was made. Each is built once and shared; a test may still replace one by assigning it.
    """

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        sender: Sender | None = None,
        courier: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self._sender = sender
        self._courier = courier

    @cached_property
    def pages(self) -> PageCatalog:
        from portal.catalog.pages import PageCatalog

        return PageCatalog.from_folder(self.settings.content_dir / "pages")

    @cached_property
    def tracks(self) -> TrackCatalog:
        from portal.catalog.tracks import TrackCatalog

        return TrackCatalog.from_folder(self.settings.content_dir / "tracks")

    @cached_property
    def programs(self) -> ProgramCatalog:
        from portal.catalogs import read_programs

        folder = self.settings.content_dir / "programs"
        return read_programs(folder, self.tracks, self._program_store)

    @cached_property
    def _program_store(self) -> ProgramStore:
        from portal.persistence.programs import ProgramStore

        return ProgramStore()

    @cached_property
    def _suppressions(self) -> SuppressionRepository:
        from portal.persistence.suppressions import SuppressionRepository

        return SuppressionRepository()

    @cached_property
    def _outbox(self) -> OutboxRepository:
        from portal.persistence.outbox import OutboxRepository

        return OutboxRepository()

    @cached_property
    def _matches(self) -> MatchRepository:
        from portal.persistence.matches import MatchRepository

        return MatchRepository()

    @cached_property
    def _rounds(self) -> RoundRepository:
        from portal.persistence.matches import RoundRepository

        return RoundRepository()

    @cached_property
    def _checkins(self) -> CheckinRepository:
        from portal.persistence.checkins import CheckinRepository

        return CheckinRepository()

    @cached_property
    def _goals(self) -> GoalRepository:
        from portal.persistence.checkins import GoalRepository

        return GoalRepository()

    @cached_property
    def agreements(self) -> Agreements:
        from portal.catalog.agreements import Agreements

        return Agreements(self.settings.content_dir / "agreements")

    @cached_property
    def participants(self) -> ParticipantRepository:
        from portal.persistence.participants import ParticipantRepository

        return ParticipantRepository(self.clock)

    @cached_property
    def usage(self) -> UsageService:
        from portal.persistence.usage import METER, UsageStore
        from portal.services.usage import UsageService

        # One meter per process (METER): the web app's services and the functions' share it.
        return UsageService(
            METER,
            UsageStore(),
            self.participants,
            lambda: self.programs,
            self.clock,
            self.settings.function_memory_mb,
        )

    @cached_property
    def unsubscribes(self) -> Unsubscribes:
        from portal.services.unsubscribe import Unsubscribes

        settings = self.settings
        return Unsubscribes(settings.secret_key, settings.base_url, self._suppressions, self.clock)

    @cached_property
    def organizers(self) -> Organizers:
        from portal.persistence.preferences import PreferenceRepository
        from portal.services.organizers import Organizers

        return Organizers(self.programs, self.settings.admins, PreferenceRepository(), self.clock)

    @cached_property
    def mail(self) -> MailService:
        from portal.services.mail import MailService

        settings, programs = self.settings, self.programs

        def organizers_of(slug: str) -> tuple[str, ...]:
            program = programs.get(slug)
            return tuple(program.organizers) if program else ()

        return MailService(
            self._outbox,
            self._sender or make_sender(settings),
            settings.mail_sender,
            self.clock,
            organizers_of,
            suppressions=self._suppressions,
            unsubscribe_url=self.unsubscribes.url,
            courier=self._courier or make_courier(settings),
            console_url=f"{settings.base_url}/organize/",
            on_sent=self.usage.email_sent,
            organizer_language=self.organizers.language_of,
        )

    @cached_property
    def links(self) -> MagicLinks:
        from portal.persistence.tokens import TokenRepository
        from portal.services.magic_links import MagicLinks

        settings = self.settings
        return MagicLinks(
            TokenRepository(),
            self.clock,
            timedelta(hours=settings.token_ttl_hours),
            settings.base_url,
        )

    @cached_property
    def _digests(self) -> OrganizerDigests:
        from portal.services.digests import OrganizerDigests

        return OrganizerDigests(mail=self.mail, links=self.links)

    @cached_property
    def participation(self) -> ParticipationService:
        from portal.services.participation import ParticipationService

        return ParticipationService(
            participants=self.participants,
            matches=self._matches,
            links=self.links,
            clock=self.clock,
            base_url=self.settings.base_url,
            mail=self.mail,
            programs=self.programs,
        )

    @cached_property
    def checkins(self) -> CheckinService:
        from portal.services.checkins import CheckinService

        return CheckinService(
            participation=self.participation,
            matches=self._matches,
            checkins=self._checkins,
            goals=self._goals,
            links=self.links,
            clock=self.clock,
            base_url=self.settings.base_url,
        )

    @cached_property
    def groups(self) -> GroupService:
        from portal.services.groups import GroupService

        return GroupService(
            participants=self.participants,
            matches=self._matches,
            checkins=self._checkins,
            clock=self.clock,
        )

    @cached_property
    def limits(self) -> Limits:
        from portal.persistence.limits import LimitRepository
        from portal.services.limits import Limits, signup_limits

        settings = self.settings
        per_source, per_recipient = signup_limits(
            settings.signups_per_source, settings.signups_per_address
        )
        return Limits(LimitRepository(), self.clock, settings.secret_key, per_source, per_recipient)

    @cached_property
    def erasure(self) -> ErasureService:
        from portal.persistence.erasure import ErasureStore
        from portal.services.erasure import ErasureService

        return ErasureService(store=ErasureStore(), participation=self.participation)

    @cached_property
    def signin(self) -> SignInService:
        from portal.services.signin import SignInService

        return SignInService(
            self.participants,
            self.programs,
            self.organizers,
            self.links,
            self.mail,
            self.limits,
            self.clock,
        )

    @cached_property
    def audit(self) -> AuditLog:
        from portal.persistence.audit import AuditTrail
        from portal.services.audit import AuditLog

        return AuditLog(AuditTrail(), self.clock, self.participants, self._matches)

    @cached_property
    def program_admin(self) -> ProgramAdmin:
        from portal.services.programs import ProgramAdmin

        return ProgramAdmin(
            self.programs, self._program_store, self.organizers, self.audit, self.clock
        )

    @cached_property
    def meetings(self) -> Meetings:
        from portal.persistence.meetings import MeetingStore
        from portal.services.meetings import Meetings

        return Meetings(
            programs=self.programs,
            participants=self.participants,
            matches=self._matches,
            store=MeetingStore(),
            mail=self.mail,
            clock=self.clock,
            base_url=self.settings.base_url,
            checkin_url=self.checkins.checkin_url,
        )

    @cached_property
    def sessions(self) -> Sessions:
        from portal.persistence.sessions import SessionRepository
        from portal.services.sessions import Sessions

        return Sessions(SessionRepository(), self.clock)

    @cached_property
    def signup(self) -> SignupService:
        from portal.persistence.signups import SignupStore
        from portal.services.signup import SignupService

        return SignupService(
            self.participants,
            SignupStore(),
            self.links,
            self.mail,
            self.clock,
            self.settings.base_url,
            self.limits,
        )

    @cached_property
    def rounds(self) -> RoundService:
        from portal.services.rounds import RoundService

        return RoundService(
            programs=self.programs,
            participants=self.participants,
            matches=self._matches,
            rounds=self._rounds,
            mail=self.mail,
            clock=self.clock,
            base_url=self.settings.base_url,
            content_dir=self.settings.content_dir,
            links=self.links,
        )

    @cached_property
    def reminders(self) -> ReminderService:
        from portal.services.group_reminders import GroupReminders
        from portal.services.reminders import ReminderService

        return ReminderService(
            programs=self.programs,
            tracks=self.tracks,
            participants=self.participants,
            matches=self._matches,
            checkins=self._checkins,
            links=self.checkins,
            mail=self.mail,
            digests=self._digests,
            groups=GroupReminders(groups=self.groups, links=self.links, mail=self.mail),
            meetings=self.meetings,
        )

    @cached_property
    def summaries(self) -> SummaryService:
        from portal.services.summaries import SummaryService

        return SummaryService(
            programs=self.programs,
            participants=self.participants,
            matches=self._matches,
            checkins=self._checkins,
            mail=self.mail,
            digests=self._digests,
            base_url=self.settings.base_url,
        )

    @cached_property
    def feedback(self) -> SesFeedback:
        from portal.services.ses_feedback import SesFeedback

        return SesFeedback(self._suppressions, self.clock)

    @cached_property
    def exports(self) -> ExportService:
        from portal.persistence.exports import ExportLog
        from portal.services.export import ExportService

        return ExportService(
            participants=self.participants,
            matches=self._matches,
            checkins=self._checkins,
            goals=self._goals,
            outbox=self._outbox,
            suppressions=self._suppressions,
            log=ExportLog(),
            programs=self.programs,
            clock=self.clock,
        )

    @cached_property
    def retention(self) -> RetentionService:
        from portal.persistence.retention import RetentionStore
        from portal.services.retention import RetentionService

        return RetentionService(
            programs=self.programs,
            participants=self.participants,
            matches=self._matches,
            store=RetentionStore(),
            erasure=self.erasure,
        )

    @cached_property
    def console_matches(self) -> ConsoleMatches:
        from portal.services.console_matches import ConsoleMatches

        return ConsoleMatches(
            participants=self.participants,
            matches=self._matches,
            rounds=self._rounds,
            checkins=self._checkins,
            clock=self.clock,
        )

    @cached_property
    def roster(self) -> Roster:
        from portal.services.roster import Roster

        return Roster(
            participants=self.participants,
            matches=self._matches,
            checkins=self._checkins,
            suppressions=self._suppressions,
            participation=self.participation,
            signin=self.signin,
            audit=self.audit,
            clock=self.clock,
            organizers=self.organizers,
        )

    @cached_property
    def csv_exports(self) -> CsvExports:
        from portal.services.csv_exports import CsvExports

        return CsvExports(
            participants=self.participants,
            matches=self._matches,
            rounds=self._rounds,
            checkins=self._checkins,
            audit=self.audit,
            clock=self.clock,
        )

    @cached_property
    def figures(self) -> ConsoleFigures:
        from portal.persistence.figures import FiguresRepository
        from portal.services.console_figures import ConsoleFigures

        return ConsoleFigures(
            programs=self.programs,
            participants=self.participants,
            matches=self._matches,
            checkins=self._checkins,
            goals=self._goals,
            store=FiguresRepository(),
            clock=self.clock,
        )

    @cached_property
    def program_changes(self) -> ProgramChanges:
        from portal.services.program_changes import ProgramChanges

        return ProgramChanges(self.participants, self._matches, self.clock)

    @cached_property
    def roster_imports(self) -> RosterImports:
        from portal.persistence.roster_imports import RosterStore
        from portal.services.roster_import import RosterImports

        settings = self.settings
        return RosterImports(
            store=RosterStore(),
            programs=self.programs.get,
            participants=self.participants,
            participation=self.participation,
            mail=self.mail,
            audit=self.audit,
            clock=self.clock,
            secret_key=settings.secret_key,
            base_url=settings.base_url,
            finisher=make_import_finisher(settings),
        )

    @cached_property
    def site(self) -> SiteRepublisher:
        # The catalog is read when a republish needs it, not to ask whether one would run.
        return make_republisher(self.settings, lambda: self.programs.refresh(force=True))


def bind_tables(settings: Settings) -> None:
    """Point the tables at the settings' prefix, region and endpoint; count their units."""
    tables.bind(settings.table_prefix, settings.region, settings.dynamodb_endpoint)
    count_database_units()


def reconnect_tables() -> None:
    """Give this process database clients of its own (a forked worker must not share sockets)."""
    tables.reconnect()


def table_names() -> list[str]:
    """The names of every table, as bound."""
    return [model.Meta.table_name for model in tables.ALL_MODELS]


def create_tables() -> list[str]:
    """Create the bound tables that do not exist yet; the names of those created."""
    return tables.create_tables()


def read_stored_program(
    settings: Settings, slug: str, version: int | None
) -> tuple[int | None, dict[str, Any] | None]:
    """A stored program's live version and the document of `version` (default: the live one),
    read from the table alone: what `portal program export` needs when the start refuses."""
    from portal.persistence.programs import ProgramStore

    bind_tables(settings)
    store = ProgramStore()
    live = store.get(slug)
    if live is None:
        return None, None
    wanted = live if version is None else store.version(slug, version)
    return live.version, wanted.document if wanted else None


def build_services(
    settings: Settings,
    clock: Clock = system_clock,
    sender: Sender | None = None,
    courier: Callable[[str], None] | None = None,
    *,
    read_content: bool = True,
) -> Services:
    """Bind the tables and wire the services for one process (each built when first used:
    see Services); with `read_content`, read the catalogs now, so that a bad file stops here.

    `courier` has queued email sent soon by someone else than the request (`portal dev`'s mail
    loop); by default the Lambda courier on AWS, and elsewhere none: the request sends it.
    """
    bind_tables(settings)
    if clock is system_clock and settings.clock_start is not None:
        clock = shifted_clock(settings.clock_start)
    services = Services(
        settings=resolve_secret_key(settings), clock=clock, sender=sender, courier=courier
    )
    if read_content:
        from portal.catalogs import check_content

        check_content(services)
    return services
