"""The catalogs as the container reads them: the programs stored from the console, and every
content file checked ahead of a deploy (`make package`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portal.catalog.programs import ProgramCatalog, StoredInfo, StoredLoader, StoredReader
    from portal.catalog.tracks import TrackCatalog
    from portal.container import Services
    from portal.persistence.programs import ProgramStore, StoredProgram


def _with_info(stored: StoredProgram) -> tuple[dict[str, Any], StoredInfo]:
    """A stored program as the catalogue takes it: its document, and its version's facts."""
    from portal.catalog.programs import StoredInfo

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


def read_programs(
    folder: Path, tracks: TrackCatalog, store: ProgramStore | None = None
) -> ProgramCatalog:
    """The program files of `folder`, and the programs stored from the console if a store is
    given; ProgramError or TrackError naming each problem."""
    from portal.catalog.programs import ProgramCatalog

    programs = ProgramCatalog.from_folder(
        folder,
        stored=None if store is None else stored_programs(store),
        stored_one=None if store is None else stored_program(store),
    )
    # Files name tracks that ship with them; a stored program whose track is gone has none.
    tracks.check_programs(programs.files(), folder)
    return programs


def check_content_files(content_dir: Path) -> None:
    """Read every content file as the catalogs do, without the stored programs (`make
    package`, which reaches no table: those were checked when saved)."""
    from portal.catalog.pages import PageCatalog
    from portal.catalog.tracks import TrackCatalog

    PageCatalog.from_folder(content_dir / "pages")
    read_programs(content_dir / "programs", TrackCatalog.from_folder(content_dir / "tracks"))


def check_content(services: Services) -> None:
    """Read every catalog: a ContentError, ProgramError or TrackError names what is wrong."""
    for catalog in ("pages", "tracks", "programs"):
        getattr(services, catalog)
