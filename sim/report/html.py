"""The after-action report as one self-contained HTML file: inline CSS and SVG, no scripts.

It opens from a USB stick on an air-gapped laptop, which is where exercises are often debriefed.
Every piece of text from the log or the scenario is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from sim.report.charts import line_chart
from sim.report.facts import Debrief
from sim.report.markdown import num, num_or_flag, outcome_line

CSS = """
body{font:15px/1.45 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.8em}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:.2em .5em}
th{background:#f2f2f2;text-align:left}td.n{text-align:right}
.redacted{background:#fff3cd;border:1px solid #e0c060;padding:.5em 1em}
.t{color:#555;font-family:ui-monospace,monospace;font-size:.9em;white-space:nowrap}
.why{color:#555;font-style:italic}figure{margin:1em 0}svg{width:100%;height:auto}
li.breach,li.end{font-weight:600}li.inject{color:#1a4d8f}
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _table(head: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = ["<table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        out.append(
            "<tr>"
            + "".join(
                f'<td class="n">{_e(c)}</td>'
                if isinstance(c, int | float) or c == "·"
                else f"<td>{_e(c)}</td>"
                for c in row
            )
            + "</tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def render(d: Debrief) -> str:
    """The whole report as an HTML document."""
    h = d.header
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>After-action report: {_e(d.title)}</title>",
        f"<style>{CSS}</style>",
        "</head><body>",
        f"<h1>After-action report: {_e(d.title)}</h1>",
    ]
    if d.redacted_for:
        parts.append(
            f'<p class="redacted"><strong>Redacted for {_e(d.name(d.redacted_for))}'
            f"</strong>: only what {_e(d.name(d.redacted_for))} could know.</p>"
        )
    parts += [
        f"<p>{_e(d.summary)}</p><ul>",
        f"<li>Scenario <code>{_e(h['scenario'])}</code> ({_e(h['scenario_ref'])}), "
        f"content hash <code>{_e(h['scenario_hash'])}</code></li>",
        f"<li>Seed {_e(h['seed'])}, sitroom {_e(h['engine'])}</li>",
        f"<li>Played {d.rounds} round(s), {d.hours:g} sim hours from {_e(d.clock)}</li></ul>",
        "<h2>Outcome</h2>",
        f"<p><strong>{_e(d.outcome_title)}</strong>"
        + (f" (<code>{_e(d.outcome)}</code>)" if d.outcome else "")
        + "</p>",
    ]
    if d.outcome_text:
        parts.append(f"<p>{_e(d.outcome_text)}</p>")
    parts += [
        "<h2>Seats</h2>",
        _table(["Actor", "Played by"], [(d.name(a), s) for a, s in d.seats.items()]),
    ]
    parts += _timeline(d) + _charts(d) + _decisions(d) + _knowledge(d) + _objectives(d)
    parts += _notes(d)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _timeline(d: Debrief) -> list[str]:
    out = ["<h2>Timeline</h2>"]
    current = None
    for item in d.timeline:
        if item.round != current:
            if current is not None:
                out.append("</ul>")
            current = item.round
            out.append(f"<h3>Round {item.round}</h3><ul>")
        out.append(
            f'<li class="{item.kind}"><span class="t">{_e(d.when(item.t))}</span> '
            f"{_e(item.text)}</li>"
        )
    if current is not None:
        out.append("</ul>")
    return out


def _charts(d: Debrief) -> list[str]:
    out = ["<h2>Indicators over time</h2>"]
    if d.series:
        out.append(
            "<figure>"
            + line_chart(
                "indicators",
                "Indicators at the end of each round",
                d.samples,
                {d.labels[k]: v for k, v in d.series.items()},
            )
            + "</figure>"
        )
        out.append(
            "<details><summary>Values</summary>"
            + _table(
                ["Indicator", *d.samples],
                [
                    [d.labels[k], *(x if x is not None else "·" for x in v)]
                    for k, v in d.series.items()
                ],
            )
            + "</details>"
        )
    else:
        out.append("<p>No indicator is visible to this reader.</p>")
    rounds = [f"R{r}" for r in range(1, len(next(iter(d.ladder.values()))) + 1)]
    top = max((x for v in d.ladder.values() for x in v if x is not None), default=0)
    out += [
        "<h2>Escalation ladder</h2>",
        "<p>Highest rung each actor used in each round (gaps: no known move).</p>",
        "<figure>"
        + line_chart(
            "ladder",
            "Escalation ladder",
            rounds,
            {d.name(a): v for a, v in d.ladder.items()},
            y_title="rung",
            y_range=(0, max(top, 1)),
        )
        + "</figure>",
        "<details><summary>Values</summary>"
        + _table(["Actor", *rounds], [[d.name(a), *map(num, v)] for a, v in d.ladder.items()])
        + "</details>",
    ]
    return out


def _decisions(d: Debrief) -> list[str]:
    out = ["<h2>Decisions</h2>"]
    for actor, moves in d.decisions.items():
        out.append(f"<h3>{_e(d.name(actor))} <small>({_e(d.seats.get(actor, '?'))})</small></h3>")
        if not moves and not d.messages[actor]:
            out.append("<p>No known moves or messages.</p>")
            continue
        out.append("<ul>")
        for m in moves:
            target = f" → {d.name(m.target)}" if m.target else ""
            secret = " [secret]" if m.visibility == "secret" else ""
            why = f'<br><span class="why">why: {_e(m.rationale)}</span>' if m.rationale else ""
            out.append(
                f'<li><span class="t">R{m.round} {_e(d.when(m.t))}</span> '
                f"{_e(m.move + target)} (escalation {m.escalation}){_e(secret)}: "
                f"{_e(outcome_line(m))}{why}</li>"
            )
        out.extend(
            f'<li><span class="t">R{x.round} {_e(d.when(x.t))}</span> {_e(x.text)}</li>'
            for x in d.messages[actor]
        )
        out.append("</ul>")
    return out


def _knowledge(d: Debrief) -> list[str]:
    out = ["<h2>Who knew what, when</h2>"]
    for actor, k in d.knowledge.items():
        out.append(f"<h3>{_e(d.name(actor))}</h3><ul>")
        if not k.learned:
            out.append("<li>Nothing beyond the public record.</li>")
        out.extend(
            f'<li><span class="t">{_e(d.when(f.t))}</span> [{_e(f.how)}] {_e(f.text)}</li>'
            for f in k.learned
        )
        out.append("</ul>")
        if k.unaware:
            out.append("<p>Never learned:</p><ul>")
            out.extend(
                f'<li><span class="t">{_e(d.when(f.t))}</span> {_e(f.text)}</li>' for f in k.unaware
            )
            out.append("</ul>")
        if k.hidden:
            out.append(f"<p>Could not see: {_e(', '.join(k.hidden))}.</p>")
        if k.believed:
            out.append(
                "<p>Believed at the end (beliefs, not the truth; when last observed):</p><ul>"
            )
            out.extend(
                f"<li>{_e(label)} = {_e(num_or_flag(v))} "
                f'<span class="t">{_e(d.when(t))}</span></li>'
                for label, v, t in k.believed
            )
            out.append("</ul>")
    return out


def _objectives(d: Debrief) -> list[str]:
    out = ["<h2>Learning objectives</h2>"]
    if not d.objectives:
        out.append("<p>The scenario states no learning objectives.</p>")
    out.append("<ul>")
    for o in d.objectives:
        measure = f"Measure <code>{_e(o.measure)}</code>: " if o.measure else ""
        verdict = measure + _e(o.verdict())
        out.append(f"<li><strong>{_e(o.id)}</strong>: {_e(o.text)}<br>{verdict}</li>")
    out.append("</ul>")
    if d.expected:
        out.append(
            "<p>Expected player actions (a matching move by the audience by the next "
            "round):</p><ul>"
        )
        for x in d.expected:
            serves = f" (objective: {_e(x.objective)})" if x.objective else ""
            out.append(
                f"<li>R{x.round} <strong>{_e(x.title)}</strong>: expected {_e(x.expected)}"
                f"{serves}: {_e(x.verdict())}</li>"
            )
        out.append("</ul>")
    return out


def _notes(d: Debrief) -> list[str]:
    out = ["<h2>Facilitator notes</h2>"]
    if d.facilitator_notes:
        out.append(f"<p>{_e(d.facilitator_notes)}</p>")
    if d.control_notes:
        out.append("<p>Control's actions:</p><ul>")
        out.extend(
            f'<li><span class="t">R{n.round} {_e(d.when(n.t))}</span> {_e(n.text)}</li>'
            for n in d.control_notes
        )
        out.append("</ul>")
    if d.discussion:
        out.append("<p>Points for discussion:</p><ul>")
        out.extend(f"<li>{_e(p)}</li>" for p in d.discussion)
        out.append("</ul>")
    return out
