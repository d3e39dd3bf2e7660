"""Settings read once from PORTAL_* environment variables into one frozen object."""

from __future__ import annotations

import hmac
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from portal.domain.clock import parse_moment
from portal.key_strength import MIN_BITS, estimated_bits
from portal.local.files import private_folder, write_private

STAGES = ("local", "test", "aws")
MAIL_TRANSPORTS = ("file", "ses", "memory")
# Keys that must never run a deployed portal: the literal placeholders people copy from docs.
_KNOWN_BAD_KEYS = frozenset({"", "dev", "changeme", "change-me", "secret", "default", "replace-me"})
MIN_SECRET_KEY_LENGTH = 32


class SettingsError(Exception):
    """A PORTAL_* variable is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    """Everything the portal reads from its environment, resolved once."""

    stage: str = "local"
    table_prefix: str = "portal-local"
    base_url: str = "http://127.0.0.1:5000"
    mail_transport: str = "file"
    mail_sender: str = "Mentor Portal <portal@example.org>"
    data_dir: Path = Path(".portal")
    secret_key: str = field(default="", repr=False)
    region: str = "eu-west-1"
    dynamodb_endpoint: str | None = None
    content_dir: Path = Path("content")
    token_ttl_hours: int = 48
    mail_rate: float = 10.0  # emails per second, SES's sending rate (1 in the SES sandbox)
    ses_configuration_set: str | None = None
    # A simulated start time for the clock (PORTAL_CLOCK), for trying reminders on other days.
    clock_start: datetime | None = None
    # Sign-ups admitted from one source address, per 10 minutes and per day.
    signups_per_source: tuple[int, int] = (20, 100)
    # Sign-ups admitted for one email address, per hour and per day.
    signups_per_address: tuple[int, int] = (3, 10)
    # The Lambda function this process runs in (AWS_LAMBDA_FUNCTION_NAME, set by Lambda), which
    # a request asks to send the email it queued (portal/mail/courier.py); None elsewhere.
    function_name: str | None = None
    # Site admins (PORTAL_ADMINS): they may organize every program, in the form addresses
    # are compared in (portal.domain.addresses.email_key).
    admins: tuple[str, ...] = ()
    # The function's memory (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, set by Lambda; elsewhere
    # zappa_settings.json's memory_size), which prices its time on the costs page.
    function_memory_mb: int = 1024
    # The static site (PORTAL_SITE_BUCKET, PORTAL_SITE_DISTRIBUTION): the S3 bucket the public
    # pages are published to and the CloudFront distribution in front of it; both empty where
    # the app serves every page itself (locally), and then nothing is published.
    site_bucket: str = ""
    site_distribution: str = ""

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def is_local(self) -> bool:
        return self.stage == "local"

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some values replaced (used by tests and the CLI)."""
        return replace(self, **changes)

    @property
    def origin_token(self) -> str:
        """What the stage's CloudFront distribution adds to each request it sends the app
        (X-Portal-Origin), made from the secret key so that there is no second secret to
        keep: the app then believes the viewer's address the distribution passes on
        (portal.web.source_address). Empty without a key."""
        if not self.secret_key:
            return ""
        return hmac.new(
            self.secret_key.encode(), b"mentor-portal: cloudfront origin", "sha256"
        ).hexdigest()


def _project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def content_folder(environ: Mapping[str, str] | None = None) -> Path:
    """The content folder: PORTAL_CONTENT_DIR, else the project's; needs no other setting."""
    env = os.environ if environ is None else environ
    return Path(env.get("PORTAL_CONTENT_DIR", str(_project_root() / "content")))


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from PORTAL_* variables; raise SettingsError naming a bad one."""
    env = os.environ if environ is None else environ
    stage = env.get("PORTAL_STAGE", "local")
    if stage not in STAGES:
        raise SettingsError(f"PORTAL_STAGE must be one of {', '.join(STAGES)}, not {stage!r}")

    data_dir = Path(env.get("PORTAL_DATA_DIR", ".portal")).expanduser()
    default_transport = "ses" if stage == "aws" else "file"
    transport = env.get("PORTAL_MAIL_TRANSPORT", default_transport)
    if transport not in MAIL_TRANSPORTS:
        raise SettingsError(
            f"PORTAL_MAIL_TRANSPORT must be one of {', '.join(MAIL_TRANSPORTS)}, not {transport!r}"
        )

    ttl_text = env.get("PORTAL_TOKEN_TTL_HOURS", "48")
    try:
        token_ttl = int(ttl_text)
    except ValueError:
        raise SettingsError(
            f"PORTAL_TOKEN_TTL_HOURS must be a whole number, not {ttl_text!r}"
        ) from None
    if not 1 <= token_ttl <= 24 * 14:
        raise SettingsError("PORTAL_TOKEN_TTL_HOURS must be between 1 and 336")

    rate_text = env.get("PORTAL_MAIL_RATE", "10")
    try:
        mail_rate = float(rate_text)
    except ValueError:
        raise SettingsError(f"PORTAL_MAIL_RATE must be a number, not {rate_text!r}") from None
    if not 0 < mail_rate <= 1000:
        raise SettingsError("PORTAL_MAIL_RATE must be more than 0 and at most 1000")

    base_url = env.get("PORTAL_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise SettingsError(
            f"PORTAL_BASE_URL must start with http:// or https://, not {base_url!r}"
        )

    site_bucket, site_distribution = _site(env)
    settings = Settings(
        stage=stage,
        table_prefix=env.get("PORTAL_TABLE_PREFIX", f"portal-{stage}"),
        base_url=base_url,
        mail_transport=transport,
        mail_sender=env.get("PORTAL_MAIL_SENDER", "Mentor Portal <portal@example.org>"),
        data_dir=data_dir,
        secret_key=env.get("PORTAL_SECRET_KEY", ""),
        region=env.get(
            "PORTAL_REGION", env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", "eu-west-1"))
        ),
        dynamodb_endpoint=env.get("PORTAL_DYNAMODB_ENDPOINT") or None,
        content_dir=content_folder(env),
        token_ttl_hours=token_ttl,
        mail_rate=mail_rate,
        ses_configuration_set=env.get("PORTAL_SES_CONFIGURATION_SET") or None,
        clock_start=_clock_start(env.get("PORTAL_CLOCK", ""), stage),
        signups_per_source=_limit_pair(env, "PORTAL_SIGNUPS_PER_SOURCE", "20,100"),
        signups_per_address=_limit_pair(env, "PORTAL_SIGNUPS_PER_ADDRESS", "3,10"),
        function_name=env.get("AWS_LAMBDA_FUNCTION_NAME") or None,
        admins=_admins(env.get("PORTAL_ADMINS", "")),
        function_memory_mb=_memory_mb(env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")),
        site_bucket=site_bucket,
        site_distribution=site_distribution,
    )
    return _check_base_url(_check_secret_key(settings))


MAX_LIMIT = 1_000_000
# S3's rules for a bucket name, and CloudFront's distribution ids (e.g. E2QWRUHAPOMQZL).
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_DISTRIBUTION = re.compile(r"[A-Z0-9]{1,32}")


def _site(env: Mapping[str, str]) -> tuple[str, str]:
    """The static site's bucket and distribution, each well formed.

    The bucket alone is enough to publish (the stack makes the bucket before the distribution
    exists; CloudFront keeps a page at most 60 seconds, so a change still shows within a
    minute); the distribution id adds invalidations, which show it sooner.
    """
    bucket = env.get("PORTAL_SITE_BUCKET", "").strip()
    distribution = env.get("PORTAL_SITE_DISTRIBUTION", "").strip()
    if distribution and not bucket:
        raise SettingsError(
            "PORTAL_SITE_DISTRIBUTION is set but PORTAL_SITE_BUCKET is not: the distribution "
            "serves the site's bucket; set the bucket too, or neither"
        )
    if bucket and not _BUCKET.fullmatch(bucket):
        raise SettingsError(
            "PORTAL_SITE_BUCKET must be an S3 bucket name (3 to 63 lowercase letters, digits, "
            f"dots and hyphens), not {bucket!r}"
        )
    if distribution and not _DISTRIBUTION.fullmatch(distribution):
        raise SettingsError(
            "PORTAL_SITE_DISTRIBUTION must be a CloudFront distribution id (capital letters "
            f"and digits, such as E2QWRUHAPOMQZL), not {distribution!r}"
        )
    return bucket, distribution


def _memory_mb(text: str) -> int:
    """The function's memory in MB, as Lambda tells it (128 to 10,240)."""
    try:
        memory = int(text)
    except ValueError:
        raise SettingsError(
            f"AWS_LAMBDA_FUNCTION_MEMORY_SIZE must be a whole number of MB, not {text!r}"
        ) from None
    if not 128 <= memory <= 10_240:
        raise SettingsError("AWS_LAMBDA_FUNCTION_MEMORY_SIZE must be between 128 and 10240")
    return memory


def _limit_pair(env: Mapping[str, str], name: str, default: str) -> tuple[int, int]:
    """Two whole numbers "short,day": a limit per short window and one per day."""
    text = env.get(name, default)
    parts = [part.strip() for part in text.split(",")]
    try:
        short, day = (int(part) for part in parts)
    except ValueError:
        raise SettingsError(
            f"{name} must be two whole numbers separated by a comma, such as {default}, "
            f"not {text!r}"
        ) from None
    if not (1 <= short <= MAX_LIMIT and 1 <= day <= MAX_LIMIT):
        raise SettingsError(f"{name}: each number must be between 1 and {MAX_LIMIT:,}")
    if short > day:
        raise SettingsError(f"{name}: the first number (the short window) cannot exceed the day's")
    return short, day


def _admins(text: str) -> tuple[str, ...]:
    """The site admins' addresses, comma-separated; SettingsError naming a bad one."""
    if not text.strip():
        return ()
    # Imported here, as in portal.domain.addresses: only settings with admins need it.
    from email_validator import EmailNotValidError, validate_email

    from portal.domain.addresses import email_key

    admins: list[str] = []
    for part in text.split(","):
        address = part.strip()
        if not address:
            continue
        try:
            validate_email(address, check_deliverability=False, test_environment=True)
        except EmailNotValidError as exc:
            raise SettingsError(
                f"PORTAL_ADMINS must be email addresses separated by commas: {address!r} in "
                f"{text!r} is not one ({exc})"
            ) from None
        admins.append(email_key(address))
    return tuple(dict.fromkeys(admins))


def _clock_start(text: str, stage: str) -> datetime | None:
    if not text.strip():
        return None
    if stage == "aws":
        raise SettingsError("PORTAL_CLOCK simulates other days locally: unset it in the aws stage")
    try:
        return parse_moment(text)
    except ValueError as exc:
        raise SettingsError(f"PORTAL_CLOCK: {exc}") from None


_MAKE_A_KEY = 'make one with: python3 -c "import secrets; print(secrets.token_urlsafe(48))"'


def _check_secret_key(settings: Settings) -> Settings:
    """Refuse a weak key in the aws stage; give the test stage a throwaway one.

    The local stage's key is read or made in the data folder only when the web app starts
    (`resolve_secret_key`), so that commands which need no key write nothing.
    """
    key = settings.secret_key
    if settings.stage == "aws":
        if key.lower() in _KNOWN_BAD_KEYS or len(key) < MIN_SECRET_KEY_LENGTH:
            raise SettingsError(
                "PORTAL_SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters in the aws stage: {_MAKE_A_KEY}"
            )
        bits = estimated_bits(key)
        if bits < MIN_BITS:
            # It signs sessions and unsubscribe links: a guessable key lets anyone forge them.
            raise SettingsError(
                f"PORTAL_SECRET_KEY is too easy to guess (about {bits:.0f} bits of randomness, "
                f"at least {MIN_BITS} needed): a key that repeats, runs in sequence (abc, 123), "
                "uses few kinds of characters or is made of words can be guessed. Do not "
                f"choose a key, {_MAKE_A_KEY}"
            )
        return settings
    if key:
        return settings
    if settings.stage == "test":
        return replace(settings, secret_key=secrets.token_urlsafe(48))
    return settings


def _check_base_url(settings: Settings) -> Settings:
    """The aws stage is served over https only: its links, cookies and HSTS depend on it."""
    if settings.stage == "aws" and not settings.base_url.startswith("https://"):
        raise SettingsError(
            "PORTAL_BASE_URL must be the portal's https:// address in the aws stage (its "
            "emailed links carry sign-in tokens, and its session cookie is sent over https "
            f"only), not {settings.base_url!r}: e.g. https://mentoring.example.org"
        )
    return settings


def resolve_secret_key(settings: Settings) -> Settings:
    """Settings with a secret key: the local stage keeps one in the data folder."""
    if settings.secret_key:
        return settings
    return replace(settings, secret_key=local_secret_key(settings.data_dir))


def local_secret_key(data_dir: Path) -> str:
    """The secret key kept in the data folder, made on first use."""
    path = data_dir / "secret_key"
    existing = _read_key(path)
    if existing:
        return existing
    private_folder(data_dir, tighten=False)
    # Written whole to a temporary file, then linked into place: a reader never sees a
    # half-written key, and of two processes starting together the first link wins.
    temporary = data_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(48))
    try:
        if path.exists() and not _read_key(path):
            path.unlink()  # an empty key left by a crash is no key
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)
    key = _read_key(path)
    if not key:
        raise SettingsError(f"could not create a secret key in {path}")
    return key


def remember_base_url(data_dir: Path, base_url: str) -> None:
    """Keep the address `portal dev` serves, for the links in emails other commands queue."""
    private_folder(data_dir, tighten=False)
    write_private(data_dir / "base_url", base_url + "\n")


def remembered_base_url(data_dir: Path) -> str | None:
    """The address the last `portal dev` on this data folder served, if any."""
    try:
        value = (data_dir / "base_url").read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
        return None
    return value.rstrip("/") if value.startswith(("http://", "https://")) else None


def _read_key(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""
