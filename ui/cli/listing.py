"""``sitroom list``: the bundled scenarios and actor profiles."""

from __future__ import annotations

from collections.abc import Sequence

import click

from sim.authoring import library as registry


def _table(rows: Sequence[tuple[str, str]]) -> list[str]:
    width = max((len(ident) for ident, _ in rows), default=0)
    return [f"  {ident:<{width}}  {title}".rstrip() for ident, title in rows]


@click.command("list")
def list_command() -> None:
    """List the bundled scenarios (the default first) and actor profiles."""
    scenarios = [
        (e.id, e.title + ("  (default)" if e.id == registry.DEFAULT_SCENARIO else ""))
        for e in registry.scenarios()
    ]
    click.echo("Scenarios (use the id with `sitroom play` or `sitroom run`):")
    click.echo("\n".join(_table(scenarios)) if scenarios else "  (none)")
    click.echo("")
    click.echo("Actors (used by id in a scenario's `actors:`):")
    actors = [(e.id, e.title) for e in registry.actors()]
    click.echo("\n".join(_table(actors)) if actors else "  (none)")
