"""Load: people at once sign up, confirm, read pages and check in, against `portal dev`.

    /work/main/.venv/bin/python bench/load.py [--users 50] [--seconds 300] [--processes 4]
        [--in-memory] [--server-env NAME=VALUE ...]

The script starts `portal dev --no-demo` on a free port of 127.0.0.1 with DynamoDB Local on
a temporary data folder, and stops both at the end. With `--processes N` the dev server runs
N worker processes that each answer one request at a time, as Lambda instances do; the
others wait for a free worker in the kernel's queue of connections, outside the app. Without
it, one process answers every request in a thread of its own, and a request's own time also
counts the time it waits for the others' Python and database calls. The client is a small
asyncio HTTP/1.1 client (standard library only, one connection per request), one task per
person:

1. sign-up: GET the form, POST it with its CSRF token (half the people mentors, half mentees,
   all able to pair up);
2. confirmation: the link from the email the dev server wrote to its mail folder; GET the
   page, POST its button;
3. page views: four content pages;
then, once everyone is confirmed, `portal round --program demo` pairs them, and each person
4. check-in: signs in from the introduction email's link, opens their page and the check-in
   form, and POSTs a check-in.

It prints, per step, the count, the errors, the client's p50 and p95 and the portal's own
p50 and p95 from the `Server-Timing: app;dur=<ms>` header of each response, and the
throughput of each phase. Targets: 0 errors; the portal's own p95 at most 50 ms for a sign-up
POST and at most 10 ms for a content page. The client's figures include the wait for the
server (a 2-core machine saturates near 27 sign-ups a second); on Lambda each request has its
own instance, so the portal's own time is the figure that carries over.

Each person connects from a loopback address of their own (127.0.1.2, 127.0.1.3, ...: all of
127.0.0.0/8 reaches a server on 127.0.0.1), as real visitors come from their own networks, so
the default limits per source address and per recipient (issue 9, defect 3) apply unchanged;
`--server-env` changes them (PORTAL_SIGNUPS_PER_SOURCE, PORTAL_SIGNUPS_PER_ADDRESS) or other
settings.
Not run by `make test`.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent

TARGETS_MS = {"sign-up POST": 50.0, "content page": 10.0}  # the portal's own p95
PAGES = ("/", "/about-mentoring", "/faq", "/programs/demo")
SERVER_START_SECONDS = 120
REQUEST_SECONDS = 60
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
TIMING = re.compile(r"(?:^|,)\s*app;dur=(\d+(?:\.\d+)?)")
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")  # as portal.mail.senders.FileSender names its files


class LoadError(Exception):
    """A step got an answer a person would not expect."""


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]
    body: str
    client_ms: float
    server_ms: float | None

    def header(self, name: str) -> str:
        values = self.headers.get(name.lower(), [])
        return values[0] if values else ""


@dataclass
class Sample:
    client_ms: float
    server_ms: float | None


@dataclass
class Figures:
    samples: dict[str, list[Sample]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    phases: list[tuple[str, int, float]] = field(default_factory=list)  # name, requests, s
    notes: list[str] = field(default_factory=list)

    def add(self, step: str, response: Response) -> None:
        self.samples[step].append(Sample(response.client_ms, response.server_ms))

    def error(self, step: str, message: str) -> None:
        self.errors[step].append(message)

    @property
    def error_count(self) -> int:
        return sum(len(errors) for errors in self.errors.values())

    def requests(self) -> int:
        return sum(len(samples) for samples in self.samples.values())


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p95 of 50 values is the 48th smallest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


class Browser:
    """One person's HTTP/1.1 client: cookies, forms, timings; one connection per request."""

    def __init__(self, host: str, port: int, figures: Figures, source: str = "127.0.0.1") -> None:
        self.host, self.port, self.source = host, port, source
        self.cookies: dict[str, str] = {}
        self.figures = figures

    async def request(
        self, step: str, method: str, path: str, form: dict[str, object] | None = None
    ) -> Response:
        body = urlencode(form, doseq=True).encode() if form is not None else b""
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Connection: close",
            "User-Agent: mentor-portal-load",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
            ]
        started = time.perf_counter()
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port, local_addr=(self.source, 0)),
            REQUEST_SECONDS,
        )
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            await writer.drain()
            raw = await asyncio.wait_for(reader.read(), REQUEST_SECONDS)
        finally:
            writer.close()
            await writer.wait_closed()
        client_ms = (time.perf_counter() - started) * 1000
        response = parse_response(raw, client_ms)
        for cookie in response.headers.get("set-cookie", []):
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "expires=Thu, 01 Jan 1970" in cookie or not value:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        self.figures.add(step, response)
        return response


def parse_response(raw: bytes, client_ms: float) -> Response:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("iso-8859-1").split("\r\n")
    status = int(status_line.split()[1])
    headers: dict[str, list[str]] = defaultdict(list)
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()].append(value.strip())
    if "chunked" in ",".join(headers.get("transfer-encoding", [])).lower():
        body = dechunk(body)
    elif headers.get("content-length"):
        body = body[: int(headers["content-length"][0])]
    timing = TIMING.search(",".join(headers.get("server-timing", [])))
    return Response(
        status=status,
        headers=dict(headers),
        body=body.decode("utf-8", errors="replace"),
        client_ms=client_ms,
        server_ms=float(timing.group(1)) if timing else None,
    )


def dechunk(body: bytes) -> bytes:
    out = b""
    while body:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, body = out + body[:size], body[size + 2 :]
    return out


def csrf_of(response: Response) -> str:
    match = CSRF.search(response.body)
    if match is None:
        raise LoadError(f"no CSRF token on a {response.status} page")
    return match.group(1)


def expect(response: Response, status: int, what: str) -> Response:
    if response.status != status:
        raise LoadError(f"{what}: {response.status}, not {status}")
    return response


# -- the people ---------------------------------------------------------------------------


@dataclass
class Person:
    index: int
    role: str
    email: str
    confirmed: bool = False
    checked_in: bool = False

    @property
    def source(self) -> str:
        """The loopback address this person connects from: one of their own, as each visitor
        comes from their own network (all of 127.0.0.0/8 reaches the server on 127.0.0.1)."""
        return f"127.0.{1 + self.index // 250}.{2 + self.index % 250}"


def sign_up_form(person: Person) -> dict[str, object]:
    """The demo program's form, filled in so that every mentor suits every mentee."""
    form: dict[str, object] = {
        "name": f"Load Tester {person.index}",
        "email": person.email,
        "languages": ["English"],
        "timezone": "Europe/London",
        "availability": ["mon-evening", "thu-morning"],
        "department": f"Team {person.index}",
        "q_industry": "Tech",
        "consent": "y",
    }
    if person.role == "mentor":
        form.update(skills=["python", "sql"], seniority="senior")
    else:
        form.update(goals=["python", "sql"], seniority="early")
    return form


def mail_to(mail_dir: Path, address: str) -> list[email.message.EmailMessage]:
    found = []
    for path in sorted(mail_dir.glob(f"*-{UNSAFE.sub('_', address)[:60]}-*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, email.message.EmailMessage)
        found.append(message)
    return found


def links(message: email.message.EmailMessage) -> list[str]:
    part = message.get_body(preferencelist=("plain",))
    return re.findall(r"https?://\S+", part.get_content()) if part is not None else []


async def link_in_mail(mail_dir: Path, address: str, marker: str, deadline: float) -> str:
    """The first link containing `marker` in mail to `address`, waiting for it to be written."""
    while time.monotonic() < deadline:
        for message in mail_to(mail_dir, address):
            for url in links(message):
                if marker in url:
                    return urlsplit(url).path
        await asyncio.sleep(0.2)
    raise LoadError(f"no email with a {marker} link arrived")


async def first_half(person: Person, browser: Browser, mail_dir: Path, deadline: float) -> None:
    """Sign up, confirm from the email, read some pages."""
    step = "sign-up form"
    try:
        form_page = expect(
            await browser.request(step, "GET", "/programs/demo/join/" + person.role), 200, step
        )
        step = "sign-up POST"
        sent = await browser.request(
            step,
            "POST",
            "/programs/demo/join/" + person.role,
            {**sign_up_form(person), "csrf_token": csrf_of(form_page)},
        )
        expect(sent, 200, step)
        if "Check your email" not in sent.body:
            raise LoadError("sign-up did not answer with its check-your-email page")
        step = "confirm page"
        link = await link_in_mail(mail_dir, person.email, "/confirm/", deadline)
        page = expect(await browser.request(step, "GET", link), 200, step)
        step = "confirm POST"
        done = expect(
            await browser.request(step, "POST", link, {"csrf_token": csrf_of(page)}), 200, step
        )
        if "is confirmed" not in done.body:
            raise LoadError("the confirmation page does not say it is confirmed")
        person.confirmed = True
        step = "content page"
        for path in PAGES:
            expect(await browser.request(step, "GET", path), 200, f"{step} {path}")
    except (LoadError, OSError, TimeoutError, ValueError) as exc:
        browser.figures.error(step, f"{person.email}: {type(exc).__name__}: {exc}")


async def second_half(person: Person, browser: Browser, mail_dir: Path, deadline: float) -> None:
    """Sign in from the introduction, open the check-in form, send a check-in."""
    step = "sign-in page"
    try:
        link = await link_in_mail(mail_dir, person.email, "/me/", deadline)
        page = expect(await browser.request(step, "GET", link), 200, step)
        step = "sign-in POST"
        signed = expect(
            await browser.request(step, "POST", link, {"csrf_token": csrf_of(page)}), 302, step
        )
        step = "own page"
        mine = expect(
            await browser.request(step, "GET", urlsplit(signed.header("location")).path), 200, step
        )
        found = re.search(r'href="(/me/programs/[^"]+/checkin)"', mine.body)
        if found is None:
            raise LoadError("the page has no check-in link")
        step = "check-in form"
        form = expect(await browser.request(step, "GET", found.group(1)), 200, step)
        step = "check-in POST"
        yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
        sent = await browser.request(
            step,
            "POST",
            found.group(1),
            {
                "met": "yes",
                "day": yesterday,
                "minutes": "45",
                "topics": ["python"],
                "satisfaction": "4",
                "fit": "good",
                "note": "Going well.",
                "csrf_token": csrf_of(form),
            },
        )
        expect(sent, 302, step)
        person.checked_in = True
    except (LoadError, OSError, TimeoutError, ValueError) as exc:
        browser.figures.error(step, f"{person.email}: {type(exc).__name__}: {exc}")


# -- the dev server -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answering(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def server_env(data_dir: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    if "PORTAL_DYNAMODB_LOCAL_DIR" in os.environ:
        env["PORTAL_DYNAMODB_LOCAL_DIR"] = os.environ["PORTAL_DYNAMODB_LOCAL_DIR"]
    env.update(
        PYTHONPATH=str(ROOT),  # this checkout's portal, whatever the venv installed
        PYTHONUNBUFFERED="1",
        PORTAL_DATA_DIR=str(data_dir),
        PORTAL_MAIL_RATE="1000",  # introductions go out in a second, not fifty
    )
    env.update(extra)
    return env


@contextmanager
def dev_server(data_dir: Path, log: Path, env: dict[str, str], processes: int) -> Iterator[int]:
    """`portal dev --no-demo` on a free port of 127.0.0.1, stopped (SIGTERM) on the way out."""
    port = free_port()
    command = [sys.executable, "-m", "portal.cli", "dev", "--port", str(port), "--no-demo"]
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [*command, "--processes", str(processes)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not answering(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"portal dev did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield port
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)


def run_round(env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "portal.cli", "round", "--program", "demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"portal round failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout.strip().splitlines()[0]


# -- the run ------------------------------------------------------------------------------


def browser(person: Person, port: int, figures: Figures) -> Browser:
    return Browser("127.0.0.1", port, figures, source=person.source)


async def phase(
    name: str,
    people: list[Person],
    work: Callable[[Person, Browser, Path, float], Awaitable[None]],
    port: int,
    mail_dir: Path,
    figures: Figures,
    seconds: float,
) -> None:
    before = figures.requests()
    deadline = time.monotonic() + seconds
    started = time.perf_counter()
    tasks = [
        asyncio.create_task(work(person, browser(person, port, figures), mail_dir, deadline))
        for person in people
    ]
    _, pending = await asyncio.wait(tasks, timeout=seconds)
    for task in pending:
        task.cancel()
    if pending:
        figures.error(name, f"{len(pending)} people had not finished after {seconds:.0f} s")
        await asyncio.gather(*pending, return_exceptions=True)
    figures.phases.append((name, figures.requests() - before, time.perf_counter() - started))


async def one_at_a_time(
    work: Callable[[Person, Browser, Path, float], Awaitable[None]],
    people: list[Person],
    port: int,
    mail_dir: Path,
    figures: Figures,
) -> None:
    """People one after another: each request has the server to itself, as on Lambda."""
    for person in people:
        await work(person, browser(person, port, figures), mail_dir, time.monotonic() + 60)


@contextmanager
def database(in_memory: bool) -> Iterator[dict[str, str]]:
    """Nothing (dev starts DynamoDB Local on its data folder), or DynamoDB Local in memory."""
    if not in_memory:
        yield {}
        return
    sys.path.insert(0, str(ROOT))
    from portal.local.dynamodb import DynamoDBLocal

    local = DynamoDBLocal.start(None)
    try:
        yield {"PORTAL_DYNAMODB_ENDPOINT": local.endpoint}
    finally:
        local.stop()


@dataclass
class Run:
    together: Figures  # `users` people at once
    alone: Figures  # people one at a time
    warm_up: Figures  # the first people, not counted (templates compile, the JVM warms)

    @property
    def errors(self) -> int:
        return self.together.error_count + self.alone.error_count + self.warm_up.error_count


def run(
    users: int,
    alone: int,
    seconds: float,
    extra_env: dict[str, str],
    in_memory: bool = False,
    warmups: int | None = None,
    processes: int = 1,
) -> Run:
    result = Run(Figures(), Figures(), Figures())
    # Each worker process warms up on its own (templates compile, libraries load on first
    # use): with several, the warm-up people go at once, so that every worker answers some.
    warmups = warmups if warmups is not None else (2 if processes == 1 else 3 * processes)
    batch = secrets.token_hex(3)
    everyone = [
        Person(i, "mentor" if i % 2 else "mentee", f"load-{batch}-{i}@example.org")
        for i in range(warmups + alone + users)
    ]
    first, solo, people = (
        everyone[:warmups],
        everyone[warmups : warmups + alone],
        everyone[warmups + alone :],
    )
    ends_at = time.monotonic() + seconds
    notes = result.together.notes
    with tempfile.TemporaryDirectory(prefix="portal-load-") as folder, database(in_memory) as db:
        data_dir = Path(folder) / "data"
        env = server_env(data_dir, {**db, **extra_env})
        notes.append(
            "database: DynamoDB Local "
            + ("in memory" if in_memory else "on the dev server's data folder (disk)")
        )
        notes.append(
            f"server: portal dev, {processes} worker processes answering one request at a time"
            if processes > 1
            else "server: portal dev, one process answering each request in a thread"
        )
        with dev_server(data_dir, Path(folder) / "dev.log", env, processes) as port:
            mail_dir = data_dir / "mail"
            for work, name in (
                (first_half, "sign up, confirm, read"),
                (second_half, "sign in, check in"),
            ):
                if work is second_half:
                    started = time.perf_counter()
                    outcome = run_round(env)
                    notes.append(f"round: {outcome} ({time.perf_counter() - started:.1f} s)")
                group = [p for p in people if p.confirmed] if work is second_half else people
                if processes == 1:
                    asyncio.run(one_at_a_time(work, first, port, mail_dir, result.warm_up))
                else:
                    warming = [p for p in first if p.confirmed] if work is second_half else first
                    asyncio.run(
                        phase("warm-up", warming, work, port, mail_dir, result.warm_up, 120)
                    )
                asyncio.run(one_at_a_time(work, solo, port, mail_dir, result.alone))
                asyncio.run(
                    phase(
                        name,
                        group,
                        work,
                        port,
                        mail_dir,
                        result.together,
                        max(1.0, ends_at - time.monotonic()),
                    )
                )
        notes.append(
            f"{sum(p.confirmed for p in people)} of {users} confirmed, "
            f"{sum(p.checked_in for p in people)} checked in; before them, {warmups} people "
            f"went through {'alone' if processes == 1 else 'at once'} to warm up (not counted, "
            f"{result.warm_up.error_count} errors) "
            f"and {alone} one at a time (the second table)"
        )
    return result


STEPS = (
    "sign-up form",
    "sign-up POST",
    "confirm page",
    "confirm POST",
    "content page",
    "sign-in page",
    "sign-in POST",
    "own page",
    "check-in form",
    "check-in POST",
)


def table(figures: Figures) -> list[str]:
    lines = [f"{'step':<15}{'n':>5}{'errors':>8}   client p50    p95   portal p50    p95  (ms)"]
    for step in STEPS:
        samples = figures.samples.get(step, [])
        errors = len(figures.errors.get(step, []))
        if not samples:
            lines.append(f"{step:<15}{0:>5}{errors:>8}")
            continue
        client = [s.client_ms for s in samples]
        server = [s.server_ms for s in samples if s.server_ms is not None]
        portal = (
            f"{percentile(server, 0.5):>13.1f}{percentile(server, 0.95):>7.1f}"
            if server
            else f"{'(no Server-Timing)':>20}"
        )
        lines.append(
            f"{step:<15}{len(samples):>5}{errors:>8}"
            f"{percentile(client, 0.5):>14.1f}{percentile(client, 0.95):>7.1f}{portal}"
        )
    return lines


def against_targets(figures: Figures, label: str) -> list[str]:
    lines = []
    for step, target in TARGETS_MS.items():
        server = [s.server_ms for s in figures.samples.get(step, []) if s.server_ms is not None]
        p95 = percentile(server, 0.95) if server else None
        met = p95 is not None and p95 <= target
        lines.append(
            f"portal p95 for a {step}, {label}: "
            + (f"{p95:.1f} ms" if p95 is not None else "no figure")
            + f" (target at most {target:g} ms): "
            + ("met" if met else "MISSED")
        )
    return lines


def report(result: Run, users: int) -> list[str]:
    together, alone = result.together, result.alone
    lines = [f"{users} people at once against portal dev on 127.0.0.1"]
    for name, requests, seconds in together.phases:
        lines.append(
            f"phase {name}: {requests} requests in {seconds:.1f} s, "
            f"{requests / max(seconds, 1e-9):.1f} requests/s"
        )
    lines += together.notes
    lines += [f"{users} at once:", *table(together)]
    lines += ["one at a time (each request has the server to itself, as on Lambda):"]
    lines += table(alone)
    lines.append(f"errors: {result.errors} (target 0)")
    for figures in (result.warm_up, alone, together):
        for step, errors in figures.errors.items():
            lines += [f"  {step}: {error}" for error in errors[:3]]
    lines += against_targets(together, f"{users} at once")
    lines += against_targets(alone, "one at a time")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=300, help="the whole run's deadline")
    parser.add_argument(
        "--in-memory",
        action="store_true",
        help="DynamoDB Local in memory (writes without disk syncs), not on the data folder",
    )
    parser.add_argument(
        "--alone",
        type=int,
        default=10,
        help="people who go one at a time before the others (the second table)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="portal dev's worker processes, each answering one request at a time "
        "(1: one process, a thread per request)",
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for the dev server (e.g. a raised limit); repeatable",
    )
    args = parser.parse_args()
    extra = dict(item.split("=", 1) for item in args.server_env)
    result = run(
        args.users, args.alone, args.seconds, extra, args.in_memory, processes=args.processes
    )
    lines = report(result, args.users)
    print("\n".join(lines))
    return 0 if result.errors == 0 and all("MISSED" not in line for line in lines) else 1


if __name__ == "__main__":
    sys.exit(main())
