"""A Workday-style roster of 1,000 and of 10,000 people imported on DynamoDB Local: the times.

Issue 15 asks that a 10,000-row file (about 2 MB) dry-runs within API Gateway's 29 s. The
console does the dry run and the apply's store step (every entry written, then the head
item flipped) in the request, and the to-dos (invitations rendered and queued in the outbox,
sign-ups updated, sign-ups paused with their matches ended) in another Lambda invocation
(portal/mail/courier.py LambdaImportFinisher), so the 29 s is printed beside those two. For
each size this prints:

- the file's size; reading it (read_table) and parsing its rows (parse_roster);
- the dry run (RosterImports.check) on an empty program, and its peak memory (tracemalloc,
  in a second run of its own: tracing slows Python down);
- the apply, split into the store step (timed with a finisher that only records the call)
  and the to-dos (RosterImports.finish);
- the same file again: nothing to change, and how long that dry run took;
- the nightly case: the next day's file (a few hundred people changed, some left or marked
  terminated, some new hires) against the last import's entries and the sign-ups (3,000 of
  10,000 people), with some of those in active matches: the dry run, the store step and the
  to-dos.

The roster is generated from a seeded random, so each run reads the same file: names,
departments under a manager tree (Manager_ID), offices with their time zones, career stages
and a few terminated workers.

How far the figures carry to AWS (not measured there): DynamoDB Local is a Java process on
this machine, backed by SQLite in memory and reached over HTTP on localhost. Its cost per
request is its own CPU, on the same cores as the Python being timed; DynamoDB's is a network
round trip, which nothing here measured. So these figures are neither an upper nor a lower
bound for AWS. What carries over is the number of calls: the store step of 10,000 entries
makes 400 BatchWriteItem calls one after another (plus the reads of the dry run again), and
the to-dos make a few calls per person (a sign-up looked up, the email's conditional put,
the to-do cleared and the head's count lowered), one person after another; multiply by
DynamoDB's latency from the Lambda to estimate them. Writing the entries in 2, 4 or 8 threads
made no difference on this two-core machine (DynamoDB Local is CPU-bound here), so the
benefit of parallel writes on DynamoDB is unmeasured. The Python part (reading, parsing,
planning, rendering) is this machine's CPU; the portal's Lambda has 1,024 MB
(zappa_settings.json), which AWS documents as a share of one vCPU (a whole one from 1,769 MB),
so it is slower there by an unmeasured factor. The dry run's peak memory (tracemalloc: what
Python allocated) is printed against the Lambda's memory.

    python -m bench.roster_import [--rows 1000 10000]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
API_GATEWAY_SECONDS = 29.0
SEED = 15
SIGNED_UP = 3_000  # of 10,000: the sign-ups of the nightly case (scaled to the roster's size)
MATCHED_PAIRS = 300  # of 10,000: active matches among those sign-ups (scaled)
BY = "organizer@example.org"

HEADERS = (
    "Employee_ID",
    "Legal_First_Name",
    "Legal_Last_Name",
    "Email - Primary Work",
    "businessTitle",
    "Supervisory Organization",
    "Manager_ID",
    "Location",
    "Time zone",
    "Management_Level",
    "Hire_Date",
    "Cost_Center",
    "Worker_Status",
)
FIRST = (
    "Ada",
    "Aisha",
    "Akira",
    "Alejandro",
    "Amara",
    "Ana",
    "Andrei",
    "Anika",
    "Arjun",
    "Ava",
    "Beatriz",
    "Bilal",
    "Camille",
    "Carlos",
    "Chen",
    "Chiara",
    "Chloe",
    "Daniel",
    "Dara",
    "Diego",
    "Dmitri",
    "Elena",
    "Elif",
    "Emeka",
    "Emma",
    "Farah",
    "Fatima",
    "Felix",
    "Freya",
    "Gabriel",
    "Grace",
    "Hana",
    "Hassan",
    "Ines",
    "Isaac",
    "Ivan",
    "Jakub",
    "James",
    "Jana",
    "Javier",
    "Jin",
    "Joao",
    "Jonas",
    "Julia",
    "Kai",
    "Kamala",
    "Karim",
    "Kenji",
    "Laila",
    "Lars",
    "Leila",
    "Leo",
    "Liam",
    "Lina",
    "Lucas",
    "Luis",
    "Maja",
    "Malik",
    "Maria",
    "Mateo",
    "Maya",
    "Mehmet",
    "Mia",
    "Mohammed",
    "Nadia",
    "Naomi",
    "Nia",
    "Niamh",
    "Noah",
    "Nora",
    "Oliver",
    "Omar",
    "Oscar",
    "Pablo",
    "Priya",
    "Rafael",
    "Rahul",
    "Ravi",
    "Rosa",
    "Ruth",
    "Sakura",
    "Samir",
    "Sara",
    "Sean",
    "Sofia",
    "Sven",
    "Tariq",
    "Tom",
    "Uma",
    "Victor",
    "Wei",
    "Yara",
    "Yusuf",
    "Zainab",
    "Zoe",
)
LAST = (
    "Abara",
    "Adeyemi",
    "Ahmed",
    "Alvarez",
    "Andersen",
    "Bauer",
    "Becker",
    "Bianchi",
    "Brown",
    "Campbell",
    "Chen",
    "Costa",
    "Da Silva",
    "Dubois",
    "Eriksson",
    "Evans",
    "Fernandes",
    "Fischer",
    "Garcia",
    "Gonzalez",
    "Gupta",
    "Hansen",
    "Hoffmann",
    "Hughes",
    "Ibrahim",
    "Ivanova",
    "Jansen",
    "Jones",
    "Kaur",
    "Kim",
    "Kowalski",
    "Kumar",
    "Larsen",
    "Lee",
    "Lopez",
    "Martin",
    "Mendes",
    "Moreau",
    "Müller",
    "Murphy",
    "Nakamura",
    "Nguyen",
    "Nielsen",
    "Novak",
    "O'Brien",
    "Okafor",
    "Olsen",
    "Patel",
    "Pereira",
    "Petrov",
    "Popescu",
    "Quinn",
    "Rahman",
    "Reyes",
    "Rossi",
    "Sato",
    "Schmidt",
    "Singh",
    "Smith",
    "Suzuki",
    "Tanaka",
    "Taylor",
    "Thompson",
    "Van Dijk",
    "Wagner",
    "Walsh",
    "Wang",
    "Williams",
    "Wilson",
    "Wójcik",
    "Yamamoto",
    "Yilmaz",
    "Zhang",
)
DEPARTMENTS = (
    ("Engineering", ("Platform", "Payments", "Mobile", "Data", "Security", "Infrastructure")),
    ("Product", ("Core", "Growth", "Design")),
    ("Sales", ("EMEA", "Americas", "APAC", "Partnerships")),
    ("Customer Success", ("Support", "Onboarding", "Renewals")),
    ("Finance", ("Accounting", "FP&A", "Procurement")),
    ("People", ("Talent Acquisition", "People Operations", "Learning")),
    ("Marketing", ("Brand", "Demand Generation", "Communications")),
    ("Legal", ("Commercial", "Privacy")),
    ("Operations", ("Facilities", "IT", "Workplace")),
)
TITLES = (
    "Analyst",
    "Associate",
    "Specialist",
    "Engineer",
    "Senior Engineer",
    "Staff Engineer",
    "Designer",
    "Account Executive",
    "Consultant",
    "Coordinator",
    "Program Manager",
    "Product Manager",
)
OFFICES = (
    ("London Office", "Europe/London", 22),
    ("Dublin Office", "Europe/Dublin", 8),
    ("Berlin Office", "Europe/Berlin", 10),
    ("Lisbon Office", "Europe/Lisbon", 6),
    ("Warsaw Office", "Europe/Warsaw", 6),
    ("New York Office", "America/New_York", 16),
    ("Austin Office", "America/Chicago", 8),
    ("San Francisco Office", "America/Los_Angeles", 9),
    ("Toronto Office", "America/Toronto", 5),
    ("Sao Paulo Office", "America/Sao_Paulo", 4),
    ("Bangalore Office", "Asia/Kolkata", 8),
    ("Singapore Office", "Asia/Singapore", 4),
    ("Tokyo Office", "Asia/Tokyo", 3),
    ("Sydney Office", "Australia/Sydney", 3),
    ("Remote - US", "America/Denver", 4),
)
LEVELS = (
    ("Early career (0-2 years)", 30),
    ("Mid-level (3-5 years)", 30),
    ("Senior (6-10 years)", 22),
    ("Lead or principal (10+ years)", 12),
    ("Manager of managers or executive", 4),
    ("Student or apprentice", 2),
)


@dataclass
class Worker:
    """One row of the generated roster."""

    employee_id: str
    first: str
    last: str
    email: str
    title: str
    organization: str
    manager_id: str
    office: str
    zone: str
    level: str
    hired: date
    cost_center: str
    status: str = "Active"

    def cells(self) -> list[str]:
        return [
            self.employee_id,
            self.first,
            self.last,
            self.email,
            self.title,
            self.organization,
            self.manager_id,
            self.office,
            self.zone,
            self.level,
            self.hired.isoformat(),
            self.cost_center,
            self.status,
        ]


class Company:
    """A seeded roster: the first workers manage the later ones, in their own department."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.next_id = 100_001
        self.emails: set[str] = set()

    def worker(self, managers: list[Worker]) -> Worker:
        rng = self.rng
        manager = rng.choice(managers) if managers else None
        if manager is not None and rng.random() < 0.9:
            organization = manager.organization
        else:
            department, teams = rng.choice(DEPARTMENTS)
            organization = f"{department} - {rng.choice(teams)}"
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = self.email(first, last)
        office, zone, _ = rng.choices(OFFICES, weights=[w for *_, w in OFFICES])[0]
        level = rng.choices(LEVELS, weights=[w for _, w in LEVELS])[0][0]
        employee_id = str(self.next_id)
        self.next_id += 1
        return Worker(
            employee_id=employee_id,
            first=first,
            last=last,
            email=email,
            title=rng.choice(TITLES),
            organization=organization,
            manager_id=manager.employee_id if manager else "",
            office=office,
            zone=zone,
            level=level,
            hired=date(2008, 1, 1) + timedelta(days=rng.randrange(18 * 365)),
            cost_center=f"CC-{rng.randrange(1000, 9999)}-{organization.split(' ')[0].upper()}",
            status="Terminated" if rng.random() < 0.004 else "Active",
        )

    def email(self, first: str, last: str) -> str:
        base = "".join(c for c in f"{first}.{last}".lower() if c.isascii() and c not in " '")
        email, n = f"{base}@acme.example.com", 1
        while email in self.emails:
            n += 1
            email = f"{base}{n}@acme.example.com"
        self.emails.add(email)
        return email

    def roster(self, rows: int) -> list[Worker]:
        """`rows` workers; about one in eight manages others."""
        workers: list[Worker] = []
        managers: list[Worker] = []
        for n in range(rows):
            worker = self.worker(managers)
            workers.append(worker)
            if n < 10 or self.rng.random() < 0.125:
                managers.append(worker)
        return workers

    def next_day(self, workers: list[Worker], *, hires: int) -> list[Worker]:
        """The next nightly file: 3% changed, 0.5% left, 0.3% terminated, `hires` new."""
        rng = self.rng
        size = len(workers)
        after = [replace(w) for w in workers]
        picked = rng.sample(range(1, size), k=size * 38 // 1000)
        changing, leaving, ending = (
            picked[: size * 30 // 1000],
            set(picked[size * 30 // 1000 : size * 35 // 1000]),
            picked[size * 35 // 1000 :],
        )
        ids = [w.employee_id for w in workers[: max(10, size // 8)]]
        for index in changing:
            worker = after[index]
            what = rng.random()
            if what < 0.35:
                department, teams = rng.choice(DEPARTMENTS)
                worker.organization = f"{department} - {rng.choice(teams)}"
            elif what < 0.65:
                worker.manager_id = rng.choice(ids)
            elif what < 0.85:
                worker.title = rng.choice(TITLES)
            else:
                worker.office, worker.zone, _ = rng.choice(OFFICES)
        for index in ending:
            after[index].status = "Terminated"
        kept = [w for i, w in enumerate(after) if i not in leaving]
        managers = [w for w in kept[: max(10, size // 8)] if w.status == "Active"]
        return kept + [self.worker(managers) for _ in range(hires)]


def roster_csv(workers: list[Worker]) -> bytes:
    """The roster as Workday's CSV export writes it (UTF-8 with a byte-order mark, CRLF)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for worker in workers:
        writer.writerow(worker.cells())
    return out.getvalue().encode("utf-8-sig")


@contextmanager
def timed(into: list[float]) -> Iterator[None]:
    """Append the seconds the block took."""
    began = time.perf_counter()
    try:
        yield
    finally:
        into.append(time.perf_counter() - began)


def seconds(value: float, limit: bool = False) -> str:
    text = f"{value:6.2f} s"
    if limit:
        share = value / API_GATEWAY_SECONDS
        text += f"   (API Gateway limit {API_GATEWAY_SECONDS:.0f} s: {share:.0%} of it)"
    return text


class Parts:
    """Seconds spent in some methods of an object while a step runs (the store step's parts)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.order: list[str] = []

    def watch(self, owner: Any, name: str, label: str) -> None:
        """Time every call of owner.name from now on (the instance's attribute wraps it)."""
        original = getattr(owner, name)
        self.order.append(label)

        def timed_call(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                result = original(*args, **kwargs)
                # A generator's work is done as it is read: read it here, inside the timing.
                return list(result) if isinstance(result, Iterator) else result
            finally:
                spent = time.perf_counter() - began
                self.seconds[label] = self.seconds.get(label, 0.0) + spent

        setattr(owner, name, timed_call)

    def line(self) -> str:
        """What the step spent in each method, then clear."""
        text = ", ".join(
            f"{label} {self.seconds[label]:.2f} s" for label in self.order if label in self.seconds
        )
        self.seconds.clear()
        return text


def require(ok: bool, what: object) -> None:
    """Stop the benchmark when what it times did not happen as planned."""
    if not ok:
        raise RuntimeError(f"the benchmark's case did not hold: {what!r}")


def run(sizes: list[int], out: Callable[[str], None]) -> None:
    from portal.container import build_services
    from portal.local.dynamodb import DynamoDBLocal
    from portal.local.store import ensure_local_credentials
    from portal.mail.senders import MemorySender
    from portal.persistence import tables
    from portal.settings import Settings

    ensure_local_credentials()
    with tempfile.TemporaryDirectory(prefix="portal-roster-bench-") as folder:
        local = DynamoDBLocal.start(None)  # in memory
        try:
            for size in sizes:
                settings = Settings(
                    stage="local",
                    table_prefix=f"portal-roster-{size}",
                    data_dir=Path(folder) / "data",
                    secret_key="roster-bench-" + "k" * 40,
                    dynamodb_endpoint=local.endpoint,
                    content_dir=ROOT / "content",
                    base_url="http://127.0.0.1:5000",
                )
                tables.bind(settings.table_prefix, settings.region, settings.dynamodb_endpoint)
                tables.create_tables()
                services = build_services(settings, sender=MemorySender())
                one_size(services, size, out)
        finally:
            local.stop()


def one_size(services: Any, size: int, out: Callable[[str], None]) -> None:
    from portal.domain.roster import guess_mapping, parse_roster
    from portal.services.roster_import import ImportRefused

    program = services.programs.get("demo")
    require(program is not None and program.signup_open, "the demo program, open for sign-up")
    assert program is not None
    imports = services.roster_imports
    finishing: list[str] = []
    # The store step alone: on Lambda the to-dos are another invocation's.
    imports.finisher = finishing.append
    parts = Parts()
    # The store step re-runs the dry run (check), reads the live entries, writes the new
    # ones and flips the head: each is timed.
    parts.watch(imports, "check", "the dry run again")
    parts.watch(imports.participants, "for_program", "sign-ups read (in it)")
    parts.watch(imports.store, "entries", "live entries read (in it and once more)")
    parts.watch(imports.store, "write_entries", "entries written")
    parts.watch(imports.store, "make_live", "head flipped")
    todo_parts = Parts()
    todo_parts.watch(imports.invitations.mail, "queue_once", "emails rendered and queued")
    todo_parts.watch(imports.participants, "get", "sign-ups looked up")
    todo_parts.watch(imports.store, "done", "to-dos cleared")
    todo_parts.watch(imports.store, "delete_import", "previous import deleted")
    company = Company(SEED)
    workers = company.roster(size)
    data = roster_csv(workers)
    filename = "Workday_Worker_Roster.csv"

    out(f"== {size:,} rows ==")
    out(f"file size:                  {len(data) / 1e6:5.2f} MB ({len(data):,} bytes)")
    read: list[float] = []
    parse: list[float] = []
    dry_times: list[float] = []
    with timed(read):
        table = imports.read(data, filename)
    with timed(parse):
        rows, bad = parse_roster(table, guess_mapping(table.headers))
    require(not bad, bad[:3])
    out(f"read (read_table):          {seconds(read[0])}")
    out(f"parse (parse_roster):       {seconds(parse[0])}   ({len(rows):,} people)")
    with timed(dry_times):
        dry = imports.check(program, table, filename=filename)
    require(dry.plan is not None and dry.can_apply, dry.mapping_problems)
    assert dry.plan is not None
    out(f"dry run, empty program:     {seconds(dry_times[0], limit=True)}")
    out(f"                            ({dry.plan.counts()})")
    tracemalloc.start()
    try:
        imports.check(program, imports.read(data, filename), filename=filename)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    out(f"dry run's peak memory:      {peak / 1e6:6.1f} MB (read and dry run, tracemalloc)")

    store: list[float] = []
    todo: list[float] = []
    parts.line()
    with timed(store):
        applied = imports.apply(program, dry, by=BY)
    require(finishing == [program.slug], finishing)
    out(f"apply, store step:          {seconds(store[0], limit=True)}")
    out(f"                            (of which {parts.line()})")
    out(f"                            ({applied.summary}; {applied.pending:,} to-dos)")
    todo_parts.line()
    with timed(todo):
        done = imports.finish(program.slug)
    out(
        f"apply, to-dos (finish):     {seconds(todo[0])}   ({done.invited:,} invited, "
        f"{done.updated:,} updated, {done.paused:,} paused, {done.ended_matches} matches ended)"
    )
    out(f"                            (of which {todo_parts.line()})")
    out(f"queued in the outbox:       {len(list_outbox(services)):,} messages")

    again: list[float] = []
    with timed(again):
        second = imports.check(program, imports.read(data, filename), filename=filename)
    require(second.plan is not None and second.plan.is_empty, second.plan)
    try:
        imports.apply(program, second, by=BY)
    except ImportRefused as exc:
        said = str(exc)
    else:
        raise RuntimeError("the same file applied twice changed something")
    out(f"same file again, dry run:   {seconds(again[0], limit=True)}")
    out(f"                            ({said})")

    # The nightly case: some of the invited people have signed up since, a few are matched.
    signed = size * SIGNED_UP // 10_000
    sign_up(program.slug, workers, signed)
    pairs = match_some(services, program.slug, workers, signed, size * MATCHED_PAIRS // 10_000)
    tomorrow = company.next_day(workers, hires=size // 100)
    nightly = roster_csv(tomorrow)
    finishing.clear()
    night_dry: list[float] = []
    night_store: list[float] = []
    night_todo: list[float] = []
    out(
        f"nightly file:               {len(nightly) / 1e6:5.2f} MB, {len(tomorrow):,} rows, "
        f"against {size:,} entries and {signed:,} sign-ups ({pairs} active matches)"
    )
    with timed(night_dry):
        night = imports.check(program, imports.read(nightly, filename), filename=filename)
    require(night.plan is not None and night.can_apply, night.problems[:3])
    assert night.plan is not None
    out(f"nightly dry run:            {seconds(night_dry[0], limit=True)}")
    out(f"                            ({night.plan.counts()})")
    parts.line()
    with timed(night_store):
        night_applied = imports.apply(program, night, by=BY)
    require(finishing == [program.slug], finishing)
    out(f"nightly store step:         {seconds(night_store[0], limit=True)}")
    out(f"                            (of which {parts.line()})")
    out(f"                            ({night_applied.pending:,} to-dos)")
    todo_parts.line()
    with timed(night_todo):
        night_done = imports.finish(program.slug)
    out(
        f"nightly to-dos (finish):    {seconds(night_todo[0])}   ({night_done.invited:,} "
        f"invited, {night_done.updated:,} updated, {night_done.paused:,} paused, "
        f"{night_done.ended_matches} matches ended)"
    )

    out(f"                            (of which {todo_parts.line()})")


def sign_up(slug: str, workers: list[Worker], count: int) -> None:
    """The first `count` active workers sign up and confirm, as mentors and mentees, from the
    pre-filled form (department, manager, time zone and career stage as the roster has them)."""
    from portal.domain.participants import Participant, Role, Status
    from portal.domain.roster_plan import seniority_key
    from portal.persistence.participants import address_record, to_record
    from portal.persistence.tables import AddressRecord, ParticipantRecord

    now = datetime.now(UTC)
    emails = {w.employee_id: w.email for w in workers}
    chosen = [w for w in workers if w.status == "Active"][:count]
    with ParticipantRecord.batch_write() as people, AddressRecord.batch_write() as addresses:
        for n, worker in enumerate(chosen):
            person = Participant(
                program=slug,
                email=worker.email,
                participant_id=f"b{n:07d}",
                role=Role.MENTOR if n % 3 == 0 else Role.MENTEE,
                name=f"{worker.first} {worker.last}",
                timezone=worker.zone,
                languages=("English",),
                availability=("mon-evening", "wed-morning"),
                skills=("python", "sql") if n % 3 == 0 else (),
                goals=("python",) if n % 3 else (),
                department=worker.organization,
                reports_to=emails.get(worker.manager_id, ""),
                seniority=seniority_key(worker.level) or "",
                answers={"industry": "Software"},
                status=Status.CONFIRMED,
                created_at=now,
                updated_at=now,
                confirmed_at=now,
                consented_at=now,
            )
            people.save(to_record(person))
            addresses.save(address_record(person))


def match_some(services: Any, slug: str, workers: list[Worker], signed: int, pairs: int) -> int:
    """Activate `pairs` matches between the signed-up mentors and mentees, as a round does."""
    from portal.persistence.matches import ACTIVATED

    active = [w for w in workers if w.status == "Active"][:signed]
    mentors = [w for n, w in enumerate(active) if n % 3 == 0]
    mentees = [w for n, w in enumerate(active) if n % 3]
    made = 0
    for mentor, mentee in zip(mentors, mentees, strict=False):
        if made == pairs:
            break
        outcome = services.rounds.matches.activate(
            slug,
            "2026-03-02T0900Z",
            mentor=mentor.email,
            mentee=mentee.email,
            mentor_capacity=1,
            mentee_capacity=1,
            score=80,
            reasons=({"code": "shared_language", "languages": ["English"]},),
            now=datetime.now(UTC),
        )
        made += outcome == ACTIVATED
    return made


def list_outbox(services: Any) -> list[str]:
    """The keys of the outbox's messages waiting to be sent."""
    return services.mail.outbox.due_keys(datetime.now(UTC) + timedelta(days=1), 1_000_000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000, 10_000])
    args = parser.parse_args()
    run(sorted(args.rows), lambda line: print(line, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
