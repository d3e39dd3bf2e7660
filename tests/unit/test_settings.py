"""load_settings: defaults, a clear error per bad variable, and the secret key per stage."""

from __future__ import annotations

import base64
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from portal.settings import SettingsError, load_settings, resolve_secret_key

ROOT = Path(__file__).resolve().parents[2]
# What the aws stage needs besides its key: the https address it is served at.
AWS = {"PORTAL_STAGE": "aws", "PORTAL_BASE_URL": "https://mentoring.example.org"}


def test_defaults_describe_a_local_portal(tmp_path: Path) -> None:
    settings = load_settings({"PORTAL_DATA_DIR": str(tmp_path)})
    assert settings.stage == "local"
    assert settings.is_local
    assert settings.table_prefix == "portal-local"
    assert settings.base_url == "http://127.0.0.1:5000"
    assert settings.mail_transport == "file"
    assert settings.mail_sender == "Mentor Portal <portal@example.org>"
    assert settings.token_ttl_hours == 48
    assert settings.region == "eu-west-1"
    assert settings.dynamodb_endpoint is None
    assert settings.content_dir == ROOT / "content"
    assert settings.mail_dir == tmp_path / "mail"
    assert settings.signups_per_source == (20, 100)
    assert settings.signups_per_address == (3, 10)


def test_aws_stage_defaults_to_ses_and_its_own_tables() -> None:
    settings = load_settings({**AWS, "PORTAL_SECRET_KEY": secrets.token_urlsafe(48)})
    assert settings.mail_transport == "ses"
    assert settings.table_prefix == "portal-aws"
    assert not settings.is_local


def test_variables_override_the_defaults(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "PORTAL_STAGE": "test",
            "PORTAL_BASE_URL": "https://mentors.example.org/",
            "PORTAL_MAIL_TRANSPORT": "memory",
            "PORTAL_TOKEN_TTL_HOURS": "24",
            "PORTAL_TABLE_PREFIX": "mp-staging",
            "PORTAL_REGION": "us-east-1",
            "PORTAL_DYNAMODB_ENDPOINT": "http://localhost:8000",
            "PORTAL_DATA_DIR": str(tmp_path),
            "PORTAL_SIGNUPS_PER_SOURCE": "200, 1000",
            "PORTAL_SIGNUPS_PER_ADDRESS": "5,20",
        }
    )
    assert settings.base_url == "https://mentors.example.org"  # no trailing slash in links
    assert settings.signups_per_source == (200, 1000)
    assert settings.signups_per_address == (5, 20)
    assert settings.mail_transport == "memory"
    assert settings.token_ttl_hours == 24
    assert settings.table_prefix == "mp-staging"
    assert settings.region == "us-east-1"
    assert settings.dynamodb_endpoint == "http://localhost:8000"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORTAL_STAGE", "production"),
        ("PORTAL_MAIL_TRANSPORT", "smtp"),
        ("PORTAL_TOKEN_TTL_HOURS", "two days"),
        ("PORTAL_TOKEN_TTL_HOURS", "0"),
        ("PORTAL_TOKEN_TTL_HOURS", "337"),
        ("PORTAL_BASE_URL", "mentors.example.org"),
        ("PORTAL_BASE_URL", "ftp://mentors.example.org"),
        ("PORTAL_CLOCK", "next monday"),
        ("PORTAL_CLOCK", "2026-02-30"),
        ("PORTAL_SIGNUPS_PER_SOURCE", "20"),
        ("PORTAL_SIGNUPS_PER_SOURCE", "20,100,5"),
        ("PORTAL_SIGNUPS_PER_SOURCE", "twenty,100"),
        ("PORTAL_SIGNUPS_PER_SOURCE", "0,100"),
        ("PORTAL_SIGNUPS_PER_ADDRESS", "3,2000000"),
        ("PORTAL_SIGNUPS_PER_ADDRESS", "10,3"),
        ("PORTAL_ADMINS", "ada@example.org, not-an-address"),
        ("PORTAL_ADMINS", "ada@example.org;bo@example.org"),
    ],
)
def test_a_bad_variable_is_refused_by_name(tmp_path: Path, variable: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"PORTAL_STAGE": "test", "PORTAL_DATA_DIR": str(tmp_path), variable: value})
    assert variable in str(caught.value)


def test_a_bad_variable_is_refused_by_name_beside_its_pair(tmp_path: Path) -> None:
    # The site's bucket and distribution come as a pair: each bad one is named with the other.
    for variable, value in [
        ("PORTAL_SITE_BUCKET", "Mentor_Site"),
        ("PORTAL_SITE_DISTRIBUTION", "e2qw"),
    ]:
        pair = {"PORTAL_SITE_BUCKET": "mentor-site", "PORTAL_SITE_DISTRIBUTION": "E2QWRUHAPOMQZL"}
        with pytest.raises(SettingsError) as caught:
            load_settings({"PORTAL_STAGE": "test", **pair, variable: value})
        assert variable in str(caught.value)
        assert repr(value) in str(caught.value)


def test_a_distribution_needs_its_bucket_but_a_bucket_stands_alone() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"PORTAL_STAGE": "test", "PORTAL_SITE_DISTRIBUTION": "E2QWRUHAPOMQZL"})
    assert "PORTAL_SITE_DISTRIBUTION is set but PORTAL_SITE_BUCKET is not" in str(caught.value)
    # The stack makes the bucket first: publishing works before the distribution exists.
    alone = load_settings({"PORTAL_STAGE": "test", "PORTAL_SITE_BUCKET": "mentor-site"})
    assert (alone.site_bucket, alone.site_distribution) == ("mentor-site", "")


def test_the_site_is_read_or_left_empty(tmp_path: Path) -> None:
    assert load_settings({"PORTAL_STAGE": "test"}).site_bucket == ""
    settings = load_settings(
        {
            "PORTAL_STAGE": "test",
            "PORTAL_SITE_BUCKET": "mentor-portal-dev-site",
            "PORTAL_SITE_DISTRIBUTION": "E2QWRUHAPOMQZL",
        }
    )
    assert (settings.site_bucket, settings.site_distribution) == (
        "mentor-portal-dev-site",
        "E2QWRUHAPOMQZL",
    )


def test_a_bad_admin_address_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"PORTAL_STAGE": "test", "PORTAL_ADMINS": "ada@example.org, bo@"})
    assert "'bo@'" in str(caught.value)
    assert "'ada@example.org, bo@'" in str(caught.value)


def test_admins_are_read_as_comparable_addresses(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "PORTAL_STAGE": "test",
            "PORTAL_ADMINS": " Ada@Example.org ,, bo@example.org,ada@example.org",
        }
    )
    assert settings.admins == ("ada@example.org", "bo@example.org")
    assert load_settings({"PORTAL_STAGE": "test"}).admins == ()


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("s3cr3t-but-only-31-characters!!", id="short"),
        pytest.param("changeme", id="changeme"),
        pytest.param("CHANGEME", id="changeme-upper"),
        pytest.param("replace-me", id="replace-me"),
        pytest.param("dev", id="dev"),
    ],
)
def test_aws_stage_refuses_a_weak_secret_key(key: str | None) -> None:
    environ = {"PORTAL_STAGE": "aws"}
    if key is not None:
        environ["PORTAL_SECRET_KEY"] = key
    with pytest.raises(SettingsError, match="PORTAL_SECRET_KEY"):
        load_settings(environ)


def test_aws_stage_accepts_a_long_random_secret_key(tmp_path: Path) -> None:
    key = secrets.token_urlsafe(48)
    settings = load_settings({**AWS, "PORTAL_SECRET_KEY": key, "PORTAL_DATA_DIR": str(tmp_path)})
    assert settings.secret_key == key
    assert not any(tmp_path.iterdir())  # nothing generated beside it


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("a" * 32, id="one-letter"),
        pytest.param("k" * 48, id="one-letter-long"),
        pytest.param("ab" * 16, id="two-letters-repeated"),
        pytest.param("0123456789" * 4, id="digits-in-sequence-repeated"),
        pytest.param("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", id="the-alphabet"),
        pytest.param("qwertyuiopasdfghjklzxcvbnmqwertyuiop", id="keyboard-rows"),
        pytest.param("P@ssw0rd!P@ssw0rd!P@ssw0rd!P@ssw0rd!", id="a-password-repeated"),
        pytest.param("correct horse battery staple mentoring portal", id="passphrase"),
        pytest.param("Correct-Horse-Battery-Staple-Jumps-High-Again", id="passphrase-dashes"),
        pytest.param("correcthorsebatterystaplecorrecthorsebattery", id="passphrase-joined"),
        pytest.param("mentoring-portal-production-secret-key-2026", id="a-description"),
        pytest.param("packaged-test-" + "s" * 40, id="a-label-and-padding"),
    ],
)
def test_aws_stage_refuses_a_long_but_guessable_secret_key(key: str) -> None:
    assert len(key) >= 32  # each is long enough: length alone let them all in
    with pytest.raises(SettingsError) as refused:
        load_settings({**AWS, "PORTAL_SECRET_KEY": key})
    message = str(refused.value)
    assert message.startswith("PORTAL_SECRET_KEY is too easy to guess (about ")
    assert "at least 128 needed" in message
    assert "secrets.token_urlsafe(48)" in message  # how to make a good one
    assert key not in message  # the key itself is not repeated into a log


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: secrets.token_urlsafe(48), id="token_urlsafe(48)"),
        pytest.param(lambda: secrets.token_hex(32), id="token_hex(32)"),
        pytest.param(lambda: secrets.token_urlsafe(32), id="token_urlsafe(32)"),
        pytest.param(
            lambda: base64.b64encode(secrets.token_bytes(32)).decode(), id="openssl-rand-base64-32"
        ),
    ],
)
def test_aws_stage_accepts_random_keys_however_they_were_made(make: Callable[[], str]) -> None:
    for _ in range(20):  # fresh random keys each time: none is refused
        key = make()
        assert load_settings({**AWS, "PORTAL_SECRET_KEY": key}).secret_key == key


@pytest.mark.parametrize(
    "base_url", [None, "http://mentoring.example.org", "http://127.0.0.1:5000"]
)
def test_aws_stage_refuses_a_base_url_that_is_not_https(base_url: str | None) -> None:
    environ = {"PORTAL_STAGE": "aws", "PORTAL_SECRET_KEY": secrets.token_urlsafe(48)}
    if base_url is not None:
        environ["PORTAL_BASE_URL"] = base_url
    with pytest.raises(SettingsError, match=r"^PORTAL_BASE_URL must .*https://"):
        load_settings(environ)


@pytest.mark.parametrize("stage", ["local", "test"])
def test_local_and_test_stages_may_be_served_over_http(stage: str, tmp_path: Path) -> None:
    settings = load_settings(
        {
            "PORTAL_STAGE": stage,
            "PORTAL_BASE_URL": "http://127.0.0.1:8080",
            "PORTAL_DATA_DIR": str(tmp_path),
        }
    )
    assert settings.base_url == "http://127.0.0.1:8080"


def test_local_stage_makes_a_key_in_the_data_folder_and_keeps_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    environ = {"PORTAL_DATA_DIR": str(data)}
    assert load_settings(environ).secret_key == ""  # commands that need no key write nothing
    assert not data.exists()
    first = resolve_secret_key(load_settings(environ))
    second = resolve_secret_key(load_settings(environ))
    assert len(first.secret_key) >= 32  # the floor the aws stage demands of a given key
    assert first.secret_key == second.secret_key  # sessions survive a restart
    key_file = data / "secret_key"
    assert key_file.read_text(encoding="utf-8").strip() == first.secret_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_local_stage_uses_a_key_given_in_the_environment(tmp_path: Path) -> None:
    settings = resolve_secret_key(
        load_settings({"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_SECRET_KEY": "mine"})
    )
    assert settings.secret_key == "mine"
    assert not (tmp_path / "secret_key").exists()


def test_local_stage_never_uses_an_empty_key_file(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("", encoding="utf-8")
    settings = resolve_secret_key(load_settings({"PORTAL_DATA_DIR": str(tmp_path)}))
    assert len(settings.secret_key) >= 32  # the floor the aws stage demands of a given key


def test_test_stage_makes_a_fresh_key_and_writes_nothing(tmp_path: Path) -> None:
    environ = {"PORTAL_STAGE": "test", "PORTAL_DATA_DIR": str(tmp_path / "data")}
    first = load_settings(environ)
    second = load_settings(environ)
    assert len(first.secret_key) >= 32  # the floor the aws stage demands of a given key
    assert first.secret_key != second.secret_key
    assert not (tmp_path / "data").exists()


def test_the_secret_key_is_not_in_the_repr(tmp_path: Path) -> None:
    settings = load_settings({"PORTAL_STAGE": "test", "PORTAL_DATA_DIR": str(tmp_path)})
    assert settings.secret_key not in repr(settings)


def test_portal_clock_sets_a_simulated_start_time_outside_aws(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    base = {"PORTAL_STAGE": "test", "PORTAL_DATA_DIR": str(tmp_path)}
    assert load_settings(base).clock_start is None
    assert load_settings({**base, "PORTAL_CLOCK": "2026-03-16T08:00"}).clock_start == datetime(
        2026, 3, 16, 8, tzinfo=UTC
    )
    assert load_settings({**base, "PORTAL_CLOCK": "2026-03-16T09:00+01:00"}).clock_start == (
        datetime(2026, 3, 16, 8, tzinfo=UTC)
    )
    aws = {**AWS, "PORTAL_SECRET_KEY": secrets.token_urlsafe(48)}
    with pytest.raises(SettingsError, match="PORTAL_CLOCK simulates other days locally"):
        load_settings({**aws, "PORTAL_CLOCK": "2026-03-16"})
