"""`python -m tools.validate`: see tools/validate/__init__.py."""

import sys

from tools.validate.cli import main

sys.exit(main())
