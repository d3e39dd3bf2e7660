"""Fuzz every POST route of the portal with broken submissions; count 5xx and malformed records.

    /work/main/.venv/bin/python bench/fuzz.py --requests 10000 [--seed 9] [--store moto]

One process: DynamoDB Local in memory (moto's DynamoDB with `--store moto`, or where Java
or DynamoDB Local is missing; moto copies every table in each transaction, so a long run
slows down as the data grows), the shipped content plus copies of two programs for the
rounds' routes (one whose rounds organizers approve, so that the review routes have drafts;
one whose mentees choose), and the Flask test client. Every POST rule
of the app's URL map is a target; a rule the harness cannot reach stops it, so a new route
cannot be left out. For each request the harness builds a submission that would succeed
(real magic-link tokens made through the services, a signed-in session where the route
needs one, a valid CSRF token from a GET of a form of the same client: CSRF is never turned
off) and then breaks it one way: a field replaced by odd text (invisible and bidirectional
characters, control characters, markup, over-long text, international addresses, digits
that are not ASCII), a field dropped, repeated values (up to a 1 MB body), values outside
the choices, a file upload in a text field, the form sent as multipart, an oversize body,
too many fields, bytes that are not UTF-8, another method (PUT, PATCH, DELETE, OPTIONS),
another content type, a bad CSRF token, or odd path parameters (made-up and 1,000-byte ids).
About one request in ten is sent unbroken, so the routes also act and change the data.

Afterwards every participant, goal and check-in record is checked against the rules the
forms enforce (lengths, list sizes, choices, no duplicates, no markup, no control or
invisible characters, the address kept as typed) and against a size far below DynamoDB's
item limit.

Every response's cookies are measured too: a browser drops a cookie over 4 KB, and with the
session cookie the person's sign-in and the flashed messages.

Targets: 0 responses of 500 or more; 0 malformed records; 0 cookies a browser would drop.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import secrets
import shutil
import sys
import tempfile
import time
import unicodedata
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import idna  # noqa: E402
from flask import Flask, got_request_exception  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402

from portal import i18n  # noqa: E402
from portal.container import Services  # noqa: E402
from portal.domain.checkins import Fit, GoalState, Kind, match_ref  # noqa: E402
from portal.domain.participants import (  # noqa: E402
    SENIORITY_KEYS,
    SLOTS,
    Participant,
    Role,
    Status,
)
from portal.domain.program import Program  # noqa: E402
from portal.domain.program_templates import TEMPLATES  # noqa: E402
from portal.domain.roster import FIELDS as ROSTER_FIELDS  # noqa: E402
from portal.i18n import LANGUAGES  # noqa: E402
from portal.local.demo import demo_participants  # noqa: E402
from portal.persistence.matches import ACTIVATED, LOCK_ID  # noqa: E402
from portal.persistence.tables import (  # noqa: E402
    CheckinRecord,
    GoalRecord,
    MatchRecord,
    ParticipantRecord,
    RoundRecord,
)
from portal.services.checkins import MAX_GOALS as MAX_GOALS_PER_MATCH  # noqa: E402
from portal.services.checkins import RATINGS  # noqa: E402
from portal.services.rounds import CHOOSE, ORGANIZE, round_id_for  # noqa: E402
from portal.services.signin import CONSOLE  # noqa: E402
from portal.services.signup import Application  # noqa: E402
from portal.web.forms import count_links  # noqa: E402
from portal.web.me.forms import GOAL_MAX, MINUTES_MAX, NOTE_MAX  # noqa: E402
from portal.web.me.routes import SURVEY_PATTERN  # noqa: E402
from portal.web.organize.lifecycle import STEPS  # noqa: E402
from portal.web.signup.forms import (  # noqa: E402
    ANSWER_MAX,
    BIO_LINKS,
    BIO_MAX,
    DEPARTMENT_MAX,
    EMAIL_MAX,
    MAX_GOALS,
    NAME_MAX,
    timezone_choices,
)

TARGETS = {"server_errors": 0, "malformed": 0, "dropped_cookies": 0}
# Browsers keep a cookie of at most 4096 bytes (name and value) and drop a larger one: the
# session, its CSRF token and its flashed messages with it.
COOKIE_LIMIT = 4096
# Sign-up limits for the fuzzed site: every sign-up comes from one client, and the fuzz is
# about the forms. A second site with the shipped limits takes a share of the sign-ups, so
# that the refusals past a limit (429) are fuzzed too. Half of them: with a third, the
# 1,000 seeded requests of tests/fuzz spread over 23 routes reached no limit (the per-address
# limit needs four sign-ups that pass the form's checks within an hour).
RAISED_LIMITS = (100_000, 1_000_000)
LIMITED_SHARE = 0.5
LIMITED_SOURCE = "198.51.100.7"
LIMITED_RECIPIENTS = ("limited@example.org", "Limited@Example.org")  # one address, two ways
# A Monday morning, years ahead: DynamoDB Local deletes items whose TTL (sessions, links,
# counters) has passed by its own clock, so the portal's clock must not be behind it.
START = datetime(2036, 3, 3, 9, 0, tzinfo=UTC)
REVIEWED = "fuzz-review"  # a copy of the demo program whose rounds an organizer approves
REVIEWER = "reviewer@example.org"
ADMIN = "fuzz-admin@example.org"  # a site admin (PORTAL_ADMINS): creates and duplicates programs
STORED = "fuzz-stored"  # a program stored in the database, whose lifecycle the reviewer changes
# A copy of the demo program whose rounds the console previews (its organizer is REVIEWER):
# an open preview holds its program's round lock, which the review rounds must not meet.
PREVIEWED = "fuzz-preview"
# A copy of leaders-group (mentees choose among suggestions) for the choice links. The rounds
# read a program's every participant: the sign-up fuzz writes to the shipped programs only,
# so that the rounds' programs stay small and each request costs the same to the end.
CHOOSING = "fuzz-choice"
# A program stored in the database (created by a site admin) whose settings REVIEWER edits.
EDITED = "fuzz-edited"
GROUPED = "leaders-group"  # a group program: a mentor and two mentees for the group page
# No valid record comes near this: the longest answers the forms allow fit in about 8 KB.
# DynamoDB refuses items over 400 KB.
ITEM_LIMIT = 16 * 1024
BODY_LIMIT = 1024 * 1024  # the app's MAX_CONTENT_LENGTH
ODD_METHODS = ("PUT", "PATCH", "DELETE", "OPTIONS")
# Requests that may end the signed-in person's match or change their status.
ENDS_A_MATCH = frozenset(
    {"me.rematch", "me.pause", "me.resume", "me.leave", "me.checkin", "me.erase"}
)
ROUND_ID = re.compile(r"\d{4}-\d{2}-\d{2}T\d{4}Z")
# Sessions run out (an organizer's after 2 hours, a participant's after 8): the harness signs
# in again after this much of the portal's clock, which moves a second a request.
SIGN_IN_AGAIN = timedelta(hours=1)

# -- odd values ---------------------------------------------------------------------------

CORPUS = (
    "",
    " ",
    "   \t  ",
    "a",
    "Zoë Ångström",
    "José Núñez",
    "名前 テスト",
    "محمد الأحمد",
    "e\u0301\u0301\u0301",
    "👩🏽‍💻 Ada",
    "Ada\u200bLovelace",  # zero-width space
    "\u202egnp.exe",  # right-to-left override
    "Ada \u2066Lovelace\u2069",  # isolates
    "\ufeffAda",  # byte-order mark
    "Ad\u00ada",  # soft hyphen
    "A\u180eda",  # Mongolian vowel separator
    "\u2028Ada\u2029",  # line and paragraph separators
    "\u3164",  # a Hangul filler: a letter that shows as nothing
    "Ada\u034fLovelace\u2800",  # the combining grapheme joiner, a blank Braille pattern
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # a zero-width non-joiner in a Persian word
    "Ada\x85Lovelace",  # a C1 control: next line
    "\x9b31mred",  # a C1 control: the 8-bit terminal escape
    "\x00",
    "Ada\x00Lovelace",
    "\x1b[31mred\x1b[0m",
    "line one\r\nline two",
    "tab\there",
    "<script>alert(1)</script>",
    "<b>bold</b>",
    "a > b",
    "&lt;b&gt;",
    "{{ 7 * 7 }}",
    "${7*7}",
    "%s%s%s%n",
    "'; DROP TABLE participants; --",
    "http://evil.example/login",
    "Your account is locked: visit http://evil.example/unlock",
    "[click](javascript:alert(1))",
    "\U000e0041\U000e0064\U000e0061",  # tag characters
    "\ue000\uf8ff",  # private use
    "\ufffd\ufffe\uffff",
    "²",  # a digit to str.isdigit, not to int()
    "٣",  # an Arabic-Indic three
    "\uff11\uff12",  # full-width digits
    "0",
    "-1",
    "1e9",
    "NaN",
    "9" * 40,
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "2026-03-01T10:00",
    "+002026-03-01",
    "ada@example.org",
    "ADA@EXAMPLE.ORG",
    "max@straße.de",
    "user@ς.gr",
    "ada@xn--strae-oqa.de",
    "josé@example.org",
    "a@b",
    "@",
    "a@@example.org",
    "ada@example.org\nBcc: everyone@example.org",
    "ada@example.org, bob@example.org",
    '"quoted local"@example.org',
    "x" * 250 + "@example.org",
    "ada@" + "sub." * 60 + "example.org",
    "../../etc/passwd",
    "%00%2e%2e",
    "null",
    "None",
    "true",
    "[]",
    "{}",
)
LENGTHS = (1, 2, 3, 99, 100, 101, 199, 200, 201, 999, 1000, 1001, 1999, 2000, 2001, 10_000)
# Code point ranges for random text; no surrogates (they cannot be sent as UTF-8).
RANGES = (
    (0x20, 0x7E),
    (0x00, 0x1F),
    (0xA0, 0x24F),
    (0x300, 0x36F),
    (0x590, 0x6FF),
    (0x2000, 0x206F),
    (0x3040, 0x30FF),
    (0x4E00, 0x4E80),
    (0xE000, 0xE010),
    (0xFE00, 0xFE0F),
    (0xFFF0, 0xFFFF),
    (0x1F300, 0x1FAFF),
    (0xE0000, 0xE007F),
)


def random_text(rng: random.Random, length: int) -> str:
    start, end = rng.choice(RANGES)
    return "".join(chr(rng.randint(start, end)) for _ in range(length))


def fuzz_text(rng: random.Random, valid: str = "") -> str:
    """An odd value for a text field, sometimes built around a valid one."""
    roll = rng.random()
    if roll < 0.45:
        return rng.choice(CORPUS)
    if roll < 0.65:
        return random_text(rng, rng.choice(LENGTHS[:10]))
    if roll < 0.85:
        odd = rng.choice(CORPUS)
        return f"{valid}{odd}" if rng.random() < 0.5 else f"{odd}{valid}"
    if roll < 0.93:
        return rng.choice("ab<\u200b😀ß") * rng.choice(LENGTHS)
    return random_text(rng, rng.choice(LENGTHS[10:]))  # long, and no compression shrinks it


PATH_VALUES = (
    "x",
    "0",
    "-1",
    "99999999999999999999",
    "1.5",
    "%C2%B2",
    "..",
    "%2e%2e%2f",
    "%00",
    "%E2%80%AE",
    "a" * 43,
    "b" * 1000,
    "Z" * 300,
    "%F0%9F%98%80",
    "2099-01-01T0000Z",
    "demo",
    "fuzz-review",
)


# -- requests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file part in a multipart body."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


Value = str | Upload


@dataclass
class Case:
    """A submission to one route that would succeed, for the mutators to break."""

    endpoint: str
    client: FlaskClient
    rule: str
    params: dict[str, str]
    fields: list[tuple[str, Value]]
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # list and choice fields
    lists: frozenset[str] = frozenset()
    query: str = ""
    # Told the request sent and the status, when the response is in.
    after: Callable[[Request, int], None] | None = None

    def path(self, params: dict[str, str] | None = None) -> str:
        values = params or self.params
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], self.rule)
        return path + (f"?{self.query}" if self.query else "")

    def names(self) -> list[str]:
        return sorted({name for name, _ in self.fields if name != "csrf_token"})


@dataclass
class Request:
    method: str
    path: str
    body: bytes
    content_type: str | None
    kind: str
    fields: list[tuple[str, Value]] | None = None  # a form's fields, as sent


def urlencoded(fields: list[tuple[str, Value]]) -> bytes:
    pairs = [(name, value if isinstance(value, str) else value.filename) for name, value in fields]
    return urlencode(pairs, encoding="utf-8").encode("ascii")


def multipart(fields: list[tuple[str, Value]]) -> tuple[bytes, str]:
    boundary = "fuzz" + secrets.token_hex(12)
    parts = []
    for name, value in fields:
        if isinstance(value, Upload):
            head = (
                f'Content-Disposition: form-data; name="{name}"; filename="{value.filename}"\r\n'
                f"Content-Type: {value.content_type}\r\n\r\n"
            )
            parts.append(b"--" + boundary.encode() + b"\r\n" + head.encode() + value.content)
        else:
            head = f'Content-Disposition: form-data; name="{name}"\r\n\r\n'
            parts.append(
                b"--" + boundary.encode() + b"\r\n" + head.encode() + value.encode("utf-8")
            )
    body = b"\r\n".join(parts) + b"\r\n--" + boundary.encode() + b"--\r\n"
    return body, f"multipart/form-data; boundary={boundary}"


def form_request(case: Case, fields: list[tuple[str, Value]], kind: str) -> Request:
    if any(isinstance(value, Upload) for _, value in fields):
        body, content_type = multipart(fields)
        return Request("POST", case.path(), body, content_type, kind, fields)
    return Request(
        "POST", case.path(), urlencoded(fields), "application/x-www-form-urlencoded", kind, fields
    )


# -- mutators: each breaks a valid case one way -------------------------------------------


def _pick_field(case: Case, rng: random.Random) -> str | None:
    names = case.names()
    return rng.choice(names) if names else None


def _no_fields(case: Case, rng: random.Random) -> Request:
    """For a form that is only a button (a CSRF token): another way to break it."""
    return rng.choice((m_extra, m_csrf, m_path, m_file_button))(case, rng)


def m_valid(case: Case, rng: random.Random) -> Request:
    return form_request(case, case.fields, "valid")


def m_replace(case: Case, rng: random.Random) -> Request:
    name = _pick_field(case, rng)
    if name is None:
        return _no_fields(case, rng)
    valid = next((v for n, v in case.fields if n == name and isinstance(v, str)), "")
    odd = fuzz_text(rng, valid)
    fields = [(n, v) for n, v in case.fields if n != name] + [(name, odd)]
    return form_request(case, fields, "replace")


def m_drop(case: Case, rng: random.Random) -> Request:
    name = _pick_field(case, rng)
    if name is None:
        return _no_fields(case, rng)
    fields = [(n, v) for n, v in case.fields if n != name]
    return form_request(case, fields, "drop")


def m_extra(case: Case, rng: random.Random) -> Request:
    extra = rng.choice(("website", "role", "status", "email", "admin", "__proto__", "x" * 300))
    return form_request(case, [*case.fields, (extra, fuzz_text(rng))], "extra field")


def m_duplicate(case: Case, rng: random.Random) -> Request:
    names = sorted(case.lists) or case.names()
    if not names:
        return _no_fields(case, rng)
    name = rng.choice(names)
    options = case.choices.get(name) or tuple(
        v for n, v in case.fields if n == name and isinstance(v, str)
    )
    value = rng.choice(options) if options else "x"
    # Up to a body just under 1 MB, as in the probe (40,000 x availability=mon-morning).
    per = len(urlencode([(name, value)])) + 1
    count = rng.choice((2, 3, 10, 100, 1000, max(2, (BODY_LIMIT - 4096) // per)))
    fields = [*case.fields, *([(name, value)] * count)]
    return form_request(case, fields, "duplicates")


def m_outside(case: Case, rng: random.Random) -> Request:
    names = sorted(case.choices)
    if not names:
        return m_replace(case, rng)
    name = rng.choice(names)
    odd = rng.choice(("mon-midnight", "astrology", "Klingon", "Etc/GMT+5", "UTC ", fuzz_text(rng)))
    if name in case.lists and rng.random() < 0.5:
        fields = [*case.fields, (name, odd)]
    else:
        fields = [(n, v) for n, v in case.fields if n != name] + [(name, odd)]
    return form_request(case, fields, "outside the choices")


def m_many_values(case: Case, rng: random.Random) -> Request:
    """Every choice of a list field at once, and more values than any list allows."""
    names = sorted(case.lists)
    if not names:
        return m_duplicate(case, rng)
    name = rng.choice(names)
    values = list(case.choices.get(name, ()))
    fields = [(n, v) for n, v in case.fields if n != name] + [(name, v) for v in values]
    return form_request(case, fields, "every choice")


def m_file(case: Case, rng: random.Random) -> Request:
    name = _pick_field(case, rng) or "name"
    upload = Upload(
        filename=rng.choice(("somefile", "cv.pdf", "../../x.txt", "名前.txt", "")),
        content=rng.choice((b"", b"hello", b"\x00\xff" * 100, "Zoë".encode(), b"a" * 5000)),
        content_type=rng.choice(("text/plain", "application/pdf", "application/octet-stream")),
    )
    fields = [(n, v) for n, v in case.fields if n != name] + [(name, upload)]
    return form_request(case, fields, "file upload in a field")


def m_file_button(case: Case, rng: random.Random) -> Request:
    """A file sent with a button's form, in an extra field or as the CSRF token."""
    name = rng.choice(("csrf_token", "file", "mentee"))
    upload = Upload("somefile", b"hello", "text/plain")
    fields = [(n, v) for n, v in case.fields if n != name or name != "csrf_token"]
    return form_request(case, [*fields, (name, upload)], "file upload in a field")


def m_multipart(case: Case, rng: random.Random) -> Request:
    body, content_type = multipart(case.fields)
    return Request("POST", case.path(), body, content_type, "multipart")


def m_oversize(case: Case, rng: random.Random) -> Request:
    name = _pick_field(case, rng) or "name"
    size = BODY_LIMIT + rng.choice((1, 1024, BODY_LIMIT))
    fields = [*case.fields, (name, "a" * size)]
    if rng.random() < 0.5:
        body, content_type = multipart(fields)
        return Request("POST", case.path(), body, content_type, "oversize body")
    return form_request(case, fields, "oversize body")


def m_many_fields(case: Case, rng: random.Random) -> Request:
    count = rng.choice((1001, 5000))
    fields = [*case.fields, *((f"f{n}", "x") for n in range(count))]
    if rng.random() < 0.5:
        body, content_type = multipart(fields)
        return Request("POST", case.path(), body, content_type, "too many fields")
    return form_request(case, fields, "too many fields")


def m_bytes(case: Case, rng: random.Random) -> Request:
    name = _pick_field(case, rng) or "name"
    raw = rng.choice(("%FF%FE", "%C0%AF", "%ED%A0%80", "%00", "%E2%82", "%F4%90%80%80"))
    body = urlencoded([(n, v) for n, v in case.fields if n != name]) + f"&{name}=a{raw}b".encode()
    return Request(
        "POST", case.path(), body, "application/x-www-form-urlencoded", "bytes not UTF-8"
    )


def m_method(case: Case, rng: random.Random) -> Request:
    method = rng.choice(ODD_METHODS)
    return Request(
        method, case.path(), urlencoded(case.fields), "application/x-www-form-urlencoded", "method"
    )


def m_content_type(case: Case, rng: random.Random) -> Request:
    form = {name: value for name, value in case.fields if isinstance(value, str)}
    choice = rng.randrange(7)
    if choice == 0:
        body, content_type = json.dumps(form).encode(), "application/json"
    elif choice == 1:
        body, content_type = urlencoded(case.fields), "text/plain"
    elif choice == 2:
        body, content_type = b"<form><name>x</name></form>", "application/xml"
    elif choice == 3:
        body, content_type = urlencoded(case.fields), "multipart/form-data"  # no boundary
    elif choice == 4:
        body = urlencoded(case.fields)
        content_type = "application/x-www-form-urlencoded; charset=utf-16"
    elif choice == 5:
        body, content_type = urlencoded(case.fields), "foo/bar; x=\u00e9"
    else:
        return Request("POST", case.path(), urlencoded(case.fields), None, "content type")
    return Request("POST", case.path(), body, content_type, "content type")


def m_csrf(case: Case, rng: random.Random) -> Request:
    odd = rng.choice(("", "x", "IjEi.abc.def", fuzz_text(rng), "a" * 5000))
    fields = [(n, v) for n, v in case.fields if n != "csrf_token"]
    if rng.random() < 0.7:
        fields.append(("csrf_token", odd))
    return form_request(case, fields, "bad CSRF token")


def m_path(case: Case, rng: random.Random) -> Request:
    if not case.params:
        return m_replace(case, rng)
    params = dict(case.params)
    name = rng.choice(sorted(params))
    roll = rng.random()
    if roll < 0.6:
        params[name] = rng.choice(PATH_VALUES)
    elif roll < 0.8:
        params[name] = quote(fuzz_text(rng), safe="")[:3000] or "x"
    else:
        params[name] = params[name] + rng.choice(("x", "%20", "/", "%2F.."))
    request = form_request(case, case.fields, "path parameters")
    request.path = case.path(params)
    return request


def m_empty(case: Case, rng: random.Random) -> Request:
    return Request("POST", case.path(), b"", None, "empty body")


def m_combo(case: Case, rng: random.Random) -> Request:
    if not case.names():
        return _no_fields(case, rng)
    fields = list(case.fields)
    for _ in range(rng.randint(2, 4)):
        names = sorted({n for n, _ in fields if n != "csrf_token"})
        if not names:
            break
        name = rng.choice(names)
        roll = rng.random()
        if roll < 0.4:
            fields = [(n, v) for n, v in fields if n != name] + [(name, fuzz_text(rng))]
        elif roll < 0.6:
            fields = [(n, v) for n, v in fields if n != name]
        elif roll < 0.8 and case.choices.get(name):
            fields.append((name, rng.choice(case.choices[name])))
        else:
            fields.append((name, fuzz_text(rng)))
    return form_request(case, fields, "combined")


MUTATORS: tuple[tuple[Callable[[Case, random.Random], Request], int], ...] = (
    (m_valid, 10),
    (m_replace, 22),
    (m_combo, 10),
    (m_drop, 6),
    (m_extra, 3),
    (m_duplicate, 6),
    (m_outside, 6),
    (m_many_values, 3),
    (m_file, 8),
    (m_multipart, 4),
    (m_oversize, 2),
    (m_many_fields, 2),
    (m_bytes, 4),
    (m_method, 4),
    (m_content_type, 4),
    (m_csrf, 3),
    (m_path, 6),
    (m_empty, 1),
)


# -- the data the routes act on ------------------------------------------------------------


class SteppedClock:
    """The portal's clock: one second later for every request, so that ids made of the time
    (check-ins, goals) do not collide."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


class MovableClock(Protocol):
    """A clock the harness moves on (this one, or the tests' FakeClock)."""

    def __call__(self) -> datetime: ...

    def advance(self, **kwargs: float) -> None: ...


CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    if match is None:
        raise HarnessError("the page has no CSRF token")
    return match.group(1)


class HarnessError(Exception):
    """The harness could not prepare a case (not a finding about the portal)."""


@dataclass
class SignedIn:
    client: FlaskClient
    csrf: str
    program: str
    email: str
    match_id: str
    other: str


class World:
    """Programs, people, matches, drafts, tokens and sessions for the routes to act on.

    Requests use them up (links are single use, a pause ends a match, an approval publishes
    the drafts): each is made again when the next case needs it.
    """

    def __init__(self, app: Flask, services: Services, clock: MovableClock, limited: Flask) -> None:
        self.app = app
        self.services = services
        self.clock = clock
        self.serial = 0
        self.visitor = app.test_client()
        page = self.visitor.get("/programs/demo/join/mentee")
        self.visitor_csrf = csrf_of(page.text)
        # A visitor of the site with the shipped limits, from a source address of its own.
        self.limited = limited.test_client()
        self.limited.environ_base["REMOTE_ADDR"] = LIMITED_SOURCE
        self.limited_csrf = csrf_of(self.limited.get("/programs/demo/join/mentee").text)
        self._me: SignedIn | None = None
        self._member: SignedIn | None = None
        self._member_since = clock()
        self._organizer: FlaskClient | None = None
        self._organizer_csrf = ""
        self._admin: FlaskClient | None = None
        self._admin_csrf = ""
        self._admin_since = clock()
        self._organizer_since = self._me_since = clock()
        self._draft_round: str | None = None
        self.approved_round: str | None = None
        self.me_may_have_changed = True
        self._choices: list[tuple[str, str, str, int]] = []  # round, token, mentee, options
        self.rounds_run = 0

    def program(self, slug: str) -> Program:
        program = self.services.programs.get(slug)
        if program is None:
            raise HarnessError(f"no program {slug}")
        return program

    def unique(self, tag: str) -> str:
        self.serial += 1
        return f"fuzz-{tag}-{self.serial}@example.org"

    def people(self, slug: str, count: int) -> list[Participant]:
        """Confirmed people with new addresses, `count` from each end of a demo population
        (its mentors come first, its mentees last)."""
        program = self.program(slug)
        self.serial += 1
        population = demo_participants(program, self.clock(), seed=self.serial)
        chosen = population[:count] + population[-count:]
        people = [
            replace(
                person,
                email=self.unique(person.role.value),
                participant_id=secrets.token_hex(16),
                status=Status.CONFIRMED,
                active_matches=0,
            )
            for person in chosen
        ]
        for person in people:
            self.services.participants.save(person)
        return people

    # a signed-in participant in an active match

    def me(self) -> SignedIn:
        me, fresh = self._me, self.clock() - self._me_since < SIGN_IN_AGAIN
        if me is not None and fresh and (not self.me_may_have_changed or self._still_matched(me)):
            self.me_may_have_changed = False
            return me
        self.me_may_have_changed = False
        self._me_since = self.clock()
        program = self.program("demo")
        people = self.people("demo", 1)
        mentor = next(p for p in people if p.role is Role.MENTOR)
        mentee = next(p for p in people if p.role is Role.MENTEE)
        round_id = round_id_for(self.clock())
        outcome = self.services.rounds.matches.activate(
            "demo",
            round_id,
            mentor=mentor.email,
            mentee=mentee.email,
            mentor_capacity=1,
            mentee_capacity=1,
            score=80,
            reasons=("both speak English",),
            now=self.clock(),
        )
        if outcome != ACTIVATED:
            raise HarnessError(f"could not match a pair: {outcome}")
        match = next(
            m
            for m in self.services.participation.active_matches("demo", mentee.email)
            if m.mentor == mentor.email
        )
        person, other = (mentee, mentor) if self.serial % 2 else (mentor, mentee)
        self.services.checkins.add_goal(program.slug, match.match_id, person.email, "Run a 1:1")
        client = self.app.test_client()
        link = self.services.checkins.page_url("demo", person.email).split("/me/", 1)[1]
        landing = client.get(f"/me/{link}")
        signed = client.post(f"/me/{link}", data={"csrf_token": csrf_of(landing.text)})
        if signed.status_code != 302:
            raise HarnessError(f"signing in gave {signed.status_code}")
        self._me = SignedIn(
            client, csrf_of(landing.text), "demo", person.email, match.match_id, other.email
        )
        return self._me

    # a signed-in member of a group, in a group program

    def group_member(self) -> SignedIn:
        member, fresh = self._member, self.clock() - self._member_since < SIGN_IN_AGAIN
        if member is not None and fresh and self._still_matched(member):
            return member
        self._member_since = self.clock()
        people = self.people(GROUPED, 2)  # two mentors, then two mentees
        mentor, mentees = people[0], [p for p in people if p.role is Role.MENTEE]
        round_id = round_id_for(self.clock())
        for mentee in mentees:
            outcome = self.services.rounds.matches.activate(
                GROUPED,
                round_id,
                mentor=mentor.email,
                mentee=mentee.email,
                mentor_capacity=4,
                mentee_capacity=1,
                score=80,
                reasons=({"code": "shared_language", "languages": ["English"]},),
                now=self.clock(),
            )
            if outcome != ACTIVATED:
                raise HarnessError(f"could not make a group: {outcome}")
        (match,) = self.services.participation.active_matches(GROUPED, mentees[0].email)
        client = self.app.test_client()
        link = self.services.links.group_url(GROUPED, mentees[0].email).split("/me/", 1)[1]
        landing = client.get(f"/me/{link}")
        signed = client.post(f"/me/{link}", data={"csrf_token": csrf_of(landing.text)})
        if signed.status_code != 302:
            raise HarnessError(f"signing in gave {signed.status_code}")
        self._member = SignedIn(
            client, csrf_of(landing.text), GROUPED, mentees[0].email, match.match_id, mentor.email
        )
        return self._member

    def _still_matched(self, me: SignedIn) -> bool:
        match = self.services.rounds.matches.get(me.program, me.match_id)
        person = self.services.participants.get(me.program, me.email)
        return (
            match is not None
            and match.status == "active"
            and person is not None
            and person.status is Status.CONFIRMED
        )

    # an organizer reviewing a draft round

    def organizer(self) -> tuple[FlaskClient, str]:
        # An organizer's session lasts 2 hours of the portal's clock, which a long run passes.
        if self._organizer is None or self.clock() - self._organizer_since > SIGN_IN_AGAIN:
            self._organizer_since = self.clock()
            client = self.app.test_client()
            token = self.services.links.issue(ORGANIZE, REVIEWED, REVIEWER)
            landing = client.get(f"/organize/{token}")
            client.post(f"/organize/{token}", data={"csrf_token": csrf_of(landing.text)})
            self._organizer, self._organizer_csrf = client, csrf_of(landing.text)
        return self._organizer, self._organizer_csrf

    # a site admin, and a program stored in the database

    def admin(self) -> tuple[FlaskClient, str]:
        """A browser signed in as the site admin, from the sign-in form's console link."""
        if self._admin is None or self.clock() - self._admin_since > SIGN_IN_AGAIN:
            self._admin_since = self.clock()
            client = self.app.test_client()
            token = self.services.links.issue(ORGANIZE, CONSOLE, ADMIN)
            landing = client.get(f"/organize/{token}")
            client.post(f"/organize/{token}", data={"csrf_token": csrf_of(landing.text)})
            self._admin, self._admin_csrf = client, csrf_of(landing.text)
        return self._admin, self._admin_csrf

    def stored_program(self) -> Program:
        """STORED, created from the group template (organized by the reviewer) if not yet."""
        program = self.services.programs.get(STORED)
        if program is None:
            program = self.services.program_admin.create(
                "group",
                title="Fuzz: a stored program",
                slug=STORED,
                organizers=(REVIEWER,),
                signup_open=True,
                by=ADMIN,
            )
        return program

    def retire(self, slug: str, keep_round: str | None = None) -> None:
        """Delete a program's people and matches, but those of `keep_round`.

        A round reads every participant of its program: the rounds' programs are kept to
        the people of the latest rounds, so that each request costs the same to the end.
        """
        keep: set[str] = set()
        if keep_round is not None:
            for match in self.services.rounds.matches.for_round(slug, keep_round):
                keep |= {match.mentor, match.mentee}
        with ParticipantRecord.batch_write() as batch:
            for person in ParticipantRecord.query(slug):
                if person.email not in keep:
                    batch.delete(person)
        with MatchRecord.batch_write() as batch:
            for match in MatchRecord.query(slug):
                if keep_round is None or not match.match_id.startswith(f"{keep_round}#"):
                    batch.delete(match)

    def draft_round(self) -> tuple[str, list[Any]]:
        """The round id of drafts waiting for approval, run anew when none are left."""
        program = self.program(REVIEWED)
        if self._draft_round is not None:
            drafts = [
                m
                for m in self.services.rounds.matches.for_round(REVIEWED, self._draft_round)
                if m.status == "proposed"
            ]
            if drafts:
                return self._draft_round, drafts
            self.approved_round = self._draft_round
        self.retire(REVIEWED, keep_round=self.approved_round)
        for _ in range(5):  # two random mentors may suit neither mentee: add people, again
            self.people(REVIEWED, 2)
            self.clock.advance(seconds=60)
            round_id = round_id_for(self.clock())
            outcome = self.services.rounds.run(program, round_id, trigger="cli")
            self.rounds_run += 1
            drafts = [
                m
                for m in self.services.rounds.matches.for_round(REVIEWED, round_id)
                if m.status == "proposed"
            ]
            if outcome.status == "done" and drafts:
                self._draft_round = round_id
                return round_id, drafts
        raise HarnessError(f"the review rounds gave {outcome.status} and no drafts")

    # a round previewed in the console

    def preview(self, fresh: bool = False) -> str:
        """The id of the open preview of PREVIEWED (a publish or discard uses it up), made
        anew when none is open, or when `fresh` asks for a new one."""
        program = self.program(PREVIEWED)
        rounds = self.services.rounds
        found = rounds.open_preview(program)
        if found is not None and (fresh or found.expired):
            rounds.discard(program, found.round.round_id)
            found = None
        if found is not None:
            return found.round.round_id
        self.retire(PREVIEWED)
        self.people(PREVIEWED, 2)
        self.clock.advance(seconds=60)  # a round a minute: each preview has a name of its own
        self.rounds_run += 1
        return rounds.preview(program).round.round_id

    # a mentee choosing among suggestions

    def choice(self) -> tuple[str, str, str, int]:
        while self._choices:
            round_id, token, _, options = self._choices[-1]
            try:
                self.services.links.check(token, f"{CHOOSE}:{round_id}")
            except Exception:  # used or gone: take the next one
                self._choices.pop()
                continue
            return self._choices[-1]
        program = self.program(CHOOSING)
        self.retire(CHOOSING)
        for _ in range(5):  # the people may suit nobody: add people, again
            people = self.people(CHOOSING, 3)
            self.clock.advance(seconds=60)
            round_id = round_id_for(self.clock())
            outcome = self.services.rounds.run(program, round_id, trigger="cli")
            self.rounds_run += 1
            for person in people:
                options = self.services.rounds.suggestions_for(program, round_id, person.email)
                if options:
                    token = self.services.links.issue(
                        f"{CHOOSE}:{round_id}", program.slug, person.email
                    )
                    self._choices.append((round_id, token, person.email, len(options)))
            if self._choices:
                return self._choices[-1]
        raise HarnessError(f"the choice rounds gave {outcome.status} and suggested nobody")

    def pending_confirmation(self) -> str:
        """A new pending sign-up's confirmation token, from the email its sign-up sent.

        A confirmation link carries the answers it was sent for: only the sign-up makes one.
        """
        program = self.program("demo")
        email = self.unique("pending")
        self.services.signup.sign_up(
            program,
            Application(
                role=Role.MENTEE,
                name="Pending Person",
                email=email,
                timezone="Europe/London",
                languages=("English",),
                availability=("mon-evening",),
                goals=("python",),
                seniority="early",
                answers={"industry": "Tech"},
                address=email,
            ),
        )
        return self.emailed_token(email, "/confirm/")

    def emailed_token(self, address: str, path: str) -> str:
        """The token of the latest link to `path` emailed to `address` (the memory sender's)."""
        sent = getattr(self.services.mail.sender, "sent", None)
        if sent is None:
            raise HarnessError("the fuzz needs the memory mail transport")
        for recipient, message in reversed(sent):
            if recipient != address:
                continue
            body = message.get_body(preferencelist=("plain",))
            found = re.search(re.escape(path) + r"([A-Za-z0-9_-]{20,})", body.get_content())
            if found:
                return found.group(1)
        raise HarnessError(f"no email to {address} with a {path} link")

    def signed_in_client(self) -> tuple[FlaskClient, str]:
        """A new browser signed in as the current participant (which it may then sign out)."""
        me = self.me()
        client = self.app.test_client()
        link = self.services.checkins.page_url(me.program, me.email).split("/me/", 1)[1]
        landing = client.get(f"/me/{link}")
        signed = client.post(f"/me/{link}", data={"csrf_token": csrf_of(landing.text)})
        if signed.status_code != 302:
            raise HarnessError(f"signing in gave {signed.status_code}")
        return client, csrf_of(landing.text)


# -- the routes ---------------------------------------------------------------------------


def signup_fields(program: Program, role: Role, email: str | None) -> list[tuple[str, Value]]:
    """A sign-up (or profile) form filled in correctly for this program and role."""
    fields: list[tuple[str, Value]] = [("name", "Fuzz Tester")]
    if email is not None:
        fields += [("email", email), ("consent", "y")]
    fields += [
        ("languages", program.languages[0]),
        ("timezone", program.timezone),
        ("availability", "mon-evening"),
        ("availability", "thu-morning"),
        ("seniority", "senior" if role is Role.MENTOR else "early"),
        ("department", "Analytics"),
        ("bio", "I like to learn.\nAnd to teach."),
    ]
    if role in (Role.MENTOR, Role.PEER):
        fields += [("skills", topic) for topic in program.topics[:2]]
    if role in (Role.MENTEE, Role.PEER):
        fields += [("goals", topic) for topic in program.topics[:2]]
    if role is Role.MENTOR and program.capacity > 1:
        fields.append(("capacity", "1"))
    if program.matching.exclude_reporting_line:
        fields.append(("reports_to", "boss@example.org"))
    for question in program.questions:
        if question.type in ("choice", "multi"):
            fields.append((f"q_{question.key}", question.choices[0]))
        else:
            fields.append((f"q_{question.key}", "An answer"))
    return fields


def signup_choices(program: Program, role: Role) -> dict[str, tuple[str, ...]]:
    choices: dict[str, tuple[str, ...]] = {
        "languages": tuple(program.languages),
        "availability": SLOTS,
        "seniority": SENIORITY_KEYS,
        "timezone": ("UTC", "Europe/London", "Asia/Kolkata"),
        "goals": tuple(program.topics),
        "skills": tuple(program.topics),
        "capacity": tuple(str(n) for n in range(1, program.capacity + 1)),
    }
    for question in program.questions:
        if question.type in ("choice", "multi"):
            choices[f"q_{question.key}"] = tuple(question.choices)
    return choices


def signup_lists(program: Program) -> frozenset[str]:
    multi = {f"q_{q.key}" for q in program.questions if q.type == "multi"}
    return frozenset({"languages", "availability", "goals", "skills", *multi})


def settings_fields(
    program: Program, version: str
) -> tuple[list[tuple[str, Value]], dict[str, tuple[str, ...]]]:
    """The program editor's form filled in with a stored program's settings, and its choices."""
    m, s = program.matching, program.schedule
    weights = ("must", "high", "medium", "low", "off")
    fields: list[tuple[str, Value]] = [
        ("version", version),
        ("basics-title", program.title),
        ("basics-summary", program.summary),
        ("basics-body", program.body),
        ("people-organizers", "\n".join(program.organizers)),
        ("people-format", program.format.value),
        ("people-capacity", str(program.capacity)),
        ("people-approval", program.approval.value),
        ("time-timezone", program.timezone),
        ("time-cycle_weeks", str(program.cycle_weeks)),
        ("time-signup_open", "y"),
        ("lists-topics", "\n".join(program.topics)),
        ("lists-languages", "\n".join(program.languages)),
        ("questions-0-position", "1"),
        ("questions-0-label", "Which office are you in?"),
        ("questions-0-type", "choice"),
        ("questions-0-choices", "Lisbon\nBerlin"),
        ("questions-0-match", "same"),
        ("questions-0-weight", "low"),
        *((f"weights-{name}", getattr(m.weights, name).value) for name in
          ("languages", "skills", "timezone", "availability", "seniority")),
        ("rules-no_repeat_pairs", "y"),
        ("rules-max_timezone_gap_hours", "6"),
        ("rules-min_score", "40"),
        ("rules-objective", m.objective),
        ("rules-fairness", m.fairness),
        ("rounds-when", "weekly"),
        ("rounds-days", "MON"),
        ("rounds-days", "THU"),
        ("rounds-hour", "9"),
        ("rounds-minute", "30"),
        ("summaries-when", "manual"),
        ("summaries-hour", "8"),
        ("summaries-minute", "0"),
        *((f"ladder-{name}", str(getattr(s, name))) for name in (
            "checkin_reminder_days", "second_nudge_days", "organizer_alert_days",
            "rematch_offer_days", "first_survey_day", "survey_every_days")),
        ("ladder-closing_survey", "y"),
        ("extras-agreement", ""),
        ("extras-track", ""),
        ("extras-retention_days", str(program.retention_days)),
    ]  # fmt: skip
    days = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
    choices = {
        "people-format": ("one-on-one", "group", "reverse", "flash", "peer"),
        "people-approval": ("auto", "organizer", "mentee-choice"),
        "questions-0-type": ("text", "choice", "multi"),
        "questions-0-match": ("none", "same", "overlap"),
        "questions-0-weight": weights,
        **{f"weights-{n}": weights for n in ("languages", "skills", "timezone")},
        "rounds-when": ("weekly", "manual"),
        "rounds-days": days,
        "summaries-days": days,
        "rounds-hour": tuple(str(h) for h in range(24)),
        "rounds-minute": tuple(str(m) for m in range(0, 60, 5)),
        "extras-agreement": ("", "standard"),
        "extras-track": ("", "first-12-weeks"),
    }
    return fields, choices


@dataclass
class Routes:
    """How to make a case that reaches each POST route's logic."""

    world: World
    rng: random.Random
    typed_addresses: set[tuple[str, str]] = field(default_factory=set)

    def case(self, endpoint: str, rule: str) -> Case:
        maker = getattr(self, "c_" + endpoint.replace(".", "_"), None)
        if maker is None:
            raise HarnessError(f"no way to reach {endpoint} ({rule}): add one to bench/fuzz.py")
        case: Case = maker(rule)
        case.endpoint, case.rule = endpoint, rule
        return case

    def _visitor_csrf(self) -> list[tuple[str, Value]]:
        return [("csrf_token", self.world.visitor_csrf)]

    # sign-up and confirmation

    def c_signup_join(self, rule: str) -> Case:
        world = self.world
        slug = self.rng.choice(("demo", "leaders-group", "peer-circles"))
        program = world.program(slug)
        role = Role(self.rng.choice(program.roles))
        email = world.unique("signup")
        roll = self.rng.random()
        if roll < 0.1:
            email = self.rng.choice(("max@straße.de", "user@ς.gr", "zoë@example.org"))
        client, csrf = world.visitor, world.visitor_csrf
        if roll > 1 - LIMITED_SHARE:
            # The shipped limits: a few addresses signed up again and again reach the limit
            # per recipient (3 an hour), and get the polite 429 with nothing stored.
            email = self.rng.choice(LIMITED_RECIPIENTS)
            client, csrf = world.limited, world.limited_csrf
        fields = [("csrf_token", csrf), *signup_fields(program, role, email)]
        case = Case(
            endpoint="",
            client=client,
            rule=rule,
            params={"slug": slug, "role_name": role.value},
            fields=fields,
            choices=signup_choices(program, role),
            lists=signup_lists(program),
        )

        def remember(request: Request, status: int) -> None:
            # A sign-up that went through with an international domain: the stored address
            # must keep that domain (checked with the records). Not a bot's (the honeypot
            # filled in), which is answered the same and stores nothing.
            sent = request.fields or []
            typed = [v for n, v in sent if n == "email" and isinstance(v, str)]
            bot = any(n == "website" and v for n, v in sent)
            if status == 200 and len(typed) == 1 and not typed[0].isascii() and not bot:
                self.typed_addresses.add((slug, typed[0]))

        case.after = remember
        return case

    def c_signup_confirm_post(self, rule: str) -> Case:
        world = self.world
        token = world.pending_confirmation()
        return Case("", world.visitor, rule, {"token": token}, self._visitor_csrf())

    def c_unsubscribe_unsubscribe(self, rule: str) -> Case:
        world = self.world
        token = world.services.unsubscribes.url(world.unique("unsubscribe")).rsplit("/", 1)[1]
        fields: list[tuple[str, Value]] = [("List-Unsubscribe", "One-Click")]
        return Case("", world.visitor, rule, {"token": token}, fields)

    # organizers

    def c_organize_sign_in(self, rule: str) -> Case:
        world = self.world
        # A match summary's link to the drafts, or the sign-in form's link to the console.
        program = self.rng.choice((REVIEWED, CONSOLE))
        token = world.services.links.issue(ORGANIZE, program, REVIEWER)
        return Case("", world.visitor, rule, {"token": token}, self._visitor_csrf())

    def c_organize_adjust(self, rule: str) -> Case:
        world = self.world
        client, csrf = world.organizer()
        round_id, drafts = world.draft_round()
        pair = self.rng.choice(drafts)
        mentors = sorted({m.mentor for m in drafts} - {pair.mentor})
        mentor = self.rng.choice([*mentors, ""]) if mentors else ""
        return Case(
            "",
            client,
            rule,
            {"slug": REVIEWED, "round_id": round_id},
            [("csrf_token", csrf), ("mentee", pair.mentee), ("mentor", mentor)],
            choices={"mentor": tuple(mentors), "mentee": tuple(m.mentee for m in drafts)},
        )

    def c_organize_language(self, rule: str) -> Case:
        client, csrf = self.world.organizer()
        languages = tuple(LANGUAGES)
        fields: list[tuple[str, Value]] = [
            ("csrf_token", csrf),
            ("language", self.rng.choice(languages)),
        ]
        return Case("", client, rule, {}, fields, choices={"language": languages})

    def c_organize_refresh_figures(self, rule: str) -> Case:
        client, csrf = self.world.organizer()
        return Case("", client, rule, {"slug": REVIEWED}, [("csrf_token", csrf)])

    def c_organize_approve(self, rule: str) -> Case:
        world = self.world
        client, csrf = world.organizer()
        # Publishing the drafts uses them up: mostly approve a round approved before (the
        # same code runs), now and then the waiting drafts.
        if world.approved_round is not None and self.rng.random() < 0.85:
            round_id = world.approved_round
        else:
            round_id, _ = world.draft_round()
        return Case(
            "", client, rule, {"slug": REVIEWED, "round_id": round_id}, [("csrf_token", csrf)]
        )

    def c_organize_end_match(self, rule: str) -> Case:
        world = self.world
        client, csrf = world.organizer()
        # A fresh active pair of the reviewed program, for the organizer to end.
        people = world.people(REVIEWED, 1)
        mentor = next(p for p in people if p.role is Role.MENTOR)
        mentee = next(p for p in people if p.role is Role.MENTEE)
        round_id = round_id_for(world.clock())
        outcome = world.services.rounds.matches.activate(
            REVIEWED,
            round_id,
            mentor=mentor.email,
            mentee=mentee.email,
            mentor_capacity=1,
            mentee_capacity=1,
            score=80,
            reasons=(),
            now=world.clock(),
        )
        if outcome != ACTIVATED:
            raise HarnessError(f"could not match a pair to end: {outcome}")
        (match,) = world.services.participation.active_matches(REVIEWED, mentee.email)
        return Case(
            "",
            client,
            rule,
            {"slug": REVIEWED, "ref": match_ref(match.match_id)},
            [("csrf_token", csrf), ("seen", "active"), ("reason", "They asked us to stop")],
        )

    def c_organize_move_mentee(self, rule: str) -> Case:
        world = self.world
        client, csrf = world.organizer()
        # A waiting mentee and a mentor with room; the rules may still refuse the pair.
        people = world.people(REVIEWED, 1)
        mentor = next(p for p in people if p.role is Role.MENTOR)
        mentee = next(p for p in people if p.role is Role.MENTEE)
        return Case(
            "",
            client,
            rule,
            {"slug": REVIEWED},
            [
                ("csrf_token", csrf),
                ("mentee", mentee.participant_id),
                ("mentor", mentor.participant_id),
            ],
        )

    def c_organize_export_csv(self, rule: str) -> Case:
        world = self.world
        client, csrf = world.organizer()
        kind = self.rng.choice(("participants", "matches", "checkins"))
        columns = self.rng.choice(("default", "all"))
        return Case(
            "",
            client,
            rule,
            {"slug": REVIEWED, "kind": kind},
            [("csrf_token", csrf), ("columns", columns)],
            choices={"columns": ("default", "all")},
        )

    def c_organize_preview_round(self, rule: str) -> Case:
        world = self.world
        client, csrf = world.organizer()
        # Mostly a preview is open (the page says so); now and then one is made.
        if self.rng.random() < 0.3:
            program = world.program(PREVIEWED)
            found = world.services.rounds.open_preview(program)
            if found is not None:
                world.services.rounds.discard(program, found.round.round_id)
            world.retire(PREVIEWED)
            world.people(PREVIEWED, 2)
            world.clock.advance(seconds=60)  # a preview's name is its minute
        return Case("", client, rule, {"slug": PREVIEWED}, [("csrf_token", csrf)])

    def c_organize_publish_round(self, rule: str) -> Case:
        world = self.world
        client, csrf = world.organizer()
        return Case(
            "",
            client,
            rule,
            {"slug": PREVIEWED, "round_id": world.preview()},
            [("csrf_token", csrf)],
        )

    def c_organize_discard_round(self, rule: str) -> Case:
        world = self.world
        client, csrf = world.organizer()
        return Case(
            "",
            client,
            rule,
            {"slug": PREVIEWED, "round_id": world.preview()},
            [("csrf_token", csrf)],
        )

    def c_organize_program_settings(self, rule: str) -> Case:
        world = self.world
        client, csrf = world.organizer()
        portal = world.services
        if portal.programs.get(EDITED) is None:
            portal.program_admin.create(
                "group",
                title="Fuzz: edited in the console",
                slug=EDITED,
                organizers=(REVIEWER,),
                signup_open=True,
                by=ADMIN,
            )
        program = world.program(EDITED)
        info = portal.programs.stored_info(EDITED)
        version = str(info.version) if info else "0"
        fields, choices = settings_fields(program, version)
        action = self.rng.choice(("save", "save", "preview_page"))
        return Case(
            "",
            client,
            rule,
            {"slug": EDITED},
            [("csrf_token", csrf), *fields, ("action", action)],
            choices=choices,
            lists=frozenset({"rounds-days", "summaries-days"}),
        )

    def c_organize_person_action(self, rule: str) -> Case:
        world = self.world
        client, csrf = world.organizer()
        # The reviewer organizes the review program: an action on one of its people (a pause
        # or removal changes their status; the next draft round adds new people anyway).
        _, drafts = world.draft_round()
        match = self.rng.choice(drafts)
        person = world.services.roster.person(REVIEWED, match.mentee_id)
        seen = person.status.value if person else "confirmed"
        action = self.rng.choice(("pause", "resume", "remove", "resend-link", "email-on"))
        fields: list[tuple[str, Value]] = [("csrf_token", csrf), ("seen", seen)]
        if action == "email-on":
            fields = [("csrf_token", csrf), ("seen", "unsubscribe"), ("reason", "She asked")]
        return Case(
            "",
            client,
            rule,
            {"slug": REVIEWED, "participant_id": match.mentee_id, "action": action},
            fields,
            choices={"seen": ("confirmed", "paused", "unsubscribe")},
        )

    def c_organize_new_program(self, rule: str) -> Case:
        world = self.world
        client, csrf = world.admin()
        world.serial += 1
        template = self.rng.choice(sorted(TEMPLATES))
        return Case(
            "",
            client,
            rule,
            {},
            [
                ("csrf_token", csrf),
                ("template", template),
                ("title", f"Fuzz cohort {world.serial}"),
                ("slug", self.rng.choice(("", f"fuzz-new-{world.serial}"))),
                ("organizers", f"{REVIEWER}\n{ADMIN}"),
                ("signup_open", "y"),
            ],
            choices={"template": tuple(sorted(TEMPLATES))},
        )

    def c_organize_program_lifecycle(self, rule: str) -> Case:
        world = self.world
        client, csrf = world.organizer()
        program = world.stored_program()
        info = world.services.program_admin.info(STORED)
        # Mostly what the Status page offers (an archived program only comes back), now and
        # then an action with nothing to do, or against an older version.
        if program.archived and self.rng.random() < 0.7:
            action = "unarchive"
        else:
            action = self.rng.choice(sorted(STEPS))
        version = info.version if info else 0
        expected = str(version - 1 if self.rng.random() < 0.1 else version)
        return Case(
            "",
            client,
            rule,
            {"slug": STORED, "action": action},
            [("csrf_token", csrf), ("expected", expected)],
        )

    def c_organize_duplicate_program(self, rule: str) -> Case:
        world = self.world
        client, csrf = world.admin()
        world.stored_program()
        world.serial += 1
        source = self.rng.choice(("demo", STORED))
        return Case(
            "",
            client,
            rule,
            {"slug": source},
            [
                ("csrf_token", csrf),
                ("title", f"Fuzz next cohort {world.serial}"),
                ("slug", f"fuzz-copy-{world.serial}"),
                ("signup_open", self.rng.choice(("y", ""))),
            ],
        )

    # roster import (the reviewer's program): an upload, its mapping, apply and discard

    def _roster(self) -> bytes:
        """A small Workday-style roster of new addresses, now and then with a bad row."""
        world = self.world
        lines = [
            "Employee_ID,Legal_First_Name,Legal_Last_Name,Email - Primary Work,"
            "Supervisory Organization,Manager_ID,Location,Worker_Status"
        ]
        for n in range(3):
            email = world.unique("roster")
            lines.append(f"{world.serial},Rosa {n},Fuzz,{email},Sales,,Europe/Paris,Active")
        if self.rng.random() < 0.2:
            lines.append("9,Bad,Row,=cmd|' /C calc'!A0,Sales,,Europe/Paris,Active")
        return ("\n".join(lines) + "\n").encode("utf-8")

    def _staged(self) -> str:
        """A roster uploaded to the reviewer's program (kept a day), by its upload id."""
        world = self.world
        staged = world.services.roster_imports.stage(
            world.program(REVIEWED), self._roster(), "roster.csv", full=False, by=REVIEWER
        )
        return staged.upload_id

    def c_organize_upload_roster(self, rule: str) -> Case:
        client, csrf = self.world.organizer()
        upload = Upload("roster.csv", self._roster(), "text/csv")
        full = self.rng.choice(("y", ""))
        return Case(
            "",
            client,
            rule,
            {"slug": REVIEWED},
            [("csrf_token", csrf), ("file", upload), ("full", full)],
        )

    def c_organize_choose_import_mapping(self, rule: str) -> Case:
        client, csrf = self.world.organizer()
        fields = ("", *ROSTER_FIELDS)
        guessed = ("employee_id", "first_name", "last_name", "email")
        columns = [(f"column-{n}", value) for n, value in enumerate(guessed)]
        return Case(
            "",
            client,
            rule,
            {"slug": REVIEWED, "upload_id": self._staged()},
            [("csrf_token", csrf), *columns],
            choices={name: fields for name, _ in columns},
        )

    def c_organize_apply_roster(self, rule: str) -> Case:
        world = self.world
        client, csrf = world.organizer()
        upload_id = self._staged()
        staged = world.services.roster_imports.staged(REVIEWED, upload_id)
        if staged is None:
            raise HarnessError("a roster just staged is not found")
        dry = world.services.roster_imports.check(
            world.program(REVIEWED), staged.table, filename=staged.filename, full=staged.full
        )
        return Case(
            "",
            client,
            rule,
            {"slug": REVIEWED, "upload_id": upload_id},
            [
                ("csrf_token", csrf),
                ("expected", dry.fingerprint),
                ("save_mapping", self.rng.choice(("y", ""))),
            ],
        )

    def c_organize_discard_roster(self, rule: str) -> Case:
        client, csrf = self.world.organizer()
        return Case(
            "",
            client,
            rule,
            {"slug": REVIEWED, "upload_id": self._staged()},
            [("csrf_token", csrf)],
        )

    def c_choose_choose(self, rule: str) -> Case:
        world = self.world
        round_id, token, _, options = world.choice()
        index = str(self.rng.randint(1, options))
        return Case(
            "",
            world.visitor,
            rule,
            {"round_id": round_id, "token": token, "index": index},
            self._visitor_csrf(),
        )

    # a participant's links and page

    def c_me_sign_in(self, rule: str) -> Case:
        world = self.world
        me = world.me()
        token = world.services.checkins.page_url(me.program, me.email).rsplit("/", 1)[1]
        return Case("", world.visitor, rule, {"token": token}, self._visitor_csrf())

    def c_me_checkin_sign_in(self, rule: str) -> Case:
        world = self.world
        me = world.me()
        survey = self.rng.choice(("", "day-30", "closing"))
        url = world.services.checkins.checkin_url(me.program, me.match_id, me.email, survey)
        return Case(
            "",
            world.visitor,
            rule,
            {"token": url.rsplit("/", 1)[1]},
            self._visitor_csrf(),
        )

    def _mine(self, rule: str, extra: list[tuple[str, Value]] | None = None, **params: str) -> Case:
        me = self.world.me()
        values = {"slug": me.program, "match_ref": match_ref(me.match_id), **params}
        names = set(re.findall(r"<(?:\w+:)?(\w+)>", rule))
        return Case(
            "",
            me.client,
            rule,
            {k: v for k, v in values.items() if k in names},
            [("csrf_token", me.csrf), *(extra or [])],
        )

    def c_me_agree(self, rule: str) -> Case:
        return self._mine(rule)

    def c_me_add_goal(self, rule: str) -> Case:
        return self._mine(rule, [("text", "Give a talk at the meetup")])

    def c_me_update_goal(self, rule: str) -> Case:
        me = self.world.me()
        goals = self.world.services.checkins.goals.for_match(me.match_id)
        goal_ref = match_ref(self.rng.choice(goals).goal_id) if goals else "none"
        case = self._mine(rule, [("state", "done")], goal_ref=goal_ref)
        case.choices = {"state": tuple(state.value for state in GoalState)}
        return case

    def c_me_checkin(self, rule: str) -> Case:
        me = self.world.me()
        program = self.world.program(me.program)
        today = self.world.clock().date()
        goals = self.world.services.checkins.goals.for_match(me.match_id)
        fields: list[tuple[str, Value]] = [
            ("met", "yes"),
            ("day", (today - timedelta(days=1)).isoformat()),
            ("minutes", "45"),
            ("topics", program.topics[0]),
            ("topics", program.topics[1]),
            ("satisfaction", "4"),
            ("fit", "good"),
            ("note", "Going well.\nThank you."),
            *((f"goal_{index}", "in-progress") for index in range(len(goals))),
        ]
        case = self._mine(rule, fields)
        case.choices = {
            "topics": tuple(program.topics),
            "met": ("yes", "no"),
            "satisfaction": tuple(str(r) for r in RATINGS),
            "fit": tuple(f.value for f in Fit),
        }
        case.lists = frozenset({"topics"})
        roll = self.rng.random()
        if roll < 0.2:
            case.query = "survey=" + self.rng.choice(("day-30", "closing", "day-99999"))
        elif roll < 0.3:
            case.query = "survey=" + quote(fuzz_text(self.rng), safe="")[:500]
        return case

    def c_me_rematch(self, rule: str) -> Case:
        return self._mine(rule)

    def c_me_pause(self, rule: str) -> Case:
        return self._mine(rule)

    def c_me_resume(self, rule: str) -> Case:
        return self._mine(rule)

    def c_me_leave(self, rule: str) -> Case:
        return self._mine(rule)

    def c_me_export(self, rule: str) -> Case:
        # Downloads the person's data: a POST that writes only the log of exports.
        return self._mine(rule)

    def c_me_erase(self, rule: str) -> Case:
        # A valid token erases the signed-in person: the next case signs in someone new.
        return self._mine(rule)

    def c_me_profile(self, rule: str) -> Case:
        me = self.world.me()
        program = self.world.program(me.program)
        person = self.world.services.participants.get(me.program, me.email)
        if person is None:
            raise HarnessError("the signed-in person is gone")
        case = self._mine(rule, signup_fields(program, person.role, None))
        case.choices = signup_choices(program, person.role)
        case.lists = signup_lists(program)
        return case

    def _meeting_ids(self) -> tuple[SignedIn, str, str]:
        """The signed-in person, their participant id and their partner's."""
        me = self.world.me()
        ids = []
        for email in (me.email, me.other):
            person = self.world.services.participants.get(me.program, email)
            if person is None:
                raise HarnessError("a person of the signed-in pair is gone")
            ids.append(person.participant_id)
        return me, ids[0], ids[1]

    def c_me_propose_meeting(self, rule: str) -> Case:
        me, mine, _ = self._meeting_ids()
        view = self.world.services.meetings.view(me.program, me.match_id, mine)
        fields: list[tuple[str, Value]] = [("version", str(view.version))]
        if view.suggestions and self.rng.random() < 0.5:
            fields.append(("start", view.suggestions[0].isoformat()))
        else:
            start = (view.suggestions or (self.world.clock() + timedelta(days=3),))[0]
            local = start.astimezone(i18n.zone(view.reader.timezone))
            fields += [("day", local.date().isoformat()), ("clock", f"{local:%H:%M}")]
        fields.append(("link", "https://meet.example.org/pair-room"))
        return self._mine(rule, fields)

    def c_me_accept_meeting(self, rule: str) -> Case:
        me, mine, theirs = self._meeting_ids()
        meetings = self.world.services.meetings
        view = meetings.view(me.program, me.match_id, mine)
        waiting = [p for p in view.proposals if p.by == theirs]
        if not waiting and view.suggestions:
            # The partner proposes the first shared time, for this person to accept.
            view = meetings.propose(
                me.program, me.match_id, theirs, view.suggestions[0], expected_version=view.version
            )
            view = meetings.view(me.program, me.match_id, mine)
            waiting = [p for p in view.proposals if p.by == theirs]
        proposal = waiting[0].id if waiting else "none"
        return self._mine(rule, [("version", str(view.version)), ("proposal", proposal)])

    def c_me_cancel_meeting(self, rule: str) -> Case:
        me, mine, _ = self._meeting_ids()
        view = self.world.services.meetings.view(me.program, me.match_id, mine)
        return self._mine(rule, [("version", str(view.version))])

    def c_group_page(self, rule: str) -> Case:
        member = self.world.group_member()
        program = self.world.program(member.program)
        today = self.world.clock().date()
        fields: list[tuple[str, Value]] = [
            ("met", "yes"),
            ("day", (today - timedelta(days=1)).isoformat()),
            ("minutes", "90"),
            ("topics", program.topics[0]),
            ("topics", program.topics[1]),
        ]
        case = Case("", member.client, rule, {"slug": member.program}, [
            ("csrf_token", member.csrf), *fields
        ])  # fmt: skip
        case.choices = {"topics": tuple(program.topics), "met": ("yes", "no")}
        case.lists = frozenset({"topics"})
        return case

    def c_signin_sign_in(self, rule: str) -> Case:
        world = self.world
        roll = self.rng.random()
        if roll < 0.35:
            email = world.me().email  # someone with a page: a link is stored and emailed
        elif roll < 0.4:
            email = REVIEWER  # an organizer: a link to the console
        elif roll < 0.5:
            email = self.rng.choice(("max@straße.de", "zoë@example.org"))
        else:
            email = world.unique("signin")
        client, csrf = world.visitor, world.visitor_csrf
        if roll > 1 - LIMITED_SHARE:
            # Counted with the sign-ups: past the limit per recipient, the polite 429.
            email = self.rng.choice(LIMITED_RECIPIENTS)
            client, csrf = world.limited, world.limited_csrf
        return Case("", client, rule, {}, [("csrf_token", csrf), ("email", email)])

    def c_signout_sign_out(self, rule: str) -> Case:
        world = self.world
        # Mostly a browser signed in (its session is then forgotten on the server), now and
        # then one that never was.
        if self.rng.random() < 0.7:
            client, csrf = world.signed_in_client()
            return Case("", client, rule, {}, [("csrf_token", csrf)])
        return Case("", world.visitor, rule, {}, self._visitor_csrf())

    def c_rate_record(self, rule: str) -> Case:
        world = self.world
        me = world.me()
        rater = me.email if self.rng.random() < 0.7 else me.other
        token = world.services.checkins.rating_urls(me.program, me.match_id, rater)[0][1]
        token = token.split("/rate/", 1)[1].split("/", 1)[0]
        score = str(self.rng.choice(RATINGS))
        return Case(
            "", me.client, rule, {"token": token, "score": score}, [("csrf_token", me.csrf)]
        )


# -- records against the rules --------------------------------------------------------------

JOINERS = frozenset("\u200c\u200d")  # kept between two visible characters (Persian, emoji)
# Letters that show as nothing: Hangul fillers, the combining grapheme joiner, Khmer inherent
# vowels, the blank Braille pattern.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u034f\u17b4\u17b5\u2800")


def control_characters(text: str, *, line_breaks: bool) -> list[str]:
    """Control characters (C0, DEL and C1); tabs and line breaks pass where the forms allow
    them."""
    return [
        f"control U+{ord(char):04X}"
        for char in text
        if unicodedata.category(char) == "Cc" and not (line_breaks and char in "\t\n\r")
    ]


def _visible(char: str) -> bool:
    return not char.isspace() and unicodedata.category(char) not in ("Cf", "Cc")


def invisible_characters(text: str) -> list[str]:
    """Characters that do not show or turn text around: format characters (zero-width,
    bidirectional, tags, the soft hyphen), line and paragraph separators, blank letters.

    A zero-width joiner or non-joiner between two visible characters is writing (Persian,
    Indic scripts, emoji sequences), not hiding.
    """
    found = []
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        if char in BLANK_LETTERS or category in ("Zl", "Zp", "Cs"):
            found.append(f"invisible U+{ord(char):04X} ({category})")
            continue
        if category != "Cf":
            continue
        between = 0 < index < len(text) - 1
        if char in JOINERS and between and _visible(text[index - 1]) and _visible(text[index + 1]):
            continue
        found.append(f"invisible U+{ord(char):04X} ({category})")
    return found


def text_problems(
    what: str, text: str, limit: int, *, line_breaks: bool = True, links: int | None = None
) -> list[str]:
    """Too long, markup, control or invisible characters, more links than `links`.

    The forms refuse markup, control and invisible characters in every field, but allow tabs
    and line breaks (issue 9, defects 5 and 10). Names and departments are shown to strangers
    in emails and hold no link; a bio holds at most two.
    """
    problems = []
    if len(text) > limit:
        problems.append(f"{what} is {len(text)} characters, more than {limit}")
    if re.search(r"[<>]", text):
        problems.append(f"{what} has markup")
    odd = control_characters(text, line_breaks=line_breaks) + invisible_characters(text)
    if odd:
        problems.append(f"{what} has {odd[0]}")
    # What counts as a link is the portal's rule (what mail clients make clickable); the
    # check is that every stored record keeps to it, whichever path wrote it.
    if links is not None and count_links(text) > links:
        problems.append(f"{what} has {count_links(text)} links, more than {links}")
    return problems


def list_problems(what: str, values: list[str], allowed: tuple[str, ...] | frozenset[str], *,
                  minimum: int = 0, maximum: int | None = None) -> list[str]:  # fmt: skip
    problems = []
    if len(values) != len(set(values)):
        problems.append(f"{what} has repeated values ({len(values)} for {len(set(values))})")
    outside = [v for v in values if v not in allowed]
    if outside:
        problems.append(f"{what} has values outside the choices: {outside[0][:40]!r}")
    if len(values) < minimum:
        problems.append(f"{what} has {len(values)} values, fewer than {minimum}")
    if maximum is not None and len(values) > maximum:
        problems.append(f"{what} has {len(values)} values, more than {maximum}")
    return problems


def _value_size(value: dict[str, Any]) -> int:
    ((kind, content),) = value.items()
    if kind in ("S", "B"):
        return len(str(content).encode("utf-8"))
    if kind == "N":
        return len(str(content)) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + _value_size(item) for item in content)
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + _value_size(v) for k, v in content.items())
    if kind in ("SS", "NS", "BS"):
        return sum(len(str(item).encode()) for item in content)
    raise ValueError(f"unknown DynamoDB type {kind}")


def item_size(record: Any) -> int:
    """The item's size as DynamoDB counts it: names and values in UTF-8."""
    return sum(
        len(name.encode("utf-8")) + _value_size(value) for name, value in record.serialize().items()
    )


def address_key(address: str) -> str:
    """The key an address is stored under: the local part in lower case, the domain in
    IDNA2008 A-labels with the UTS #46 mapping (`straße.de` is `xn--strae-oqa.de`, never
    IDNA2003's `strasse.de`)."""
    local, _, domain = address.rpartition("@")
    return f"{local.lower()}@{idna.encode(domain, uts46=True).decode('ascii')}"


def address_problems(record: ParticipantRecord) -> list[str]:
    """The address as typed (`address`) and the key it is stored under (`email`) agree."""
    problems = []
    typed_address = record.address or ""
    if not typed_address:
        return problems  # people the harness stored directly, as older records are
    if typed_address.count("@") != 1 or re.search(r"\s", typed_address):
        return [f"address {typed_address[:60]!r} is not one address"]
    try:
        key = address_key(typed_address)
    except idna.IDNAError as exc:
        return [f"address {typed_address[:60]!r} has a domain IDNA2008 refuses: {exc}"]
    if record.email != key:
        problems.append(f"stored under {record.email!r}, not the typed address's key {key!r}")
    return problems


def participant_problems(record: ParticipantRecord, program: Program | None) -> list[str]:
    if program is None:
        return [f"participant in unknown program {record.program!r}"]
    problems: list[str] = []
    roles = tuple(program.roles)
    if record.role not in roles:
        problems.append(f"role {record.role!r} is not one of {roles}")
    if record.status not in {s.value for s in Status}:
        problems.append(f"status {record.status!r}")
    email = record.email
    if len(email) > EMAIL_MAX or email.count("@") != 1 or re.search(r"\s", email):
        problems.append(f"email {email[:60]!r} is not one address")
    problems += [
        p for p in text_problems("email", email, EMAIL_MAX, line_breaks=False) if "markup" not in p
    ]
    problems += address_problems(record)
    name = record.name or ""
    if not name.strip():
        problems.append("name is empty")
    # The form joins a name's words with single spaces: no line break can stay in one.
    problems += text_problems("name", name, NAME_MAX, line_breaks=False, links=0)
    problems += text_problems("department", record.department or "", DEPARTMENT_MAX, links=0)
    problems += text_problems("bio", record.bio or "", BIO_MAX, links=BIO_LINKS)
    if record.timezone not in timezone_choices():
        problems.append(f"timezone {record.timezone[:40]!r}")
    if (record.seniority or "") not in SENIORITY_KEYS:
        problems.append(f"seniority {str(record.seniority)[:40]!r}")
    problems += list_problems("languages", list(record.languages), program.languages, minimum=1)
    problems += list_problems("availability", list(record.availability), SLOTS, minimum=1)
    if record.role in ("mentor", "peer"):
        problems += list_problems("skills", list(record.skills), program.topics, minimum=1)
    elif record.skills:
        problems.append(f"a {record.role} has skills")
    if record.role in ("mentee", "peer"):
        problems += list_problems(
            "goals", list(record.goals), program.topics, minimum=1, maximum=MAX_GOALS
        )
    elif record.goals:
        problems.append(f"a {record.role} has goals")
    capacity = int(record.capacity or 0)
    if not 1 <= capacity <= (program.capacity if record.role == "mentor" else 1):
        problems.append(f"capacity {capacity}")
    if record.reports_to:
        problems += text_problems("reports_to", record.reports_to, EMAIL_MAX)
    answers = dict(record.answers or {})
    questions = {q.key: q for q in program.questions}
    for key, value in answers.items():
        question = questions.get(key)
        if question is None:
            problems.append(f"answer to no question: {key[:40]!r}")
        elif question.type == "choice" and value not in question.choices:
            problems.append(f"answer {key} {str(value)[:40]!r} is not a choice")
        elif question.type == "multi":
            values = value if isinstance(value, list) else [value]
            problems += list_problems(f"answer {key}", values, question.choices)
        elif question.type == "text":
            problems += text_problems(f"answer {key}", str(value), ANSWER_MAX)
    return problems


def checkin_problems(
    record: CheckinRecord, goals: dict[str, set[str]], people: dict[str, set[str]],
    programs: dict[str, Program],
) -> list[str]:  # fmt: skip
    problems: list[str] = []
    details = dict(record.details or {})
    program = programs.get(record.program)
    if program is None:
        return [f"check-in in unknown program {record.program!r}"]
    if record.author_email not in people.get(record.match_id, set()):
        problems.append("check-in by someone outside the match")
    if record.met not in ("yes", "no"):
        problems.append(f"met {record.met!r}")
    kind = details.get("kind")
    if kind not in {k.value for k in Kind}:
        problems.append(f"kind {kind!r}")
    if "date" in details:
        try:
            date.fromisoformat(details["date"])
        except (TypeError, ValueError):
            problems.append(f"date {str(details['date'])[:40]!r}")
    if "minutes" in details and not 5 <= int(details["minutes"]) <= MINUTES_MAX:
        problems.append(f"minutes {details['minutes']}")
    problems += list_problems("topics", list(details.get("topics", [])), program.topics)
    for goal_id, state in dict(details.get("goals", {})).items():
        if goal_id not in goals.get(record.match_id, set()):
            problems.append("progress for a goal of another match")
        if state not in {s.value for s in GoalState}:
            problems.append(f"goal state {state!r}")
    rating = details.get("satisfaction")
    if rating is not None and int(rating) not in RATINGS:
        problems.append(f"satisfaction {rating}")
    if details.get("fit") not in (None, *(f.value for f in Fit)):
        problems.append(f"fit {details.get('fit')!r}")
    problems += text_problems("note", str(details.get("note", "")), NOTE_MAX)
    survey = str(details.get("survey", ""))
    if survey and not re.fullmatch(SURVEY_PATTERN, survey):
        problems.append(f"survey {survey[:40]!r}")
    return problems


def goal_problems(record: GoalRecord, people: dict[str, set[str]]) -> list[str]:
    problems = text_problems("goal", record.text or "", GOAL_MAX)
    if len((record.text or "").strip()) < 3:
        problems.append("goal shorter than 3 characters")
    if record.state not in {s.value for s in GoalState}:
        problems.append(f"goal state {record.state!r}")
    if record.added_by not in people.get(record.match_id, set()):
        problems.append("goal added by someone outside the match")
    return problems


def shown(text: str, limit: int = 300) -> str:
    """Text safe to print: unprintable characters as escapes, cut to `limit`."""
    visible = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
    return visible if len(visible) <= limit else visible[:limit] + "..."


@dataclass
class RecordCheck:
    checked: Counter[str] = field(default_factory=Counter)
    malformed: Counter[str] = field(default_factory=Counter)  # kind -> count
    reasons: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    @property
    def malformed_total(self) -> int:
        return sum(self.malformed.values())

    def add(self, kind: str, key: str, problems: list[str]) -> None:
        self.checked[kind] += 1
        if not problems:
            return
        self.malformed[kind] += 1
        for problem in problems:
            rule = re.sub(r"'[^']*'|\"[^\"]*\"", "'...'", problem.split(":")[0])
            self.reasons[re.sub(r"\d+", "N", rule.split(" U+")[0])] += 1
        if len(self.examples) < 12:
            self.examples.append(shown(f"{kind} {key[:80]}: {'; '.join(problems)}"))


def check_records(services: Services, typed: set[tuple[str, str]]) -> RecordCheck:
    """Every participant, goal and check-in against the forms' rules and the item limit."""
    check = RecordCheck()
    programs = {program.slug: program for program in services.programs}
    people: dict[str, set[str]] = defaultdict(set)
    for match in MatchRecord.scan():
        people[match.match_id] |= {match.mentor_email, match.mentee_email}
        if match.group_id:  # a group's check-ins are its members'
            people[match.group_id] |= {match.mentor_email, match.mentee_email}
    goals: dict[str, set[str]] = defaultdict(set)
    goals_per_match: Counter[str] = Counter()
    stored: dict[tuple[str, str], str] = {}  # (program, key) -> the address as typed
    for record in ParticipantRecord.scan():
        problems = participant_problems(record, programs.get(record.program))
        if item_size(record) > ITEM_LIMIT:
            problems.append(f"item of {item_size(record)} bytes")
        stored[(record.program, record.email)] = record.address or ""
        check.add("participant", f"{record.program}/{record.email}", problems)
    for goal in GoalRecord.scan():
        goals[goal.match_id].add(goal.goal_id)
        goals_per_match[goal.match_id] += 1
        problems = goal_problems(goal, people)
        if item_size(goal) > ITEM_LIMIT:
            problems.append(f"item of {item_size(goal)} bytes")
        check.add("goal", goal.goal_id, problems)
    for match_id, count in goals_per_match.items():
        if count > MAX_GOALS_PER_MATCH:
            check.add("goal", match_id, [f"{count} goals, more than {MAX_GOALS_PER_MATCH}"])
    for checkin in CheckinRecord.scan():
        problems = checkin_problems(checkin, goals, people, programs)
        if item_size(checkin) > ITEM_LIMIT:
            problems.append(f"item of {item_size(checkin)} bytes")
        check.add("checkin", checkin.checkin_id, problems)
    for stored_round in RoundRecord.scan():
        problems = []
        if stored_round.round_id != LOCK_ID and not ROUND_ID.fullmatch(stored_round.round_id):
            problems.append("a round id the round code never makes")
        if stored_round.created_at is None:
            problems.append("a round without a creation date")
        check.add("round", f"{stored_round.program}/{stored_round.round_id}", problems)
    for saved in services.program_admin.store.live():
        # Every stored program is one the validation lets through, as the catalogue reads it.
        try:
            Program.model_validate(saved.document)
        except ValueError as exc:
            check.add("program", saved.slug, [str(exc).splitlines()[0]])
        else:
            check.add("program", saved.slug, [])
    for slug, address in sorted(typed):
        # A sign-up that went through with an international domain: stored under that
        # domain's key, written to as typed (a later form never changes a stored sign-up,
        # and the first one typed it the same way but for case).
        as_stored = stored.get((slug, address_key(address)))
        if as_stored is None:
            check.add("participant", f"{slug}/{address}", ["no record under the typed key"])
        elif as_stored.lower() != address.lower():
            check.add(
                "participant",
                f"{slug}/{address}",
                [f"typed {address!r} kept as {as_stored!r}"],
            )
    return check


# -- the run ------------------------------------------------------------------------------


@dataclass
class FuzzReport:
    requests: int = 0
    per_route: Counter[str] = field(default_factory=Counter)
    route_statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    statuses: Counter[int] = field(default_factory=Counter)
    per_kind: Counter[str] = field(default_factory=Counter)
    server_errors: int = 0
    dropped_cookies: int = 0  # responses setting a cookie too large for a browser to keep
    errors_by_cause: Counter[str] = field(default_factory=Counter)
    cookies_by_cause: Counter[str] = field(default_factory=Counter)
    error_examples: list[str] = field(default_factory=list)
    harness_problems: Counter[str] = field(default_factory=Counter)
    warnings: Counter[str] = field(default_factory=Counter)
    records: RecordCheck = field(default_factory=RecordCheck)
    rounds_run: int = 0
    seconds: float = 0.0

    @property
    def malformed(self) -> int:
        return self.records.malformed_total

    def lines(self) -> list[str]:
        out = [
            f"requests: {self.requests} in {self.seconds:.1f} s "
            f"({self.requests / max(self.seconds, 1e-9):.0f}/s), {len(self.per_route)} POST routes,"
            f" {self.rounds_run} matching rounds run to refresh the data",
            "requests per route, and their status codes:",
            *(
                f"  {count:6d}  {route}  "
                + " ".join(f"{code}:{n}" for code, n in sorted(self.route_statuses[route].items()))
                for route, count in sorted(self.per_route.items())
            ),
            "requests per kind of change:",
            *(f"  {count:6d}  {kind}" for kind, count in self.per_kind.most_common()),
            "status codes: "
            + ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items())),
            f"responses of 500 or more: {self.server_errors} (target 0)",
        ]
        if self.errors_by_cause:
            out.append("  by route, change and exception:")
            out += [f"  {n:6d}  {cause}" for cause, n in self.errors_by_cause.most_common(20)]
            out += [f"  e.g. {example}" for example in self.error_examples[:6]]
        out.append(
            f"responses setting a cookie over {COOKIE_LIMIT} bytes, which browsers drop: "
            f"{self.dropped_cookies} (target 0)"
        )
        out += [f"  {n:6d}  {cause}" for cause, n in self.cookies_by_cause.most_common(10)]
        out.append(f"warnings while answering: {sum(self.warnings.values())}")
        out += [f"  {n:6d}  {w}" for w, n in self.warnings.most_common(10)]
        checked = ", ".join(f"{n} {kind}s" for kind, n in sorted(self.records.checked.items()))
        out.append(f"records checked: {checked}")
        out.append(f"malformed records: {self.malformed} (target 0)")
        if self.malformed:
            out += [f"  {n:6d}  {kind}" for kind, n in sorted(self.records.malformed.items())]
            out.append("  by rule broken:")
            out += [f"  {n:6d}  {reason}" for reason, n in self.records.reasons.most_common(20)]
            out += [f"  e.g. {example}" for example in self.records.examples[:8]]
        if self.harness_problems:
            out.append("cases the harness could not prepare (not findings):")
            out += [f"  {n:6d}  {p}" for p, n in self.harness_problems.most_common()]
        return out


def post_rules(app: Flask) -> list[tuple[str, str]]:
    """Every (endpoint, rule) of the app that takes a POST."""
    return sorted(
        (rule.endpoint, rule.rule) for rule in app.url_map.iter_rules() if "POST" in rule.methods
    )


def prepare_content(folder: Path) -> Path:
    """The shipped content, plus copies of two programs for the rounds' routes: the demo
    program with rounds an organizer approves, and leaders-group (mentees choose)."""
    shutil.copytree(ROOT / "content", folder)
    programs = folder / "programs"
    demo = (programs / "demo.md").read_text(encoding="utf-8")
    reviewed = (
        demo.replace("slug: demo", f"slug: {REVIEWED}", 1)
        .replace('title: "Demo: Tech Careers mentoring"', 'title: "Fuzz: reviewed rounds"', 1)
        .replace("approval: auto", "approval: organizer", 1)
        .replace("  - organizer@example.org", f"  - {REVIEWER}", 1)
    )
    previewed = reviewed.replace(f"slug: {REVIEWED}", f"slug: {PREVIEWED}", 1).replace(
        "Fuzz: reviewed rounds", "Fuzz: previewed rounds", 1
    )
    leaders = (programs / "leaders-group.md").read_text(encoding="utf-8")
    choosing = leaders.replace("slug: leaders-group", f"slug: {CHOOSING}", 1).replace(
        'title: "Group mentoring: New managers"', 'title: "Fuzz: chosen mentors"', 1
    )
    if (
        f"slug: {REVIEWED}" not in reviewed
        or "approval: organizer" not in reviewed
        or f"slug: {PREVIEWED}" not in previewed
        or f"slug: {CHOOSING}" not in choosing
        or "approval: mentee-choice" not in choosing
    ):
        raise HarnessError("the shipped program files changed: update prepare_content")
    (programs / f"{REVIEWED}.md").write_text(reviewed, encoding="utf-8")
    (programs / f"{CHOOSING}.md").write_text(choosing, encoding="utf-8")
    (programs / f"{PREVIEWED}.md").write_text(previewed, encoding="utf-8")
    return folder


def fuzz(
    app: Flask,
    services: Services,
    clock: MovableClock,
    requests: int,
    seed: int = 9,
    progress: Callable[[str], None] | None = None,
) -> FuzzReport:
    """Send `requests` fuzzed submissions, spread evenly over every POST route; check records."""
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)  # a 500 is a response here
    rng = random.Random(seed)  # reproducible: the same requests for the same seed
    limited = limited_site(services)
    limited.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    world = World(app, services, clock, limited)
    routes = Routes(world, rng)
    report = FuzzReport()
    targets = post_rules(app)
    failures: list[BaseException] = []

    def record_exception(sender: Flask, exception: BaseException, **extra: Any) -> None:
        failures.append(exception)

    weights = [weight for _, weight in MUTATORS]
    mutators = [mutator for mutator, _ in MUTATORS]
    started = time.monotonic()
    with (
        got_request_exception.connected_to(record_exception, app),
        got_request_exception.connected_to(record_exception, limited),
        _quiet(app),
        _quiet(limited),
        warnings.catch_warnings(record=True) as caught,
    ):
        # Counted with the findings, the same in the bench and under pytest's error filter.
        warnings.simplefilter("always")
        for number in range(requests):
            endpoint, rule = targets[number % len(targets)]
            clock.advance(seconds=1)
            try:
                case = routes.case(endpoint, rule)
            except HarnessError as exc:
                if "add one to bench/fuzz.py" in str(exc):
                    raise
                report.harness_problems[f"{endpoint}: {exc}"] += 1
                continue
            mutator = rng.choices(mutators, weights)[0]
            request = mutator(case, rng)
            failures.clear()
            response = case.client.open(
                request.path,
                method=request.method,
                data=request.body,
                content_type=request.content_type,
            )
            status = response.status_code
            cookies = [c.split(";", 1)[0] for c in response.headers.getlist("Set-Cookie")]
            response.close()
            if any(len(cookie.encode()) > COOKIE_LIMIT for cookie in cookies):
                report.dropped_cookies += 1
                report.cookies_by_cause[f"{endpoint} / {request.kind}"] += 1
            report.requests += 1
            report.per_route[f"{endpoint} {rule}"] += 1
            report.route_statuses[f"{endpoint} {rule}"][status] += 1
            report.per_kind[request.kind] += 1
            report.statuses[status] += 1
            if status >= 500:
                report.server_errors += 1
                cause = type(failures[0]).__name__ if failures else "no exception"
                report.errors_by_cause[f"{endpoint} / {request.kind} / {cause}"] += 1
                if len(report.error_examples) < 12:
                    detail = str(failures[0])[:160] if failures else ""
                    report.error_examples.append(
                        shown(
                            f"{request.method} {request.path[:100]} ({request.kind}, "
                            f"{len(request.body)} bytes): {cause}: {detail}"
                        )
                    )
            for warning in caught:
                message = re.sub(r"\d+", "N", str(warning.message))[:120]
                report.warnings[f"{endpoint}: {warning.category.__name__}: {message}"] += 1
            caught.clear()
            if status == 302:
                _read_flashes(case.client)
            if case.after is not None:
                case.after(request, status)
            if endpoint in ENDS_A_MATCH:
                world.me_may_have_changed = True
            if progress is not None and (number + 1) % 1000 == 0:
                progress(f"  {number + 1} requests, {report.server_errors} of 500 or more")
    report.seconds = time.monotonic() - started
    report.rounds_run = world.rounds_run
    report.records = check_records(services, routes.typed_addresses)
    return report


def limited_site(services: Services) -> Flask:
    """The same portal, tables and clock, with the sign-up limits a portal ships with."""
    from portal import create_app
    from portal.container import build_services
    from portal.settings import Settings

    shipped = Settings()
    settings = services.settings.with_overrides(
        signups_per_source=shipped.signups_per_source,
        signups_per_address=shipped.signups_per_address,
    )
    limited = build_services(settings, clock=services.clock, sender=services.mail.sender)
    return create_app(settings, limited)


def _read_flashes(client: FlaskClient) -> None:
    """What a browser does next: the page a redirect leads to shows the flashed messages
    and drops them from the session (else they pile up past a cookie's 4 KB)."""
    with client.session_transaction() as session:
        session.pop("_flashes", None)


@contextmanager
def _quiet(app: Flask) -> Iterator[None]:
    """Keep the app's error log (a traceback per 500) out of the figures; exceptions are counted."""
    logger = app.logger
    previous = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = previous


@contextmanager
def standalone(store: str) -> Iterator[tuple[Flask, Services, SteppedClock]]:
    """The tables (DynamoDB Local in memory, or moto's), the services and the app, in a
    temporary folder."""
    import os

    from portal import create_app
    from portal.container import build_services
    from portal.local.dynamodb import DynamoDBLocal
    from portal.mail.senders import MemorySender
    from portal.persistence import tables
    from portal.settings import Settings

    fake = {
        "AWS_ACCESS_KEY_ID": "fuzz",
        "AWS_SECRET_ACCESS_KEY": "fuzz",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        os.environ.pop(key, None)
    os.environ.update(fake)
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="portal-fuzz-"))
        endpoint = None
        if store == "dynamodb-local":
            local = DynamoDBLocal.start(None)
            stack.callback(local.stop)
            endpoint = local.endpoint
        else:
            from moto import mock_aws

            stack.enter_context(mock_aws())
        content = prepare_content(Path(folder) / "content")
        settings = Settings(
            stage="test",
            table_prefix="portal-fuzz",
            base_url="http://portal.test",
            mail_transport="memory",
            data_dir=Path(folder) / "data",
            secret_key=secrets.token_urlsafe(48),
            region="eu-west-1",
            dynamodb_endpoint=endpoint,
            content_dir=content,
            signups_per_source=RAISED_LIMITS,
            signups_per_address=RAISED_LIMITS,
            admins=(ADMIN,),
        )
        tables.bind(settings.table_prefix, settings.region, endpoint)
        tables.create_tables()
        clock = SteppedClock(START)
        services = build_services(settings, clock=clock, sender=MemorySender())
        yield create_app(settings, services), services, clock


def _dynamodb_local_installed() -> bool:
    from portal.local.dynamodb import find_jar, java_available

    return java_available() and find_jar() is not None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument(
        "--store",
        choices=("dynamodb-local", "moto"),
        default="dynamodb-local" if _dynamodb_local_installed() else "moto",
        help="DynamoDB Local in memory (the default where it is installed), or moto's "
        "DynamoDB, whose transactions copy every table and slow down as the data grows",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with standalone(args.store) as (app, services, clock):
        print(f"Fuzzing {len(post_rules(app))} POST routes with {args.requests} requests "
              f"(seed {args.seed}, {args.store})", flush=True)  # fmt: skip
        report = fuzz(
            app, services, clock, args.requests, args.seed, lambda m: print(m, flush=True)
        )
    for line in report.lines():
        print(line)
    met = report.server_errors == 0 and report.malformed == 0 and report.dropped_cookies == 0
    print("targets met" if met else "TARGETS MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
