"""``sitroom moves``: the move catalogue as an author reads it, for one scenario or bundled."""

from __future__ import annotations

from collections.abc import Iterable

import click

from sim.authoring.problems import UserError
from sim.models import Effect, MoveType


def _amount(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:+g}"
    return f"by ({value})"


def effect_words(effects: Iterable[Effect]) -> str:
    """``tension +2, trust.self.target -3, flags.talks set to yes`` (or ``none``)."""
    parts = []
    for e in effects:
        if e.change is not None:
            parts.append(f"{e.change} {_amount(e.by)}")
        else:
            to = e.to
            shown = ("yes" if to else "no") if isinstance(to, bool) else f"{to}"
            parts.append(f"{e.set} set to {shown}")
    return ", ".join(parts) or "none"


def describe_move(mt: MoveType, who: str, custom: bool = False) -> list[str]:
    """A move type in a few lines: id, label, who, escalation, requires, chance, effects."""
    target = ""
    if mt.target == "actor":
        target = f", aimed at {', '.join(mt.targets) if mt.targets else 'another actor'}"
    mark = "  (defined in this scenario)" if custom else ""
    lines = [
        f"{mt.id}  {mt.name}{mark}",
        f"  who: {who}{target}; {mt.category}, escalation {mt.escalation}, {mt.visibility}"
        + (f", lands after {mt.duration:g} h" if mt.duration else ""),
    ]
    if mt.requires:
        lines.append(f"  requires: {mt.requires}")
    chance = mt.chance if isinstance(mt.chance, str) else f"{mt.chance:g}"
    lines.append(f"  chance: {chance}")
    lines.append(f"  effects: {effect_words(mt.effects)}")
    if mt.on_failure:
        lines.append(f"  on failure: {effect_words(mt.on_failure)}")
    return lines


@click.command("moves")
@click.argument("scenario", required=False)
@click.option("--actor", "actor", help="Only the moves this actor may use in SCENARIO.")
def moves_command(scenario: str | None, actor: str | None) -> None:
    """List move types: id, label, who may use them, escalation, requires, chance, effects.

    With SCENARIO (a bundled id or a YAML path), the moves that scenario plays with (its
    catalogues, less `exclude:`, plus its own `extra:` moves) and who may use each; without,
    every bundled catalogue.

    \b
    Examples:
      sitroom moves
      sitroom moves korea-instability-2012 --actor china
    """
    if scenario is None:
        if actor is not None:
            raise click.UsageError("--actor needs a SCENARIO (who may use a move depends on it)")
        from sim.authoring.loader import bundled_catalogues

        for cid, cat in bundled_catalogues().items():
            click.echo(f"# catalogue '{cid}': {cat.title} ({len(cat.moves)} moves)")
            for mt in cat.moves:
                who = "all" if mt.actors == "all" else ", ".join(mt.actors)
                click.echo("\n".join(describe_move(mt, who)))
        return
    from sim.authoring.loader import load_scenario
    from sim.engine.expr import suggest

    world = load_scenario(scenario)
    if actor is not None and actor not in world.actors:
        raise UserError(
            f"no actor '{actor}' in scenario '{world.id}'{suggest(actor, world.actors)} "
            f"(its actors: {', '.join(world.actors)})"
        )
    custom = {m.id for m in world.scenario.moves.extra}
    shown = 0
    for mid, spec in world.moves.items():
        users = [a for a in world.actors if mid in world.usable[a]]
        if actor is not None and actor not in users:
            continue
        who = "every actor" if len(users) == len(world.actors) else ", ".join(users) or "nobody"
        click.echo("\n".join(describe_move(spec.type, who, mid in custom)))
        shown += 1
    scope = f" {actor} may use" if actor else ""
    click.echo(f"{shown} moves{scope} in {world.id}")
