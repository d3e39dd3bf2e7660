"""Learning tracks loaded from content/tracks/*.md, and the check that programs name real ones."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import ValidationError

from portal.catalog.documents import ContentError, read_document
from portal.catalog.programs import format_validation_error
from portal.domain.program import Program
from portal.domain.tracks import Track


class TrackError(ContentError):
    """A track file is malformed, or a program names a track that does not exist."""


def load_track(path: Path) -> Track:
    """Read and validate one track file; raise TrackError naming file, key and problem."""
    document = read_document(path)
    data = dict(document.meta)
    if "body" in data:
        raise TrackError(f"{path}: body: is not a known setting (the body is the Markdown text)")
    data["body"] = document.body
    try:
        track = Track.model_validate(data)
    except ValidationError as exc:
        raise TrackError(format_validation_error(path, exc)) from None
    if track.slug != path.stem:
        raise TrackError(f"{path}: slug: {track.slug!r} must equal the file name {path.stem!r}")
    return track


class TrackCatalog:
    def __init__(self, tracks: Iterable[Track]) -> None:
        self._by_slug = {track.slug: track for track in tracks}

    @classmethod
    def from_folder(cls, folder: Path) -> TrackCatalog:
        errors: list[str] = []
        tracks: list[Track] = []
        for path in sorted(folder.glob("*.md")):
            try:
                tracks.append(load_track(path))
            except ContentError as exc:
                errors.append(str(exc))
        if errors:
            raise TrackError("\n".join(errors))
        return cls(tracks)

    def get(self, slug: str) -> Track | None:
        return self._by_slug.get(slug)

    def __iter__(self) -> Iterator[Track]:
        return iter(sorted(self._by_slug.values(), key=lambda t: t.slug))

    def check_programs(self, programs: Iterable[Program], folder: Path) -> None:
        """Every program's `track:` names a track here; else a TrackError naming each file."""
        known = ", ".join(sorted(self._by_slug)) or "none"
        errors = [
            f"{folder / (program.slug + '.md')}: track: {program.track!r} is not a track in "
            f"content/tracks (known: {known})"
            for program in programs
            if program.track is not None and program.track not in self._by_slug
        ]
        if errors:
            raise TrackError("\n".join(errors))
