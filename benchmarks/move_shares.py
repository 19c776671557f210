"""How varied computer play is: per actor, the share of runs whose round-R orders hold its most
common single move (issue 15's goal: at most 75% for every actor of the flagship).

    python benchmarks/move_shares.py [SCENARIO] [-n 500] [--rounds 1,4]

Also prints, per actor, moves per game of its most repeated move, and per run the proposals
sent, agreements made, breaches and red-line firings (from the log, lean sessions, seeds 0..n-1).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.authoring.loader import load_scenario
from sim.engine.events import AgreementMade, Breach, MessageSent, MoveMade, RedLineCrossed
from sim.record.runner import run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", nargs="?", default="korea-instability-2012")
    ap.add_argument("-n", type=int, default=500)
    ap.add_argument("--rounds", default="1,4")
    args = ap.parse_args()
    world = load_scenario(args.scenario)
    rounds = [int(r) for r in args.rounds.split(",")]
    # (round, actor) -> Counter of move "id->target" across runs; each run counts a move once.
    shares: dict[tuple[int, str], Counter[str]] = defaultdict(Counter)
    played: Counter[tuple[int, str]] = Counter()
    per_game: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for seed in range(args.n):
        s = run(world, seed, lean=True)
        seen: dict[tuple[int, str], set[str]] = defaultdict(set)
        for e in s.log:
            if isinstance(e, MoveMade):
                key = f"{e.move}->{e.target}" if e.target else e.move
                per_game[e.actor][key] += 1
                if e.round in rounds:
                    seen[(e.round, e.actor)].add(key)
            elif isinstance(e, MessageSent) and e.proposal is not None:
                totals["proposals"] += 1
            elif isinstance(e, AgreementMade):
                totals["agreements"] += 1
            elif isinstance(e, Breach):
                totals["breaches"] += 1
            elif isinstance(e, RedLineCrossed):
                totals["red lines"] += 1
        for key, moves in seen.items():
            played[key] += 1
            shares[key].update(moves)
    print(f"{args.scenario}, {args.n} runs")
    for r in rounds:
        print(f"round {r}: most common single move per actor (share of runs it played in)")
        for actor in world.actors:
            c = shares.get((r, actor))
            if not c:
                print(f"  {actor:8} (no moves)")
                continue
            move, k = c.most_common(1)[0]
            print(f"  {actor:8} {100 * k / played[(r, actor)]:5.1f}%  {move}")
    print("most repeated move per actor (times per game)")
    for actor in world.actors:
        if per_game[actor]:
            move, k = per_game[actor].most_common(1)[0]
            print(f"  {actor:8} {k / args.n:5.2f}  {move}")
    print("per run: " + ", ".join(f"{k} {v / args.n:.2f}" for k, v in sorted(totals.items())))


if __name__ == "__main__":
    main()
