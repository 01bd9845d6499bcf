from voicecoach.validate.cli import *  # noqa: F403 (moved; split next)
from voicecoach.validate.cli import _gap, main  # noqa: F401
