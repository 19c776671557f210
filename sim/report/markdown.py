"""The after-action report as Markdown: readable in a terminal, diffable in git.

Charts become tables with a sparkline, so the same numbers are there without a browser.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sim.report.facts import Debrief, Decision

BARS = "▁▂▃▄▅▆▇█"


def cell(text: object) -> str:
    """A table cell: pipes escaped, newlines flattened."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(head: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """A Markdown table."""
    out = [
        "| " + " | ".join(cell(h) for h in head) + " |",
        "|" + "|".join("---" for _ in head) + "|",
    ]
    out.extend("| " + " | ".join(cell(c) for c in row) + " |" for row in rows)
    return out


def spark(values: Sequence[float | None]) -> str:
    """A one-line chart of a series."""
    nums = [v for v in values if v is not None]
    if not nums:
        return ""
    lo, hi = min(nums), max(nums)
    span = (hi - lo) or 1.0
    return "".join(
        " " if v is None else BARS[round((v - lo) / span * (len(BARS) - 1))] for v in values
    )


def num(v: float | None) -> str:
    """A chart value for a table."""
    return "·" if v is None else f"{v:g}"


def num_or_flag(v: float | bool) -> str:
    """A believed value: a number, or yes/no for a flag."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    return f"{v:g}"


def outcome_line(d: Decision) -> str:
    """How a move turned out, as far as the reader knows."""
    parts = [d.outcome or "pending"]
    if d.detected_by:
        parts.append(f"detected by {', '.join(d.detected_by)}")
    return ", ".join(parts)


def render(d: Debrief) -> str:
    """The whole report."""
    h = d.header
    out = [f"# After-action report: {d.title}", ""]
    if d.redacted_for:
        who = d.name(d.redacted_for)
        out += [f"> **Redacted for {who}**: only what {who} could know.", ""]
    out += [
        d.summary,
        "",
        f"- Scenario: `{h['scenario']}` ({h['scenario_ref']}), content hash `{h['scenario_hash']}`",
        f"- Seed {h['seed']}, sitroom {h['engine']}",
        f"- Played: {d.rounds} round(s), {d.hours:g} sim hours from {d.clock}",
        "",
        "## Outcome",
        "",
        f"**{d.outcome_title}**" + (f" (`{d.outcome}`)" if d.outcome else ""),
    ]
    if d.outcome_text:
        out += ["", d.outcome_text]
    out += [
        "",
        "## Seats",
        "",
        *table(["Actor", "Played by"], [(d.name(a), s) for a, s in d.seats.items()]),
        "",
    ]
    out += ["## Timeline"]
    current = None
    for item in d.timeline:
        if item.round != current:
            current = item.round
            out += ["", f"### Round {item.round}", ""]
        out.append(f"- `{d.when(item.t)}` {item.text}")
    out += ["", "## Indicators over time", ""]
    if d.series:
        out += table(
            ["Indicator", *d.samples, "trend"],
            [[d.labels[k], *map(num, v), spark(v)] for k, v in d.series.items()],
        )
    else:
        out.append("No indicator is visible to this reader.")
    out += [
        "",
        "## Escalation ladder",
        "",
        "Highest rung each actor used in each round (· no known move).",
        "",
    ]
    out += table(
        ["Actor", *[f"R{r}" for r in range(1, len(next(iter(d.ladder.values()))) + 1)], "peak"],
        [
            [d.name(a), *map(num, v), num(max((x for x in v if x is not None), default=None))]
            for a, v in d.ladder.items()
        ],
    )
    out += ["", "## Decisions", ""]
    for actor, moves in d.decisions.items():
        out += [f"### {d.name(actor)} ({d.seats.get(actor, '?')})", ""]
        if not moves and not d.messages[actor]:
            out += ["No known moves or messages.", ""]
            continue
        for m in moves:
            target = f" → {d.name(m.target)}" if m.target else ""
            secret = " [secret]" if m.visibility == "secret" else ""
            out.append(
                f"- R{m.round} `{d.when(m.t)}` {m.move}{target} (escalation "
                f"{m.escalation}){secret}: {outcome_line(m)}"
            )
            if m.rationale:
                out.append(f"  - why: {m.rationale}")
        for msg in d.messages[actor]:
            out.append(f"- R{msg.round} `{d.when(msg.t)}` {msg.text}")
        out.append("")
    out += _knowledge(d)
    out += _objectives(d)
    out += _notes(d)
    return "\n".join(out).rstrip() + "\n"


def _knowledge(d: Debrief) -> list[str]:
    out = ["## Who knew what, when", ""]
    for actor, k in d.knowledge.items():
        out += [f"### {d.name(actor)}", ""]
        if not k.learned:
            out.append("- Nothing beyond the public record.")
        for f in k.learned:
            out.append(f"- `{d.when(f.t)}` [{f.how}] {f.text}")
        if k.unaware:
            out += ["", "Never learned:"]
            out.extend(f"- `{d.when(f.t)}` {f.text}" for f in k.unaware)
        if k.hidden:
            out += ["", f"Could not see: {', '.join(k.hidden)}."]
        if k.believed:
            out += ["", "Believed at the end (beliefs, not the truth; when last observed):"]
            out.extend(
                f"- {label} = {num_or_flag(v)} (`{d.when(t)}`)" for label, v, t in k.believed
            )
        out.append("")
    return out


def _objectives(d: Debrief) -> list[str]:
    out = ["## Learning objectives", ""]
    if not d.objectives:
        out += ["The scenario states no learning objectives.", ""]
    for o in d.objectives:
        out.append(f"- **{o.id}**: {o.text}")
        measure = f"Measure `{o.measure}`: " if o.measure else ""
        out.append(f"  - {measure}{o.verdict()}")
    if d.expected:
        out += ["", "Expected player actions (a matching move by the audience by the next round):"]
        out += [""]
        for x in d.expected:
            serves = f" (objective: {x.objective})" if x.objective else ""
            out.append(f"- R{x.round} **{x.title}**: expected {x.expected}{serves}: {x.verdict()}")
    return [*out, ""]


def _notes(d: Debrief) -> list[str]:
    out = ["## Facilitator notes", ""]
    if d.facilitator_notes:
        out += [d.facilitator_notes, ""]
    if d.control_notes:
        out += ["Control's actions:", ""]
        out.extend(f"- R{n.round} `{d.when(n.t)}` {n.text}" for n in d.control_notes)
        out.append("")
    if d.discussion:
        out += ["Points for discussion:", ""]
        out.extend(f"- {p}" for p in d.discussion)
    return out
