"""The roster imports' table (portal/persistence/roster_imports.py), beside tables.py's others."""

from __future__ import annotations

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model


class RosterAddressIndex(GlobalSecondaryIndex["RosterRecord"]):
    """A roster entry by its address's digest: erasure finds every program's entry for it."""

    class Meta:
        index_name = "by-address"
        projection = KeysOnlyProjection()

    address_key = UnicodeAttribute(hash_key=True)


class RosterRecord(Model):
    """A program's roster imports: a head item, each import's entries, and staged uploads.

    - `key` "head": the live import's id, when and by whom it was applied, its summary, the
      saved column mapping, and the to-dos not done yet.
    - `key` "e#<import id>#<address digest>": one person as that import read them (`person`,
      portal.domain.roster_plan.RosterEntry's fields) and what is still to be done about them
      (`todo`: invite, update their sign-up, pause them). Written before the head names the
      import, so that a half-written import is never read.
    - `key` "u#<upload id>#<part>": a file uploaded in the console, gzipped, in parts, kept a
      day (`expires`) for its dry run and apply.
    """

    class Meta:
        table_name = "roster"
        entity = "roster"

    program = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)
    # head
    import_id = UnicodeAttribute(null=True)
    imported_at = UTCDateTimeAttribute(null=True)
    imported_by = UnicodeAttribute(null=True)
    filename = UnicodeAttribute(null=True)
    full = BooleanAttribute(null=True)
    summary = UnicodeAttribute(null=True)
    entries = NumberAttribute(null=True)
    pending = NumberAttribute(null=True)
    previous_import = UnicodeAttribute(null=True)  # entries to delete once the to-dos are done
    mapping = JSONAttribute(null=True)  # header text -> field, saved for the next file
    # entry
    address_key = UnicodeAttribute(null=True)
    person = JSONAttribute(null=True)
    # The invitation and its reminders sent so far (a reminder run adds one, conditionally).
    invitations = NumberAttribute(null=True)
    todo = JSONAttribute(null=True)
    gone_at = UTCDateTimeAttribute(null=True)  # when an import first had them inactive
    # upload
    data = BinaryAttribute(null=True, legacy_encoding=False)
    parts = NumberAttribute(null=True)
    staged = JSONAttribute(null=True)  # filename, full, mapping, by, staged_at
    expires = TTLAttribute(null=True)
    by_address = RosterAddressIndex()
