"""`portal site publish`: the built site uploaded to the stage's S3 bucket, what changed
invalidated in CloudFront (portal/services/site_publish.py)."""

from __future__ import annotations

from pathlib import Path

import click

from portal.cli.common import command_settings
from portal.services.site_publish import PublishError, SitePublisher, publish_folder


@click.command("publish")
@click.option(
    "--from",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("build/site"),
    show_default=True,
    help="The built site (portal site build): a folder per language.",
)
@click.option("--dry-run", is_flag=True, help="List what would change; change nothing.")
def publish_command(folder: Path, dry_run: bool) -> None:
    """Upload the built site to PORTAL_SITE_BUCKET: only changed files, deleting pages no
    longer built, then invalidate the changed paths in PORTAL_SITE_DISTRIBUTION."""
    settings = command_settings()
    if settings.is_local:
        # The publish deletes every page the build did not make: a site built from the local
        # store would replace the stage's (its console-made programs' pages deleted).
        raise click.ClickException(
            "this is the local stage: publish from the stage's environment "
            "(PORTAL_STAGE=aws and its tables), with a site built there by `portal site build`, "
            "so that the pages are the stage's programs, not this machine's "
            "(infrastructure/README.md, step 8b)"
        )
    if not settings.site_bucket:
        raise click.ClickException(
            "PORTAL_SITE_BUCKET and PORTAL_SITE_DISTRIBUTION are not set: this stage has no "
            "static site to publish to (set them to the stack's site bucket and CloudFront "
            "distribution id; locally, `portal dev` serves every page itself)"
        )
    publisher = SitePublisher(settings.site_bucket, settings.site_distribution, settings.region)
    try:
        published = publish_folder(publisher, folder, dry_run=dry_run, say=click.echo)
    except PublishError as exc:
        raise click.ClickException(str(exc)) from None
    where = f"s3://{settings.site_bucket}" + (
        f" (distribution {settings.site_distribution})" if settings.site_distribution else ""
    )
    click.echo(f"{'Dry run, nothing changed' if dry_run else 'Published'} to {where}:")
    click.echo(published.counts())
    if published.invalidation_id:
        click.echo(f"Invalidation {published.invalidation_id}: {', '.join(published.plan.paths)}")
    elif published.plan.paths and not dry_run and not settings.site_distribution:
        click.echo(
            "No PORTAL_SITE_DISTRIBUTION: nothing invalidated; CloudFront keeps a page at most "
            "60 seconds, so the change shows within a minute"
        )
