"""Front ends: the `sitroom` command (ui.cli) and the Textual app (ui.tui)."""
