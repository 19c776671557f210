"""`sitroom run`: a headless run, computer seats for every actor the script does not play."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path

import click

from sim.authoring.problems import Problem, UserError, printable
from sim.authoring.scripts import ScriptProblem, script_problems, seats_for
from sim.engine.events import Event
from sim.engine.session import IllegalInput, Session
from sim.models import Script
from sim.record.log import LogError, read_log, write_log
from sim.record.output import check_output
from sim.record.runner import run
from sim.report.narrate import format_round, summary
from ui.cli.archiving import (
    SEED,
    archive_option,
    resume_archived,
    start_archived,
    stored_ref,
    stored_script,
)
from ui.cli.play import ROUNDS_HELP, check_rounds
from ui.cli.replay import log_content_errors


@click.command("run")
@click.argument("scenario", required=False)
@click.option(
    "--seed", type=SEED, default=None, help="Random seed (default 1; a forked log keeps its own)."
)
@click.option("--rounds", type=int, metavar="N", help=ROUNDS_HELP)
@click.option(
    "--script",
    "script_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML file of orders per round per actor; those actors are played from it.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the event log (JSON Lines) here.",
)
@click.option(
    "--from",
    "from_log",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Continue a log forked with `sitroom replay LOG --until N --out NEW`.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON summary instead of text.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the outcome line.")
@click.option(
    "--resume",
    "resume_id",
    metavar="ID",
    help="Continue archived session ID after a crash or interruption (see `sitroom sessions`).",
)
@archive_option
@click.option("--no-archive", is_flag=True, help="Do not record this run in the session archive.")
def run_command(
    scenario: str | None,
    seed: int | None,
    rounds: int | None,
    script_path: Path | None,
    out: Path | None,
    from_log: Path | None,
    as_json: bool,
    quiet: bool,
    resume_id: str | None,
    archive_path: Path | None,
    no_archive: bool,
) -> None:
    """Run SCENARIO headless (a bundled id or a YAML path; default: the flagship scenario).

    \b
    Examples:
      sitroom run --seed 7
      sitroom run korea-instability-2012 --seed 7 --script moves.yaml --out run.jsonl
      sitroom run --json --seed 3
      sitroom run --rounds 4 --seed 3
      sitroom run --resume 3f9c2a1b
    """
    from sim.authoring.library import DEFAULT_SCENARIO
    from sim.authoring.loader import load_file, load_scenario
    from ui.cli import started

    if resume_id is not None or from_log is not None:
        started()  # replaying a log makes garbage: no longer start-up (see ui.cli.started)
    if out is not None:
        check_output(out, "log")
    archived = None
    if rounds is not None and (resume_id is not None or from_log is not None):
        raise click.UsageError("--resume and --from keep the session's own rounds; drop --rounds")
    if resume_id is not None:
        if scenario or seed is not None or from_log or no_archive:
            raise click.UsageError(
                "--resume continues a session as it was started: leave out "
                "SCENARIO, --seed, --from and --no-archive"
            )
        archived = resume_archived(resume_id, archive_path)
        scenario, seed = archived.session.header.scenario_ref, archived.session.seed
        script_path = script_path or stored_script(archived)
    prefix = None
    if from_log is not None:
        try:
            prefix = read_log(from_log)
        except LogError as exc:
            raise UserError(str(exc)) from None
        scenario = scenario or prefix.header["scenario_ref"]
        if seed is not None and seed != prefix.header["seed"]:
            raise UserError(
                f"--seed {seed} differs from the forked log's seed "
                f"{prefix.header['seed']}; leave --seed out to continue it"
            )
        seed = int(prefix.header["seed"])
    ref = scenario or DEFAULT_SCENARIO
    world = archived.session.world if archived else load_scenario(ref)
    started()  # the world is loaded: collect again, over start-up's objects frozen
    if prefix is not None and prefix.header["scenario_hash"] != world.content_hash:
        raise UserError(
            f"{from_log} was recorded with a different version of '{ref}' "
            f"(content hash {prefix.header['scenario_hash']}, now "
            f"{world.content_hash})"
        )
    check_rounds(world, rounds)
    script = None
    doc = None
    if script_path is not None:
        model, doc = load_file(script_path, expect="script")
        assert isinstance(model, Script)
        script = model
        static = script_problems(world, script, doc)
        if static:
            raise UserError(static)

    def show(session: Session, events: list[Event]) -> None:
        if as_json or quiet or not events:
            return
        if events[0].round == 1:
            from sim.record.export import full_log

            # What happened before the first decision (injects at t=0) belongs in it too.
            before = full_log(session).events[: events[0].seq]
            if before:
                click.echo(printable("Start\n" + format_round(before, session.world)))
        # Message and inject texts are the players' and authors': no escapes reach the terminal.
        click.echo(printable(format_round(events, session.world)))

    seed = seed if seed is not None else 1
    if archived is None and not no_archive:
        archived = start_archived(
            archive_path,
            world,
            seed,
            prefix.header["seats"] if prefix else seats_for(world, script),
            str(ref),
            {"front_end": "run", "script": str(script_path.resolve()) if script_path else None},
            rounds=rounds,
        )
    if archived is not None:
        click.echo(
            f"session {archived.id} (if interrupted: sitroom run --resume {archived.id})", err=True
        )
    try:
        # Only a recorded log (--from, --resume) can fail to fit its scenario; in a fresh run
        # such an error is a bug, reported as one (exit 70).
        replaying = from_log is not None or resume_id is not None
        with log_content_errors(from_log or "the session's log") if replaying else nullcontext():
            session = run(
                world,
                seed,
                script,
                scenario_ref=stored_ref(str(ref)),
                prefix=prefix,
                on_round=show,
                session=archived.session if archived else None,
                rounds=rounds,
            )
    except ScriptProblem as exc:
        assert doc is not None
        raise UserError(
            [
                doc.problem(
                    ("rounds", exc.round, exc.actor), f"round {exc.round}, {exc.actor}: {p}"
                )
                for p in exc.problems
            ]
        ) from None
    except IllegalInput as exc:
        raise UserError("; ".join(exc.problems)) from None
    finally:
        if archived is not None:
            archived.close()
    if out is not None:
        from sim.record.export import full_log

        record = full_log(session)
        write_log(out, record.header, record.events)
    result = summary(session)
    if as_json:
        click.echo(json.dumps(result, sort_keys=True))
        return
    where = f"; log written to {out}" if out else ""
    click.echo(
        f"Outcome: {result['outcome_title']} ({result['outcome']}) after "
        f"{result['rounds']} rounds, seed {result['seed']}{where}"
    )


def script_problem(path: Path, message: str) -> UserError:
    """A one-line error about a script file."""
    return UserError([Problem(str(path), 0, 0, message)])
