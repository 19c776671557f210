"""Expression evaluation speed: sitroom's generated lambdas against simpleeval (if installed).

python benchmarks/bench_expr.py
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.engine.expr import compile_expr

CASES = {
    "condition": "tension >= 70 and not flags.un_resolution",
    "chance": "clamp(0.9 - tension / 200 + trust.china.us / 400, 0.05, 0.95)",
}
VALUES = {"tension": 64.0, "flags.un_resolution": False, "trust.china.us": 45.0}
N = 200_000


def main() -> None:
    for label, src in CASES.items():
        expr = compile_expr(src, VALUES)
        ours = timeit.timeit(lambda e=expr: e(VALUES), number=N) / N
        line = f"{label:10} sitroom {ours * 1e6:6.3f} us/eval"
        try:
            import simpleeval
        except ImportError:
            print(line + "   (pip install simpleeval to compare)")
            continue
        flat = {k.replace(".", "_"): v for k, v in VALUES.items()}
        ev = simpleeval.SimpleEval(
            names=flat, functions={"clamp": lambda x, lo, hi: min(max(x, lo), hi)}
        )
        text = src.replace("flags.", "flags_").replace("trust.china.us", "trust_china_us")
        tree = ev.parse(text)
        theirs = (
            timeit.timeit(
                lambda ev=ev, text=text, tree=tree: ev.eval(text, previously_parsed=tree), number=N
            )
            / N
        )
        print(
            f"{line}   simpleeval (pre-parsed) {theirs * 1e6:6.3f} us/eval   x{theirs / ours:.1f}"
        )


if __name__ == "__main__":
    main()
