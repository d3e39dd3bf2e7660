"""The packaged Lambda: built once per session with `make package`, run as Lambda runs it.

`make package` builds the zip with `zappa package dev` from .venv-package (runtime
dependencies only), the solver layer, and a copy of what AWS's runtime provides. The zip is
unpacked and Zappa's `handler.lambda_handler` runs in a plain `python -S -B` process
(infrastructure/lambda_emulator.py) against a moto server on 127.0.0.1, in a process of its
own so that its state is apart from the in-process mocks of the other tiers.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

MAX_ZIP_BYTES = 10_000_000  # the target: 10 MB
MAX_UNPACKED_BYTES = 250 * 1024 * 1024  # Lambda's limit for the function and its layers
PACKAGE_TIMEOUT = 1800  # a clean clone creates .venv-package first
SERVER_TIMEOUT = 60

_FIGURES: list[str] = []


@dataclass(frozen=True)
class Package:
    zip: Path
    layer_zip: Path
    task: Path  # the unpacked zip: /var/task
    layer: Path  # the unpacked layer: /opt
    runtime: Path  # what the runtime provides: /var/runtime


def _unpacked_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


@pytest.fixture(scope="session")
def package(tmp_path_factory: pytest.TempPathFactory) -> Package:
    """The dev stage's zip and layer, built the documented way, unpacked."""
    out = tmp_path_factory.mktemp("package")
    command = ["make", "--no-print-directory", "package", "STAGE=dev", f"PACKAGE_DIR={out}"]
    try:
        built = subprocess.run(  # noqa: S603  (a fixed command; the folder is ours)
            command,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=PACKAGE_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"make package took more than {PACKAGE_TIMEOUT} s:\n{exc.stdout}")
    if built.returncode != 0:
        pytest.fail(f"make package failed:\n{built.stdout[-4000:]}\n{built.stderr[-4000:]}")
    archive = out / "mentor-portal-dev.zip"
    layer_zip = out / "solver-layer.zip"
    task, layer = out / "task", out / "layer"
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(task)
    with zipfile.ZipFile(layer_zip) as zipped:
        zipped.extractall(layer)
    unpacked = _unpacked_size(task) + _unpacked_size(layer)
    zip_mb, layer_mb = archive.stat().st_size / 1e6, layer_zip.stat().st_size / 1e6
    _FIGURES.append(
        f"packaged Lambda: zip {zip_mb:.2f} MB (target <= {MAX_ZIP_BYTES / 1e6:.0f} MB), "
        f"solver layer {layer_mb:.1f} MB, unpacked together {unpacked / 2**20:.0f} MiB "
        "(Lambda's limit 250 MiB)"
    )
    return Package(archive, layer_zip, task, layer, out / "lambda-runtime")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in _FIGURES:
        terminalreporter.write_line(line)


_SERVER = """
import sys
from moto.server import ThreadedMotoServer

server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
print(f"http://{host}:{port}", flush=True)
sys.stdin.read()  # until the test session closes our input
server.stop()
"""


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A moto server on 127.0.0.1 (a free port) in its own process; its URL."""
    server = subprocess.Popen(  # noqa: S603  (this interpreter, our own script)
        [sys.executable, "-c", _SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "MOTO_CALL_RESET_API": "false"},
    )
    try:
        assert server.stdout is not None
        ready, _, _ = select.select([server.stdout], [], [], SERVER_TIMEOUT)
        url = server.stdout.readline().strip() if ready else ""
        assert url.startswith("http://127.0.0.1:"), f"the moto server did not start: {url!r}"
        yield url
    finally:
        assert server.stdin is not None
        server.stdin.close()
        try:
            server.wait(timeout=SERVER_TIMEOUT)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()
    assert server.returncode is not None, "the moto server is still running"
