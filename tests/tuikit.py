"""Helpers for TUI tests: a four-actor mini world, an app on it, and the text a screen shows."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec

from textual.app import App
from textual.content import Content
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, OptionList, Static, Tab

from sim.engine.events import Seat
from sim.engine.session import Session
from sim.engine.world import World
from tests.worlds import world
from ui.tui.app import SitroomApp
from ui.tui.catalog import ScenarioChoice
from ui.tui.widgets.timeline import TimelineView

P = ParamSpec("P")


def run_async(fn: Callable[P, Coroutine[Any, Any, None]]) -> Callable[P, None]:
    """Run an async test with asyncio.run (no asyncio plugin needed)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        asyncio.run(fn(*args, **kwargs))

    return wrapper


# Composer keys for the mini catalogue (wait, calm, provoke, insult, gamble, spy, test_bomb).
CALM = ("m", "down", "enter")
PROVOKE = ("m", "down", "down", "enter")

FOUR = "actors: [{id: a}, {id: b}, {id: c}, {id: d}]"
HOTSEAT: dict[str, Seat] = {"a": "human", "b": "human"}
"""Two human seats (a, b) and two computer seats (c, d)."""


def four(patch: str = "") -> World:
    """The mini world with four actors (and an optional YAML patch)."""
    return world(FOUR + ("\n" + patch if patch else ""))


def make_app(
    w: World | None = None, seats: dict[str, Seat] | None = None, seed: int = 3
) -> SitroomApp:
    """An app on one in-memory scenario, seats preset."""
    w = w or four()
    return SitroomApp([ScenarioChoice.of(w)], seats=HOTSEAT if seats is None else seats, seed=seed)


def session(app: SitroomApp) -> Session:
    """The running exercise's session (the setup screen has started one)."""
    assert app.game is not None
    return app.game.session


def _plain(value: Any) -> str:
    if isinstance(value, Content):
        return value.plain
    if isinstance(value, str):
        return Content.from_markup(value).plain
    return str(value)


def screen_text(screen: Screen[Any]) -> str:
    """Every piece of text in a screen's DOM, hidden tabs included."""
    parts = []
    for w in screen.query("*"):
        if isinstance(w, Static | Tab):
            parts.append(_plain(w.visual if isinstance(w, Static) else w.label))
        elif isinstance(w, OptionList):
            parts += [_plain(w.get_option_at_index(i).prompt) for i in range(w.option_count)]
        elif isinstance(w, TimelineView):
            parts.append(w.plain)
        elif isinstance(w, DataTable):
            parts += [" ".join(_plain(c) for c in w.get_row_at(i)) for i in range(w.row_count)]
    return "\n".join(parts)


def stack_text(app: App[Any]) -> str:
    """The text of every screen on the stack (what any seat could reach right now)."""
    return "\n".join(screen_text(s) for s in app.screen_stack)


async def settle(pilot: Pilot[Any]) -> None:
    """Let messages and workers finish."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def press(pilot: Pilot[Any], *keys: str) -> None:
    """Press keys one at a time, settling after each (screens switch between keys)."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def screen_name(app: App[Any]) -> str:
    """Class name of the active screen."""
    return type(app.screen).__name__


async def start(pilot: Pilot[Any]) -> None:
    """From the setup screen to the first seat's privacy screen."""
    await settle(pilot)
    assert screen_name(pilot.app) == "SetupScreen"
    await press(pilot, "ctrl+s")


async def seat_turn(pilot: Pilot[Any], *keys: str) -> None:
    """Privacy screen (and results, if any) -> seat screen -> keys -> submit and confirm."""
    assert screen_name(pilot.app) == "PrivacyScreen"
    await press(pilot, "enter")
    if screen_name(pilot.app) == "ResultsScreen":
        await press(pilot, "enter")
    assert screen_name(pilot.app) == "SeatScreen"
    await press(pilot, *keys, "s", "enter")


async def to_control(
    pilot: Pilot[Any], a_keys: tuple[str, ...] = CALM, b_keys: tuple[str, ...] = PROVOKE
) -> None:
    """From the setup screen: a's and b's turns with the given keys, then control's screen."""
    await start(pilot)
    await seat_turn(pilot, *a_keys)
    await seat_turn(pilot, *b_keys)
    assert screen_name(pilot.app) == "PrivacyScreen"
    await press(pilot, "enter")
    assert screen_name(pilot.app) == "ControlScreen"


async def write_test_ban(pilot: Pilot[Any]) -> None:
    """In a's open message dialog: to b, the text "No tests", a proposal titled "Test ban" (the
    focus left on the title)."""
    await press(pilot, "space", "tab")
    await pilot.press(*"No tests")
    await press(pilot, "tab")
    await pilot.press(*"Test ban")
