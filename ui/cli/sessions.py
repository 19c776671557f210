"""`sitroom sessions`: the archived sessions, newest first, to resume, export or report on."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path

import click

from sim.authoring.problems import UserError
from sim.record.lock import held
from sim.record.store import SessionInfo, Store, default_path
from ui.cli.archiving import archive_option, opened

STATUSES = {
    "live": "a process is playing it now (its lock is held)",
    "paused": "quit cleanly mid-exercise; resume it",
    "interrupted": "its process stopped without saving; resume it to replay its journal",
    "ended": "an end state was reached",
}
"""What each status in the table means (also in the command's help)."""


def is_live(archive: Path, sid: str) -> bool:
    """Whether a process holds the session's lock now (probed, never kept or created)."""
    return held(archive, sid)


def status_of(info: SessionInfo, live: bool) -> str:
    """live / paused / interrupted / ended (see :data:`STATUSES`)."""
    if info.status == "ended":
        return "ended"
    if live:
        return "live"
    return "paused" if info.settled else "interrupted"


def outcome_of(store: Store, info: SessionInfo) -> str:
    """The end state's title as the log recorded it (``war (Nuclear war)``), else its id."""
    if info.outcome is None:
        return "-"
    lines = store.event_lines(info.id) if info.status == "ended" else []
    last = json.loads(lines[-1]) if lines else {}
    title = last.get("title") if last.get("type") == "ended" else None
    return f"{title} ({info.outcome})" if title and title != info.outcome else info.outcome


def seats_text(seats: Mapping[str, str]) -> str:
    """Human and script seats by name, computer seats counted: the part a facilitator scans."""
    named = [f"{a}={s}" for a, s in seats.items() if s != "computer"]
    computers = Counter(seats.values())["computer"]
    return " ".join(named + ([f"+{computers} computer"] if computers else [])) or "-"


class Planned:
    """The rounds each session plays: stored with it, or, for a session archived before that
    was kept, its log header's shorter number or else its scenario's (loaded once per scenario
    version; None when the scenario cannot be loaded or has changed since)."""

    def __init__(self) -> None:
        self._loaded: dict[tuple[str, str], int | None] = {}

    def __call__(self, info: SessionInfo) -> int | None:
        if info.planned is not None:
            return info.planned
        rounds = info.header.get("rounds")
        if isinstance(rounds, int):
            return rounds
        key = (info.scenario_ref, info.scenario_hash)
        if key not in self._loaded:
            self._loaded[key] = _scenario_rounds(*key)
        return self._loaded[key]


def _scenario_rounds(ref: str, digest: str) -> int | None:
    from sim.authoring.loader import load_scenario  # only for sessions from older archives

    try:
        world = load_scenario(ref)
    except (UserError, OSError):
        return None
    return world.scenario.clock.rounds if world.content_hash == digest else None


def played_text(info: SessionInfo, planned: int | None) -> str:
    """Rounds closed of the rounds the session plays: ``3 of 8`` (``3`` if unknown)."""
    return str(info.rounds) if planned is None else f"{info.rounds} of {planned}"


def row(info: SessionInfo, status: str, outcome: str, planned: int | None) -> tuple[str, ...]:
    """One line of the table."""
    return (
        info.id,
        info.scenario,
        str(info.seed),
        seats_text(info.seats),
        played_text(info, planned),
        status,
        outcome,
        info.created.replace("T", " ")[:16],
    )


@click.command("sessions")
@archive_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per session.")
def sessions_command(archive_path: Path | None, as_json: bool) -> None:
    """List archived sessions: id, scenario, seed, seats, rounds played, status, outcome.

    \b
    PLAYED is the number of rounds closed so far, of the rounds the session
    plays ("3 of 8"; a game started with --rounds N counts to N). STATUS is one of:
      live         a process is playing it now (its lock is held)
      paused       quit cleanly mid-exercise; resume it
      interrupted  its process stopped without saving; resume it to replay its journal
      ended        an end state was reached

    \b
    Continue one with `sitroom play --resume ID` or `sitroom run --resume ID`; an id prefix is
    enough when it is unique.
    """
    where = archive_path if archive_path is not None else default_path()
    listed: list[tuple[SessionInfo, str, str, int | None]] = []
    planned = Planned()
    if where.exists():  # listing never creates an empty archive
        with opened(where) as archive:
            listed = [
                (
                    info,
                    status_of(info, is_live(where, info.id)),
                    outcome_of(archive, info),
                    planned(info),
                )
                for info in archive.sessions()
            ]
    infos = [info for info, _s, _o, _p in listed]
    if as_json:
        for info, status, _outcome, rounds in listed:
            data = asdict(info)
            data.pop("header")
            data["state"] = status
            data["planned"] = rounds
            click.echo(json.dumps(data, sort_keys=True))
        return
    if not infos:
        click.echo(f"No sessions in {where} yet; `sitroom play` and `sitroom run` archive them.")
        return
    head = ("ID", "SCENARIO", "SEED", "SEATS", "PLAYED", "STATUS", "OUTCOME", "CREATED (UTC)")
    rows = [head, *(row(*item) for item in listed)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
