"""The static site: its build time and size, and a page from its files against the Lambda.

    make package && .venv/bin/python bench/site.py [--requests 200] [--zip ZIP]

1. Build: a copy of the content folder grown to 50 programs and 20 pages (copies of the demo
   program and of the FAQ), the app on moto in this process, `build_site` into a temporary
   folder (median of --builds runs); the number of files and their size.
2. Serve: the FAQ from the built files by `http.server` on 127.0.0.1 (a new connection per
   request, as a first visit) against the same page through the packaged Lambda handler
   (Zappa's, in a `python -S -B` process emulating the python3.11 runtime, as
   bench/coldstart.py does; AWS a moto server on 127.0.0.1), in the same run, alternated.
   The Lambda's figure is the time from sending the API Gateway event to its answer; its
   first (cold) request is shown apart. Neither counts the network to a visitor, CloudFront
   or API Gateway: the ratio is what the pages' server costs, not what a visitor waits.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.coldstart import event_for, lambda_environment, unpack  # noqa: E402
from infrastructure.lambda_emulator import EmulatedLambda  # noqa: E402

PROGRAMS = 50
PAGES = 20
REGION = "eu-west-1"


def grown_content(folder: Path) -> Path:
    """The shipped content with copies of the demo program and the FAQ up to the counts."""
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    programs = content / "programs"
    demo = (programs / "demo.md").read_text(encoding="utf-8")
    held = [p for p in programs.glob("*.md") if "." not in p.stem]
    for n in range(PROGRAMS - len(held)):
        text = demo.replace("slug: demo\n", f"slug: bench-{n:02d}\n", 1)
        text = text.replace('title: "Demo: ', f'title: "Bench {n:02d}: ', 1)
        (programs / f"bench-{n:02d}.md").write_text(text, encoding="utf-8")
    pages = content / "pages"
    faq = (pages / "faq.md").read_text(encoding="utf-8")
    held = [p for p in pages.glob("*.md") if "." not in p.stem]
    for n in range(PAGES - len(held)):
        text = faq.replace("slug: faq\n", f"slug: bench-page-{n:02d}\n", 1)
        text = text.replace("nav: true\n", "nav: false\n", 1)
        text = text.replace("title: Frequently asked questions", f"title: Bench page {n:02d}", 1)
        (pages / f"bench-page-{n:02d}.md").write_text(text, encoding="utf-8")
    return content


def build_figures(work: Path, builds: int) -> dict[str, Any]:
    """Build the grown site `builds` times on moto; the last build's folder and the times."""
    from moto import mock_aws

    from portal import create_app
    from portal.container import build_services
    from portal.persistence import tables
    from portal.services.site import build_site, site_paths
    from portal.settings import Settings

    content = grown_content(work)
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        os.environ.setdefault(key, value)
    times: list[float] = []
    with mock_aws():
        tables.bind("bench-site", REGION, None)
        tables.create_tables()
        settings = Settings(
            stage="test",
            table_prefix="bench-site",
            base_url="https://portal.example.org",
            mail_transport="memory",
            mail_sender="Mentor Portal <portal@example.org>",
            data_dir=work / "data",
            secret_key=secrets.token_urlsafe(48),
            region=REGION,
            content_dir=content,
        )
        app = create_app(settings, build_services(settings))
        paths = site_paths(app)
        programs = sum(1 for p in paths if p.startswith("/programs/") and p.count("/") == 2)
        programs -= 1  # the list, "/programs/"
        pages = sum(1 for p in paths if p.count("/") == 1 and p != "/")
        out = work / "site"
        for _ in range(builds):
            shutil.rmtree(out, ignore_errors=True)
            started = time.perf_counter()
            written = build_site(out, app)
            times.append(time.perf_counter() - started)
    return {
        "out": out,
        "programs": programs,
        "pages": pages + 1,  # and home
        "files": len(written),
        "bytes": sum(path.stat().st_size for path in written),
        "seconds": times,
    }


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def fetch(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - 127.0.0.1 only
        body = answer.read()
        if answer.status != 200 or b"Frequently asked questions" not in body:
            raise SystemExit(f"http.server did not serve the FAQ at {url}")
    return time.perf_counter() - started


def invoke(container: EmulatedLambda, event: dict[str, Any]) -> float:
    started = time.perf_counter()
    outcome = container.invoke(event)
    seconds = time.perf_counter() - started
    result = outcome.get("result") or {}
    served = result.get("statusCode") == 200 and "Frequently asked questions" in str(
        result.get("body")
    )
    if not outcome["ok"] or not served:
        raise SystemExit(f"the Lambda did not serve /faq:\n{outcome}\n{container.log()}")
    return seconds


def serve_figures(site: Path, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """The FAQ from the built files and through the packaged handler, alternated."""
    from moto.server import ThreadedMotoServer

    static = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=static.serve_forever, daemon=True)
    thread.start()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    try:
        host, port = moto.get_host_and_port()
        # The stage's tables, empty, as the stack makes them (as in bench/coldstart.py).
        env = lambda_environment(f"http://{host}:{port}", REGION)
        task = unpack(args.zip, work / "task")
        layer = unpack(args.layer, work / "layer")
        url = f"http://127.0.0.1:{static.server_address[1]}/faq/"
        event = event_for("/faq")
        files: list[float] = []
        handler: list[float] = []
        with EmulatedLambda(task, layers=[layer], runtime=args.runtime, env=env) as container:
            cold = invoke(container, event)
            fetch(url)  # the first of each is apart: the disk's cache, the handler's import
            for _ in range(args.requests):
                files.append(fetch(url))
                handler.append(invoke(container, event))
    finally:
        moto.stop()
        static.shutdown()
        static.server_close()
        thread.join(timeout=10)
    return {"cold": cold, "files": files, "handler": handler}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zip", type=Path, default=ROOT / "build" / "mentor-portal-dev.zip")
    parser.add_argument("--layer", type=Path, default=ROOT / "build" / "solver-layer.zip")
    parser.add_argument("--runtime", type=Path, default=ROOT / "build" / "lambda-runtime")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--builds", type=int, default=3)
    args = parser.parse_args(argv)
    for path in (args.zip, args.layer, args.runtime):
        if not path.exists():
            raise SystemExit(f"{path} is missing: run `make package` first")
    if args.requests < 1 or args.builds < 1:
        raise SystemExit("--requests and --builds must be at least 1")

    work = Path(tempfile.mkdtemp(prefix="bench-site-"))
    try:
        built = build_figures(work, args.builds)
        served = serve_figures(built["out"] / "en", args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    build = statistics.median(built["seconds"])
    spread = ", ".join(f"{s:.2f}" for s in built["seconds"])
    print(
        f"build: {built['programs']} programs and {built['pages']} pages (with home), "
        f"in {len(built['seconds'])} runs: median {build:.2f} s (runs {spread})"
    )
    print(
        f"site: {built['files']} files, {built['bytes'] / 1e6:.2f} MB "
        f"({built['bytes'] / built['files'] / 1e3:.1f} kB a page on average)"
    )
    files = statistics.median(served["files"])
    handler = statistics.median(served["handler"])
    print(f"the FAQ, median of {args.requests} requests each, alternated in one run:")
    print(f"  built files (http.server, 127.0.0.1)  {files * 1000:.2f} ms")
    print(
        f"  packaged Lambda handler (warm)        {handler * 1000:.2f} ms "
        f"(its first, cold: {served['cold'] * 1000:.0f} ms)"
    )
    print(
        f"  ratio Lambda / files {handler / files:.1f}x warm, "
        f"{served['cold'] / files:.0f}x for the Lambda's cold first request"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
