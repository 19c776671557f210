"""Plain-text tables for `sitroom batch`, drawn from the same report `--json` prints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Report = dict[str, Any]


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _ci(lo_hi: Sequence[float], signed: bool = False) -> str:
    fmt = "{:+.1f}" if signed else "{:.1f}"
    return "[" + ", ".join(fmt.format(100 * v) for v in lo_hi) + "]"


def _table(
    header: Sequence[str], rows: Sequence[Sequence[str]], text_last: bool = False
) -> list[str]:
    """Left-aligned first column (and last, if ``text_last``), right-aligned numbers."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    left = {0, len(header) - 1} if text_last else {0}
    out = []
    for r in [header, *rows]:
        cells = [
            str(c).ljust(w) if i in left else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    return out


def _headline(rep: Report, games: int, wall: float, workers: int, rounds: int) -> str:
    rate = rounds / wall if wall > 0 else 0.0
    return (
        f"{rep['scenario']}: {games:,} runs, seed {rep['seed']}, {workers} worker"
        f"{'s' if workers != 1 else ''}, {wall:.1f} s ({rate:,.0f} rounds/s)"
    )


def _settings(settings: Sequence[str]) -> str:
    return " ".join(settings) if settings else "(as written)"


def _variant(rep: Report) -> list[str]:
    when = rep.get("outcome_rounds", {})
    lines = [
        "",
        *_table(
            ["outcome", "share", "95% CI", "runs", "round: mean (min-max)"],
            [
                [
                    f"{o} ({v['title']})",
                    _pct(v["share"]),
                    _ci(v["ci95"]),
                    f"{v['count']:,}",
                    _rounds(when.get(o)),
                ]
                for o, v in rep["outcomes"].items()
            ],
        ),
    ]
    lines += [
        "",
        *_table(
            ["indicator (final)", "mean", "p5", "p95"],
            [
                [v["label"], f"{v['mean']:.1f}", f"{v['p5']:.1f}", f"{v['p95']:.1f}"]
                for v in rep["indicators"].values()
            ],
        ),
    ]
    lines += [
        "",
        *_table(
            ["actor", "mean escalation", "most frequent moves (uses per run)"],
            [
                [a, f"{x:.2f}", ", ".join(f"{m} {k:.2f}" for m, k in rep["top_moves"][a].items())]
                for a, x in rep["mean_escalation"].items()
            ],
            text_last=True,
        ),
    ]
    if rep["triggers"]:
        lines += [
            "",
            *_table(
                ["trigger", "fired in"], [[t, _pct(v["share"])] for t, v in rep["triggers"].items()]
            ),
        ]
    if rep.get("objectives"):
        lines += [
            "",
            *_table(
                ["learning objective", "met in", "95% CI"],
                [[o, _pct(v["share"]), _ci(v["ci95"])] for o, v in rep["objectives"].items()],
            ),
        ]
    lines += _move_use(rep.get("move_use", {}))
    for move, v in rep.get("chance_clamped", {}).items():
        lines.append(
            f"warning: the chance formula of move '{move}' left 0..1 {v['times']:,} times "
            f"in {v['runs']:,} runs (it was clamped); check the formula"
        )
    r = rep["rounds_per_game"]
    lines += ["", f"rounds played per run: mean {r['mean']:.2f} (min {r['min']}, max {r['max']})"]
    return lines


def _rounds(stats: Any) -> str:
    if not stats or stats.get("mean") is None:
        return "-"
    return f"{stats['mean']:.1f} ({stats['min']}-{stats['max']})"


def _move_use(use: Report) -> list[str]:
    """Every move each actor may use, uses per run and share of runs; * marks custom moves."""
    if not use:
        return []
    lines = ["", "move use per actor (uses per run, share of runs; * defined in this scenario):"]
    for actor, moves in use.items():
        used = [
            f"{m}{'*' if v['custom'] else ''} {v['per_run']:.2f} ({_pct(v['share'])})"
            for m, v in moves.items()
            if v["per_run"] > 0
        ]
        unused = [f"{m}{'*' if v['custom'] else ''}" for m, v in moves.items() if v["per_run"] == 0]
        lines.append(f"  {actor}: {', '.join(used) if used else '(none used)'}")
        if unused:
            lines.append(f"    never used: {', '.join(unused)}")
    return lines


def render(report: Report) -> str:
    """The batch summary for people: headline, then outcomes, indicators, actors, triggers."""
    games, wall, workers = report["games"], report["wall_seconds"], report["workers"]
    if "difference" not in report:
        return "\n".join(
            [
                _headline(report, games, wall, workers, report["rounds"]),
                f"settings: {_settings(report['settings'])}",
                *_variant(report),
            ]
        )
    a, b = report["a"], report["b"]
    lines = [
        _headline({**a, "seed": report["seed"]}, games, wall, workers, report["rounds"]),
        f"A: {_settings(a['settings'])}",
        f"B: A + {_settings(b['settings'][len(a['settings']) :])}",
        "both variants play the same seeds; B - A intervals are Newcombe 95%",
        "",
    ]
    lines += _table(
        ["outcome", "A", "B", "B - A (points)", "95% CI"],
        [
            [
                o,
                _pct(d["a"]),
                _pct(d["b"]),
                f"{100 * d['difference']:+.1f}",
                _ci(d["ci95"], signed=True),
            ]
            for o, d in report["difference"].items()
        ],
    )
    lines += [
        "",
        *_table(
            ["indicator mean (final)", "A", "B"],
            [
                [v["label"], f"{v['mean']:.1f}", f"{b['indicators'][k]['mean']:.1f}"]
                for k, v in a["indicators"].items()
            ],
        ),
    ]
    lines += [
        "",
        *_table(
            ["mean escalation", "A", "B"],
            [
                [k, f"{v:.2f}", f"{b['mean_escalation'][k]:.2f}"]
                for k, v in a["mean_escalation"].items()
            ],
        ),
    ]
    for name, rep in (("A", a), ("B", b)):
        lines += ["", f"--- variant {name} ---", *_variant(rep)[1:]]
    return "\n".join(lines)
