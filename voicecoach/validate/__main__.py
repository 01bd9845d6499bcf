"""`python -m voicecoach.validate`: see voicecoach/validate/__init__.py."""

import sys

from voicecoach.validate.cli import main

sys.exit(main())
