"""The voicecoach practice app: prompt -> record -> feedback, and timed drills.

`create_app` wires the domain services (settings, take store, audio source, speech
engine loader) into `VoiceCoachApp`, so tests can inject a file-backed source, a
temporary store and an already-loaded engine. `run` is the entry point the CLI calls.
Heavy imports (faster_whisper, torch, sounddevice) stay off the start path: the engine
loads in a thread worker once the first frame is up.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import DiscoveryHit, Hits
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.system_commands import SystemCommandsProvider

from voicecoach import trace
from voicecoach.app.engine import EngineLoader, EngineService, engine_key
from voicecoach.app.sources import SourceFactory, microphone_source
from voicecoach.app.speech import Speaker
from voicecoach.app.takes import TakeLog
from voicecoach.config import Settings, load_settings
from voicecoach.errors import VoiceCoachError
from voicecoach.paths import logs_dir, screenshots_dir
from voicecoach.prompts import Prompt, load_prompts
from voicecoach.tui.messages import EngineFailed, EngineProgress, EngineReady, WorkerFailed
from voicecoach.tui.workers import thread_worker

FLUSH_S = 5.0  # how often results that met a full disk are tried again


class BacklogScored(Message):
    """The background scoring of takes without a report has finished."""

    def __init__(self, scored: int, total: int, error: str) -> None:
        super().__init__()
        self.scored, self.total, self.error = scored, total, error


class PaletteCommands(SystemCommandsProvider):
    """The palette's commands in the app's order (the screen's own first); Textual's
    provider sorts them by name, which put its generic entries at the top."""

    async def discover(self) -> Hits:
        for title, help_text, callback, discover in self.app.get_system_commands(self.screen):
            if discover:
                yield DiscoveryHit(title, callback, help=help_text)


class VoiceCoachApp(App[int]):
    CSS_PATH = "voicecoach.tcss"
    COMMANDS = {PaletteCommands}
    TITLE = "voicecoach"
    SUB_TITLE = "think-aloud interview practice"

    engine_status: reactive[str] = reactive("speech model: not loaded")
    # Screens get -narrow below 100 columns and -short below 32 rows (voicecoach.tcss).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    # q quits from every screen (ctrl+q too); not where a form or dialog has the keys.
    BINDINGS = [Binding("q", "leave", "Quit")]

    def __init__(
        self,
        settings: Settings,
        store: Any,
        audio_source_factory: SourceFactory,
        engines: EngineService,
        prompts: list[Prompt],
    ) -> None:
        super().__init__()
        self.settings = settings
        self.takes = TakeLog(store)
        self.audio_source_factory = audio_source_factory
        # Where replays play; None: the default output device (tests pull from a
        # PullOutput here instead of playing into the machine's speakers).
        self.output_factory: Callable[[], Any] | None = None
        self.engines = engines
        self.prompts = prompts
        self.speaker = Speaker()
        self._scores_cache: dict[str, int | None] | None = None

    # --- start -----------------------------------------------------------------------------

    def on_mount(self) -> None:
        from voicecoach.tui.home import HomeScreen

        self.push_screen(HomeScreen())
        # After the first frame: the model's imports (ctranslate2, tokenizers, PyAV) in a
        # worker thread and the store's start-up checks would otherwise delay it.
        self.call_after_refresh(self._after_first_frame)
        if not self.is_headless:
            self.set_interval(1.0, self._exit_if_terminal_closed)
            self._handle_signals()

    def _after_first_frame(self) -> None:
        trace.mark("app.home")
        self.refresh_bindings()  # the first footer missed "q Quit"
        self.ensure_engine()
        message = self.takes.recover(self.prompts)
        if message:
            self.notify(message, title="Takes")
        backlog = self.takes.backlog()
        if backlog:
            self.notify(f"Scoring {len(backlog)} take(s) that have no score yet (recovered "
                        "or interrupted) in the background.", title="Takes")
            self._score_backlog([t.id for t in backlog])
        self.set_interval(FLUSH_S, self._flush_pending)

    def _handle_signals(self) -> None:
        """SIGTERM and SIGHUP quit like ctrl+q: a take being recorded is closed and kept,
        and Textual restores the terminal (main screen, mouse tracking off)."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, partial(self.exit, return_code=128 + sig))

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification is plain text: device names, paths, prompt text and error
        messages come from outside and may hold brackets (`[/]` was a MarkupError)."""
        super().notify(message, title=title, severity=severity, timeout=timeout,
                       markup=False)

    def _flush_pending(self) -> None:
        if self.takes.pending and self.takes.flush():
            state = "all saved" if not self.takes.pending else "some still waiting"
            self.notify(f"Disk space is back: results that waited were saved ({state}).",
                        title="Takes")
            self.refresh_scores()

    @thread_worker(exclusive=True, group="backlog")
    def _score_backlog(self, take_ids: list[int]) -> None:
        """Score takes left without a report, one at a time under the engine's lock (a
        take recorded meanwhile goes first between two of these)."""
        from textual.worker import get_current_worker

        from voicecoach.rescore import rescore

        worker = get_current_worker()
        try:
            engine = self.engines.load(self.settings)
            store = self.takes.store
            takes = [store.get(i) for i in take_ids]
            outcomes = rescore(store, takes, engine, self.settings,
                               should_stop=lambda: worker.is_cancelled,
                               lock=self.engines.decode_lock,
                               prompts={p.id: p for p in self.prompts})
        except VoiceCoachError as err:
            self.post_message(BacklogScored(0, len(take_ids), str(err)))
            return
        self.post_message(BacklogScored(sum(o.ok for o in outcomes), len(take_ids), ""))

    @on(BacklogScored)
    def _backlog_scored(self, message: BacklogScored) -> None:
        from voicecoach.tui.home import HomeScreen

        self.refresh_scores()
        if isinstance(self.screen, HomeScreen):
            self.screen.on_screen_resume()  # its practiced marks and last scores
        failed = message.total - message.scored
        if message.error:
            text = f"Could not score {message.total} take(s) left without a score: {message.error}"
        else:
            text = (f"Scored {message.scored} of {message.total} take(s) that had no score"
                    + (f"; History says why {failed} failed." if failed else "."))
        self.notify(text, title="Takes", severity="warning" if failed else "information")

    def _exit_if_terminal_closed(self) -> None:
        # A closed terminal does not always bring SIGHUP (under `make run` it does not),
        # and Textual's input thread then spins on end-of-file at full CPU. Leave
        # instead: quitting closes any take being recorded, so it is kept.
        if not terminal_open():
            self.exit()

    def on_unmount(self) -> None:
        self.speaker.stop()

    # --- quitting ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave":
            return not (isinstance(self.screen, ModalScreen)
                        or getattr(self.screen, "FORM", False))
        return True

    async def action_leave(self) -> None:
        await self.action_quit()

    async def action_quit(self) -> None:
        """Quit; while a take is being recorded, only after the user says so (what was
        recorded so far is kept either way)."""
        if not self.recording() or isinstance(self.screen, ModalScreen):
            self.exit()
            return
        from voicecoach.tui.history_dialogs import ConfirmScreen

        question = ("A take is being recorded. Quit now?\nWhat was recorded so far is kept "
                    "in your history.")
        self.push_screen(ConfirmScreen(question, yes="Quit"),
                         lambda yes: self.exit() if yes else None)

    def recording(self) -> bool:
        """A take is being recorded (or its microphone is opening) on some screen."""
        from voicecoach.tui.widgets.record_panel import RecordPanel

        return any(panel.state != "idle" for screen in self.screen_stack
                   for panel in screen.query(RecordPanel))

    # --- the speech engine -------------------------------------------------------------------

    def ensure_engine(self) -> None:
        """Start loading the engine the settings name, unless it is loaded or loading."""
        if self.engines.state == "loading" or self.engines.ready_for(self.settings):
            return
        self.engine_status = f"speech model: loading {self.settings.model}…"
        self._load_engine(self.settings)

    @thread_worker(exclusive=True, group="engine")
    def _load_engine(self, settings: Settings) -> None:
        def progress(fraction: float, text: str) -> None:
            self.post_message(EngineProgress(fraction, text))

        try:
            engine = self.engines.load(settings, progress)
        except VoiceCoachError as err:
            self.post_message(EngineFailed(str(err)))
            return
        self.post_message(EngineReady(engine.name, engine.model, self.engines.load_s))
        from voicecoach.app.take import warm_scoring

        warm_scoring(settings, self.prompts)

    @on(EngineProgress)
    def _engine_progress(self, message: EngineProgress) -> None:
        self.engine_status = f"speech model: {message.text}"

    @on(EngineReady)
    def _engine_ready(self, message: EngineReady) -> None:
        self.engine_status = f"speech model: {message.name} {message.model} ready"
        self.log(f"engine loaded in {message.seconds:.2f} s")

    @on(WorkerFailed)
    def _worker_failed(self, message: WorkerFailed) -> None:
        """The one error path of every worker (voicecoach.tui.workers): say what broke
        and keep going; the take it worked on is kept (recovered or rescored later)."""
        self.notify(f"{message.error}\nThe app keeps running; recordings are kept.",
                    title=f"Something went wrong ({message.group})", severity="error",
                    timeout=10)

    @on(EngineFailed)
    def _engine_failed(self, message: EngineFailed) -> None:
        self.engine_status = f"speech model failed: {message.error}"
        self.notify(f"{message.error}\nFix it in Settings (s), then try again.",
                    title="Speech model", severity="error", timeout=10)

    # --- navigation ----------------------------------------------------------------------------

    def open_practice(self, prompt: Prompt) -> None:
        from voicecoach.tui.practice import PracticeScreen

        self.push_screen(PracticeScreen(prompt), lambda _: self.refresh_scores())

    def replace_practice(self, screen: Screen[Any]) -> None:
        """Leave `screen` for a practice screen with another random prompt."""
        import random

        current = getattr(screen, "prompt", None)
        pool = [p for p in self.prompts if p is not current] or self.prompts
        screen.dismiss(None)
        self.open_practice(random.choice(pool))

    def open_mock(self, prompt: Prompt, queue: list[Prompt] | None = None) -> None:
        """A mock interview on `prompt`; `queue`: a drill's mock interviews still to come."""
        from voicecoach.tui.mock import MockInterviewScreen

        self.push_screen(MockInterviewScreen(prompt, queue), lambda _: self.refresh_scores())

    def open_drill_setup(self, category: str | None = None) -> None:
        from voicecoach.tui.drill import DrillSetupScreen

        self.push_screen(DrillSetupScreen(category), self._start_drill)

    def _start_drill(self, plan: Any) -> None:
        if plan is None:
            return
        if plan.mock:
            first, *rest = plan.prompts
            self.open_mock(first, rest)
            return
        from voicecoach.tui.drill import DrillScreen

        self.push_screen(DrillScreen(plan), self._drill_done)

    def _drill_done(self, items: Any) -> None:
        self.refresh_scores()
        if items and any(getattr(i, "status", "") != "skipped" for i in items):
            from voicecoach.tui.drill import DrillSummaryScreen

            self.push_screen(DrillSummaryScreen(items))

    def open_history(self) -> None:
        """Every take: filter, replay, compare, export, re-score (voicecoach.tui.history)."""
        from voicecoach.tui.history import HistoryScreen

        self.push_screen(HistoryScreen(self.takes.store, self.prompts, settings=self.settings,
                                       output_factory=self.output_factory),
                         lambda _: self.refresh_scores())

    def open_progress(self) -> None:
        """Trends, streaks and the prompts most in need of practice (voicecoach.tui.progress)."""
        from voicecoach.history import prompt_lookup, to_rows
        from voicecoach.tui.progress import ProgressScreen

        rows = to_rows(self.takes.store.takes(), prompt_lookup(self.prompts))
        self.push_screen(ProgressScreen(rows, self.prompts))

    def open_settings(self) -> None:
        from voicecoach.tui.settings import SettingsScreen

        self.push_screen(SettingsScreen(self.settings), self._settings_saved)

    def _settings_saved(self, settings: Settings | None) -> None:
        if settings is None:
            return
        reload = engine_key(settings) != engine_key(self.settings)
        self.settings = settings
        if reload:
            self.ensure_engine()

    # --- data --------------------------------------------------------------------------------

    def last_scores(self) -> dict[str, int | None]:
        if self._scores_cache is None:
            self._scores_cache = self.takes.last_scores()
        return self._scores_cache

    def refresh_scores(self) -> None:
        self._scores_cache = None

    # --- command palette: the screen's actions first, then the app's, then Textual's ---------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Each action once, in this order: what the current screen can do (its keys, as
        in the footer), moving elsewhere in the app, then Textual's own entries."""
        seen: set[str] = set()

        def once(commands: Iterable[SystemCommand]) -> Iterable[SystemCommand]:
            for command in commands:
                if command.title.lower() not in seen:
                    seen.add(command.title.lower())
                    yield command

        yield from once(self._screen_commands(screen))
        yield from once([
            SystemCommand("Settings", "Input device, model, times, fillers, pace",
                          self.open_settings),
            SystemCommand("Drill", "A timed session of several prompts", self.open_drill_setup),
            SystemCommand("History", "Every take: replay, compare, export, progress",
                          self.open_history),
            SystemCommand("Progress", "Trends, streaks, what to practise next",
                          self.open_progress),
            SystemCommand("Screenshot", "Save an SVG picture of this screen (data folder)",
                          lambda: self.set_timer(0.1, self.action_save_screenshot)),
        ])
        # Textual's own "Screenshot" saves to a Downloads folder that may not exist.
        yield from once(c for c in super().get_system_commands(screen)
                        if c.title != "Screenshot")

    def _screen_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The keys voicecoach binds on this screen: the footer's, and the screen's and
        app's hidden ones; not the focus, cursor and scroll keys of Textual's classes
        nor a widget's hidden cursor keys."""
        for active in screen.active_bindings.values():
            binding, node = active.binding, active.node
            shown = binding.show or isinstance(node, (Screen, App))
            if binding.description and active.enabled and shown and _ours(node, binding):
                key = binding.key_display or binding.key
                yield SystemCommand(binding.description, f"key: {key}",
                                    partial(self.run_action, binding.action, node))

    def action_save_screenshot(self) -> None:
        from voicecoach.private import make_private, private_dir

        folder = screenshots_dir()
        try:
            private_dir(folder, tighten=True)
            path = self.save_screenshot(path=str(folder))
            make_private(Path(path))
        except OSError as err:
            self.notify(f"Cannot save the screenshot: {err.strerror or err}",
                        severity="error")
            return
        self.notify(path, title="Screenshot saved")


def _ours(node: object, binding: Binding) -> bool:
    """`binding` is declared by a voicecoach class (not inherited from Textual's)."""
    for cls in type(node).__mro__:
        if not cls.__module__.startswith("voicecoach"):
            continue
        for declared in cls.__dict__.get("BINDINGS", ()):
            if isinstance(declared, Binding) and declared.action == binding.action \
                    and binding.key in declared.key.split(","):
                return True
    return False


def terminal_open(fd: int = 0) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


def create_app(
    settings: Settings | None = None,
    store: Any = None,
    audio_source_factory: SourceFactory | None = None,
    engine_loader: EngineLoader | None = None,
    prompts: list[Prompt] | None = None,
) -> VoiceCoachApp:
    """The app with its services; anything not given comes from the user's setup."""
    settings = settings or load_settings()
    if store is None:
        from voicecoach.store.db import Store

        store = Store()  # a damaged database is repaired as it opens; `notice` says so
    return VoiceCoachApp(
        settings=settings,
        store=store,
        audio_source_factory=audio_source_factory or microphone_source,
        engines=EngineService(engine_loader),
        prompts=prompts if prompts is not None else load_prompts(),
    )


def run(settings: Settings | None = None) -> int:
    """Open the practice app in this terminal; returns the exit status."""
    from voicecoach.memory import limit_malloc_arenas
    from voicecoach.tui.terminal import stderr_to_log

    limit_malloc_arenas()  # before any thread: RSS stays flat over many takes
    app = create_app(settings)
    with stderr_to_log(logs_dir() / "stderr.log"):
        app.run()
    unsaved = app.takes.unsaved_line()
    if unsaved:
        print(f"voicecoach: warning: {unsaved}", file=sys.stderr)
    return app.return_code or 0


def main() -> int:
    from voicecoach.errors import print_error

    try:
        return run()
    except VoiceCoachError as err:
        print_error(err)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
