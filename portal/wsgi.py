"""The WSGI app Zappa serves (`app_function: portal.wsgi.app`)."""

import gc

# A cold start allocates a great deal and frees little: Python's cycle collector would walk
# the growing heap again and again for nothing (bench/coldstart.py). It is off while the app
# is imported and built; then what the start made, which lives as long as the container, is
# frozen out of its walks, and it is on again: before any event, a page or a scheduled run,
# is handled.
gc.disable()

# The imports below are most of the start: after the collector is off (E402).
import logging  # noqa: E402

from portal import create_app  # noqa: E402
from portal.prepared import packaged  # noqa: E402

# Zappa logs each request in Common Log Format: the client's IP address and user agent, which
# are personal data, and the path, which for an emailed link holds its single-use token.
# Neither may reach the logs (docs/architecture.md, "Personal data in logs"): keep Zappa's
# warnings only.
logging.getLogger("zappa.wsgi").setLevel(logging.WARNING)

# In the Lambda's zip, the route table `make package` wrote: each view is imported when first
# requested (portal.prepared). Elsewhere there is none, and every blueprint is imported now.
try:
    app = create_app(routes=packaged())
finally:
    gc.freeze()
    gc.enable()
