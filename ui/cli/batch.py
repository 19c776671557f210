"""`sitroom batch`: many computer-played runs in parallel, outcome distributions, what-ifs."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import click

from sim.authoring.overrides import Setting, SettingError
from sim.batch.runs import Backend, BatchError, Recipe, RunResult, Serial, run_batch
from ui.cli.runopts import run_options, workers_for


def _parse(
    ctx: click.Context, param: click.Parameter, values: Sequence[str]
) -> tuple[Setting, ...]:
    try:
        return tuple(Setting.parse(v) for v in values)
    except SettingError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


def _variants(
    ref: str, sets: tuple[Setting, ...], vs: tuple[Setting, ...]
) -> tuple[list[Recipe], list[Any]]:
    """Recipes and built worlds for A (scenario + --set) and, with --vs, B (A + --vs)."""
    from sim.batch.runs import recipe_for

    base = recipe_for(ref)
    out: list[Recipe] = []
    for option, settings in (("--set", sets), ("--vs", (*sets, *vs))):
        if option == "--vs" and not vs:
            break
        try:
            out.append(base.with_settings(settings))
        except SettingError as exc:
            raise click.BadParameter(str(exc), param_hint=f"'{option}'") from None
    try:
        worlds = [r.build() for r in out]
    except BatchError as exc:
        raise click.UsageError(str(exc)) from None
    return out, worlds


@contextmanager
def _backend(workers: int, dask: str | None) -> Iterator[Backend]:
    if dask is not None:
        from sim.batch.dask_pool import DaskCluster, connect

        with connect(dask) as client:
            yield DaskCluster(client)
    elif workers == 1:
        yield Serial()
    else:
        from sim.batch.pool import Processes

        yield Processes(workers)


@contextmanager
def _progress(total: int, show: bool) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr; ``advance()`` once per run."""
    if not show:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    # No refresh thread (auto_refresh=False): the local pool forks its workers after the bar
    # starts, and forking while another thread holds a lock can hang the child.
    bar = Progress(
        "runs",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        auto_refresh=False,
        transient=True,
    )
    task = bar.add_task("runs", total=total)
    last = 0.0

    def advance() -> None:
        nonlocal last
        bar.advance(task)
        now = time.monotonic()
        if now - last > 0.1:
            last = now
            bar.refresh()

    with bar:
        yield advance


@click.command("batch")
@click.argument("scenario", required=False)
@run_options(1000, "Number of runs (of each variant).")
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="ACTOR.PARAM=VALUE",
    callback=_parse,
    help="Change an actor before the runs: escalation, risk_tolerance, policy, "
    "interest.ID, faction.ID (weights 0..1) or a per-actor variable. Repeatable.",
)
@click.option(
    "--vs",
    "vs",
    multiple=True,
    metavar="ACTOR.PARAM=VALUE",
    callback=_parse,
    help="Compare: variant B is variant A (the scenario with --set) plus these "
    "settings; both play the same seeds. Repeatable.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report instead of text.")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write one row per run (per variant) to this CSV file as runs finish.",
)
@click.option(
    "--dask",
    "dask_address",
    metavar="ADDRESS",
    help="Run on an existing Dask cluster (tcp://host:8786) instead of local "
    "processes; needs sitroom[dask] here and on the workers.",
)
def batch_command(
    scenario: str | None,
    n: int,
    workers: int | None,
    seed: int,
    sets: tuple[Setting, ...],
    vs: tuple[Setting, ...],
    as_json: bool,
    csv_path: Path | None,
    dask_address: str | None,
) -> None:
    """Play SCENARIO N times with every actor played by the computer, and summarise.

    Prints each outcome's share with a 95% interval, each indicator's final mean, 5th and 95th
    percentiles, each actor's mean escalation and favourite moves, and how often each trigger
    fired. The figures depend only on the scenario, settings, N and --seed, never on --workers.

    \b
    Examples:
      sitroom batch -n 10000
      sitroom batch korea-instability-2012 -n 2000 --set china.escalation=0.2 --json
      sitroom batch -n 5000 --set dprk.policy=baseline --vs china.interest.border_stability=0.9
      sitroom batch -n 100000 --csv runs.csv --dask tcp://scheduler:8786
    """
    from sim.authoring.library import DEFAULT_SCENARIO
    from sim.batch.csvout import CsvSink
    from sim.batch.tally import Tally, batch_report
    from sim.record.output import check_output, open_output

    if csv_path is not None:
        check_output(csv_path, "CSV file")
    recipes, worlds = _variants(scenario or DEFAULT_SCENARIO, sets, vs)
    from ui.cli import started

    started()  # the worlds are built: collect again, before any worker is forked
    tallies = [Tally(w) for w in worlds]
    names = ("A", "B")[: len(recipes)]
    count = workers_for(workers, n)
    show = sys.stderr.isatty() and not as_json
    with ExitStack() as stack:
        sink = None
        if csv_path is not None:
            out = stack.enter_context(open_output(csv_path, "CSV file"))
            sink = CsvSink(out, worlds[0], names)
        advance = stack.enter_context(_progress(n, show))
        backend = stack.enter_context(_backend(count, dask_address))

        def on_run(results: tuple[RunResult, ...]) -> None:
            for tally, r in zip(tallies, results, strict=True):
                tally.add(r)
            if sink is not None:
                sink.write(results)
            advance()

        result = run_batch(recipes, n, seed, backend=backend, on_run=on_run, worlds=worlds)
    report = batch_report(
        tallies, [[s.text for s in r.settings] for r in recipes], result, seed, backend.workers
    )
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        from ui.cli.batch_text import render

        click.echo(render(report))
