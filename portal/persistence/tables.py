"""Every DynamoDB table of the portal, as PynamoDB models.

Table names are `<prefix>-<entity>`; `bind()` sets them from Settings at start-up so
that nothing reads the environment when this module is imported.

No key, of a table or of an index, holds an email address: people are keyed by their
participant id, and an address by its digest (portal.domain.addresses.address_digest).
Tables whose keys changed that way have a new name (`-v2`); `portal migrate` copies the
earlier tables (LEGACY_ENTITIES) into them.
"""

from __future__ import annotations

from collections.abc import Callable

from pynamodb.attributes import (
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.connection import Connection, TableConnection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from portal.persistence.roster_tables import RosterRecord


class UnicodeListAttribute(ListAttribute[str]):
    """A list of strings: `ListAttribute(of=UnicodeAttribute)`, whose values are `str`."""

    def __init__(self, *, default: Callable[[], list[str]] | None = None) -> None:
        # PynamoDB types `of` as the elements' Python type but wants their attribute class,
        # so a typed ListAttribute(of=UnicodeAttribute) would hold UnicodeAttribute objects
        # (PynamoDB issue #1246).
        super().__init__(of=UnicodeAttribute, default=default)  # type: ignore[arg-type]


class ParticipantByIdIndex(GlobalSecondaryIndex["ParticipantRecord"]):
    """From the opaque id carried in links back to the record."""

    class Meta:
        index_name = "by-id"
        projection = KeysOnlyProjection()

    participant_id = UnicodeAttribute(hash_key=True)


class ParticipantRecord(Model):
    """One person in one program; their address is theirs alone in the program (AddressRecord)."""

    class Meta:
        table_name = "participants-v2"
        entity = "participants-v2"

    program = UnicodeAttribute(hash_key=True)
    # Opaque and stable: made at the first sign-up in the program, kept when they sign up again.
    participant_id = UnicodeAttribute(range_key=True)
    email = UnicodeAttribute()  # the comparison form (lower case, ASCII domain)
    address = UnicodeAttribute(null=True)  # as the person typed it: written to and shown
    role = UnicodeAttribute()
    status = UnicodeAttribute()
    name = UnicodeAttribute()
    timezone = UnicodeAttribute()
    languages = UnicodeListAttribute(default=list)
    availability = UnicodeListAttribute(default=list)
    skills = UnicodeListAttribute(default=list)
    goals = UnicodeListAttribute(default=list)
    department = UnicodeAttribute(null=True)
    reports_to = UnicodeAttribute(null=True)
    seniority = UnicodeAttribute(null=True)
    capacity = NumberAttribute(default=1)
    bio = UnicodeAttribute(null=True)
    answers = JSONAttribute(default=dict)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    consented_at = UTCDateTimeAttribute(null=True)
    consent_version = UnicodeAttribute(null=True)  # the privacy notice agreed to
    confirmed_at = UTCDateTimeAttribute(null=True)
    # Matches this person is in now; only ever changed inside the transaction that writes a
    # match, with a condition on its value, so that no one exceeds their capacity.
    active_matches = NumberAttribute(null=True)
    # Set on a pending sign-up only, removed when it is confirmed: DynamoDB deletes an
    # unconfirmed sign-up after this time (reads skip it from then, as TTL deletes late).
    expires_at = TTLAttribute(null=True)
    # A confirmed person a round left without a match: since when, and the fingerprint of the
    # reason they were last told (portal.domain.waiting). Removed when a match is written for
    # them and when their status changes, so that waiting again is news.
    waiting_since = UTCDateTimeAttribute(null=True)
    waiting_told = UnicodeAttribute(null=True)
    # The reason last told, as data (a code with parameters), for the organizers' console.
    waiting_reason = JSONAttribute(null=True)
    # Rounds in a row that left them waiting, and the last one counted (a resumed round
    # does not count twice); removed when a match is written for them (absent: 0).
    rounds_waited = NumberAttribute(null=True)
    waited_round = UnicodeAttribute(null=True)
    # The portal's language for them; absent on sign-ups made before there was a choice
    # (read as English, which is all the portal spoke then).
    language = UnicodeAttribute(null=True)

    by_id = ParticipantByIdIndex()


class AddressRecord(Model):
    """Which participant an address is in a program: the lookup by address, and what keeps
    one address to one person per program (written in the same transaction as a sign-up)."""

    class Meta:
        table_name = "addresses"
        entity = "addresses"

    address_hash = UnicodeAttribute(hash_key=True)  # address_digest(email)
    program = UnicodeAttribute(range_key=True)
    participant_id = UnicodeAttribute()


class MatchByMentorIndex(GlobalSecondaryIndex["MatchRecord"]):
    class Meta:
        index_name = "by-mentor"
        projection = AllProjection()

    mentor_key = UnicodeAttribute(hash_key=True)  # "<program>#<participant id>"
    created_at = UTCDateTimeAttribute(range_key=True)


class MatchByMenteeIndex(GlobalSecondaryIndex["MatchRecord"]):
    class Meta:
        index_name = "by-mentee"
        projection = AllProjection()

    mentee_key = UnicodeAttribute(hash_key=True)  # "<program>#<participant id>"
    created_at = UTCDateTimeAttribute(range_key=True)


class MatchRecord(Model):
    """A mentor and a mentee (or two peers) paired by a round."""

    class Meta:
        table_name = "matches-v2"
        entity = "matches-v2"

    program = UnicodeAttribute(hash_key=True)
    match_id = UnicodeAttribute(range_key=True)  # "<round>#<mentor id>#<mentee id>"
    round_id = UnicodeAttribute()
    mentor_key = UnicodeAttribute()  # for peers: the first peer
    mentee_key = UnicodeAttribute()  # for peers: the second peer
    mentor_email = UnicodeAttribute()  # the comparison forms, so that a read needs no lookup
    mentee_email = UnicodeAttribute()
    status = UnicodeAttribute()  # proposed | active | completed | ended
    score = NumberAttribute(default=0)
    # Each reason a map, its code and parameters ({"code": "shared_language", "languages":
    # [...]}); records written before reasons were data hold English sentences instead.
    reasons: ListAttribute[dict[str, object] | str] = ListAttribute(default=list)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    # Each side accepts the program's agreement on their own page; one attribute each, so
    # that two acceptances at once cannot overwrite each other.
    mentor_agreed_at = UTCDateTimeAttribute(null=True)
    mentee_agreed_at = UTCDateTimeAttribute(null=True)
    ended_at = UTCDateTimeAttribute(null=True)
    end_reason = UnicodeAttribute(null=True)  # left | paused | rematch | closed | completed
    ended_by = UnicodeAttribute(null=True)  # the email of the person who ended it
    # Group programs: the group this match belongs to; its check-ins are keyed by it.
    group_id = UnicodeAttribute(null=True)
    # The pair's first meeting (portal/persistence/meetings.py): its state, a version every
    # change raises (each write is conditional on it), and proposals, time, link, .ics ids.
    meeting_state = UnicodeAttribute(null=True)  # proposed | booked | cancelled
    meeting_version = NumberAttribute(null=True)
    meeting = JSONAttribute(null=True)

    by_mentor = MatchByMentorIndex()
    by_mentee = MatchByMenteeIndex()


class CheckinByProgramIndex(GlobalSecondaryIndex["CheckinRecord"]):
    """A program's check-ins by time, for the weekly summary."""

    class Meta:
        index_name = "by-program"
        projection = AllProjection()

    program = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class CheckinRecord(Model):
    """One person's check-in, quick rating or survey answer for a match."""

    class Meta:
        table_name = "checkins-v2"
        entity = "checkins-v2"

    match_id = UnicodeAttribute(hash_key=True)
    checkin_id = UnicodeAttribute(range_key=True)  # "<time>#<author's participant id>"
    program = UnicodeAttribute()
    author_email = UnicodeAttribute()
    met = UnicodeAttribute()  # yes | no
    details = JSONAttribute(default=dict)  # kind, date, minutes, topics, goals, rating, fit, note
    created_at = UTCDateTimeAttribute()

    by_program = CheckinByProgramIndex()


class GoalByProgramIndex(GlobalSecondaryIndex["GoalRecord"]):
    """A program's goals, for the console's goals progress: one Query, not one per match."""

    class Meta:
        index_name = "by-program"
        projection = AllProjection()

    program = UnicodeAttribute(hash_key=True)
    goal_id = UnicodeAttribute(range_key=True)


class GoalRecord(Model):
    """A goal a pair agreed on; both people add and update them from their own pages."""

    class Meta:
        table_name = "goals-v2"
        entity = "goals-v2"

    match_id = UnicodeAttribute(hash_key=True)
    goal_id = UnicodeAttribute(range_key=True)  # "<time>#<author's participant id>"
    program = UnicodeAttribute()
    text = UnicodeAttribute()
    state = UnicodeAttribute()  # not-started | in-progress | done
    added_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()

    by_program = GoalByProgramIndex()


class RoundRecord(Model):
    """A matching round of a program, and its lock."""

    class Meta:
        table_name = "rounds"
        entity = "rounds"

    program = UnicodeAttribute(hash_key=True)
    round_id = UnicodeAttribute(range_key=True)  # time-ordered
    status = UnicodeAttribute()  # proposed | approved | published | introduced
    trigger = UnicodeAttribute(null=True)  # schedule | cli
    summary = JSONAttribute(default=dict)
    lock_owner = UnicodeAttribute(null=True)  # on the program's lock item only
    lock_expires_at = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class OutboxByStatusIndex(GlobalSecondaryIndex["OutboxRecord"]):
    """What the drainer still has to send, oldest due first."""

    class Meta:
        index_name = "by-status"
        projection = KeysOnlyProjection()

    status = UnicodeAttribute(hash_key=True)
    due_at = NumberAttribute(range_key=True)


class OutboxByRecipientIndex(GlobalSecondaryIndex["OutboxRecord"]):
    """The emails to one address, oldest first: what an export lists without a scan."""

    class Meta:
        index_name = "by-recipient"
        projection = KeysOnlyProjection()

    address_hash = UnicodeAttribute(hash_key=True)  # address_digest(recipient)
    created_at = UTCDateTimeAttribute(range_key=True)


class OutboxRecord(Model):
    """One email, rendered, keyed by what it is about so that it is queued once."""

    class Meta:
        table_name = "outbox-v2"
        entity = "outbox-v2"

    # Its shape is in portal/mail/catalog.py: people by participant id, organizers and
    # addresses by a digest, matches by match_ref.
    key = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute()  # pending | sending | sent | failed
    due_at = NumberAttribute()  # epoch seconds when it may next be tried
    recipient = UnicodeAttribute()
    # address_digest(recipient), for the by-recipient index; items queued before it was
    # written have none and are not in the index (they expire 90 days after sending).
    address_hash = UnicodeAttribute(null=True)
    template = UnicodeAttribute()
    # The message's subject, kept after sending (when `raw` is emptied) for the person's export.
    subject = UnicodeAttribute(null=True)
    program = UnicodeAttribute(null=True)
    raw = UnicodeAttribute()  # the whole RFC 5322 message
    attempts = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True)
    provider_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    sent_at = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute(null=True)

    by_status = OutboxByStatusIndex()
    by_recipient = OutboxByRecipientIndex()


class TokenRecord(Model):
    """A magic link's token, stored only as its hash, single use, expiring."""

    class Meta:
        table_name = "tokens"
        entity = "tokens"

    token_hash = UnicodeAttribute(hash_key=True)
    purpose = UnicodeAttribute()
    program = UnicodeAttribute()
    subject = UnicodeAttribute()  # the email the link was sent to
    scope = UnicodeAttribute(null=True)  # what within the program, e.g. a match id
    # What the link was sent for and confirms when used: a sign-up's answers, exactly as
    # submitted, so that a later submission with the same address cannot change them.
    payload = JSONAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    used_at = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute()


class SuppressionRecord(Model):
    """An address that must not get program email: unsubscribed, bounced or complained."""

    class Meta:
        table_name = "suppressions-v2"
        entity = "suppressions-v2"

    # address_digest of the address: SES reports bounces by address, and organizers are no
    # participants, so a suppression is about an address, never kept as such.
    address_hash = UnicodeAttribute(hash_key=True)
    reason = UnicodeAttribute()  # unsubscribe | bounce | complaint
    created_at = UTCDateTimeAttribute()


class SessionRecord(Model):
    """Who a browser signed in as: the cookie holds only a random id, stored here as its hash."""

    class Meta:
        table_name = "sessions"
        entity = "sessions"

    session_hash = UnicodeAttribute(hash_key=True)
    # kind ("me", "organizer") -> {"program", "email", "until" (epoch seconds)}
    sign_ins = JSONAttribute(default=dict)
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()  # the latest of the sign-ins' ends


class ExportRecord(Model):
    """One export of a person's data: who asked for it, when, and by which route."""

    class Meta:
        table_name = "exports"
        entity = "exports"

    # address_digest of the person's address: an export is of everything held about an
    # address, across programs, and is logged even for a program they have since left.
    address_hash = UnicodeAttribute(hash_key=True)
    exported_at = UTCDateTimeAttribute(range_key=True)
    route = UnicodeAttribute()  # web | cli
    requested_by = UnicodeAttribute()  # "the person" | "organizer via CLI"
    programs = UnicodeListAttribute(default=list)  # the programs whose records it held
    expires_at = TTLAttribute()  # kept a year (portal.persistence.exports.KEEP_EXPORTS_FOR)


class LimitRecord(Model):
    """How many sign-ups one source address or one recipient made in one fixed window.

    The key names the limit, a keyed hash of the address (never the address itself) and the
    window's start, so a new window is a new item; DynamoDB's TTL removes it after its end.
    """

    class Meta:
        table_name = "limits"
        entity = "limits"

    key = UnicodeAttribute(hash_key=True)  # "<limit>#<keyed hash>#<window start, epoch>"
    # Stored as "count"; named otherwise here so as not to hide Model.count().
    taken = NumberAttribute(attr_name="count")
    expires_at = TTLAttribute()  # the window's end


class AuditRecord(Model):
    """One organizer action in the console (portal.domain.audit): who, when, what, to what."""

    class Meta:
        table_name = "audit"
        entity = "audit"

    program = UnicodeAttribute(hash_key=True)
    entry_id = UnicodeAttribute(range_key=True)  # "<time>#<random>": time-ordered
    at = UTCDateTimeAttribute()
    organizer = UnicodeAttribute()  # the organizer's address
    action = UnicodeAttribute()  # a key of portal.domain.audit.ACTIONS
    subject_kind = UnicodeAttribute(null=True)  # participant | match | round
    subject = UnicodeAttribute(null=True)  # its id: never a name or an address
    detail = UnicodeAttribute(null=True)
    expires_at = TTLAttribute()  # kept a year (portal.persistence.audit.KEEP_AUDIT_FOR)


class UsageRecord(Model):
    """What the processes of the site counted in one hour: the month's bill is their sum.

    Each process adds its own counts into the item of the hour it flushes in (one UpdateItem
    ADD); the costs page sums the month's items with one Query on the month's key.
    """

    class Meta:
        table_name = "usage"
        entity = "usage"

    month = UnicodeAttribute(hash_key=True)  # "2026-12", in UTC
    hour = UnicodeAttribute(range_key=True)  # "2026-12-05T14", in UTC
    requests = NumberAttribute(default=0)
    invocations = NumberAttribute(default=0)
    function_ms = NumberAttribute(default=0)
    emails = NumberAttribute(default=0)
    read_units = NumberAttribute(default=0)
    write_units = NumberAttribute(default=0)


class FiguresRecord(Model):
    """A program's console figures, computed by the hourly function: one item per program."""

    class Meta:
        table_name = "console-figures"
        entity = "console-figures"

    program = UnicodeAttribute(hash_key=True)
    computed_at = UTCDateTimeAttribute()
    # What the program-at-a-glance page shows, as JSON (portal.presenters.figures): a few
    # tens of kilobytes at most, as its lists are cut to their first entries.
    figures = JSONAttribute(default=dict)


class ProgramHeadIndex(GlobalSecondaryIndex["ProgramRecord"]):
    """Every stored program's head item (sparse: versions do not carry `listed`)."""

    class Meta:
        index_name = "heads"
        projection = AllProjection()

    listed = UnicodeAttribute(hash_key=True)
    slug = UnicodeAttribute(range_key=True)


class ProgramRecord(Model):
    """A program stored from the console: its versions, and a head item naming the live one.

    Version 0 is the head: it holds the live version's number and document, so that the
    catalogue reads every program with one Query of the `heads` index. Versions 1, 2, ... are
    each save, kept whole and never changed.
    """

    class Meta:
        table_name = "programs"
        entity = "programs"

    slug = UnicodeAttribute(hash_key=True)
    version = NumberAttribute(range_key=True)
    live = NumberAttribute(null=True)  # head only: the version in force
    listed = UnicodeAttribute(null=True)  # head only: the `heads` index's one partition
    # The program as validated (portal.domain.program.Program, JSON mode), body included.
    document = JSONAttribute()
    saved_at = UTCDateTimeAttribute()
    saved_by = UnicodeAttribute()  # the organizer's address
    change = UnicodeAttribute(default="")  # what the save did, in words ("edited", "archived")
    heads = ProgramHeadIndex()


class PreferenceRecord(Model):
    """What an organizer chose for the console: its language (and the emails they get)."""

    class Meta:
        table_name = "preferences"
        entity = "preferences"

    # address_digest of the organizer's address: an organizer is an address, never kept as such.
    address_hash = UnicodeAttribute(hash_key=True)
    language = UnicodeAttribute()  # a key of portal.i18n.LANGUAGES
    updated_at = UTCDateTimeAttribute()


ALL_MODELS: tuple[type[Model], ...] = (
    ParticipantRecord,
    AddressRecord,
    MatchRecord,
    CheckinRecord,
    GoalRecord,
    RoundRecord,
    OutboxRecord,
    TokenRecord,
    SuppressionRecord,
    SessionRecord,
    LimitRecord,
    ExportRecord,
    AuditRecord,
    UsageRecord,
    FiguresRecord,
    ProgramRecord,
    RosterRecord,
    PreferenceRecord,
)


# The tables of earlier versions, keyed by email, and the table each is copied into by
# `portal migrate`; the app never reads them. Removed from the template a release later.
LEGACY_ENTITIES: dict[str, str] = {
    "participants": "participants-v2",
    "matches": "matches-v2",
    "checkins": "checkins-v2",
    "goals": "goals-v2",
    "outbox": "outbox-v2",
    "suppressions": "suppressions-v2",
}


# The clients made for each binding, kept when the models are bound elsewhere: binding back
# (the tests alternate between moto and the endpoint their `portal` commands are given)
# reuses them instead of creating twelve anew, ~0.1 s each.
_kept: dict[tuple[type[Model], str, str | None, str | None], TableConnection] = {}
# The connections of transactions (TransactWrite needs one of its own), one per region and
# endpoint for the same reason.
_transactions: dict[tuple[str | None, str | None], Connection] = {}


def _binding(model: type[Model]) -> tuple[type[Model], str, str | None, str | None]:
    meta = model.Meta
    return (
        model,
        getattr(meta, "table_name", ""),
        getattr(meta, "region", None),
        getattr(meta, "host", None),
    )


def bind(table_prefix: str, region: str, endpoint: str | None) -> None:
    """Point every model at `<prefix>-<entity>` in the given region and endpoint."""
    for model in ALL_MODELS:
        meta = model.Meta
        # Each model's Meta names its entity, which PynamoDB's MetaProtocol does not know.
        table_name = f"{table_prefix}-{meta.entity}"  # type: ignore[attr-defined]
        if _binding(model) == (model, table_name, region, endpoint):
            continue  # already bound: keep the cached client
        if model._connection is not None:
            _kept[_binding(model)] = model._connection
        meta.table_name = table_name
        meta.region = region
        meta.host = endpoint
        meta.billing_mode = "PAY_PER_REQUEST"
        # The client is cached per class: the one made for this binding before, or none yet.
        model._connection = _kept.get(_binding(model))


def transaction_connection(model: type[Model]) -> Connection:
    """A connection for a transaction on the model's table, made once per region and endpoint."""
    meta = model.Meta
    key = (getattr(meta, "region", None), getattr(meta, "host", None))
    if key not in _transactions:
        _transactions[key] = Connection(region=key[0], host=key[1])
    return _transactions[key]


def reconnect() -> None:
    """Drop every cached client: a process forked from another must not share the parent's
    connections (two processes on one socket mix their answers)."""
    for model in ALL_MODELS:
        model._connection = None
    _kept.clear()
    _transactions.clear()


def create_tables() -> list[str]:
    """Create the tables that do not exist yet, with TTL on; return those created."""
    created = []
    for model in ALL_MODELS:
        if not model.exists():
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
            created.append(model.Meta.table_name)
    return created


def truncate_tables() -> None:
    """Delete every item of every table (tests and `portal dev --reset` only)."""
    for model in ALL_MODELS:
        keys = [
            name for name, a in model.get_attributes().items() if a.is_hash_key or a.is_range_key
        ]
        with model.batch_write() as batch:
            # The keys are all a delete needs: reading whole items would only cost time.
            for item in model.scan(attributes_to_get=keys):
                batch.delete(item)
