"""Setup: pick a scenario (with its briefing), give each actor to a human seat or the computer,
choose the seed, the number of rounds (at most the scenario's) and an optional round clock,
start.

The scenario is *chosen* with Enter, not by moving the highlight: arrows and Space meant for the
seats must never change the scenario (and reset the seats) while its list has the focus."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    Button,
    Footer,
    Input,
    Label,
    OptionList,
    Static,
)
from textual.widgets.option_list import Option

from sim.authoring.problems import describe_exception
from sim.engine.events import Seat
from sim.engine.session import rounds_problem
from sim.engine.world import World
from ui.tui.catalog import ScenarioChoice
from ui.tui.game import Setup
from ui.tui.text import actor_name, clock, escape, reflow
from ui.tui.widgets.header import Header
from ui.tui.widgets.seats import SeatList


def briefing_markup(world: World) -> str:
    """What a facilitator reads before choosing a scenario."""
    sc = world.scenario
    actors = ", ".join(actor_name(world, a) for a in world.actors)
    lines = [
        f"[b]{escape(sc.title)}[/b]",
        "",
        escape(reflow(sc.summary)),
        "",
        f"{sc.clock.rounds} rounds of {sc.clock.round_hours:g} hours from {clock(world, 0)}.",
        f"Actors: {escape(actors)}.",
        "",
        "[b]Briefing[/b]",
        escape(reflow(sc.briefing)),
    ]
    if sc.objectives:
        lines += ["", "[b]Learning objectives[/b]"]
        lines += [f"• {escape(o.text)}" for o in sc.objectives]
    return "\n".join(lines)


class SetupScreen(Screen[None]):
    """The first screen."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "start", "Start", priority=True)]

    @dataclass
    class Start(Message):
        """The facilitator started an exercise."""

        setup: Setup

    @dataclass
    class Loaded(Message):
        """A scenario finished loading in the background (``error`` when it failed)."""

        choice: ScenarioChoice
        world: World | None
        error: str = ""

    def __init__(
        self,
        choices: Sequence[ScenarioChoice],
        *,
        selected: str | None = None,
        seats: Mapping[str, Seat] | None = None,
        seed: int = 1,
        rounds: int | None = None,
    ) -> None:
        super().__init__()
        self.preset_rounds = rounds
        """Rounds asked for on the command line: offered wherever the scenario allows them."""
        self.choices = list(choices)
        self.selected = next((i for i, c in enumerate(self.choices) if c.ref == selected), 0)
        self.preset = dict(seats or {})
        self.seed = seed
        self.world: World | None = None
        self.chosen = self.selected
        """Index of the chosen scenario (Enter on the list chooses another)."""
        self.first_load = True
        self.sub_title = "Set up an exercise"

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="setup-main"):
            with Vertical(id="setup-left"):
                yield OptionList(
                    *[
                        Option(escape(c.title or c.ref), id=str(i))
                        for i, c in enumerate(self.choices)
                    ],
                    id="scenarios",
                )
                yield SeatList(id="seats")
                with Horizontal(id="setup-seed", classes="setup-row"):
                    yield Label("Seed")
                    yield Input(str(self.seed), type="integer", id="seed", compact=True)
                with Horizontal(id="setup-rounds", classes="setup-row"):
                    yield Label("Rounds", id="rounds-label")
                    yield Input("", type="integer", id="rounds", compact=True)
                with Horizontal(id="setup-clock", classes="setup-row"):
                    yield Label("Minutes a round")
                    yield Input(
                        "",
                        placeholder="no clock",
                        type="integer",
                        id="round-clock",
                        compact=True,
                        tooltip="A wall-clock reminder for each round; blank: none",
                    )
                yield Button("Start exercise", id="start", variant="primary", disabled=True)
            with VerticalScroll(id="setup-preview"):
                yield Static("Loading the scenario…", id="briefing")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#scenarios").border_title = "Scenario"
        self.query_one("#scenarios").border_subtitle = "enter chooses"
        self.query_one("#seats").border_title = "Seats"
        self.query_one("#seats").border_subtitle = "space toggles"
        self.query_one("#setup-preview").border_title = "Briefing"
        scenarios = self.query_one("#scenarios", OptionList)
        scenarios.highlighted = self.selected
        self._choose(self.selected)
        scenarios.focus()

    @on(OptionList.OptionSelected, "#scenarios")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_index != self.chosen or self.world is None:
            self._choose(event.option_index)
        self.query_one("#seats").focus()

    def _choose(self, index: int) -> None:
        self.chosen = index
        choice = self.choices[index]
        self.world = None
        self.query_one("#start", Button).disabled = True
        world = choice.loaded
        if world is not None:
            self._show(choice, world)
        else:
            self.query_one("#briefing", Static).update("Loading the scenario…")
            self._load(choice)

    @work(thread=True, exclusive=True, group="load")
    def _load(self, choice: ScenarioChoice) -> None:
        try:
            world = choice.load()
        except Exception as exc:  # any load failure is shown on the screen, never raised
            self.post_message(self.Loaded(choice, None, describe_exception(exc)[0]))
            return
        self.post_message(self.Loaded(choice, world))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if self.choices[self.chosen] is not event.choice:
            return  # the facilitator has moved on to another scenario
        if event.world is None:
            self.query_one("#briefing", Static).update(
                f"[b red]Could not load {escape(event.choice.ref)}[/]\n\n{escape(event.error)}"
                "\n\n[dim]`sitroom validate` checks a scenario file.[/dim]"
            )
            return
        self._show(event.choice, event.world)

    def _show(self, choice: ScenarioChoice, world: World) -> None:
        self.world = world
        self.query_one("#briefing", Static).update(briefing_markup(world))
        # Without presets the first actor is human, so Enter starts a one-player game.
        seats: dict[str, Seat] = {
            a: self.preset.get(a, "human" if i == 0 and not self.preset else "computer")
            for i, a in enumerate(world.actors)
        }
        self.query_one("#seats", SeatList).set_rows(
            {a: f"{actor_name(world, a)} ({a})" for a in world.actors},
            [a for a, seat in seats.items() if seat == "human"],
        )
        most = world.scenario.clock.rounds
        preset = self.preset_rounds
        rounds = self.query_one("#rounds", Input)
        rounds.value = str(preset if preset is not None and 1 <= preset <= most else most)
        rounds.tooltip = f"1 to {most}: the scenario is written for {most}; fewer end it sooner"
        self.query_one("#rounds-label", Label).update(f"Rounds (1-{most})")
        start = self.query_one("#start", Button)
        start.disabled = False
        if self.first_load:
            # With the default scenario ready, Enter starts; Tab and arrows change the setup.
            self.first_load = False
            start.focus()

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        """Start with the chosen scenario, seats and seed."""
        if self.world is None:
            self.notify("The scenario is still loading.", severity="warning")
            return
        value = self.query_one("#seed", Input).value.strip()
        try:
            seed = int(value)
        except ValueError:
            self.notify(f"The seed must be a whole number, not {value!r}.", severity="error")
            self.query_one("#seed").focus()
            return
        text = self.query_one("#rounds", Input).value.strip()
        try:
            rounds: int | str = int(text)
        except ValueError:
            rounds = text
        if rounds_problem(self.world, rounds) is not None:
            most = self.world.scenario.clock.rounds
            self.notify(
                f"Rounds must be a whole number from 1 to {most} (the scenario's), not {text!r}.",
                severity="error",
            )
            self.query_one("#rounds").focus()
            return
        assert isinstance(rounds, int)
        raw = self.query_one("#round-clock", Input).value.strip()
        try:
            minutes = int(raw) if raw else None
        except ValueError:
            minutes = -1
        if minutes is not None and not 1 <= minutes <= 24 * 60:
            self.notify(
                f"Minutes a round must be a whole number from 1 to 1440, or blank, not {raw!r}.",
                severity="error",
            )
            self.query_one("#round-clock").focus()
            return
        seats = self.query_one("#seats", SeatList).seats
        ref = self.choices[self.chosen].ref
        self.post_message(
            self.Start(Setup(self.world, ref, dict(seats), seed, minutes, rounds=rounds))
        )
