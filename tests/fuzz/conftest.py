"""The fuzz tier: the web app's POST routes under broken input (slow: make test runs it,
make quick does not). The site-building fixture is the web tier's."""

from tests.web.conftest import _shipped_content_read_once, build_site  # noqa: F401
