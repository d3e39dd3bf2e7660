"""Run an unpacked Lambda zip the way AWS's python3.11 runtime does, for tests and benchmarks.

    python -S -B lambda_emulator.py --task DIR [--layer DIR] [--runtime DIR] [--handler M.F]

`-S` keeps this machine's site-packages out and `-B` writes no bytecode (Lambda's /var/task
is read-only), so only the zip, the layer and what the runtime provides can be imported, in
Lambda's order. The process is one container: each line of standard input is an event (JSON),
and each invocation's outcome is written as one JSON line to the file descriptor `--out-fd`
(standard output is the function's log, as on Lambda):

    {"ok": true, "result": ..., "seconds": 0.12}    or    {"ok": false, "error": "..."}

The first outcome's `seconds` includes importing the handler module, as a cold start does.
`EmulatedLambda` starts such a process and invokes it (tests, bench/coldstart.py); it uses
only the standard library.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import select
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()


class Context:
    """The attributes of Lambda's context object that handlers read."""

    def __init__(self, function_name: str, timeout_seconds: float) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = "1024"
        self.invoked_function_arn = (
            f"arn:aws:lambda:eu-west-1:123456789012:function:{function_name}"
        )
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "emulated"
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class LambdaProcessError(RuntimeError):
    """The emulated container died, or did not answer in time."""


class EmulatedLambda:
    """One emulated container: a fresh `python -S -B` process serving invocations in turn."""

    def __init__(
        self,
        task: Path,
        *,
        layers: Iterable[Path] = (),
        runtime: Path | None = None,
        env: Mapping[str, str] | None = None,
        handler: str = "handler.lambda_handler",
        function_name: str = "mentor-portal-dev",
        timeout: float = 60.0,
    ) -> None:
        self.timeout = timeout
        self.log_file = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        read_end, write_end = os.pipe()
        command = [sys.executable, "-S", "-B", __file__, "--task", str(task)]
        for layer in layers:
            command += ["--layer", str(layer)]
        if runtime is not None:
            command += ["--runtime", str(runtime)]
        command += ["--handler", handler, "--function-name", function_name]
        command += ["--timeout", str(timeout), "--out-fd", str(write_end)]
        self.started = time.perf_counter()
        self.process = subprocess.Popen(  # noqa: S603  (our own interpreter and script)
            command,
            stdin=subprocess.PIPE,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            pass_fds=(write_end,),
            env=dict(env or {}),
            text=True,
        )
        os.close(write_end)
        self._outcomes = os.fdopen(read_end, encoding="utf-8")

    def invoke(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """Send one event; the outcome {"ok", "result" or "error", "seconds"}."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(event) + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            raise LambdaProcessError(f"the container has exited:\n{self.log()}") from None
        ready, _, _ = select.select([self._outcomes], [], [], self.timeout)
        line = self._outcomes.readline() if ready else ""
        if not line:
            log = self.log()
            self.close()
            what = "did not answer within" if not ready else "exited before answering; timeout"
            raise LambdaProcessError(f"the container {what} {self.timeout} s:\n{log}")
        outcome: dict[str, Any] = json.loads(line)
        return outcome

    def log(self) -> str:
        """Everything the function printed so far (its CloudWatch log)."""
        if self.log_file.closed:
            return "(the container has ended)"
        self.log_file.flush()
        self.log_file.seek(0)
        text = self.log_file.read()
        self.log_file.seek(0, os.SEEK_END)
        return text

    def close(self) -> None:
        """End the container (it exits when its input closes; killed if it does not)."""
        if self.process.stdin and not self.process.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._outcomes.close()
        self.log_file.close()

    def __enter__(self) -> EmulatedLambda:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--task", required=True, help="the unpacked zip (/var/task)")
    parser.add_argument("--layer", action="append", default=[], help="an unpacked layer (/opt)")
    parser.add_argument("--runtime", help="what the runtime provides (/var/runtime)")
    parser.add_argument("--handler", default="handler.lambda_handler")
    parser.add_argument("--function-name", default="mentor-portal-dev")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--out-fd", type=int, required=True, help="where outcomes are written")
    args = parser.parse_args()

    task = os.path.abspath(args.task)
    # Lambda's order: the function's code, the layers' python/ folders, then the runtime's.
    paths = [task] + [os.path.join(os.path.abspath(layer), "python") for layer in args.layer]
    if args.runtime:
        paths.append(os.path.abspath(args.runtime))
    sys.path[:1] = paths  # sys.path[0] was this script's folder, which Lambda does not have
    os.chdir(task)
    os.environ.setdefault("LAMBDA_TASK_ROOT", task)
    os.environ.setdefault("AWS_LAMBDA_FUNCTION_NAME", args.function_name)

    out = os.fdopen(args.out_fd, "w", encoding="utf-8", buffering=1)
    module_name, function_name = args.handler.rsplit(".", 1)
    handler = None
    for line in sys.stdin:
        if not line.strip():
            continue
        begin = STARTED if handler is None else time.perf_counter()
        try:
            event = json.loads(line)
            if handler is None:
                handler = getattr(importlib.import_module(module_name), function_name)
            result = handler(event, Context(args.function_name, args.timeout))
            outcome = {"ok": True, "result": result}
        except Exception:
            outcome = {"ok": False, "error": traceback.format_exc()}
        outcome["seconds"] = time.perf_counter() - begin
        sys.stdout.flush()
        out.write(json.dumps(outcome, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
