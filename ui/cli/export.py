"""`sitroom export`: an archived session as a JSON Lines log, whole or as one actor saw it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sim.record.export import archived_log, redact_log
from sim.record.log import lines, write_log
from sim.record.output import check_output
from ui.cli.archiving import archive_option, load_world, opened, user_errors


@click.command("export")
@click.argument("session_id", metavar="ID")
@click.option(
    "--as",
    "as_actor",
    metavar="ACTOR",
    help="Only what ACTOR could know: others' undetected secret moves, private "
    "messages, hidden values and computer rationales are left out.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the log here (default: standard output).",
)
@archive_option
def export_command(
    session_id: str, as_actor: str | None, out: Path | None, archive_path: Path | None
) -> None:
    """Export archived session ID as a log (replayable unless redacted with --as).

    \b
    Examples:
      sitroom export 3f9c2a1b --out exercise.jsonl
      sitroom export 3f9c --as china --out china.jsonl
    """
    if out is not None:
        check_output(out, "log")
    with opened(archive_path, create=False) as archive:
        info = archive.find(session_id)
        log = archived_log(
            archive,
            info.id,
            load=lambda ref: load_world(ref, info.scenario_hash, f"session {info.id}"),
        )
    if as_actor is not None:
        world = load_world(info.scenario_ref, info.scenario_hash, f"session {info.id}")
        with user_errors():
            log = redact_log(log, as_actor, world)
    if out is None:
        for line in lines(log.header, log.events):
            sys.stdout.write(line + "\n")
        return
    write_log(out, log.header, log.events)
    who = f" as {as_actor} saw it" if as_actor else ""
    click.echo(f"exported session {info.id}{who}: {len(log.events)} events to {out}", err=True)
