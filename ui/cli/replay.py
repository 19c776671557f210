"""`sitroom replay`: re-run a recorded session, prove it matches, step through it, or fork it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from sim.authoring.problems import UserError, printable
from sim.engine.events import RoundClosed
from sim.engine.world import World
from sim.record.log import Log, LogError, read_log, truncate, write_log
from sim.record.output import check_output
from sim.record.runner import verify
from sim.report.narrate import format_round


@contextmanager
def log_content_errors(log_path: Path | str) -> Iterator[None]:
    """Turn a failure while reading a log's events (a hand-edited or foreign log: unknown
    moves, wrong types) into a one-line user error instead of an internal error."""
    try:
        yield
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise UserError(
            f"{log_path}: the log does not fit its scenario ({type(exc).__name__}: {exc})"
        ) from None


def _load(log_path: Path, scenario: str | None) -> tuple[Log, World]:
    from sim.authoring.loader import load_scenario

    try:
        log = read_log(log_path)
    except LogError as exc:
        raw = log_path.read_bytes() if log_path.is_file() else b""
        last = raw.count(b"\n") + 1
        if raw and not raw.endswith(b"\n") and f":{last}:" in str(exc):
            raise UserError(
                f"{log_path}: the log is truncated at line {last}: its last line is cut off "
                "mid-way. Export the session again (`sitroom export ID`) for the whole log, "
                "or delete the partial line to replay what is complete."
            ) from None
        raise UserError(str(exc)) from None
    if log.header.get("redacted_for"):
        raise UserError(
            f"{log_path} is redacted for {log.header['redacted_for']}: it is for "
            "reading and reports (`sitroom report`), and cannot be replayed"
        )
    ref = scenario or log.header["scenario_ref"]
    world = load_scenario(ref)
    if world.content_hash != log.header["scenario_hash"]:
        raise UserError(
            f"{log_path} was recorded with a different version of scenario "
            f"'{log.header['scenario']}' (content hash "
            f"{log.header['scenario_hash']}, now {world.content_hash}); pass the "
            "original file with --scenario"
        )
    return log, world


@click.command("replay")
@click.argument("log_path", metavar="LOG", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--verify",
    "do_verify",
    is_flag=True,
    help="Re-execute and compare every event and state hash; exit 1 on divergence.",
)
@click.option(
    "--until", type=click.IntRange(min=1), help="Fork: keep rounds 1..UNTIL (with --out)."
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Where to write the forked log."
)
@click.option("--step", is_flag=True, help="Print round by round, waiting for Enter at a terminal.")
@click.option("--scenario", help="Scenario id or path, if not the one named in the log.")
def replay_command(
    log_path: Path,
    do_verify: bool,
    until: int | None,
    out: Path | None,
    step: bool,
    scenario: str | None,
) -> None:
    """Replay LOG: verify it, print it round by round, or fork it at a round.

    \b
    Examples:
      sitroom replay run.jsonl --verify
      sitroom replay run.jsonl --step
      sitroom replay run.jsonl --until 3 --out fork.jsonl && sitroom run --from fork.jsonl
    """
    if (until is None) != (out is None):
        raise click.UsageError("--until and --out go together (fork at a round into a new log)")
    if out is not None:
        check_output(out, "forked log")
    log, world = _load(log_path, scenario)
    rounds = sum(isinstance(e, RoundClosed) for e in log.events)
    if do_verify:
        divergence = verify(world, log)
        if divergence is not None and (divergence.expected is None) != (divergence.got is None):
            # Every event both have matches and one simply stops: the file was cut short (a
            # copy interrupted, a disk full), not altered. A log cut inside a round has events
            # whose closing input is gone, so the replay stops first. Line 1 is the header.
            click.echo(
                f"{log_path}: the log is truncated at line {len(log.events) + 1}: its first "
                f"{divergence.seq} events match the replay; what follows is cut off.\n"
                "Export the session again (`sitroom export ID`) for the whole log.",
                err=True,
            )
            sys.exit(1)
        if divergence is not None:
            click.echo(
                f"{log_path}: replay does NOT match the log\n{divergence.describe()}", err=True
            )
            sys.exit(1)
        last = next((e for e in reversed(log.events) if isinstance(e, RoundClosed)), None)
        click.echo(
            f"{log_path}: verified {len(log.events)} events over {rounds} "
            f"round{'s' if rounds != 1 else ''} "
            f"(final state {last.hash if last else '-'})"
        )
        if until is None and not step:
            return
    if until is not None and out is not None:
        try:
            fork = truncate(log, until)
        except LogError as exc:
            raise UserError(f"{log_path}: {exc}") from None
        write_log(out, fork.header, fork.events)
        click.echo(
            f"forked {log_path} after round {until} into {out}; continue it with:\n"
            f"  sitroom run --from {out} [--script FILE]"
        )
        return
    with log_content_errors(log_path):
        _print_rounds(log, world, rounds, step and sys.stdin.isatty())


def _print_rounds(log: Log, world: World, rounds: int, interactive: bool) -> None:
    start = 0
    for e in log.events:
        if isinstance(e, RoundClosed):
            click.echo(printable(format_round(log.events[start : e.seq + 1], world)))
            start = e.seq + 1
            if interactive and e.round < rounds:
                answer = click.prompt(
                    "Enter for the next round, q to stop", default="", show_default=False
                )
                if answer.strip().lower().startswith("q"):
                    return
    tail = format_round(log.events[start:], world)
    if tail:
        click.echo(printable(tail))
