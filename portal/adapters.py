"""What the services reach outside the process, chosen by the settings.

How email leaves (SES, memory for tests, files locally), how a request hands work to
another invocation of the deployed function, and the static site's bucket. Each is built
with its module imported only when a service first needs it (portal/container.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portal.settings import Settings

if TYPE_CHECKING:
    from portal.mail.courier import LambdaCourier, LambdaImportFinisher
    from portal.mail.senders import Sender
    from portal.services.site_publish import SitePublisher
    from portal.services.site_republish import SiteRepublisher


def make_sender(settings: Settings) -> Sender:
    """The sender the settings name: SES, memory (tests) or files (local)."""
    from portal.mail.senders import FileSender, MemorySender, SesSender

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
    from portal.mail.courier import LambdaCourier

    name = _own_function(settings)
    return LambdaCourier(name, settings.region) if name else None


def make_import_finisher(settings: Settings) -> LambdaImportFinisher | None:
    """On Lambda, an applied import's to-dos are done by another invocation; elsewhere at once."""
    from portal.mail.courier import LambdaImportFinisher

    name = _own_function(settings)
    return LambdaImportFinisher(name, settings.region) if name else None


def make_publisher(settings: Settings) -> SitePublisher | None:
    """The stage's static site (PORTAL_SITE_BUCKET), or None where the app serves every page."""
    from portal.services.site_publish import SitePublisher

    if not settings.site_bucket:
        return None
    return SitePublisher(settings.site_bucket, settings.site_distribution, settings.region)


def _build_site(out: Path, app: Any, paths: list[str]) -> list[Path]:
    """The site builder's pages, imported when a save republishes (not on every cold start)."""
    from portal.services.site import build_site

    return build_site(out, app, paths=paths)


def make_republisher(
    settings: Settings, refresh: Callable[[], None] = lambda: None
) -> SiteRepublisher:
    """What republishes a program's public pages after a console save (`refresh` reads the
    stored programs again first)."""
    from portal.services.site_republish import SiteRepublisher

    return SiteRepublisher(make_publisher(settings), _build_site, refresh)
