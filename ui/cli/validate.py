"""``sitroom validate``: check authoring files and print every problem with file:line:col."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click

from sim.authoring.problems import EXIT_OK, EXIT_USER, MAX_SHOWN, UserError


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files to check: each file as given, and every ``*.yaml`` under each folder."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(
                    p
                    for p in path.rglob("*.yaml")
                    if not any(part.startswith(".") for part in p.parts)
                )
            )
        else:
            out.append(path)
    return out


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate_command(files: tuple[Path, ...]) -> None:
    """Check scenario, actor, catalogue, script and source FILES (or folders of them).

    A scenario is checked together with the actor profiles and move catalogues it uses, including
    every expression. Each problem is printed as file:line:col with the line and a caret.
    Exits 0 when every file is valid (warnings allowed), 1 otherwise.

    \b
    Example:
      sitroom validate my-scenario.yaml
    """
    from sim.authoring.loader import validate_paths

    targets = expand(files)
    if not targets:
        raise UserError("no YAML files found in " + ", ".join(map(str, files)))
    problems = validate_paths(targets)
    # Errors first: they are what stops a file from loading; warnings follow.
    ordered = sorted(problems, key=lambda p: p.severity != "error")
    for problem in ordered[:MAX_SHOWN]:
        click.echo(problem.format())
    if len(ordered) > MAX_SHOWN:
        click.echo(f"... and {len(ordered) - MAX_SHOWN:,} more")
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    bad_files = len({p.path for p in problems if p.severity == "error"})
    checked = _count(len(targets), "file")
    note = f", {_count(warnings, 'warning')}" if warnings else ""
    if errors:
        click.echo(
            f"{checked} checked: {_count(errors, 'error')} in {_count(bad_files, 'file')}{note}"
        )
    else:
        click.echo(f"{checked} checked: all valid{note}")
    raise SystemExit(EXIT_USER if errors else EXIT_OK)
