"""Settings: input device, engine and model, drill times, filler words, pace band.

Saved as TOML in the user's config directory (`config.save_settings`); values set
by `VOICECOACH_*` environment variables win over the file: their fields are shown
locked with the variable's name, and saving keeps the file's own value for them (the
environment of one session never ends up in the file).
"""

from __future__ import annotations

import os
from dataclasses import fields, replace
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Header, Input, Label, Select, Static

from voicecoach.config import ENGINES, Settings, load_settings, save_settings, settings_path
from voicecoach.errors import VoiceCoachError
from voicecoach.tui.messages import DevicesListed
from voicecoach.tui.widgets.keys import KeyFooter
from voicecoach.tui.workers import thread_worker

if TYPE_CHECKING:
    from voicecoach.tui.app import VoiceCoachApp

DEFAULT_DEVICE = "__default__"
INT_FIELDS = ("think_s", "answer_s", "pace_min_wpm", "pace_max_wpm")


def env_overrides() -> list[str]:
    return [f.name for f in fields(Settings) if env_name(f.name) in os.environ]


def env_name(field: str) -> str:
    return f"VOICECOACH_{field.upper()}"


class OnOff(Checkbox):
    """A checkbox whose glyph says its state (✓ or blank): Textual's shows an X either
    way, on or off, told apart by colour alone."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's name
        return "✓" if self.value else " "


def settings_to_save(chosen: Settings, environ: dict[str, str] | None = None) -> Settings:
    """What goes into the file: `chosen`, except where the environment overrides a
    field; there the file keeps what it had (or the default)."""
    environ = dict(os.environ) if environ is None else environ
    overridden = [f.name for f in fields(Settings) if env_name(f.name) in environ]
    if not overridden:
        return chosen
    on_file = load_settings(environ={})
    return replace(chosen, **{name: getattr(on_file, name) for name in overridden})


def model_options(engine: str, current: str) -> list[tuple[str, str]]:
    """Models this engine can use now, then the ones that need a download."""
    from voicecoach.asr.models import list_models

    try:
        infos = [i for i in list_models() if i.engine == engine]
    except VoiceCoachError:
        infos = []
    notes = {"ready": "ready", "convertible": "converted on first use",
             "downloadable": "needs a download"}
    options = [(f"{i.name}  ({notes.get(i.status, i.status)})", i.name) for i in infos]
    if current and current not in {v for _, v in options}:
        options.insert(0, (f"{current}  (from your settings)", current))
    return options


def parse_form(base: Settings, values: dict[str, str]) -> Settings:
    """Form strings -> validated Settings; VoiceCoachError names the bad field."""
    changes: dict[str, Any] = {}
    for name in INT_FIELDS:
        raw = values[name].strip()
        if not raw.isdigit() or int(raw) <= 0:
            label = name.replace("_", " ")
            raise VoiceCoachError(f"{label}: enter a whole number above 0")
        changes[name] = int(raw)
    changes["engine"] = values["engine"]
    changes["model"] = values["model"].strip() or base.model
    changes["input_device"] = values["input_device"]
    changes["filler_words"] = [w.strip() for w in values["filler_words"].split(",") if w.strip()]
    if "live_transcript" in values:
        changes["live_transcript"] = values["live_transcript"] == "on"
    return replace(base, **changes).validate()


class SettingsScreen(Screen["Settings | None"]):
    FORM = True  # letters are typed here: no single-key quit
    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings

    @property
    def vc(self) -> VoiceCoachApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        s = self.settings
        yield Header()
        with VerticalScroll(id="settings-body"):
            yield Static(Text.assemble(("Settings", "bold"), " · saved to ",
                                       (str(settings_path()), "cyan")), id="settings-path")
            overridden = env_overrides()
            if overridden:
                names = ", ".join(env_name(n) for n in overridden)
                yield Static(Text(f"Set by the environment for this session (locked here; "
                                  f"the file keeps its own value): {names}",
                                  style="yellow"), id="settings-env")
            with Vertical(classes="group") as group:
                group.border_title = "Microphone"
                with Horizontal(classes="row"):
                    yield Label("Input device", classes="field")
                    yield Select([("System default input", DEFAULT_DEVICE)], allow_blank=False,
                                 id="input_device", compact=True)
                yield Static(Text("Listing devices…", style="dim"), id="device-note")
            with Vertical(classes="group") as group:
                group.border_title = "Speech model"
                with Horizontal(classes="row"):
                    yield Label("Engine", classes="field")
                    yield Select([(e, e) for e in ENGINES], value=s.engine, allow_blank=False,
                                 id="engine", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Model", classes="field")
                    yield Select(model_options(s.engine, s.model), value=s.model,
                                 allow_blank=False, id="model", compact=True)
            with Vertical(classes="group") as group:
                group.border_title = "Drill times (seconds, when a prompt's own are not used)"
                with Horizontal(classes="row"):
                    yield Label("Think time", classes="field")
                    yield Input(str(s.think_s), type="integer", id="think_s", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Answer time", classes="field")
                    yield Input(str(s.answer_s), type="integer", id="answer_s", compact=True)
            with Vertical(classes="group") as group:
                group.border_title = "Delivery"
                with Horizontal(classes="row"):
                    yield Label("Pace band (wpm)", classes="field")
                    yield Input(str(s.pace_min_wpm), type="integer", id="pace_min_wpm",
                                compact=True)
                    yield Label(" to ", classes="between")
                    yield Input(str(s.pace_max_wpm), type="integer", id="pace_max_wpm",
                                compact=True)
                with Horizontal(classes="row"):
                    yield Label("Extra filler words", classes="field")
                    yield Input(", ".join(s.filler_words), placeholder="e.g. basically, like",
                                id="filler_words", compact=True)
                with Horizontal(classes="row"):
                    yield Label("While recording", classes="field")
                    yield OnOff("show my words as I speak (some find it distracting)",
                                s.live_transcript, id="live_transcript", compact=True)
            yield Static(id="settings-error")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        for name in env_overrides():  # locked, with the variable that set it
            for widget in self.query(f"#{name}"):
                widget.disabled = True
                widget.tooltip = f"set by {env_name(name)}"
                row = widget.parent
                if row is not None and row.has_class("row"):
                    row.mount(Label(f" ← {env_name(name)}", classes="env-note"))
        self.query_one("#input_device", Select).focus()
        self._list_devices()

    @thread_worker(exclusive=True, group="devices")
    def _list_devices(self) -> None:
        try:
            from voicecoach.audio.devices import list_input_devices

            devices = list_input_devices()
        except VoiceCoachError as err:
            self.post_message(DevicesListed([], str(err)))
            return
        self.post_message(DevicesListed(devices))

    @on(DevicesListed)
    def _devices(self, message: DevicesListed) -> None:
        select = self.query_one("#input_device", Select)
        note = self.query_one("#device-note", Static)
        options = [("System default input", DEFAULT_DEVICE)]
        options += [(d.label, d.name) for d in message.devices]
        current = self.settings.input_device
        if current and current not in {v for _, v in options}:
            options.append((f"{current}  (not found now)", current))
        select.set_options(options)
        select.value = current or DEFAULT_DEVICE
        if message.error:
            note.update(Text(f"⚠ {message.error}", style="red"))
        else:
            note.update(Text(f"{len(message.devices)} input device(s) found by PortAudio",
                             style="dim"))

    @on(Select.Changed, "#engine")
    def _engine_changed(self, event: Select.Changed) -> None:
        model = self.query_one("#model", Select)
        current = model.value if isinstance(model.value, str) else self.settings.model
        options = model_options(str(event.value), current)
        model.set_options(options)
        if current in {v for _, v in options}:
            model.value = current

    def _values(self) -> dict[str, str]:
        values = {name: self.query_one(f"#{name}", Input).value
                  for name in (*INT_FIELDS, "filler_words")}
        for name in ("engine", "model", "input_device"):
            value = self.query_one(f"#{name}", Select).value
            values[name] = value if isinstance(value, str) else ""
        if values["input_device"] == DEFAULT_DEVICE:
            values["input_device"] = ""
        live = self.query_one("#live_transcript", OnOff).value
        values["live_transcript"] = "on" if live else "off"
        return values

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        error = self.query_one("#settings-error", Static)
        try:
            chosen = parse_form(self.settings, self._values())
            save_settings(settings_to_save(chosen))
            effective = load_settings()  # the environment still wins
        except VoiceCoachError as err:
            error.update(Text(f"⚠ {err}", style="bold red"))
            return
        except OSError as err:
            error.update(Text(f"⚠ cannot save {settings_path()}: {err.strerror or err}",
                              style="bold red"))
            return
        self.notify(f"Saved to {settings_path()}", title="Settings")
        self.dismiss(effective)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
