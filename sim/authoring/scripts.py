"""Scripts (orders per round per actor) checked against a world, and the seats they imply."""

from __future__ import annotations

from dataclasses import dataclass

from sim.authoring.problems import Problem
from sim.authoring.yamldoc import Doc
from sim.engine.events import (
    Seat,
)
from sim.engine.expr import suggest
from sim.engine.legality import check_message
from sim.engine.world import World
from sim.models import Script


@dataclass(eq=False)  # not frozen: raising sets __traceback__ on it
class ScriptProblem(Exception):
    """Orders in a script that the rules refuse, located by round and actor."""

    round: int
    actor: str
    problems: tuple[str, ...]

    def __str__(self) -> str:
        return f"round {self.round}, {self.actor}: " + "; ".join(self.problems)


def seats_for(
    world: World, script: Script | None, seats: dict[str, Seat] | None = None
) -> dict[str, Seat]:
    """Seats for a headless run: actors in the script play from it, the rest by computer."""
    out: dict[str, Seat] = dict.fromkeys(world.actors, "computer")
    if script is not None:
        for a in script.actors:
            out[a] = "script"
        for orders in script.rounds.values():
            for a in orders:
                out[a] = "script"
    out.update(seats or {})
    return out


def script_problems(world: World, script: Script, doc: Doc) -> list[Problem]:
    """:func:`check_script` as positioned problems in the script's file. An unknown actor or a
    round out of range points at its key; a bad move at the move."""
    return [
        doc.problem(loc, message, at="key" if loc[0] == "rounds" and loc[-1] != "move" else "value")
        for loc, message in check_script(world, script)
    ]


def check_script(world: World, script: Script) -> list[tuple[tuple[str | int, ...], str]]:
    """Static problems of a script against a world, as (YAML path, message)."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    if script.scenario is not None and script.scenario != world.id:
        problems.append(
            (("scenario",), f"the script is for scenario '{script.scenario}', not '{world.id}'")
        )
    for i, a in enumerate(script.actors):
        if a not in world.actors:
            problems.append((("actors", i), f"unknown actor '{a}'{suggest(a, world.actors)}"))
    rounds = world.scenario.clock.rounds
    for r, by_actor in script.rounds.items():
        if not 1 <= r <= rounds:
            problems.append((("rounds", r), f"round {r} is outside 1..{rounds}"))
        for a, orders in by_actor.items():
            if a not in world.actors:
                problems.append(
                    (("rounds", r, a), f"unknown actor '{a}'{suggest(a, world.actors)}")
                )
                continue
            for i, mo in enumerate(orders.moves):
                if mo.move not in world.moves:
                    problems.append(
                        (
                            ("rounds", r, a, "moves", i, "move"),
                            f"unknown move '{mo.move}'{suggest(mo.move, world.moves)}",
                        )
                    )
                elif mo.move not in world.usable[a]:
                    problems.append(
                        (
                            ("rounds", r, a, "moves", i, "move"),
                            f"{a} cannot use move '{mo.move}' in this scenario",
                        )
                    )
            # Messages depend on the world alone: refused here, not halfway through a run.
            for i, msg in enumerate(orders.messages):
                problems.extend(
                    (("rounds", r, a, "messages", i), f"message {i + 1}: {p}")
                    for p in check_message(world, a, msg)
                )
    return problems
