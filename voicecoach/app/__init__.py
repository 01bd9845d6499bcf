"""App services: what both front ends need above the core and below any widget.

The engine service, a take session (recorder + streaming transcriber + scoring),
the take log over the store, drill planning, feedback ranking, prompt speech. No
Textual here (the layers contract in .importlinter checks it): the TUI's screens and
workers call these, and so can the CLI.
"""
