"""`sitroom play`: the Textual TUI. Textual is imported only when the command runs."""

from __future__ import annotations

from functools import partial

import click

from sim.events import Seat

SEATS: tuple[Seat, ...] = ("human", "computer")


def parse_seats(ctx: click.Context, param: click.Parameter,
                values: tuple[str, ...]) -> dict[str, Seat]:
    """``--seat us=human`` values to a dict; the actor names are checked once the scenario loads."""
    out: dict[str, Seat] = {}
    for value in values:
        actor, sep, seat = value.partition("=")
        actor, seat = actor.strip(), seat.strip().lower()
        if not sep or not actor:
            raise click.BadParameter(f"'{value}' is not ACTOR=human|computer "
                                     "(e.g. --seat china=human)", ctx, param)
        if seat not in SEATS:
            raise click.BadParameter(f"seat '{seat}' for {actor} must be human or computer",
                                     ctx, param)
        out[actor] = "human" if seat == "human" else "computer"
    return out


@click.command("play")
@click.argument("scenario", required=False)
@click.option("--seat", "seats", multiple=True, metavar="ACTOR=human|computer",
              callback=parse_seats, help="Who plays an actor (repeatable); the setup screen "
              "starts with these seats.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
def play_command(scenario: str | None, seats: dict[str, Seat], seed: int) -> None:
    """Run an exercise in the terminal: setup, hotseat player seats, control, debrief.

    SCENARIO is a bundled id or a YAML path (default: the flagship scenario).

    \b
    Examples:
      sitroom play
      sitroom play korea-instability-2012 --seat us=human --seat china=human --seed 7
    """
    from sim.loader import load_scenario
    from sim.registry import DEFAULT_SCENARIO, scenarios
    from ui.tui.catalog import ScenarioChoice

    choices = [ScenarioChoice(e.id, e.title, partial(load_scenario, e.id))
               for e in scenarios()]
    ref = scenario or DEFAULT_SCENARIO
    named = next((c for c in choices if c.ref == ref), None)
    if scenario is not None or seats:
        # A named scenario is loaded before the TUI starts, so a wrong name or a bad --seat is
        # a plain command-line error rather than a message inside the app.
        world = named.load() if named is not None else load_scenario(ref)
        if named is None:
            choices.insert(0, ScenarioChoice.of(world, ref))
        unknown = [a for a in seats if a not in world.actors]
        if unknown:
            raise click.BadParameter(
                f"unknown actor '{unknown[0]}' in {world.id} (its actors: "
                f"{', '.join(world.actors)})", param_hint="'--seat'")
    from ui.tui.app import SitroomApp

    SitroomApp(choices, selected=ref, seats=seats, seed=seed).run()
