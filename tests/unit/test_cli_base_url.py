"""Links in emails queued by a `portal` command lead to where `portal dev` serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.cli.common import command_settings
from portal.settings import remember_base_url, remembered_base_url


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("PORTAL_STAGE", raising=False)
    monkeypatch.delenv("PORTAL_BASE_URL", raising=False)
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_a_command_uses_the_address_dev_served_on_this_data_folder(data_dir: Path) -> None:
    remember_base_url(data_dir, "http://127.0.0.1:5077")
    assert command_settings().base_url == "http://127.0.0.1:5077"


def test_without_a_dev_server_ever_the_default_address_stands(data_dir: Path) -> None:
    assert remembered_base_url(data_dir) is None
    assert command_settings().base_url == "http://127.0.0.1:5000"


def test_portal_base_url_wins_over_the_remembered_address(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    remember_base_url(data_dir, "http://127.0.0.1:5077")
    monkeypatch.setenv("PORTAL_BASE_URL", "https://mentoring.example.org")
    assert command_settings().base_url == "https://mentoring.example.org"


def test_a_garbled_remembered_address_is_ignored(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "base_url").write_text("not a url\n", encoding="utf-8")
    assert command_settings().base_url == "http://127.0.0.1:5000"
