"""The local data folder: database, mail and secret key are readable by their owner only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal.local.dynamodb import EndpointFile
from portal.mail.senders import FileSender
from portal.settings import local_secret_key, remember_base_url


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def lax_umask() -> Iterator[None]:
    """The usual umask, under which files are world-readable unless made otherwise."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_the_secret_key_and_the_served_address_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    local_secret_key(data)
    remember_base_url(data, "http://127.0.0.1:5077")

    assert mode(data) == 0o700
    assert mode(data / "secret_key") == 0o600
    assert mode(data / "base_url") == 0o600
    assert sorted(p.name for p in data.iterdir()) == ["base_url", "secret_key"]  # no leftovers


def test_mail_is_private_even_in_a_folder_an_older_version_left_open(tmp_path: Path) -> None:
    mail = tmp_path / "data" / "mail"
    mail.mkdir(parents=True)
    os.chmod(mail, 0o755)  # noqa: S103 - as an older version left it

    FileSender(mail).send("ada@example.org", "Subject: hello\n\nA sign-in link\n")

    assert mode(mail) == 0o700
    (eml,) = mail.iterdir()
    assert eml.suffix == ".eml"
    assert mode(eml) == 0o600
    assert "A sign-in link" in eml.read_text(encoding="utf-8")


def test_a_new_mail_folder_and_its_data_folder_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    FileSender(data / "mail").send("ada@example.org", "Subject: hello\n\nbody\n")
    assert mode(data) == 0o700
    assert mode(data / "mail") == 0o700


def test_the_published_endpoint_is_private(tmp_path: Path) -> None:
    endpoint = EndpointFile.in_data_dir(tmp_path / "data")
    endpoint.publish("http://127.0.0.1:8000", "dynamodb-local")
    assert mode(endpoint.path.parent) == 0o700
    assert mode(endpoint.path) == 0o600


def test_a_data_folder_the_portal_did_not_create_is_left_as_it_is(tmp_path: Path) -> None:
    # PORTAL_DATA_DIR may name a folder shared with other things: only what the portal
    # makes in it is tightened.
    shared = tmp_path / "common-folder"
    shared.mkdir()
    os.chmod(shared, 0o755)  # noqa: S103 - a folder shared with others
    local_secret_key(shared)
    FileSender(shared / "mail").send("ada@example.org", "Subject: hello\n\nbody\n")
    assert mode(shared) == 0o755
    assert mode(shared / "secret_key") == 0o600
    assert mode(shared / "mail") == 0o700
