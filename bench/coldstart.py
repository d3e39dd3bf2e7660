"""Lambda cold start of the packaged portal, beside a bare Flask "hello world" in the same run.

    make package && .venv/bin/python bench/coldstart.py [--runs 7] [--zip ZIP]

Each run is a fresh `python -S -B` process emulating Lambda's python3.11 runtime
(infrastructure/lambda_emulator.py): the unpacked zip, the solver layer and a copy of what
the runtime provides on sys.path, nothing else, no bytecode written. The figure is the time
from that process being ready to the first response: importing Zappa's `handler`, which
imports the app, and serving a recorded API Gateway GET. The bare app is a Flask "hello
world" behind the same Zappa handler and libraries, so the ratio is what the portal adds.
AWS is a moto server on 127.0.0.1 holding the stage's tables, empty, as the stack makes
them (nothing may leave).

With the pages published to S3 (issue 18), the Lambda serves the dynamic routes. Each of
these is timed as a container's first request, every run in a fresh process:
- the sign-in form: a page of the app's own, reading no table;
- a page the bucket lacks: CloudFront fails over to the app, which answers its 404;
- a program's sign-up form: the programs, files and stored ones, read first (a DynamoDB
  client and a query, and the program models);
- the home page, as before the site is published: the programs too.
The hello world is also timed reading the stage's programs table once (a DynamoDB client
made, then one request): the floor of any page that reads a table, which the bare app does
not pay.

Targets: zip at most 10 MB; every first request at most 1.0 s; the sign-in form, the work a
"hello world" does (a page, no table), at most 1.5 times the bare app. The others are
printed beside it with their ratios: they do what a hello world does not.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infrastructure.lambda_emulator import EmulatedLambda  # noqa: E402

TARGETS = {"zip_mb": 10.0, "seconds": 1.0, "ratio": 1.5}
EVENT = ROOT / "tests" / "package" / "events" / "get-home.json"
# (label, path): the first requests timed, the first one held to the ratio's target.
ROUTES = (
    ("sign-in form", "/sign-in"),
    ("a page the bucket lacks (404)", "/no-such-page"),
    ("a program's sign-up form", "/programs/demo/join/mentee"),
    ("home page", "/"),
)
STAGE_ENV = json.loads((ROOT / "zappa_settings.json").read_text(encoding="utf-8"))["dev"][
    "environment_variables"
]
HELLO_APP = """from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
"""


def unpack(archive: Path, folder: Path) -> Path:
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(folder)
    return folder


# The floor of a page that reads a table: the hello world, reading the stage's programs table
# once with the runtime's boto3 (a client made, then one request), as the sign-up form does.
HELLO_READING_APP = """import os

import boto3
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    table = os.environ["PORTAL_TABLE_PREFIX"] + "-programs"
    found = boto3.client("dynamodb").scan(TableName=table, Limit=1)
    return f"Hello, World! ({found['Count']} program)"
"""


def hello_task(portal_task: Path, folder: Path, app: str = HELLO_APP) -> Path:
    """The same zip's libraries and Zappa handler, serving a hello-world Flask app."""
    folder.mkdir()
    skip = {"portal", "functions", "content", "zappa_settings.py", "zappa_settings.json"}
    for entry in portal_task.iterdir():
        if entry.name not in skip:
            (folder / entry.name).symlink_to(entry)
    (folder / "hello_app.py").write_text(app, encoding="utf-8")
    settings = (portal_task / "zappa_settings.py").read_text(encoding="utf-8")
    settings = re.sub(r"(?m)^APP_MODULE=.*$", "APP_MODULE='hello_app'", settings)
    (folder / "zappa_settings.py").write_text(settings, encoding="utf-8")
    return folder


def create_tables(endpoint: str, region: str) -> None:
    """The stage's tables on the moto server, empty (infrastructure/template.yaml makes them)."""
    from portal.persistence import tables

    tables.bind(STAGE_ENV["PORTAL_TABLE_PREFIX"], region, endpoint)
    try:
        tables.create_tables()
    finally:
        tables.reconnect()  # this process's clients point at a server about to stop


def lambda_environment(endpoint: str, region: str) -> dict[str, str]:
    """An emulated container's environment, AWS being a moto server at `endpoint` that this
    process gives the stage's tables (with the same made-up credentials as the containers)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": endpoint,
        "PORTAL_SECRET_KEY": secrets.token_urlsafe(48),  # a repeated letter is refused
    }
    os.environ.update({k: env[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")})
    create_tables(endpoint, region)
    return env


def event_for(path: str) -> dict[str, Any]:
    """The recorded API Gateway GET, for another path."""
    event: dict[str, Any] = json.loads(EVENT.read_text(encoding="utf-8"))
    event["path"] = path
    event["pathParameters"] = {"proxy": path.lstrip("/")} if path != "/" else None
    event["requestContext"]["path"] = f"/dev{path}"
    return event


def cold_start(
    task: Path, layer: Path, runtime: Path, env: dict[str, str], path: str = "/"
) -> dict[str, Any]:
    with EmulatedLambda(task, layers=[layer], runtime=runtime, env=env) as container:
        outcome = container.invoke(event_for(path))
        expected = 404 if path == "/no-such-page" else 200
        if not outcome["ok"] or outcome["result"].get("statusCode") != expected:
            log = container.log()
            raise SystemExit(f"{task.name}: the first request failed:\n{outcome}\n{log}")
        wall = time.perf_counter() - container.started
    return {"seconds": outcome["seconds"], "wall": wall}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zip", type=Path, default=ROOT / "build" / "mentor-portal-dev.zip")
    parser.add_argument("--layer", type=Path, default=ROOT / "build" / "solver-layer.zip")
    parser.add_argument("--runtime", type=Path, default=ROOT / "build" / "lambda-runtime")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    for path in (args.zip, args.layer, args.runtime):
        if not path.exists():
            raise SystemExit(f"{path} is missing: run `make package` first")
    if args.runs < 1:
        raise SystemExit("--runs must be at least 1")

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the moto server's request log

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    work = Path(tempfile.mkdtemp(prefix="coldstart-"))
    try:
        host, port = server.get_host_and_port()
        env = lambda_environment(f"http://{host}:{port}", "eu-west-1")
        portal = unpack(args.zip, work / "task")
        layer = unpack(args.layer, work / "layer")
        hello = hello_task(portal, work / "hello")
        reading = hello_task(portal, work / "hello-reading", HELLO_READING_APP)
        figures: dict[str, list[dict[str, Any]]] = {"hello": [], "reading": []}
        figures.update({path: [] for _, path in ROUTES})
        for _ in range(args.runs):  # alternated, so that a busy moment hits all alike
            figures["hello"].append(cold_start(hello, layer, args.runtime, env))
            figures["reading"].append(cold_start(reading, layer, args.runtime, env))
            for _, path in ROUTES:
                figures[path].append(cold_start(portal, layer, args.runtime, env, path))
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)

    zip_mb = args.zip.stat().st_size / 1e6
    layer_mb = args.layer.stat().st_size / 1e6
    median = {name: statistics.median(r["seconds"] for r in runs) for name, runs in figures.items()}
    wall = {name: statistics.median(r["wall"] for r in runs) for name, runs in figures.items()}
    print(f"zip {args.zip.name}: {zip_mb:.2f} MB (target <= {TARGETS['zip_mb']:.0f} MB)")
    print(f"solver layer {args.layer.name}: {layer_mb:.1f} MB (attached, not in the zip)")
    print(f"cold start, import + first request, median of {args.runs} fresh processes each:")
    rows = [
        ("bare Flask hello world", "hello"),
        ("the same, reading one table", "reading"),
        *((label, path) for label, path in ROUTES),
    ]
    for label, name in rows:
        spread = ", ".join(f"{r['seconds']:.3f}" for r in figures[name])
        ratio = "" if name == "hello" else f"  {median[name] / median['hello']:.2f}x"
        print(
            f"  {label:30} {median[name]:.3f} s{ratio}  (process {wall[name]:.3f} s; runs {spread})"
        )
    held = ROUTES[0][1]
    ratio = median[held] / median["hello"]
    print(
        f"  {ROUTES[0][0]}: {ratio:.2f}x the bare app (target <= {TARGETS['ratio']}x); "
        f"every first request <= {TARGETS['seconds']:.1f} s"
    )
    met = (
        zip_mb <= TARGETS["zip_mb"]
        and max(median[path] for _, path in ROUTES) <= TARGETS["seconds"]
        and ratio <= TARGETS["ratio"]
    )
    print("targets met" if met else "TARGETS MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
