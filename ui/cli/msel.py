"""``sitroom msel``: a scenario's scheduled injects as an MSEL spreadsheet, out and back in."""

from __future__ import annotations

from pathlib import Path

import click

from sim.authoring.problems import UserError


@click.group("msel")
def msel_command() -> None:
    """The master scenario events list (MSEL) as a spreadsheet (.xlsx or .csv).

    Columns: id, time (h), round, audience, title, text, expected action, objective. The
    round is derived from the time and ignored when reading back.
    """


@msel_command.command("export")
@click.argument("scenario")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.xlsx or FILE.csv to write.",
)
def export_command(scenario: str, out: Path) -> None:
    """Write SCENARIO's scheduled injects (a bundled id or a YAML path) to an MSEL file."""
    from sim.authoring.loader import load_file, resolve_scenario
    from sim.authoring.msel import write_msel
    from sim.models import Scenario

    model, _ = load_file(resolve_scenario(scenario), expect="scenario")
    assert isinstance(model, Scenario)
    count = write_msel(model, out)
    click.echo(f"wrote {count} inject{'s' if count != 1 else ''} to {out}")


@msel_command.command("import")
@click.argument("msel_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--into",
    "into",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The scenario YAML file whose injects the MSEL replaces.",
)
def import_command(msel_file: Path, into: Path) -> None:
    """Read an MSEL file into a scenario: its rows become the scheduled injects, in order.

    Injects already in the scenario keep their effects and reveals when the row has the same
    id; the rest of the file is left as written. Every bad cell is reported (FILE:Sheet!B7, or
    FILE:7 for CSV) and nothing is written while any row is wrong.
    """
    from sim.authoring.loader import build_bundle, check_text, gather, load_file
    from sim.authoring.msel import inject_data, merge_injects, read_msel
    from sim.authoring.problems import has_errors
    from sim.models import Scenario

    model, doc = load_file(into, expect="scenario")
    assert isinstance(model, Scenario)
    injects, problems = read_msel(msel_file, model)
    if has_errors(problems):
        raise UserError(problems)
    for p in problems:
        click.echo(p.format(), err=True)
    text = merge_injects(doc.text, inject_data(injects, model.injects))
    checked = check_text(text, str(into))
    after = list(checked.problems)
    if isinstance(checked.model, Scenario) and checked.doc is not None:
        _, after = build_bundle(gather(checked.model, checked.doc))
    if has_errors(after):
        raise UserError(
            [p for p in after if p.severity == "error"]
        )  # e.g. an objective or audience the scenario rejects; the file is unchanged
    into.write_text(text, encoding="utf-8")
    click.echo(f"read {len(injects)} inject{'s' if len(injects) != 1 else ''} into {into}")
