"""`sitroom run`: a headless run, computer seats for every actor the script does not play."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sim.events import Event
from sim.log import LogError, read_log, write_log
from sim.models import Script
from sim.problems import Problem, UserError
from sim.runner import ScriptProblem, check_script, format_round, run, summary
from sim.session import IllegalInput, Session


@click.command("run")
@click.argument("scenario", required=False)
@click.option("--seed", type=int, default=None, help="Random seed (default 1; a forked log "
              "keeps its own).")
@click.option("--script", "script_path", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML file of orders per round per actor; those actors are played from it.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the event log (JSON Lines) here.")
@click.option("--from", "from_log", type=click.Path(dir_okay=False, path_type=Path),
              help="Continue a log forked with `sitroom replay LOG --until N --out NEW`.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON summary instead of text.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the outcome line.")
def run_command(scenario: str | None, seed: int | None, script_path: Path | None,
                out: Path | None, from_log: Path | None, as_json: bool, quiet: bool) -> None:
    """Run SCENARIO headless (a bundled id or a YAML path; default: the flagship scenario).

    \b
    Examples:
      sitroom run --seed 7
      sitroom run korea-instability-2012 --seed 7 --script moves.yaml --out run.jsonl
      sitroom run --json --seed 3
    """
    from sim.loader import load_file, load_scenario
    from sim.registry import DEFAULT_SCENARIO

    prefix = None
    if from_log is not None:
        try:
            prefix = read_log(from_log)
        except LogError as exc:
            raise UserError(str(exc)) from None
        scenario = scenario or prefix.header["scenario_ref"]
        if seed is not None and seed != prefix.header["seed"]:
            raise UserError(f"--seed {seed} differs from the forked log's seed "
                            f"{prefix.header['seed']}; leave --seed out to continue it")
        seed = int(prefix.header["seed"])
    ref = scenario or DEFAULT_SCENARIO
    world = load_scenario(ref)
    if prefix is not None and prefix.header["scenario_hash"] != world.content_hash:
        raise UserError(f"{from_log} was recorded with a different version of '{ref}' "
                        f"(content hash {prefix.header['scenario_hash']}, now "
                        f"{world.content_hash})")
    script = None
    doc = None
    if script_path is not None:
        model, doc = load_file(script_path, expect="script")
        assert isinstance(model, Script)
        script = model
        static = check_script(world, script)
        if static:
            raise UserError([doc.problem(loc, msg) for loc, msg in static])

    def show(session: Session, events: list[Event]) -> None:
        if not (as_json or quiet):
            click.echo(format_round(events, session.world))

    try:
        session = run(world, seed if seed is not None else 1, script, scenario_ref=str(ref),
                      prefix=prefix, on_round=show)
    except ScriptProblem as exc:
        assert doc is not None
        raise UserError([doc.problem(("rounds", exc.round, exc.actor),
                                     f"round {exc.round}, {exc.actor}: {p}")
                         for p in exc.problems]) from None
    except IllegalInput as exc:
        raise UserError("; ".join(exc.problems)) from None
    if out is not None:
        write_log(out, session.header.to_dict(), session.log)
    result = summary(session)
    if as_json:
        click.echo(json.dumps(result, sort_keys=True))
        return
    where = f"; log written to {out}" if out else ""
    click.echo(f"Outcome: {result['outcome_title']} ({result['outcome']}) after "
               f"{result['rounds']} rounds, seed {result['seed']}{where}")


def script_problem(path: Path, message: str) -> UserError:
    """A one-line error about a script file."""
    return UserError([Problem(str(path), 0, 0, message)])
