"""The WSGI app Zappa serves (`app_function: portal.wsgi.app`)."""

import logging

from portal import create_app
from portal.prepared import packaged

# Zappa logs each request in Common Log Format: the client's IP address and user agent, which
# are personal data, and the path, which for an emailed link holds its single-use token.
# Neither may reach the logs (docs/architecture.md, "Personal data in logs"): keep Zappa's
# warnings only.
logging.getLogger("zappa.wsgi").setLevel(logging.WARNING)

# In the Lambda's zip, the route table `make package` wrote: each view is imported when first
# requested (portal.prepared). Elsewhere there is none, and every blueprint is imported now.
app = create_app(routes=packaged())
