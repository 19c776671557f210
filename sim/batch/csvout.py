"""One CSV row per run (per variant), written as results arrive so memory never holds them."""

from __future__ import annotations

import csv
from typing import TextIO

from sim.batch.runs import RunResult
from sim.engine.world import World

FIXED = ("run", "seed", "variant", "outcome", "rounds")


class CsvSink:
    """Writes run rows to an open text file: run, seed, [variant,] outcome, rounds, indicators,
    ``escalation.ACTOR``. The variant column is there only when variants are compared."""

    def __init__(self, out: TextIO, world: World, variants: tuple[str, ...] = ("A",)) -> None:
        self.writer = csv.writer(out, lineterminator="\n")
        self.variants = variants
        fixed = [c for c in FIXED if c != "variant" or len(variants) > 1]
        # An indicator named like a fixed column would make two columns with one name.
        indicators = [
            i.id if i.id not in FIXED else f"indicator.{i.id}" for i in world.scenario.indicators
        ]
        self.writer.writerow([*fixed, *indicators, *(f"escalation.{a}" for a in world.actors)])

    def write(self, results: tuple[RunResult, ...]) -> None:
        """Rows of one run, one per variant."""
        for name, r in zip(self.variants, results, strict=True):
            head: list[object] = [r.index, r.seed]
            if len(self.variants) > 1:
                head.append(name)
            self.writer.writerow(
                [*head, r.outcome, r.rounds, *r.indicators, *(round(x, 6) for x in r.escalation)]
            )
