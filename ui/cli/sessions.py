"""`sitroom sessions`: the archived sessions, newest first, to resume, export or report on."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path

import click

from sim.record.store import SessionInfo, default_path
from ui.cli.archiving import archive_option, opened


def seats_text(seats: Mapping[str, str]) -> str:
    """Human and script seats by name, computer seats counted: the part a facilitator scans."""
    named = [f"{a}={s}" for a, s in seats.items() if s != "computer"]
    computers = Counter(seats.values())["computer"]
    return " ".join(named + ([f"+{computers} computer"] if computers else [])) or "-"


def row(info: SessionInfo) -> tuple[str, ...]:
    """One line of the table."""
    status = info.status if info.settled or info.status == "ended" else "interrupted"
    return (
        info.id,
        info.scenario,
        str(info.seed),
        seats_text(info.seats),
        str(info.rounds),
        status,
        info.outcome or "-",
        info.created.replace("T", " ")[:16],
    )


@click.command("sessions")
@archive_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per session.")
def sessions_command(archive_path: Path | None, as_json: bool) -> None:
    """List archived sessions: id, scenario, seed, seats, rounds played, status, outcome.

    \b
    Continue one with `sitroom play --resume ID` or `sitroom run --resume ID`; an id prefix is
    enough when it is unique.
    """
    where = archive_path if archive_path is not None else default_path()
    infos = []
    if where.exists():  # listing never creates an empty archive
        with opened(where) as archive:
            infos = archive.sessions()
    if as_json:
        for info in infos:
            data = asdict(info)
            data.pop("header")
            click.echo(json.dumps(data, sort_keys=True))
        return
    if not infos:
        click.echo(f"No sessions in {where} yet; `sitroom play` and `sitroom run` archive them.")
        return
    head = ("ID", "SCENARIO", "SEED", "SEATS", "ROUND", "STATUS", "OUTCOME", "CREATED (UTC)")
    rows = [head, *map(row, infos)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
