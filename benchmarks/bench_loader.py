"""Loader speed: validating every bundled file, and refusing an alias bomb.

    python benchmarks/bench_loader.py [--repeat 5]

Prints the best of N wall times. Validation includes the cross-file build of each bundled
scenario (profiles, catalogues, every expression), as `sitroom validate` does it. Finding one
scenario by id (what `sitroom run ID` does first) must not parse the library (issue 18): it is
shown beside the full index, which parses every bundled scenario.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.authoring import library as registry
from sim.authoring.loader import validate_paths
from sim.authoring.problems import UserError
from sim.authoring.yamlsrc import parse


def bundled_files() -> list[Path]:
    """Every bundled YAML file."""
    pkg = [registry.scenarios(), registry.actors(), registry.catalogues()]
    return sorted({e.path for entries in pkg for e in entries})


def alias_bomb(levels: int = 9) -> str:
    """The classic 'billion laughs': 9 levels of 9 aliases each."""
    text = 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, levels + 1):
        text += f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n"
    return text


def best(repeat: int, fn: object) -> float:
    """Best wall time of ``repeat`` calls, in seconds."""
    assert callable(fn)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def refuse(text: str) -> None:
    """Parse ``text`` and require a refusal."""
    try:
        parse(text, "bomb.yaml")
    except UserError:
        return
    raise AssertionError("the alias bomb was accepted")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    files = bundled_files()
    problems = validate_paths(files)
    errors = sum(p.severity == "error" for p in problems)
    t_validate = best(args.repeat, lambda: validate_paths(files))
    bomb = alias_bomb()
    t_bomb = best(args.repeat, lambda: refuse(bomb))
    print(f"validate {len(files)} bundled files ({errors} errors): {t_validate * 1000:8.1f} ms")
    print(f"refuse a billion-laughs alias bomb ({len(bomb)} bytes): {t_bomb * 1000:8.2f} ms")

    def find_one() -> None:
        registry.scenarios.cache_clear()
        assert registry.scenario_path(registry.DEFAULT_SCENARIO) is not None

    def index() -> None:
        registry.scenarios.cache_clear()
        assert registry.scenarios()

    t_one, t_all = best(args.repeat, find_one), best(args.repeat, index)
    n = len(registry.scenarios())
    print(f"find scenario '{registry.DEFAULT_SCENARIO}' by id:            {t_one * 1000:8.2f} ms")
    print(f"  index of all {n} bundled scenarios (parses each):   {t_all * 1000:8.2f} ms")


if __name__ == "__main__":
    main()
