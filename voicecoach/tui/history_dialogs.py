"""Small modal dialogs of the history screens: confirm a deletion, choose an export."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 64; height: auto; max-height: 80%;
    border: thick $primary; background: $surface; padding: 1 2;
}}
{name} Horizontal {{ height: auto; align-horizontal: right; margin-top: 1; }}
{name} Button {{ margin-left: 2; }}
"""


class ConfirmScreen(ModalScreen[bool]):
    """Yes/no; dismissed with True only on an explicit yes."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmScreen")
    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, yes: str = "Delete") -> None:
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.question), id="question")  # holds a prompt id: literal
            with Horizontal():
                yield Button("Cancel (n)", id="no")
                yield Button(f"{self.yes} (y)", id="yes", variant="error")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()  # the safe choice is the default

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


EXPORT_CHOICES = (
    ("take-html", "This take as HTML (self-contained, with charts)"),
    ("take-md", "This take as Markdown"),
    ("drill-html", "Its drill as HTML"),
    ("drill-md", "Its drill as Markdown"),
)


class ExportScreen(ModalScreen[str | None]):
    """Which export; dismissed with one of EXPORT_CHOICES' keys, or None."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ExportScreen") + """
    ExportScreen OptionList { height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, has_drill: bool) -> None:
        super().__init__()
        self.has_drill = has_drill

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Export", classes="title")
            yield OptionList(*(Option(label, id=key) for key, label in EXPORT_CHOICES
                               if self.has_drill or not key.startswith("drill")))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
