"""``sitroom new scenario NAME``: a commented scenario scaffold that validates as written."""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from sim.authoring.problems import UserError

_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")

SCAFFOLD = """\
# yaml-language-server: $schema={schema}
# Editor completion: {completion}
# Check this file at any time with: sitroom validate {file}
# Expressions (`when:`, `by:`) use state names: indicators (tension), flags (flags.NAME),
# per-actor variables (us.readiness) and trust (trust.us.china). See docs/authoring.md.
kind: scenario
id: {id}
title: {title}
summary: >-
  One paragraph for instructors: what the exercise is about and who takes part.
briefing: >-
  What every seat reads first: the situation as publicly known.
clock:
  start: "2012-11-13 08:00"   # a label in the fiction
  round_hours: 6              # simulated hours per round
  rounds: 6
actors:                        # bundled profiles (`sitroom list`) or ID.yaml beside this file
  - id: us
    briefing: Private briefing only the US seat reads.
  - id: china
    briefing: Private briefing only the China seat reads.
indicators:                    # world values, 0..100 unless min/max say otherwise
  - {{id: tension, label: Tension, initial: 40}}
  - {{id: regime_stability, label: Regime stability, initial: 55}}
variables:                     # one value per actor, used as ACTOR.NAME or self.NAME
  - {{id: domestic_support, label: Domestic support, initial: 60}}
relations:
  default: 50                  # trust between any two actors, 0..100
  pairs:
    - {{between: [us, china], initial: 45}}
flags:                         # named true/false facts
  talks_open: false
moves:
  include: [default]           # bundled move catalogues
  extra:                       # moves only this scenario has
    - id: open_talks
      name: Open talks
      category: diplomatic
      escalation: 0
      effects:
        - {{set: flags.talks_open, to: true}}
        - {{change: tension, by: -5}}
injects:                       # scheduled events, `at` in hours from the start
  - id: opening
    at: 0
    title: The crisis begins
    text: What everyone reads when the exercise opens.
triggers:                      # checked after every change of state
  - id: tension_spike
    when: tension >= 80
    inject:
      title: Tension spikes
      text: Markets fall and embassies review their staff.
end_conditions:                # checked in order when the clock runs out, unless immediate
  - id: crisis
    title: Open crisis
    when: tension >= 95
    immediate: true
  - id: stalemate
    title: Uneasy stalemate
    when: "true"               # catch-all (quoted: it is an expression)
objectives:
  - id: dialogue
    text: See how early talks change the course of the crisis.
    measure: flags.talks_open
"""


def schema_header(folder: Path, kind: str = "scenario") -> tuple[str, str]:
    """The ``$schema`` path for a file in ``folder``, and how to get completion working.

    The nearest ``schema/KIND.schema.json`` in the folder or above it (a project's one schema
    folder serves files in every subfolder), as a path relative to ``folder``; else
    ``schema/...`` beside the file, to be written with `sitroom schema --write schema`.
    """
    import os

    name = f"{kind}.schema.json"
    here = folder.resolve()
    for up in (here, *here.parents):
        if (up / "schema" / name).is_file():
            rel = Path(os.path.relpath(up / "schema" / name, here)).as_posix()
            return rel, f"the schema is {rel} (refresh it with `sitroom schema --write`)."
    return f"schema/{name}", "run `sitroom schema --write schema` in this folder once."


def scaffold(name: str, folder: Path | None = None) -> str:
    """The scaffold text for a scenario id ``name`` written into ``folder``."""
    title = name.replace("-", " ").replace("_", " ").strip().capitalize()
    schema, completion = schema_header(folder or Path("."))
    return SCAFFOLD.format(
        id=name, title=title, file=f"{name}.yaml", schema=schema, completion=completion
    )


@click.group("new")
def new_command() -> None:
    """Create new authoring files from commented templates."""


@new_command.command("scenario")
@click.argument("name")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder to write NAME.yaml into.",
)
def new_scenario(name: str, folder: Path) -> None:
    """Write NAME.yaml, a commented scenario that validates, ready to edit.

    NAME is the scenario id: lower-case letters, digits, '-' and '_', starting with a letter.
    An existing file is never overwritten.
    """
    if not _NAME.match(name) or len(name) > 80:
        raise click.BadParameter(
            "use lower-case letters, digits, '-' and '_', starting with a "
            "letter (at most 80 characters)",
            param_hint="NAME",
        )
    from sim.record.output import check_output, write_text

    target = folder / f"{name}.yaml"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{folder}: cannot create the folder ({exc.strerror})") from None
    if os.path.lexists(target):
        raise UserError(f"{target} already exists; choose another name or --dir")
    check_output(target, "scenario")
    write_text(target, [scaffold(name, folder)], "scenario")
    click.echo(f"wrote {target}; check it with: sitroom validate {target}")
