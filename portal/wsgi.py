"""The WSGI app Zappa serves (`app_function: portal.wsgi.app`)."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from portal import create_app
from portal.prepared import packaged

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# A cold start allocates a great deal and frees little: Python's cycle collector would walk
# the growing heap again and again for nothing (about 0.02 s of a cold start,
# bench/coldstart.py). It is off until the first response is made; then what the start made,
# which lives as long as the container, is frozen out of its walks, and it is on again.
gc.disable()

# Zappa logs each request in Common Log Format: the client's IP address and user agent, which
# are personal data, and the path, which for an emailed link holds its single-use token.
# Neither may reach the logs (docs/architecture.md, "Personal data in logs"): keep Zappa's
# warnings only.
logging.getLogger("zappa.wsgi").setLevel(logging.WARNING)


def collecting_after_the_first_response(wsgi_app: WSGIApplication) -> WSGIApplication:
    """The app, with the cycle collector frozen and back on once its first response is made."""
    first = True

    def serve(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        nonlocal first
        try:
            return wsgi_app(environ, start_response)
        finally:
            if first:
                first = False
                gc.freeze()
                gc.enable()

    return serve


# In the Lambda's zip, the route table `make package` wrote: each view is imported when first
# requested (portal.prepared). Elsewhere there is none, and every blueprint is imported now.
app = create_app(routes=packaged())
# A middleware wraps `wsgi_app`, as Flask's documentation of it says, keeping `app` itself.
app.wsgi_app = collecting_after_the_first_response(app.wsgi_app)  # type: ignore[method-assign,assignment]
