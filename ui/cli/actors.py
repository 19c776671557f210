"""`sitroom actors`: read the actor profiles an exercise's computer players act on."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import click

from sim.authoring.problems import UserError


@click.group("actors", invoke_without_command=True)
@click.pass_context
def actors_command(ctx: click.Context) -> None:
    """List the bundled actor profiles; `actors show ACTOR` reads one with its sources."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_command)


@actors_command.command("show")
@click.argument("actor")
def show_command(actor: str) -> None:
    """Print ACTOR's profile (a bundled id like `china`, or a profile YAML path) for instructors:
    interests, red lines, instruments, tendencies, factions and the sources behind each."""
    from actors.describe import render_profile
    from sim.authoring.library import actor_ids, actor_path
    from sim.authoring.loader import load_file
    from sim.engine.expr import suggest
    from sim.models import ActorProfile, SourceList

    path = Path(actor) if actor.endswith((".yaml", ".yml")) else actor_path(actor)
    if path is None:
        raise UserError(
            f"no bundled actor '{actor}'{suggest(actor, actor_ids())} "
            f"(known: {', '.join(actor_ids())})"
        )
    profile, _doc = load_file(path, expect="actor")
    assert isinstance(profile, ActorProfile)
    sources_path = Path(str(resources.files("actors").joinpath("sources.yaml")))
    sources = {}
    if sources_path.exists():
        model, _ = load_file(sources_path, expect="sources")
        assert isinstance(model, SourceList)
        sources = {s.key: s for s in model.sources}
    click.echo(render_profile(profile, sources))


@actors_command.command("list")
def list_command() -> None:
    """List the bundled actor profiles."""
    from sim.authoring.library import actors

    for entry in actors():
        click.echo(f"{entry.id:10} {entry.title}")
