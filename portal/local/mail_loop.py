"""`portal dev`'s stand-in for the outbox's sending on AWS: send what is due, when rung and
every few seconds.

On AWS a request queues an email and hands it to an asynchronous invocation that sends it
(portal/mail/courier.py), and a function scheduled every 5 minutes sends whatever is still due
(functions/outbox.py): a confirmation queued by a request that failed before sending still
goes out. Locally nothing is scheduled, so the dev server runs this loop beside the web
server: a request that queues an email rings its doorbell (the local courier) and returns, and
the loop sends at once; it also looks every few seconds, for what commands and crashed
requests left queued.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading

from portal.services.mail import DrainReport, MailService

log = logging.getLogger(__name__)

EVERY_SECONDS = 5.0


class Doorbell:
    """Wakes the mail loop: rung by a request that queued email, in this process or in a
    worker process forked from it (a pipe, so that it works across processes)."""

    def __init__(self) -> None:
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)

    def ring(self, key: str = "") -> None:
        """Ask the loop to send now (the key is not needed: it sends all that is due)."""
        # A full pipe holds rings not yet heard: the loop wakes anyway.
        with contextlib.suppress(BlockingIOError):
            os.write(self._write, b"\x01")

    def wait(self, timeout: float) -> bool:
        """Wait until rung or `timeout` seconds pass; True if rung. Rings heard are cleared."""
        ready, _, _ = select.select([self._read], [], [], timeout)
        if not ready:
            return False
        try:
            while os.read(self._read, 4096):
                pass
        except BlockingIOError:
            pass
        return True

    def close(self) -> None:
        """Close the pipe (its owner, once nobody rings or waits any more)."""
        for fd in (self._read, self._write):
            with contextlib.suppress(OSError):
                os.close(fd)


class MailLoop:
    """A background thread that drains the outbox when rung, and every `every` s, until stopped."""

    def __init__(
        self,
        mail: MailService,
        rate: float,
        every: float = EVERY_SECONDS,
        doorbell: Doorbell | None = None,
    ) -> None:
        self.mail = mail
        self.rate = rate
        self.every = every
        self._own_doorbell = doorbell is None
        self.doorbell = doorbell or Doorbell()
        # One pass sends at most what the rate allows in `every` seconds, so that stopping
        # never waits long for a pass to end.
        self.limit = max(1, int(rate * every))
        self.passes = 0  # passes done, whatever they found
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mail-loop", daemon=True)

    def start(self) -> MailLoop:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the loop to end and wait for the pass under way, if any."""
        self._stopped.set()
        self.doorbell.ring()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._own_doorbell and not self._thread.is_alive():
            self.doorbell.close()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def drain_once(self) -> DrainReport:
        """One pass: send what is due now, at the mail rate."""
        report = self.mail.drain(limit=self.limit, per_second=self.rate, sleep=self._stopped.wait)
        if report.sent or report.retrying or report.failed:
            log.info(
                "outbox: %d sent, %d to retry later, %d failed",
                report.sent,
                report.retrying,
                report.failed,
            )
        return report

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                self.drain_once()
            except Exception:
                # The database may be starting or stopping: the next pass tries again.
                log.exception("outbox: the pass failed; trying again in %s s", self.every)
            self.passes += 1
            # A ring during the pass is kept in the pipe: the next pass starts at once.
            self.doorbell.wait(self.every)

    def __enter__(self) -> MailLoop:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
