"""`sitroom check`: balance as a test. Do a scenario's endings depend on play?"""

from __future__ import annotations

import click

from ui.cli.runopts import run_options, workers_for


@click.command("check")
@click.argument("scenario")
@run_options(
    500, "Computer-played runs (and as many for each actor swapped to the baseline player)."
)
@click.option(
    "--reach",
    type=click.IntRange(min=1),
    default=2000,
    show_default=True,
    help="Runs within which every end state and red line must show up, unless marked.",
)
def check_command(scenario: str, n: int, workers: int | None, seed: int, reach: int) -> None:
    """Play SCENARIO N times computer-played and fail (exit 1) with a table when its endings
    hardly depend on play.

    \b
    It fails when
      - an outcome takes more than 80% of the runs;
      - an end state is never reached in --reach runs (unless marked `rare:` with a reason);
      - a red line of a taking-part profile never fires in --reach runs (unless the profile
        marks it `unreachable` in this scenario, with a reason);
      - no actor, played by the baseline player instead (same seeds), moves any outcome
        share by 10 points or more.
    It also prints, per actor, how often its most common round-1 and round-4 move appears in
    its orders of that round (goal: at most 75%).

    \b
    Examples:
      sitroom check korea-instability-2012
      sitroom check my-scenario.yaml -n 200 --reach 1000
    """
    from sim.batch.check import check, render
    from sim.batch.runs import recipe_for

    recipe = recipe_for(scenario)
    report = check(
        recipe, n, seed, reach=max(reach, n), workers=workers_for(workers, max(reach, n))
    )
    click.echo(render(report))
    if not report.ok:
        raise SystemExit(1)
