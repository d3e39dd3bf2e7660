"""`python -m portal.cli`, as the `portal` script."""

import sys

from portal.cli import main

sys.exit(main())
