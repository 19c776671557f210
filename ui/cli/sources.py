"""``sitroom sources``: the sources profiles and scenarios may cite, by key."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import click

from sim.models import SourceList

_YEAR = re.compile(r"\b(19|20)\d\d\b")


def year_of(title: str) -> str:
    """The last four-digit year in a source's title (its date), or ``-``."""
    years = [m.group(0) for m in _YEAR.finditer(title)]
    return years[-1] if years else "-"


@click.command("sources")
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A source list of your own (kind: sources); default: the bundled one.",
)
def sources_command(path: Path | None) -> None:
    """List the citable sources: key, year, basis (how it was read) and title.

    Cite one as `{source: KEY, basis: documented|reported|assumption}`. The basis column is
    the source's reliability: primary (read directly), reported (through summaries or press),
    low (uncorroborated).
    """
    from sim.authoring.loader import load_file

    where = path or Path(str(resources.files("actors").joinpath("sources.yaml")))
    model, _ = load_file(where, expect="sources")
    assert isinstance(model, SourceList)
    width = max(len(s.key) for s in model.sources)
    click.echo(f"{'key':<{width}}  year  basis     title")
    for s in model.sources:
        click.echo(f"{s.key:<{width}}  {year_of(s.title):>4}  {s.reliability:<8}  {s.title}")
