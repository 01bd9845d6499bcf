"""voicecoach: rehearse technical interview answers out loud, privately."""

__version__ = "0.1.0"
