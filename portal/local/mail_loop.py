"""`portal dev`'s stand-in for the scheduled outbox function: send what is due, every few seconds.

On AWS a request queues an email and tries to send it at once, and a function scheduled
every 5 minutes sends whatever is still due (functions/outbox.py): a confirmation queued by a
request that failed before sending still goes out. Locally nothing is scheduled, so the dev
server runs this loop beside the web server.
"""

from __future__ import annotations

import logging
import threading

from portal.services.mail import DrainReport, MailService

log = logging.getLogger(__name__)

EVERY_SECONDS = 5.0


class MailLoop:
    """A background thread that drains the outbox until stopped."""

    def __init__(self, mail: MailService, rate: float, every: float = EVERY_SECONDS) -> None:
        self.mail = mail
        self.rate = rate
        self.every = every
        # One pass sends at most what the rate allows in `every` seconds, so that stopping
        # never waits long for a pass to end.
        self.limit = max(1, int(rate * every))
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mail-loop", daemon=True)

    def start(self) -> MailLoop:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the loop to end and wait for the pass under way, if any."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

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
            self._stopped.wait(self.every)

    def __enter__(self) -> MailLoop:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
