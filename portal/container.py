"""The one place services are wired: tables bound, catalogs loaded, repositories handed over.

The web app, the Lambda functions and the `portal` command each ask this module for their
services; nothing else builds a repository or a service for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from portal.catalog.agreements import Agreements
from portal.catalog.pages import PageCatalog
from portal.catalog.programs import ProgramCatalog, StoredInfo, StoredLoader, StoredReader
from portal.catalog.tracks import TrackCatalog
from portal.domain.clock import Clock, shifted_clock, system_clock
from portal.mail.courier import LambdaCourier, LambdaImportFinisher
from portal.mail.senders import FileSender, MemorySender, Sender, SesSender
from portal.persistence import tables
from portal.persistence.audit import AuditTrail
from portal.persistence.checkins import CheckinRepository, GoalRepository
from portal.persistence.erasure import ErasureStore
from portal.persistence.exports import ExportLog
from portal.persistence.figures import FiguresRepository
from portal.persistence.limits import LimitRepository
from portal.persistence.matches import MatchRepository, RoundRepository
from portal.persistence.meetings import MeetingStore
from portal.persistence.outbox import OutboxRepository
from portal.persistence.participants import ParticipantRepository
from portal.persistence.preferences import PreferenceRepository
from portal.persistence.programs import ProgramStore, StoredProgram
from portal.persistence.retention import RetentionStore
from portal.persistence.roster_imports import RosterStore
from portal.persistence.sessions import SessionRepository
from portal.persistence.signups import SignupStore
from portal.persistence.suppressions import SuppressionRepository
from portal.persistence.tokens import TokenRepository
from portal.persistence.usage import METER, UsageStore, count_database_units
from portal.services.audit import AuditLog
from portal.services.checkins import CheckinService
from portal.services.console_figures import ConsoleFigures
from portal.services.console_matches import ConsoleMatches
from portal.services.csv_exports import CsvExports
from portal.services.digests import OrganizerDigests
from portal.services.erasure import ErasureService
from portal.services.export import ExportService
from portal.services.group_reminders import GroupReminders
from portal.services.groups import GroupService
from portal.services.limits import Limits, signup_limits
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
from portal.services.site_publish import SitePublisher
from portal.services.site_republish import SiteRepublisher
from portal.services.summaries import SummaryService
from portal.services.unsubscribe import Unsubscribes
from portal.services.usage import UsageService
from portal.settings import Settings, resolve_secret_key


@dataclass
class Services:
    """Everything a request or a scheduled function needs, built once per process."""

    settings: Settings
    clock: Clock
    pages: PageCatalog
    programs: ProgramCatalog
    agreements: Agreements
    participants: ParticipantRepository
    mail: MailService
    links: MagicLinks
    sessions: Sessions
    signup: SignupService
    signin: SignInService
    organizers: Organizers
    limits: Limits
    rounds: RoundService
    checkins: CheckinService
    participation: ParticipationService
    reminders: ReminderService
    summaries: SummaryService
    tracks: TrackCatalog
    unsubscribes: Unsubscribes
    feedback: SesFeedback
    exports: ExportService
    erasure: ErasureService
    groups: GroupService
    retention: RetentionService
    audit: AuditLog
    console_matches: ConsoleMatches
    usage: UsageService
    csv_exports: CsvExports
    roster: Roster
    figures: ConsoleFigures
    program_admin: ProgramAdmin
    program_changes: ProgramChanges
    roster_imports: RosterImports
    meetings: Meetings
    site: SiteRepublisher


def make_sender(settings: Settings) -> Sender:
    if settings.mail_transport == "ses":
        return SesSender(configuration_set=settings.ses_configuration_set, region=settings.region)
    if settings.mail_transport == "memory":
        return MemorySender()
    return FileSender(settings.mail_dir)


def _own_function(settings: Settings) -> str | None:
    """This function's name when the process is the deployed function (which can invoke
    itself asynchronously); None elsewhere."""
    return settings.function_name if settings.stage == "aws" else None


def make_courier(settings: Settings) -> LambdaCourier | None:
    """On Lambda, email a request queues is sent by another invocation; elsewhere at once."""
    name = _own_function(settings)
    return LambdaCourier(name, settings.region) if name else None


def make_import_finisher(settings: Settings) -> LambdaImportFinisher | None:
    """On Lambda, an applied import's to-dos are done by another invocation; elsewhere at once."""
    name = _own_function(settings)
    return LambdaImportFinisher(name, settings.region) if name else None


def make_publisher(settings: Settings) -> SitePublisher | None:
    """The stage's static site (PORTAL_SITE_BUCKET), or None where the app serves every page."""
    if not settings.site_bucket:
        return None
    return SitePublisher(settings.site_bucket, settings.site_distribution, settings.region)


def _build_site(out: Path, app: Any, paths: list[str]) -> list[Path]:
    """The site builder's pages, imported when a save republishes (not on every cold start)."""
    from portal.services.site import build_site

    return build_site(out, app, paths=paths)


def make_republisher(settings: Settings) -> SiteRepublisher:
    """What republishes a program's public pages after a console save."""
    return SiteRepublisher(make_publisher(settings), _build_site)


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


def _with_info(stored: StoredProgram) -> tuple[dict[str, Any], StoredInfo]:
    """A stored program as the catalogue takes it: its document, and its version's facts."""
    return stored.document, StoredInfo(stored.version, stored.saved_at, stored.saved_by)


def stored_programs(store: ProgramStore) -> StoredLoader:
    """The catalogue's reader of the programs stored from the console."""

    def load() -> list[tuple[dict[str, Any], StoredInfo]]:
        return [_with_info(stored) for stored in store.live()]

    return load


def stored_program(store: ProgramStore) -> StoredReader:
    """The catalogue's reader of one stored program, read consistently."""

    def read(slug: str) -> tuple[dict[str, Any], StoredInfo] | None:
        stored = store.get(slug)
        return None if stored is None else _with_info(stored)

    return read


def read_stored_program(
    settings: Settings, slug: str, version: int | None
) -> tuple[int | None, dict[str, Any] | None]:
    """A stored program's live version and the document of `version` (default: the live one),
    read from the table alone: what `portal program export` needs when the start refuses."""
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
) -> Services:
    """Bind the tables and wire the services for one process.

    `courier` has queued email sent soon by someone else than the request (`portal dev`'s mail
    loop); by default the Lambda courier on AWS, and elsewhere none: the request sends it.
    """
    bind_tables(settings)
    program_store = ProgramStore()
    programs = ProgramCatalog.from_folder(
        settings.content_dir / "programs",
        stored=stored_programs(program_store),
        stored_one=stored_program(program_store),
    )
    tracks = TrackCatalog.from_folder(settings.content_dir / "tracks")
    # Files name tracks that ship with them; a stored program whose track is gone has none.
    tracks.check_programs(programs.files(), settings.content_dir / "programs")
    if clock is system_clock and settings.clock_start is not None:
        clock = shifted_clock(settings.clock_start)
    participants = ParticipantRepository(clock)
    # One meter per process (METER): the web app's services and the functions' share it.
    usage = UsageService(
        METER, UsageStore(), participants, programs, clock, settings.function_memory_mb
    )

    def organizers_of(slug: str) -> tuple[str, ...]:
        program = programs.get(slug)
        return tuple(program.organizers) if program else ()

    settings = resolve_secret_key(settings)
    suppressions = SuppressionRepository()
    outbox = OutboxRepository()
    unsubscribes = Unsubscribes(settings.secret_key, settings.base_url, suppressions, clock)
    organizers = Organizers(programs, settings.admins, PreferenceRepository(), clock)
    mail = MailService(
        outbox,
        sender or make_sender(settings),
        settings.mail_sender,
        clock,
        organizers_of,
        suppressions=suppressions,
        unsubscribe_url=unsubscribes.url,
        courier=courier or make_courier(settings),
        console_url=f"{settings.base_url}/organize/",
        on_sent=usage.email_sent,
        organizer_language=organizers.language_of,
    )
    links = MagicLinks(
        TokenRepository(), clock, timedelta(hours=settings.token_ttl_hours), settings.base_url
    )
    digests = OrganizerDigests(mail=mail, links=links)
    matches = MatchRepository()
    rounds = RoundRepository()
    checkin_repository = CheckinRepository()
    goals = GoalRepository()
    participation = ParticipationService(
        participants=participants,
        matches=matches,
        links=links,
        clock=clock,
        base_url=settings.base_url,
        mail=mail,
        programs=programs,
    )
    checkins = CheckinService(
        participation=participation,
        matches=matches,
        checkins=checkin_repository,
        goals=goals,
        links=links,
        clock=clock,
        base_url=settings.base_url,
    )
    groups = GroupService(
        participants=participants, matches=matches, checkins=checkin_repository, clock=clock
    )
    per_source, per_recipient = signup_limits(
        settings.signups_per_source, settings.signups_per_address
    )
    limits = Limits(LimitRepository(), clock, settings.secret_key, per_source, per_recipient)
    erasure = ErasureService(store=ErasureStore(), participation=participation)
    signin = SignInService(participants, programs, organizers, links, mail, limits, clock)
    audit = AuditLog(AuditTrail(), clock, participants, matches)
    program_admin = ProgramAdmin(programs, program_store, organizers, audit, clock)
    meetings = Meetings(
        programs=programs,
        participants=participants,
        matches=matches,
        store=MeetingStore(),
        mail=mail,
        clock=clock,
        base_url=settings.base_url,
        checkin_url=checkins.checkin_url,
    )
    return Services(
        settings=settings,
        clock=clock,
        pages=PageCatalog.from_folder(settings.content_dir / "pages"),
        programs=programs,
        agreements=Agreements(settings.content_dir / "agreements"),
        participants=participants,
        mail=mail,
        links=links,
        sessions=Sessions(SessionRepository(), clock),
        signup=SignupService(
            participants, SignupStore(), links, mail, clock, settings.base_url, limits
        ),
        signin=signin,
        organizers=organizers,
        limits=limits,
        rounds=RoundService(
            programs=programs,
            participants=participants,
            matches=matches,
            rounds=rounds,
            mail=mail,
            clock=clock,
            base_url=settings.base_url,
            content_dir=settings.content_dir,
            links=links,
        ),
        checkins=checkins,
        participation=participation,
        reminders=ReminderService(
            programs=programs,
            tracks=tracks,
            participants=participants,
            matches=matches,
            checkins=checkin_repository,
            links=checkins,
            mail=mail,
            digests=digests,
            groups=GroupReminders(groups=groups, links=links, mail=mail),
            meetings=meetings,
        ),
        summaries=SummaryService(
            programs=programs,
            participants=participants,
            matches=matches,
            checkins=checkin_repository,
            mail=mail,
            digests=digests,
            base_url=settings.base_url,
        ),
        tracks=tracks,
        unsubscribes=unsubscribes,
        feedback=SesFeedback(suppressions, clock),
        exports=ExportService(
            participants=participants,
            matches=matches,
            checkins=checkin_repository,
            goals=goals,
            outbox=outbox,
            suppressions=suppressions,
            log=ExportLog(),
            programs=programs,
            clock=clock,
        ),
        erasure=erasure,
        groups=groups,
        retention=RetentionService(
            programs=programs,
            participants=participants,
            matches=matches,
            store=RetentionStore(),
            erasure=erasure,
        ),
        console_matches=ConsoleMatches(
            participants=participants,
            matches=matches,
            rounds=rounds,
            checkins=checkin_repository,
            clock=clock,
        ),
        usage=usage,
        audit=audit,
        roster=Roster(
            participants=participants,
            matches=matches,
            checkins=checkin_repository,
            suppressions=suppressions,
            participation=participation,
            signin=signin,
            audit=audit,
            clock=clock,
            organizers=organizers,
        ),
        csv_exports=CsvExports(
            participants=participants,
            matches=matches,
            rounds=rounds,
            checkins=checkin_repository,
            audit=audit,
            clock=clock,
        ),
        figures=ConsoleFigures(
            programs=programs,
            participants=participants,
            matches=matches,
            checkins=checkin_repository,
            goals=goals,
            store=FiguresRepository(),
            clock=clock,
        ),
        program_admin=program_admin,
        program_changes=ProgramChanges(participants, matches, clock),
        roster_imports=RosterImports(
            store=RosterStore(),
            programs=programs.get,
            participants=participants,
            participation=participation,
            mail=mail,
            audit=audit,
            clock=clock,
            secret_key=settings.secret_key,
            base_url=settings.base_url,
            finisher=make_import_finisher(settings),
        ),
        meetings=meetings,
        site=make_republisher(settings),
    )
