"""The test suite. Shared assertion helpers are rewritten by pytest, to explain failures."""

import pytest

# Registered in the package, before any conftest or tier imports them (the browser tier uses
# the web tier's helpers, and is collected first).
pytest.register_assert_rewrite("tests.factories", "tests.web.dom", "tests.web.helpers")
