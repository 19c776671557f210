"""Plain words for the screens: names, sim clock labels and one line per (redacted) event.

Everything here reads event *dicts* as ``View.events`` returns them, never engine objects, so a
player's screen can only ever describe what the fog-of-war function let through.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from textual.markup import escape

from sim.engine.view import AgreementView, View
from sim.engine.world import World
from sim.models.script import Terms
from sim.report.labels import short_name, state_labels


def actor_name(world: World, actor: str | None) -> str:
    """Short display name of an actor (``Control`` for the control seat)."""
    return "Control" if actor is None else short_name(world, actor)


def actor_list(world: World, actors: Any) -> str:
    """``all`` for public audiences, otherwise short names joined by commas."""
    if actors == "public":
        return "all"
    return ", ".join(actor_name(world, a) for a in actors)


def move_name(world: World, move_id: str) -> str:
    """A move type's label."""
    spec = world.moves.get(move_id)
    return spec.type.name if spec is not None else move_id


def clock(world: World, t: float) -> str:
    """The sim time as a date when the scenario's start is one, else ``start +Nh``.

    Only ever derived from sim time, never the wall clock, so screens (and snapshots) are
    deterministic.
    """
    start = world.scenario.clock.start
    try:
        at = datetime.fromisoformat(start) + timedelta(hours=t)
    except ValueError:
        return start if t == 0 else f"{start} + {t:g}h"
    return at.strftime("%d %b %Y %H:%M")


def short_clock(world: World, t: float) -> str:
    """A compact time stamp for event lists: ``13 Nov 08:00`` or ``+6h``."""
    try:
        at = datetime.fromisoformat(world.scenario.clock.start) + timedelta(hours=t)
    except ValueError:
        return f"+{t:g}h"
    return at.strftime("%d %b %H:%M")


def escalation_style(level: int) -> str:
    """A colour for an escalation level: green (calm) to red (war)."""
    if level <= 2:
        return "green"
    if level <= 5:
        return "yellow"
    if level <= 7:
        return "orange"
    return "red"


def plural(count: int, noun: str) -> str:
    """``1 move``, ``2 moves``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def number(value: Any) -> str:
    """A state value for display."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{float(value):g}"


def move_sources(world: World, events: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Move id to ``A: Calm things`` for every move in these (visible) events."""
    return {
        e["mid"]: f"{actor_name(world, e['actor'])}: {move_name(world, e['move'])}"
        for e in events
        if e["type"] == "move"
    }


def source_label(source: str, moves: Mapping[str, str]) -> str:
    """Where an effect came from, in words (``moves`` from :func:`move_sources`)."""
    kind, _, ident = source.partition(":")
    if source == "unknown":
        return "unknown cause"
    if source in moves:
        return moves[source]
    if kind in ("inject", "trigger", "agreement", "breach") and ident:
        return f"{kind} {ident}"
    return source


def control_note(world: World, event: Mapping[str, Any], viewer: str | None) -> str:
    """For control only: what a scheduled inject expects of its audience and the objective it
    serves (the MSEL's columns), from the scenario, which control may read."""
    if viewer is not None or event.get("source") != "schedule":
        return ""
    spec = next((i for i in world.scenario.injects if i.id == event.get("id")), None)
    if spec is None or not (spec.expected_action or spec.objective):
        return ""
    parts = [f"expected: {spec.expected_action}"] if spec.expected_action else []
    parts += [f"objective: {spec.objective}"] if spec.objective else []
    return f"\n[dim]control: {escape('; '.join(parts))}[/dim]"


def describe(
    world: World,
    event: Mapping[str, Any],
    viewer: str | None,
    name: Mapping[str, str] | None = None,
    moves: Mapping[str, str] | None = None,
) -> str | None:
    """One line of markup for a redacted event, or None for bookkeeping events.

    ``viewer`` is who reads it: rationales of computer players are shown to control only.
    ``name`` is :func:`~sim.report.labels.state_labels` of the world and ``moves``
    :func:`move_sources` of what the viewer has seen, passed in when describing many events.
    Every authored or typed string is escaped, so a ``[`` in a message cannot restyle the screen.
    """
    name = name if name is not None else state_labels(world)
    moves = moves if moves is not None else {}

    def who(actor: str) -> str:
        return escape(actor_name(world, actor))

    def group(actors: Any) -> str:
        return escape(actor_list(world, actors))

    def move(move_id: str) -> str:
        return escape(move_name(world, move_id))

    e = event
    kind = e["type"]
    if kind == "move":
        target = f" → {who(e['target'])}" if e.get("target") else ""
        secret = r" \[secret]" if e["visibility"] == "secret" else ""
        style = escalation_style(int(e["escalation"]))
        why = f"\n[i]{escape(e['rationale'])}[/i]" if viewer is None and e.get("rationale") else ""
        return (
            f"[b]{who(e['actor'])}[/b]: {move(e['move'])}{target} "
            f"[{style}](esc {e['escalation']})[/]{secret}{why}"
        )
    if kind == "resolved":
        seen = f", detected by {group(e['detected_by'])}" if e.get("detected_by") else ""
        result = {"success": "succeeded", "failure": "failed", "cancelled": "was cancelled"}
        return f"  {move(e['move'])} ({who(e['actor'])}) {result[e['outcome']]}{seen}"
    if kind == "effect":
        delta = f" ({e['delta']:+g})" if e["delta"] else ""
        return (
            f"  {escape(name.get(e['name'], e['name']))} → {number(e['value'])}{delta}"
            f"  [dim]{escape(source_label(e['source'], moves))}[/dim]"
        )
    if kind == "inject":
        to = "" if e["audience"] == "public" else f" (to {group(e['audience'])})"
        text = f"\n{escape(e['text'])}" if e.get("text") else ""
        note = control_note(world, e, viewer)
        return f"[b reverse] NEWS [/] [b]{escape(e['title'])}[/b]{to}{text}{note}"
    if kind == "message":
        prop = e.get("proposal")
        offer = (
            f"\n[b]Proposal {escape(prop['id'])}:[/b] {escape(prop['title'])} — "
            f"{escape(terms_text(world, Terms.model_validate(prop['terms'])))}"
            if prop
            else ""
        )
        return f"✉ {who(e['sender'])} → {group(e['to'])}: {escape(e['text'])}{offer}"
    if kind == "answer":
        verb = "accepted" if e["accept"] else "rejected"
        return f"  {who(e['actor'])} {verb} proposal {escape(e['proposal'])}"
    if kind == "agreement":
        return f"[b green]AGREEMENT[/] {escape(e['title'])} ({group(e['parties'])})"
    if kind == "proposal_closed":
        return f"  proposal {escape(e['id'])} {e['status']}"
    if kind == "breach":
        return (
            f"[b red]BREACH[/] {who(e['actor'])} broke {escape(e['agreement'])} "
            f"with {move(e['move'])}"
        )
    if kind == "trigger":
        return f"  [dim]trigger {escape(e['id'])} fired[/dim]"
    if kind == "override":
        return (
            f"  [b magenta]control set {escape(e['mid'])} to {e['outcome']}[/] {escape(e['note'])}"
        )
    if kind == "control":
        return f"  [b]control: {e['action']}[/b] {escape(e.get('note', ''))}".rstrip()
    if kind == "seat":
        return f"  {who(e['actor'])} is now played by: {e['seat']}"
    if kind == "faction":
        return f"  faction {escape(e['faction'])} now weighs {e['weight']:g}"
    if kind == "revealed":
        to = "" if e["audience"] == "public" else f" (to {group(e['audience'])})"
        shown = ", ".join(
            f"{escape(name.get(k, k))} = {number(v)}" for k, v in dict(e["values"]).items()
        )
        return f"  [b]revealed[/b]{to}: {shown}"
    if kind == "red_line":
        believed = ", ".join(
            f"{escape(name.get(k, k))} = {number(v)}" for k, v in dict(e["believed"]).items()
        )
        if e.get("response"):
            aim = f" → {who(e['target'])}" if e.get("target") else ""
            answer = f"responds with {move(e['response'])}{aim}"
        else:
            answer = "no response move was possible"
        return (
            f"[b red]RED LINE[/] {who(e['actor'])}: {escape(e['red_line'])} crossed; {answer}"
            f"\n[dim]it believed {believed}[/dim]"
        )
    if kind == "ended":
        return f"[b reverse] END [/] [b]{escape(e['title'])}[/b]"
    return None


Entry = tuple[str, str]
"""A timeline entry: (time stamp or "", markup; a newline starts an indented continuation)."""


def timeline(
    world: World,
    events: Sequence[Mapping[str, Any]],
    viewer: str | None,
    seen: Iterable[Mapping[str, Any]] | None = None,
    *,
    rounds: bool = False,
) -> list[Entry]:
    """Entries for events in log order, stamped with the sim time whenever it changes.

    ``seen`` is everything the viewer has seen (default: ``events``), to name the move behind
    an effect that lands in a later round. ``rounds`` puts a heading before each round.
    """
    out: list[Entry] = []
    last: float | None = None
    round_no: int | None = None
    name = state_labels(world)
    moves = move_sources(world, events if seen is None else seen)
    for event in events:
        line = describe(world, event, viewer, name, moves)
        if line is None:
            continue
        if rounds and event["round"] != round_no:
            round_no = event["round"]
            out.append(("", f"[b]── round {round_no} ──[/b]"))
            last = None
        stamp = short_clock(world, event["t"]) if event["t"] != last else ""
        last = event["t"]
        out.append((stamp, line))
    return out


def terms_text(world: World, terms: Terms) -> str:
    """A proposal's terms in words: its effects, then its commitments."""
    name = state_labels(world)
    parts = []
    for eff in terms.effects:
        target = eff.name
        amount = eff.by if eff.change else eff.to
        parts.append(f"{name.get(target, target)} {'by' if eff.change else 'to'} {amount}")
    for c in terms.commitments:
        who = "all parties" if c.bound == "all" else actor_list(world, c.bound)
        what = c.label or "no " + ", ".join(c.forbid)
        parts.append(f"{who}: {what} for {c.hours:g}h")
    return "; ".join(parts) or "no terms"


def agreement_text(world: World, agreement: AgreementView, now: float) -> str:
    """``Test ban (A, B): all parties: no nuclear test until 16 Nov 08:00``."""
    parts = []
    for c in agreement.commitments:
        who = "all parties" if c.bound == "all" else actor_list(world, c.bound)
        what = c.label or "no " + ", ".join(f.replace("_", " ") for f in c.forbid)
        when = "lapsed" if c.until < now else f"until {short_clock(world, c.until)}"
        parts.append(f"{who}: {what} {when}")
    terms = "; ".join(parts) or "no commitments"
    return f"{agreement.title} ({actor_list(world, agreement.parties)}): {terms}"


def belief_lines(world: World, view: View) -> list[str]:
    """What the seat last observed of values it cannot see, as beliefs: ``Label: v (when)``.

    Values never observed since the briefing are left out: the briefing already says them.
    """
    name = state_labels(world)
    observed = sorted(
        ((n, b) for n, b in view.beliefs.items() if b.seen_at is not None),
        key=lambda nb: (nb[1].seen_at or 0.0, nb[0]),
    )
    return [
        f"{name.get(n, n)}: {number(b.value)} (seen {short_clock(world, b.seen_at or 0.0)})"
        for n, b in observed
    ]


_LIST_ITEM = re.compile(r"^(?:[-*•]|\d+[.)])\s")


def reflow(text: str) -> str:
    """Join the hard line breaks of YAML block text into paragraphs, so the terminal wraps
    prose to its own width, not the author's editor's. Blank lines and list items are kept."""
    out = []
    for block in text.split("\n\n"):
        merged: list[str] = []
        for line in (x.strip() for x in block.splitlines()):
            if not line:
                continue
            if merged and not _LIST_ITEM.match(line):
                merged[-1] += " " + line
            else:
                merged.append(line)
        if merged:
            out.append("\n".join(merged))
    return "\n\n".join(out)
