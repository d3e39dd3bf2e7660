"""The app's static files under names that carry a hash of their content, kept a year.

`url_for("static", filename="portal.css")` gives `/static/portal.<12 hex digits>.css`. The
name changes whenever the file does, so browsers and CloudFront keep each name a year
(`Cache-Control: public, max-age=31536000, immutable`) and a deploy needs no invalidation:
its pages name the new files. A hashed name that is not the file's hash any more (a page
cached from before a deploy) gets the file as it is now, not to be kept; so does the plain
name (Flask's own answer).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, send_from_directory
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600
DIGITS = 12  # of the SHA-256, in hex: a clash would need billions of versions of one file
HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGITS}}})(?P<suffix>\.[A-Za-z0-9]+)$")


@lru_cache(maxsize=256)
def _digest(path: str, modified_ns: int, size: int) -> str:
    # Keyed by the file's time and size too: a file edited while `make run` serves is hashed anew.
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:DIGITS]


def digest(path: Path) -> str:
    """The first DIGITS hex digits of the file's SHA-256."""
    facts = path.stat()
    return _digest(str(path), facts.st_mtime_ns, facts.st_size)


def hashed_name(folder: Path, filename: str) -> str:
    """`portal.css` as `portal.<digest>.css`; a name with no such file, or one the hashed
    form would not lead back to (`LICENSE`, no suffix), as it is."""
    found = _file(folder, filename)
    if found is None:
        return filename
    path = Path(filename)
    hashed = str(path.with_name(f"{path.stem}.{digest(found)}{path.suffix}"))
    return hashed if named_file(folder, hashed) == (filename, True) else filename


def named_file(folder: Path, filename: str) -> tuple[str, bool] | None:
    """The file a requested name stands for, and whether the name holds its current hash;
    None if it stands for no file. A file of that very name is that file."""
    if _file(folder, filename) is not None:
        return filename, False
    match = HASHED.match(filename)
    if match:
        real = match["stem"] + match["suffix"]
        found = _file(folder, real)
        if found is not None:
            return real, digest(found) == match["digest"]
    return None


def _file(folder: Path, filename: str) -> Path | None:
    found = safe_join(str(folder), filename)
    return Path(found) if found is not None and Path(found).is_file() else None


def serve(filename: str) -> Response:
    """The static route's view: a current hashed name is kept a year, anything else not."""
    folder = Path(current_app.static_folder or "")
    named = named_file(folder, filename)
    if named is None:
        raise NotFound()
    real, current = named
    if not current:
        return send_from_directory(folder, real)  # Flask's default: `no-cache`
    response = send_from_directory(folder, real, max_age=YEAR)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


def register(app: Flask) -> None:
    """Give the app's static files their hashed names in every URL, and serve them so."""
    folder = Path(app.static_folder or "")

    @app.url_defaults
    def hashed(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and isinstance(values.get("filename"), str):
            values["filename"] = hashed_name(folder, values["filename"])

    app.view_functions["static"] = serve


def copy_hashed(folder: Path, out: Path) -> list[Path]:
    """Copy the static files into `out` under their hashed names (`make site-preview`, whose
    pages name them so); the copies made."""
    made = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        target = out / hashed_name(folder, str(path.relative_to(folder)))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        made.append(target)
    return made


if __name__ == "__main__":  # python -m portal.assets OUT
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m portal.assets OUT (the folder to copy them into)")
    copied = copy_hashed(Path(__file__).with_name("static"), Path(sys.argv[1]))
    print(f"{len(copied)} static files copied under their hashed names into {sys.argv[1]}")
