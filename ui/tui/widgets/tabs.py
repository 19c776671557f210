"""Switching tabs from a key without the focus pulling the old tab back."""

from __future__ import annotations

from textual.widgets import TabbedContent, Tabs


def show_tab(tabbed: TabbedContent, tab: str) -> None:
    """Activate ``tab`` and move the focus into it (or onto the tab bar).

    TabbedContent re-activates the pane that holds the focused widget, so a key that switches
    tabs while, say, a table in the first tab has the focus would bounce straight back.
    """
    tabbed.active = tab
    pane = tabbed.get_pane(tab)
    target = next((w for w in pane.query("*") if w.focusable), None)
    (target or tabbed.query_one(Tabs)).focus()
