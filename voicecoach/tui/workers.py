"""Every thread worker of the app, with one error path.

`thread_worker(...)` is Textual's `@work(thread=True, exit_on_error=False)` with a
guard: an exception the worker did not turn into a message of its own does not end
the app. It is logged, and the app shows it as one line (`WorkerFailed` →
`VoiceCoachApp._worker_failed`). The take it was working on stays where it is: a
recording on disk is finished by `Store.recover()` at the next start, a take's row
keeps its audio, and "scoring" takes are scored again in the background.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from textual import work

from voicecoach.errors import first_line
from voicecoach.tui.messages import WorkerFailed

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def thread_worker(*, group: str, exclusive: bool = False) -> Callable[[F], F]:
    def decorate(method: F) -> F:
        @functools.wraps(method)
        def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except Exception as err:  # noqa: BLE001 - the one place that catches the rest
                log.exception("worker %s failed", group)
                self.app.post_message(WorkerFailed(group, f"{type(err).__name__}: "
                                                          f"{first_line(err)}"))
                return None

        return work(thread=True, exclusive=exclusive, group=group,  # type: ignore[return-value]
                    exit_on_error=False)(guarded)

    return decorate
