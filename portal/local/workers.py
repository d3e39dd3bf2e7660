"""`portal dev --processes N`: the portal served as Lambda serves it, one request at a time each.

On Lambda an instance handles one request at a time, and requests beyond the instances wait
in front of them, outside the app. The dev server's default (one process, a thread per
request) has every request share one interpreter: a request's own time (Server-Timing) then
also counts the time it waits for the others' Python (the GIL) and database calls.

Here N worker processes, each with its own app, services and database clients, take turns
accepting connections on one listening socket and each answers one request at a time;
connections beyond them wait in the kernel's accept queue, outside the app. The workers are
forked from the dev server after the database is ready and before any thread starts.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import traceback
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

# Connections that may wait for a worker; the kernel caps it at net.core.somaxconn.
BACKLOG = 1024
# How often an idle worker looks whether it was asked to stop.
POLL_SECONDS = 0.5


class Workers:
    """Worker processes serving the app made by `make_app`, on `host`:`port`."""

    def __init__(self, host: str, port: int, processes: int, make_app: Callable[[], Any]) -> None:
        if processes < 1:
            raise ValueError("at least one worker process")
        self.host, self.port, self.processes = host, port, processes
        self.make_app = make_app
        self.pids: list[int] = []
        self.failed = 0  # workers that ended otherwise than by a stop
        self._socket: socket.socket | None = None

    def start(self) -> Workers:
        """Listen, and fork the workers; call before the parent starts any thread."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listening = socket.create_server((self.host, self.port), family=family, backlog=BACKLOG)
        # Every worker waits for the same connections and one accepts each: the others find
        # nothing to accept and wait again, rather than block in accept() and miss a stop.
        listening.setblocking(False)
        self._socket = listening
        for _ in range(self.processes):
            pid = os.fork()
            if pid == 0:
                self._serve(listening)  # never returns
            self.pids.append(pid)
        return self

    def _serve(self, listening: socket.socket) -> None:
        """A worker's life: its own app, one request at a time, until asked to stop."""
        from werkzeug.serving import make_server

        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True  # the request under way, if any, is answered first

        code = 0
        try:
            signal.signal(signal.SIGTERM, stop)
            server = make_server(
                self.host, self.port, self.make_app(), threaded=False, fd=listening.fileno()
            )
            server.timeout = POLL_SECONDS
            while not stopping:
                server.handle_request()
        except KeyboardInterrupt:
            pass
        except BaseException:  # a worker that cannot serve says why, and ends
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            # Never back into the dev server's code: its `finally` would stop the database.
            os._exit(code)

    def wait(self) -> None:
        """Block until every worker has ended (each is stopped by a signal or a failure)."""
        while self.pids:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            if pid in self.pids:
                self.pids.remove(pid)
                code = os.waitstatus_to_exitcode(status)
                if code not in (0, -signal.SIGTERM, -signal.SIGINT):
                    self.failed += 1
                    log.error("worker process %d ended with %d", pid, code)

    def stop(self) -> None:
        """Ask every worker to end once its request is answered; wait for them; stop listening."""
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        self.wait()
        if self._socket is not None:
            self._socket.close()
            self._socket = None
