"""``sitroom timeline``: round by round, the scheduled injects and what fires in practice."""

from __future__ import annotations

from collections import Counter, defaultdict

import click


@click.command("timeline")
@click.argument("scenario")
@click.option(
    "-n",
    "runs",
    type=click.IntRange(0, 10_000),
    default=20,
    show_default=True,
    help="Computer-played runs to count triggers and end conditions over (0: only the schedule).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the first run.")
def timeline_command(scenario: str, runs: int, seed: int) -> None:
    """Per round: the scheduled injects by audience, then the triggers and end conditions that
    fired in that round over N computer-played runs, with the share of runs.

    \b
    Examples:
      sitroom timeline korea-instability-2012
      sitroom timeline my-crisis.yaml -n 100
    """
    from sim.authoring.loader import load_scenario
    from sim.record.runner import run

    world = load_scenario(scenario)
    sc = world.scenario
    hours = sc.clock.round_hours
    triggers: dict[int, Counter[str]] = defaultdict(Counter)
    ends: dict[int, Counter[str]] = defaultdict(Counter)
    for i in range(runs):
        session = run(world, seed + i)
        fired: set[tuple[int, str]] = set()
        for e in session.view(None).events:  # control's view: every event
            r = int(e["round"])
            if e["type"] == "trigger" and (r, e["id"]) not in fired:
                fired.add((r, e["id"]))  # a repeating trigger counts once per round and run
                triggers[r][e["id"]] += 1
            elif e["type"] == "ended":
                ends[r][e["outcome"]] += 1
    titles = {e.id: e.title for e in sc.end_conditions}
    click.echo(
        f"{world.id}: {sc.clock.rounds} rounds of {hours:g} h"
        + (
            f"; fired over {runs} computer-played runs (seeds {seed}..{seed + runs - 1})"
            if runs
            else ""
        )
    )
    last = max([sc.clock.rounds, *triggers, *ends])
    for r in range(1, last + 1):
        start = (r - 1) * hours
        click.echo("")
        click.echo(f"round {r}  ({start:g}-{start + hours:g} h)")
        scheduled = [
            i
            for i in sc.injects
            if start <= i.at < start + hours or (r == sc.clock.rounds and i.at == start + hours)
        ]
        by_audience: dict[str, list[str]] = defaultdict(list)
        for inj in sorted(scheduled, key=lambda i: i.at):
            who = "public" if inj.audience == "public" else ", ".join(inj.audience)
            by_audience[who].append(f"{inj.at:g} h {inj.id}: {inj.title}")
        for who, items in by_audience.items():
            click.echo(f"  injects to {who}:")
            click.echo("\n".join(f"    {x}" for x in items))
        for tid, count in sorted(triggers.get(r, Counter()).items(), key=lambda kv: -kv[1]):
            click.echo(f"  trigger {tid}: {_share(count, runs)}")
        for oid, count in sorted(ends.get(r, Counter()).items(), key=lambda kv: -kv[1]):
            click.echo(f"  ends: {oid} ({titles.get(oid, oid)}): {_share(count, runs)}")
        if not (scheduled or triggers.get(r) or ends.get(r)):
            click.echo("  (nothing scheduled or fired)")


def _share(count: int, runs: int) -> str:
    return f"{100 * count / runs:.0f}% of runs ({count}/{runs})"
