"""The `portal` command: the local server, tables, and organizers' tools, one module a command.

Each command module parses its options, asks the container for services and prints what they
did; none of them reads or writes a table itself.
"""

from __future__ import annotations

import logging

import click

from portal.cli import (
    dev,
    erase,
    export,
    match,
    migrate,
    participants,
    program,
    purge,
    remind,
    roster_import,
    round,
    send_mail,
    site,
    summaries,
    tables,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Mentor Portal: run it locally and look after programs from a terminal."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("botocore", "pynamodb", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


for command in (
    dev.dev,
    tables.tables,
    participants.participants,
    match.match_command,
    round.round_command,
    send_mail.send_mail,
    remind.remind_command,
    summaries.summaries_command,
    migrate.migrate_command,
    export.export_command,
    erase.erase_command,
    purge.purge_command,
    program.program_group,
    roster_import.import_command,
    site.site_group,
):
    main.add_command(command)
