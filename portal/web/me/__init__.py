"""A participant's own pages; the meeting page's routes join the same blueprint."""

from portal.web.me import meetings as meetings  # registers the meeting page's routes on `bp`
