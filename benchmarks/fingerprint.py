"""One hash over the logs of every bundled scenario, seeds 0..N-1, in full and lean play.

    SITROOM_CACHE=off python benchmarks/fingerprint.py [N]   (default 20)

A speed change must leave the printed digest unchanged: it is the determinism promise (same
scenario + seed + inputs, byte-identical log) checked across the whole bundled library at once.
Run it before and after the change; run it twice with the world cache on to check cached worlds.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.authoring.library import scenarios
from sim.authoring.loader import load_scenario
from sim.record.export import full_log
from sim.record.log import lines
from sim.record.runner import run


def fingerprint(seeds: int) -> str:
    """The digest of every bundled scenario's full and lean logs for seeds ``0..seeds-1``."""
    digest = hashlib.sha256()
    for entry in scenarios():
        world = load_scenario(str(entry.path))
        for lean in (False, True):
            for seed in range(seeds):
                record = full_log(run(world, seed, lean=lean))
                for line in lines(record.header, record.events):
                    digest.update(line.encode())
                    digest.update(b"\n")
    return digest.hexdigest()


if __name__ == "__main__":
    print(fingerprint(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
