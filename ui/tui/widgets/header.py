"""The screens' header: Textual's, safe while its screen is being taken down."""

from __future__ import annotations

from contextlib import suppress

from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.events import Mount
from textual.widgets import Header as _Header
from textual.widgets._header import HeaderTitle


class Header(_Header):
    """Textual's ``Header``, whose title watchers tolerate a title already removed.

    Its own watchers run after the change that triggered them; when a screen's (sub-)title is
    set just before the screen is switched away (the joined app does so as frames arrive), the
    title widget may be gone by then and Textual's watcher raises ``NoMatches``, which ends the
    app. This one skips the update instead, as Textual's already does for ``NoScreen``.
    """

    def _on_mount(self, _: Mount) -> None:
        async def set_title() -> None:
            with suppress(NoScreen, NoMatches):  # the screen is being taken down
                self.query_one(HeaderTitle).update(self.format_title())

        self.watch(self.app, "title", set_title)
        self.watch(self.app, "sub_title", set_title)
        self.watch(self.screen, "title", set_title)
        self.watch(self.screen, "sub_title", set_title)
