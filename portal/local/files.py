"""The local stage's data folder: its database, mail and secret key are its owner's alone.

Folders are made 0700 and files 0600 whatever the umask, so that other accounts on the
machine read neither the key that signs sessions nor the mail holding sign-in links.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
# For the processes the portal starts (DynamoDB Local): what they create is private too.
PRIVATE_UMASK = 0o077


def private_folder(path: Path, *, tighten: bool = True) -> Path:
    """Create `path` and any missing parent readable by their owner only; return it.

    With `tighten`, an existing folder is made private too. The data folder is tightened
    only when the portal creates it: PORTAL_DATA_DIR may name a folder that is not the
    portal's alone, and the portal's own subfolders and files in it are private anyway.
    """
    if path.is_dir():
        if tighten:
            os.chmod(path, PRIVATE_FOLDER)
        return path
    private_folder(path.parent, tighten=False)
    # exist_ok: another process may have made it a moment ago, just as privately.
    path.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
    os.chmod(path, PRIVATE_FOLDER)  # mkdir's mode passes through the umask
    return path


def write_private(path: Path, text: str) -> None:
    """Write `text` whole to `path` (readers never see half of it), readable by its owner only."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def tighten_files(folder: Path) -> None:
    """Make the files directly in `folder` readable by their owner only (left by older runs)."""
    for entry in folder.iterdir():
        if entry.is_file() and not entry.is_symlink():
            os.chmod(entry, PRIVATE_FILE)
