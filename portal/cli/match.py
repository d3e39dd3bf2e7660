"""`portal match`: a dry run of the matching engine on a file of participants."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from portal.catalog.documents import ContentError
from portal.cli.common import command_settings


@click.command("match")
@click.argument("source", metavar="INPUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--program",
    "program_ref",
    required=True,
    help="A program slug from content/programs or a program file.",
)
@click.option(
    "--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--scores",
    "scores_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write every candidate pair with its score or veto reason to this CSV file.",
)
@click.option(
    "--at",
    "moment",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
    help="Compare availability with the time zones' offsets on this date (default: now), "
    "so that a dry run can be repeated exactly.",
)
def match_command(
    source: Path, program_ref: str, output: str, scores_path: Path | None, moment: datetime | None
) -> None:
    """Dry run: match the participants in a CSV or JSON file and print the result.

    Nothing is stored and no email is sent.
    """
    from portal.catalog.programs import resolve_program
    from portal.domain.imports import ImportProblem, parse_participants
    from portal.domain.matching import match, score_all_pairs
    from portal.reports import match_result_json, match_result_table, write_scores

    settings = command_settings()
    try:
        program = resolve_program(program_ref, settings.content_dir / "programs")
    except ContentError as exc:
        raise click.BadParameter(str(exc), param_hint="--program") from None
    kind = "json" if source.suffix.lower() == ".json" else "csv"
    try:
        text = source.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise click.BadParameter(f"{source}: no such file", param_hint="INPUT") from None
    except UnicodeDecodeError:
        raise click.BadParameter(f"{source}: is not UTF-8 text", param_hint="INPUT") from None
    try:
        people = parse_participants(text, program, kind=kind)
    except ImportProblem as problem:
        click.echo(f"{source}: {len(problem.errors)} problem(s), nothing was matched:", err=True)
        for line in problem.errors:
            click.echo(f"  {line}", err=True)
        raise SystemExit(1) from None
    now = moment.replace(tzinfo=UTC) if moment else datetime.now(UTC)
    result = match(program, people, now=now)
    if scores_path is not None:
        try:
            write_scores(
                scores_path,
                score_all_pairs(program, people, now=now),
                peer=program.format.value == "peer",
            )
        except OSError as exc:
            raise click.BadParameter(
                f"cannot write {scores_path}: {exc.strerror or exc}", param_hint="--scores"
            ) from None
    if output == "json":
        click.echo(json.dumps(match_result_json(result), indent=2, ensure_ascii=False))
    else:
        click.echo(match_result_table(result, program.title))
