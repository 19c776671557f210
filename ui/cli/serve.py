"""`sitroom serve`: one authoritative game server for networked seats (aiohttp, no Textual)."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import click

from sim.authoring.problems import UserError
from sim.engine.events import Seat
from sim.record.archive import ArchivedSession
from ui.cli.archiving import archive_option
from ui.cli.play import ROUNDS_HELP, check_rounds, parse_seats


@click.command("serve")
@click.argument("scenario", required=False)
@click.option(
    "--seat",
    "seats",
    multiple=True,
    metavar="ACTOR=human|computer",
    callback=parse_seats,
    help="Who plays an actor (repeatable). Without any, every actor is a human seat.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option("--rounds", type=int, metavar="N", help=ROUNDS_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port (0: pick a free one; it is printed and written to --codes).",
)
@click.option(
    "--codes",
    "codes_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help='Write {"url": ..., "codes": {...}} here (mode 0600); with --resume, reuse its codes.',
)
@click.option("--resume", "resume_id", metavar="ID", help="Serve an archived session again.")
@click.option("--auto-close", is_flag=True, help="Close a round once every human seat submits.")
@click.option(
    "--round-minutes",
    type=click.FloatRange(min=0, min_open=True),
    help="Close each round after M minutes (control can extend or pause); seats that have not "
    "submitted pass. With --resume: the rounds after the open one (which keeps its deadline); "
    "without it, a resumed session keeps its own.",
)
@click.option("--certfile", type=click.Path(exists=True, dir_okay=False), help="TLS cert (PEM).")
@click.option(
    "--on-deadline",
    type=click.Choice(["pass", "computer"]),
    help="With --round-minutes: seats that have not submitted at the deadline pass (the "
    "default), or the computer plays them for that round (control can change it during the "
    "exercise; a resumed session keeps control's last choice unless this is given).",
)
@click.option("--keyfile", type=click.Path(exists=True, dir_okay=False), help="TLS key (PEM).")
@click.option(
    "--exercises",
    type=click.IntRange(1, 1000),
    default=1,
    hidden=True,
    help="Host N exercises (seeds SEED..SEED+N-1) on this one server (load tests).",
)
@archive_option
def serve_command(
    scenario: str | None,
    seats: dict[str, Seat],
    seed: int,
    rounds: int | None,
    host: str,
    port: int,
    codes_path: Path | None,
    resume_id: str | None,
    auto_close: bool,
    round_minutes: float | None,
    on_deadline: str | None,
    certfile: str | None,
    keyfile: str | None,
    exercises: int,
    archive_path: Path | None,
) -> None:
    """Serve an exercise to seats on other terminals: prints the join URL and one code per
    human seat, one for control and one for observers.

    \b
    Examples:
      sitroom serve korea-instability-2012 --seat us=human --seat china=human --codes codes.json
      sitroom serve --rounds 4 --codes codes.json    (a shorter exercise: 4 rounds)
      sitroom serve --resume 3f9c2a1b --codes codes.json
      sitroom join http://127.0.0.1:8765/ --code k3fq-9xwa-m2tc --observe
    """
    if (certfile is None) != (keyfile is None):
        raise click.UsageError("--certfile and --keyfile go together")
    if resume_id is not None and (scenario is not None or seats):
        raise click.UsageError("--resume serves the session as it was; drop SCENARIO and --seat")
    if resume_id is not None and rounds is not None:
        raise click.UsageError("--resume continues a session with its own rounds; drop --rounds")
    from ui.net.server import ssl_context

    tls = ssl_context(certfile, keyfile)
    opened = _open_sessions(scenario, seats, seed, resume_id, exercises, archive_path, rounds)
    try:
        asyncio.run(
            _serve(opened, host, port, tls, codes_path, auto_close, round_minutes, on_deadline)
        )
    finally:
        for archived in opened:
            archived.close()


def _open_sessions(
    scenario: str | None,
    seats: dict[str, Seat],
    seed: int,
    resume_id: str | None,
    exercises: int,
    archive_path: Path | None,
    rounds: int | None = None,
) -> list[ArchivedSession]:
    from sim.authoring.library import DEFAULT_SCENARIO
    from sim.authoring.loader import load_scenario
    from ui.cli.archiving import resume_archived

    if resume_id is not None:
        archived = resume_archived(resume_id, archive_path, for_play=True, holder="sitroom serve")
        if archived.session.over:
            archived.close()
            raise UserError(
                f"session {archived.id} has ended ({archived.session.view(None).outcome}); see "
                f"`sitroom report {archived.id}`"
            )
        return [archived]
    ref = scenario or DEFAULT_SCENARIO
    world = load_scenario(ref)
    unknown = [a for a in seats if a not in world.actors]
    if unknown:
        raise click.BadParameter(
            f"unknown actor '{unknown[0]}' in {world.id} (its actors: {', '.join(world.actors)})",
            param_hint="'--seat'",
        )
    chosen: dict[str, Seat] = dict(seats) if seats else dict.fromkeys(world.actors, "human")
    if "human" not in chosen.values():
        raise click.UsageError("no human seat: give at least one --seat ACTOR=human")
    check_rounds(world, rounds)
    from sim.record.archive import Archive
    from ui.cli.archiving import user_errors

    # One archive connection for every exercise: the server commits each batch of inputs,
    # whichever exercises they belong to, with one fsync.
    with user_errors():
        archive = Archive(archive_path)
    opened: list[ArchivedSession] = []
    try:
        with user_errors():
            for i in range(exercises):
                archived = archive.create(
                    world,
                    seed + i,
                    chosen,
                    scenario_ref=ref,
                    meta={"front_end": "serve"},
                    rounds=rounds,
                )
                opened.append(archived)
                archived.lock = archive.lock(archived.id, "sitroom serve")
    except BaseException:
        for archived in opened:
            archived.close()
        archive.close()
        raise
    opened[-1].owns_archive = True  # closed with the last one
    return opened


def _read_codes(path: Path | None) -> dict[str, str]:
    if path is None or not path.is_file():
        return {}
    try:
        codes = json.loads(path.read_text(encoding="utf-8")).get("codes", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {str(k): str(v) for k, v in codes.items()} if isinstance(codes, dict) else {}


def write_private(path: Path, data: dict[str, Any]) -> None:
    """Write JSON readable by the owner only (mode 0600), atomically."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent.resolve())
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


async def _serve(
    opened: list[ArchivedSession],
    host: str,
    port: int,
    tls: Any,
    codes_path: Path | None,
    auto_close: bool,
    round_minutes: float | None,
    on_deadline: str | None = None,
) -> None:
    from ui.net.exercise import Exercise
    from ui.net.server import Server, run
    from ui.tui.text import condition_text  # the seats' locked moves, worded as in hotseat

    then: Literal["pass", "computer"] | None = (
        None if on_deadline is None else "computer" if on_deadline == "computer" else "pass"
    )
    worded: dict[tuple[int, str, str], str] = {}

    def words(world: Any, source: str, actor: str) -> str:
        """:func:`condition_text`, once per condition and seat however many exercises share
        the world (the hidden ``--exercises`` load mode)."""
        key = (id(world), source, actor)
        if key not in worded:
            worded[key] = condition_text(world, source, actor)
        return worded[key]

    exercises = [
        Exercise(
            a,
            auto_close=auto_close,
            round_minutes=round_minutes,
            on_deadline=then,
            words=words,
        )
        for a in opened
    ]
    old = _read_codes(codes_path)
    codes: list[dict[str, str]] = []
    for ex in exercises:
        if len(exercises) == 1 and ex.holds(old):
            codes.append(old)  # a resumed server keeps the codes its seats already have
        else:
            codes.append(ex.issue(ex.roles()))

    def started(url: str) -> None:
        first = exercises[0]
        s = first.session
        click.echo(
            f"sitroom serve: session {first.id}, {s.world.id}, seed {s.seed}, round {s.round}"
        )
        click.echo(f"join URL: {url}")
        if len(exercises) == 1:
            click.echo("codes:")
            for role, code in codes[0].items():
                click.echo(f"  {role:<12} {code}")
        else:
            click.echo(f"{len(exercises)} exercises; their codes are in {codes_path}")
        click.echo(f"seats join with: sitroom join {url} --code CODE")
        # The same address and codes file, so that seats reconnect with the URL and codes they
        # have (only the codes' hashes are archived: without the file, new codes are issued).
        again = f"sitroom serve --resume {first.id}"
        if host != "127.0.0.1":
            again += f" --host {host}"
        again += f" --port {urlsplit(url).port}"
        if codes_path is not None:
            again += f" --codes {codes_path}"
        click.echo(f"stop with Ctrl-C; continue later with: {again}")
        if codes_path is None and len(exercises) == 1:
            click.echo("  (seats keep these codes across a restart only with --codes FILE)")
        if codes_path is not None:
            data: dict[str, Any] = {"url": url, "session": first.id, "codes": codes[0]}
            if len(exercises) > 1:
                data["exercises"] = [
                    {"session": ex.id, "codes": c} for ex, c in zip(exercises, codes, strict=True)
                ]
            write_private(codes_path, data)

    # Several exercises: the hidden load mode, where the server also keeps its own figures.
    await run(Server(exercises, stats=len(exercises) > 1), host, port, tls=tls, started=started)
