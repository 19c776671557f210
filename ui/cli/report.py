"""`sitroom report`: the after-action report of a log file or an archived session."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sim.record.output import check_output, write_text
from sim.report import FORMATS, Format, write_report
from ui.cli.archiving import archive_option, log_or_session, user_errors
from ui.cli.replay import log_content_errors


@click.command("report")
@click.argument("source", metavar="LOG|ID")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="md (terminals, git) or html (one self-contained file to share); default: "
    "from --out's suffix, else md.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report here (default: standard output).",
)
@click.option(
    "--as", "as_actor", metavar="ACTOR", help="A report for one actor: only what ACTOR could know."
)
@click.option("--scenario", help="Scenario id or path, if not the one named in the log.")
@archive_option
def report_command(
    source: str,
    fmt: Format | None,
    out: Path | None,
    as_actor: str | None,
    scenario: str | None,
    archive_path: Path | None,
) -> None:
    """After-action report of LOG (a log file) or ID (an archived session).

    \b
    Timeline, escalation ladder and indicator charts, each actor's decisions (with the computer
    players' reasons), who knew what and when, the outcome and the learning objectives.
    \b
    Examples:
      sitroom report run.jsonl
      sitroom report 3f9c --out debrief.html
      sitroom report 3f9c --as rok --format md
    """
    if out is not None:
        check_output(out, "report")
    log, world = log_or_session(source, archive_path, scenario)
    if fmt is None:
        fmt = "html" if out is not None and out.suffix.lower() in (".html", ".htm") else "md"
    with user_errors(), log_content_errors(source):
        text = write_report(log, world, fmt, as_actor=as_actor)
    if out is None:
        sys.stdout.write(text)
        return
    write_text(out, [text], "report")
    click.echo(f"wrote the {fmt} report to {out}", err=True)
