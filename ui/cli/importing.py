"""`sitroom import`: bring a log into the archive, after proving that it replays exactly."""

from __future__ import annotations

from pathlib import Path

import click

from ui.cli.archiving import archive_option, load_world, opened, read


@click.command("import")
@click.argument("log_path", metavar="LOG", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--scenario", help="Scenario id or path, if not the one named in the log.")
@archive_option
def import_command(log_path: Path, scenario: str | None, archive_path: Path | None) -> None:
    """Import LOG into the session archive (it is replayed and verified first).

    \b
    Then `sitroom report ID`, `sitroom export ID --as ACTOR`, or, if it was unfinished,
    `sitroom run --resume ID`.
    """
    log = read(log_path)
    world = load_world(
        scenario or log.header["scenario_ref"], log.header["scenario_hash"], str(log_path)
    )
    with opened(archive_path) as archive:
        info = archive.import_log(
            log, world, meta={"front_end": "import", "source": str(log_path.resolve())}
        )
    state = f"ended: {info.outcome}" if info.status == "ended" else "unfinished"
    click.echo(
        f"imported {log_path} as session {info.id} ({info.scenario}, seed {info.seed}, "
        f"{info.rounds} rounds, {state})"
    )
