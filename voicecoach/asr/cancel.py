"""Stopping a decode whose words are no longer wanted.

The streaming transcriber guesses at the open chunk in a pause; once the speaker goes
on, that guess is moot, and its encoder pass or decode must not hold up the chunks
(and the stop) that are needed. The engines cannot interrupt a step already running
(an encoder pass, a beam search), so a decode checks between its steps.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class DecodeCancelled(Exception):  # noqa: N818 - it names what happened, not a fault
    """A decode whose words were no longer wanted, stopped between two of its steps."""


# Set by a caller that may stop wanting a decode's words (`unless`); read at every step.
_unwanted: contextvars.ContextVar[Callable[[], bool] | None] = contextvars.ContextVar(
    "voicecoach_decode_unwanted", default=None)


@contextmanager
def unless(unwanted: Callable[[], bool]) -> Iterator[None]:
    """Decodes run in this block (and in threads started with a copy of its context)
    stop at their next step once `unwanted()` is true, raising DecodeCancelled."""
    token = _unwanted.set(unwanted)
    try:
        yield
    finally:
        _unwanted.reset(token)


def check_wanted() -> None:
    """Raise DecodeCancelled if the caller no longer wants this decode's words."""
    unwanted = _unwanted.get()
    if unwanted is not None and unwanted():
        raise DecodeCancelled
