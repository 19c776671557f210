"""`sitroom play`: the Textual TUI. Textual is imported only when the command runs."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sim.engine.events import Seat
from sim.engine.session import Session, rounds_problem
from ui.cli.archiving import archive_option

if TYPE_CHECKING:
    from sim.engine.world import World
    from sim.record.archive import ArchivedSession

SEATS: tuple[Seat, ...] = ("human", "computer")


def parse_seats(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, Seat]:
    """``--seat us=human`` values to a dict; the actor names are checked once the scenario loads."""
    out: dict[str, Seat] = {}
    for value in values:
        actor, sep, seat = value.partition("=")
        actor, seat = actor.strip(), seat.strip().lower()
        if not sep or not actor:
            raise click.BadParameter(
                f"'{value}' is not ACTOR=human|computer (e.g. --seat china=human)", ctx, param
            )
        if seat not in SEATS:
            raise click.BadParameter(
                f"seat '{seat}' for {actor} must be human or computer", ctx, param
            )
        out[actor] = "human" if seat == "human" else "computer"
    return out


ROUNDS_HELP = (
    "Play N rounds, from 1 to the scenario's number (fewer end the exercise sooner); "
    "default: the scenario's."
)


def check_rounds(world: World, rounds: int | None) -> None:
    """Refuse ``--rounds`` outside the scenario's allowance as a usage error (exit 2)."""
    if rounds is not None and rounds_problem(world, rounds) is not None:
        raise click.BadParameter(
            f"{world.id} has {world.scenario.clock.rounds} rounds, so --rounds takes 1 to "
            f"{world.scenario.clock.rounds}, not {rounds}",
            param_hint="'--rounds'",
        )


def write_html_report(session: Session) -> str:
    """The debrief's report button: a self-contained HTML report beside the working directory."""
    from sim.report import write_report

    path = Path(f"sitroom-report-{session.world.id}-seed{session.seed}.html").resolve()
    path.write_text(write_report(session, session.world, "html"), encoding="utf-8")
    return str(path)


@click.command("play")
@click.argument("scenario", required=False)
@click.option(
    "--seat",
    "seats",
    multiple=True,
    metavar="ACTOR=human|computer",
    callback=parse_seats,
    help="Who plays an actor (repeatable); the setup screen starts with these seats.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option("--rounds", type=int, metavar="N", help=ROUNDS_HELP)
@click.option(
    "--resume",
    "resume_id",
    metavar="ID",
    help="Continue an archived session where it stopped (see `sitroom sessions`).",
)
@click.option(
    "--from",
    "from_log",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="LOG",
    help="Rehearse a recorded run: open it at round --until (its earlier rounds replayed).",
)
@click.option("--until", type=click.IntRange(1), help="With --from: the round to open at.")
@archive_option
@click.option("--no-archive", is_flag=True, help="Do not record this exercise in the archive.")
def play_command(
    scenario: str | None,
    seats: dict[str, Seat],
    seed: int,
    rounds: int | None,
    resume_id: str | None,
    from_log: Path | None,
    until: int | None,
    archive_path: Path | None,
    no_archive: bool,
) -> None:
    """Run an exercise in the terminal: setup, hotseat player seats, control, debrief.

    SCENARIO is a bundled id or a YAML path (default: the flagship scenario).

    \b
    Examples:
      sitroom play
      sitroom play korea-instability-2012 --seat us=human --seat china=human --seed 7
      sitroom play --rounds 4                      (a shorter exercise: 4 rounds)
      sitroom play --from run.jsonl --until 4     (rehearse round 4 of a recorded run)
    """
    from sim.authoring.library import DEFAULT_SCENARIO, scenarios
    from sim.authoring.loader import load_scenario
    from ui.cli.archiving import resume_archived, start_archived
    from ui.tui.catalog import ScenarioChoice

    if from_log is not None or until is not None:
        if (
            from_log is None
            or until is None
            or resume_id is not None
            or scenario
            or seats
            or rounds is not None
        ):
            raise click.UsageError("rehearsal takes --from LOG --until N and nothing else")
        from ui.cli import started
        from ui.cli.rehearse import rehearse

        started()  # a TUI session must not run with the collector off
        rehearse(from_log, until, archive_path, no_archive, write_html_report)
        return
    if resume_id is not None:
        if rounds is not None:
            raise click.UsageError(
                "--resume continues a session with its own rounds; drop --rounds"
            )
        if no_archive:
            raise click.UsageError("--resume reads the archive; it cannot go with --no-archive")
        archived = resume_archived(resume_id, archive_path, for_play=True, holder="sitroom play")
        from ui.tui.app import SitroomApp
        from ui.tui.link import ArchiveLink

        link = ArchiveLink(archived.archive, archived.id)
        from ui.cli import started

        started()
        try:
            SitroomApp([], session=archived.session, report=write_html_report, link=link).run()
        finally:
            archived.close()
        return

    choices = [ScenarioChoice(e.id, e.title, partial(load_scenario, e.id)) for e in scenarios()]
    ref = scenario or DEFAULT_SCENARIO
    named = next((c for c in choices if c.ref == ref), None)
    if scenario is not None or seats or rounds is not None:
        # A named scenario is loaded before the TUI starts, so a wrong name or a bad --seat is
        # a plain command-line error rather than a message inside the app.
        world = named.load() if named is not None else load_scenario(ref)
        if named is None:
            choices.insert(0, ScenarioChoice.of(world, ref))
        unknown = [a for a in seats if a not in world.actors]
        if unknown:
            raise click.BadParameter(
                f"unknown actor '{unknown[0]}' in {world.id} (its actors: "
                f"{', '.join(world.actors)})",
                param_hint="'--seat'",
            )
        check_rounds(world, rounds)
    from ui.tui.app import SitroomApp
    from ui.tui.game import Setup, new_session
    from ui.tui.link import ArchiveLink

    if not no_archive:
        # Open the archive now: a bad path or file is a plain error here, not a crash later.
        from sim.record.archive import Archive

        Archive(archive_path).close()
    opened: list[ArchivedSession] = []

    def archived_session(setup: Setup) -> Session:
        # Every input is journalled before the session acts on it; a killed terminal loses
        # nothing, and `sitroom play --resume ID` continues.
        archived = start_archived(
            archive_path,
            setup.world,
            setup.seed,
            dict(setup.seats),
            setup.ref,
            {"front_end": "play"},
            rounds=setup.rounds,
        )
        opened.append(archived)
        # Orders being written are journalled too (the drafts table), for `play --resume`.
        app.link = ArchiveLink(archived.archive, archived.id)
        return archived.session

    app = SitroomApp(
        choices,
        selected=ref,
        seats=seats,
        seed=seed,
        rounds=rounds,
        factory=new_session if no_archive else archived_session,
        report=write_html_report,
    )
    from ui.cli import started

    started()  # the TUI's modules are loaded: collect again (see ui.cli.started)
    try:
        app.run()
    finally:
        for archived in opened:
            archived.close()
    if opened:
        click.echo(
            f"Session {opened[-1].id} is in the archive: `sitroom report "
            f"{opened[-1].id}`, or `sitroom play --resume {opened[-1].id}` to continue."
        )
