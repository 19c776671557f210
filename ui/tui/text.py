"""Plain words for the screens: names, sim clock labels and one line per (redacted) event.

Everything here reads event *dicts* as ``View.events`` returns them, never engine objects, so a
player's screen can only ever describe what the fog-of-war function let through.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from textual.markup import escape as _escape_markup

from sim.authoring.problems import printable as printable  # re-exported: the screens use it
from sim.engine.view import AgreementView, View
from sim.engine.world import World
from sim.models.script import Terms
from sim.report.labels import short_name, state_labels


def escape(text: str) -> str:
    """An authored or typed string as markup that shows it as written: ``[`` cannot restyle the
    screen, and control characters (an ``ESC ]0;`` that would retitle the terminal) show as
    U+FFFD instead of reaching it (Textual passes them through). Textual's own escape leaves a
    ``[`` that does not look like a tag (``[2J``), which its parser may still pair with a later
    closing tag, so every ``[`` is escaped."""
    return _BARE_BRACKET.sub(r"\\[", _escape_markup(printable(text)))


_BARE_BRACKET = re.compile(r"(?<!\\)\[")


def labels(world: World) -> dict[str, str]:
    """State name to its label, printable (labels reach plain-text places too); kept with the
    world, as a screen asks for them at every redraw."""
    kept: dict[str, str] | None = world.memo.get("tui-labels")
    if kept is None:
        kept = world.memo["tui-labels"] = {k: printable(v) for k, v in state_labels(world).items()}
    return kept


def actor_name(world: World, actor: str | None) -> str:
    """Short display name of an actor (``Control`` for the control seat), printable (a name is
    authored text and also reaches plain-text places: titles, table cells, tooltips)."""
    return "Control" if actor is None else printable(short_name(world, actor))


def actor_list(world: World, actors: Any) -> str:
    """``all`` for public audiences, otherwise short names joined by commas."""
    if actors == "public":
        return "all"
    return ", ".join(actor_name(world, a) for a in actors)


def move_name(world: World, move_id: str) -> str:
    """A move type's label (printable, like :func:`actor_name`)."""
    spec = world.moves.get(move_id)
    return printable(spec.type.name if spec is not None else move_id)


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


WIDE = 110
"""Columns from which screens show a side panel (the app's ``-wide`` breakpoint)."""
PLACES = 1
"""Decimal places of a value whose indicator or variable declares no ``precision``."""


def number(value: Any, places: int = PLACES) -> str:
    """A state value for display, rounded to ``places`` decimals (trailing zeros dropped)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = f"{round(float(value), places):.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def signed(delta: float, places: int = PLACES) -> str:
    """A change for display: ``+5``, ``-1.9``."""
    text = number(delta, places)
    return text if text.startswith("-") or text == "0" else "+" + text


def precisions(world: World) -> dict[str, int]:
    """State name to its declared decimal places (names without one use :data:`PLACES`)."""
    sc = world.scenario
    out = {i.id: i.precision for i in sc.indicators if i.precision is not None}
    for v in sc.variables:
        if v.precision is not None:
            out.update({f"{a}.{v.id}": v.precision for a in world.actors})
    return out


def value_text(world: World, name: str, value: Any) -> str:
    """``name``'s value rounded to its declared precision."""
    return number(value, precisions(world).get(name, PLACES))


def flag_label(world: World, name: str) -> str:
    """A flag's label (``flags.hotline_open`` reads ``hotline open``)."""
    return labels(world).get(name, name.removeprefix("flags.").replace("_", " "))


def _sources(world: World, e: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What one event adds to :func:`move_sources`."""
    kind = e["type"]
    if kind == "move":
        return [(e["mid"], f"{actor_name(world, e['actor'])}: {move_name(world, e['move'])}")]
    if kind == "inject":
        return [(f"inject:{e['id']}", f"news: {e['title']}")]
    if kind == "agreement":
        return [
            (f"agreement:{e['id']}", f"agreement: {e['title']}"),
            (f"breach:{e['id']}", f"breach of {e['title']}"),
        ]
    if kind == "message" and e.get("proposal"):
        return [(e["proposal"]["id"], e["proposal"]["title"])]
    return []


def move_sources(world: World, events: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Sources in words for everything in these (visible) events that can cause an effect or
    be answered: move id to ``A: Calm things``, ``inject:ID`` to its headline, ``agreement:ID``
    and ``breach:ID`` to the agreement's title, and proposal id to its title."""
    out: dict[str, str] = {}
    for e in events:
        out.update(_sources(world, e))
    return out


def proposal_label(pid: str, moves: Mapping[str, str]) -> str:
    """``proposal “Hotline”`` (the id only when its message was never seen)."""
    return f"proposal “{moves[pid]}”" if pid in moves else f"proposal {pid}"


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
    name = name if name is not None else labels(world)
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
        places = precisions(world).get(e["name"], PLACES)
        delta = f" ({signed(e['delta'], places)})" if e["delta"] else ""
        return (
            f"  {escape(name.get(e['name'], e['name']))} → {number(e['value'], places)}{delta}"
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
            f"\n[b]Proposal:[/b] {escape(prop['title'])} — "
            f"{escape(terms_text(world, Terms.model_validate(prop['terms'])))}"
            if prop
            else ""
        )
        return f"✉ {who(e['sender'])} → {group(e['to'])}: {escape(e['text'])}{offer}"
    if kind == "answer":
        verb = "accepted" if e["accept"] else "rejected"
        return f"  {who(e['actor'])} {verb} {escape(proposal_label(e['proposal'], moves))}"
    if kind == "agreement":
        return f"[b green]AGREEMENT[/] {escape(e['title'])} ({group(e['parties'])})"
    if kind == "proposal_closed":
        return f"  {escape(proposal_label(e['id'], moves))} {e['status']}"
    if kind == "breach":
        return (
            f"[b red]BREACH[/] {who(e['actor'])} broke {escape(e['agreement'])} "
            f"with {move(e['move'])}"
        )
    if kind == "trigger":
        return f"  [dim]trigger {escape(e['id'])} fired[/dim]"
    if kind == "override":
        what = escape(moves.get(e["mid"], e["mid"]))
        return f"  [b magenta]✎ control set {what} to {e['outcome']}[/] {escape(e['note'])}"
    if kind == "control":
        return f"  [b]control: {e['action']}[/b] {escape(e.get('note', ''))}".rstrip()
    if kind == "seat":
        return f"  {who(e['actor'])} is now played by: {e['seat']}"
    if kind == "faction":
        return f"  faction {escape(e['faction'])} now weighs {e['weight']:g}"
    if kind == "revealed":
        to = "" if e["audience"] == "public" else f" (to {group(e['audience'])})"
        shown = ", ".join(
            f"{escape(name.get(k, k))} = {value_text(world, k, v)}"
            for k, v in dict(e["values"]).items()
        )
        return f"  [b]revealed[/b]{to}: {shown}"
    if kind == "red_line":
        believed = ", ".join(
            f"{escape(name.get(k, k))} = {value_text(world, k, v)}"
            for k, v in dict(e["believed"]).items()
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
    seen: Sequence[Mapping[str, Any]] | None = None,
    *,
    rounds: bool = False,
) -> list[Entry]:
    """Entries for events in log order, stamped with the sim time whenever it changes.

    ``seen`` is everything the viewer has seen (default: ``events``), to name the move behind
    an effect that lands in a later round. ``rounds`` puts a heading before each round.
    A screen that redraws a growing feed keeps a :class:`Timeline` instead (same entries).
    """
    out: list[Entry] = []
    last: float | None = None
    round_no: int | None = None
    name = labels(world)
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


class _Looked(Mapping[str, str]):
    """The sources map as :func:`describe` reads it, noting every key it asks for."""

    def __init__(self, data: Mapping[str, str]) -> None:
        self.data = data
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return self.data[key]

    def __iter__(self) -> Any:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


class Timeline:
    """:func:`timeline` of a feed that only grows (``View.events``), kept up to date: each call
    of :meth:`update` describes only the events added since the last one, so a screen that
    redraws after every round pays for the new events, not for the whole log.

    The entries equal ``timeline(world, events, viewer, rounds=rounds)`` after every update: an
    entry that named a source (a move behind an effect, a proposal's title) is described again
    when a later event adds or changes that source. A feed that is not the one seen before (its
    last event read is not the same object) starts over.
    """

    def __init__(self, world: World, viewer: str | None, *, rounds: bool = False) -> None:
        self.world = world
        self.viewer = viewer
        self.rounds = rounds
        self._name = labels(world)
        self._reset()

    def _reset(self) -> None:
        self.entries: list[Entry] = []
        """The entries so far (do not change them: they are the next update's start)."""
        self.moves: dict[str, str] = {}
        """:func:`move_sources` of every event read."""
        self.starts: list[int] = []
        """Index in :attr:`entries` of each round heading (with ``rounds``)."""
        self._read = 0
        self._tail: Mapping[str, Any] | None = None
        self._last: float | None = None
        self._round: int | None = None
        self._described: dict[int, Mapping[str, Any]] = {}
        """Entry index to its event, for the entries that looked a source up."""
        self._uses: dict[str, list[int]] = {}
        """Source key to the entries that looked it up (found or not)."""

    def update(self, events: Sequence[Mapping[str, Any]]) -> list[Entry]:
        """The entries of ``events``, which extend the events of the last call."""
        n = self._read
        if n > len(events) or (n and events[n - 1] is not self._tail):
            self._reset()
            n = 0
        if n == len(events):
            return self.entries
        new = events[n:]
        changed: set[str] = set()
        for event in new:
            for key, value in _sources(self.world, event):
                if self.moves.get(key) != value:
                    self.moves[key] = value
                    changed.add(key)
        looked = _Looked(self.moves)
        again = sorted({i for key in changed for i in self._uses.get(key, ())})
        for i in again:  # earlier entries whose source just appeared (or changed)
            stamp, _ = self.entries[i]
            line = describe(self.world, self._described[i], self.viewer, self._name, looked)
            assert line is not None
            self.entries[i] = (stamp, line)
        for event in new:
            looked.asked = set()
            line = describe(self.world, event, self.viewer, self._name, looked)
            if line is None:
                continue
            if self.rounds and event["round"] != self._round:
                self._round = event["round"]
                self.starts.append(len(self.entries))
                self.entries.append(("", f"[b]── round {self._round} ──[/b]"))
                self._last = None
            stamp = short_clock(self.world, event["t"]) if event["t"] != self._last else ""
            self._last = event["t"]
            if looked.asked:
                at = len(self.entries)
                self._described[at] = event
                for key in looked.asked:
                    self._uses.setdefault(key, []).append(at)
            self.entries.append((stamp, line))
        self._read = len(events)
        self._tail = events[-1]
        return self.entries

    def recent(self, rounds: int) -> tuple[list[Entry], int]:
        """The entries of the last ``rounds`` rounds (kept with round headings), and how many
        earlier entries that leaves out: a screen drawing a long exercise shows a window."""
        if len(self.starts) <= rounds:
            return self.entries, 0
        cut = self.starts[-rounds]
        return self.entries[cut:], cut


LOG_ROUNDS = 12
"""Rounds a screen's log shows (the latest); the debrief and `sitroom report` show them all."""


def recent_entries(kept: Timeline, rounds: int = LOG_ROUNDS) -> list[Entry]:
    """The entries of the last ``rounds`` rounds of a :class:`Timeline` kept with round
    headings, under a line saying how many earlier entries are left out: drawing a screen's log
    then costs the same at round 1,000 as at round 12."""
    shown, cut = kept.recent(rounds)
    if not cut:
        return shown
    left = plural(len(kept.starts) - rounds, "earlier round")
    return [("", f"[dim]… {left} not shown (the debrief shows the whole log)[/dim]"), *shown]


def feed_timeline(
    world: World, events: Sequence[Mapping[str, Any]], viewer: str | None, *, rounds: bool = False
) -> Timeline:
    """The :class:`Timeline` of ``viewer``'s feed, kept with the world between screens (a seat's
    screen is built anew each turn), updated to ``events``."""
    key = ("tui-timeline", viewer, rounds)
    kept: Timeline | None = world.memo.get(key)
    if kept is None:
        kept = world.memo[key] = Timeline(world, viewer, rounds=rounds)
    kept.update(events)
    return kept


def terms_text(world: World, terms: Terms) -> str:
    """A proposal's terms in words: its effects, then its commitments."""
    name = labels(world)
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
    name = labels(world)
    observed = sorted(
        ((n, b) for n, b in view.beliefs.items() if b.seen_at is not None),
        key=lambda nb: (nb[1].seen_at or 0.0, nb[0]),
    )
    return [
        f"{name.get(n, n)}: {value_text(world, n, b.value)} "
        f"(seen {short_clock(world, b.seen_at or 0.0)})"
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


_WORDS = {
    ast.GtE: "at least",
    ast.Gt: "above",
    ast.LtE: "at most",
    ast.Lt: "below",
    ast.Eq: "is",
    ast.NotEq: "is not",
}


def condition_text(world: World, source: str, actor: str, target: str | None = None) -> str:
    """An authored condition in words, names as labels: ``tension >= 70 and not
    flags.un_resolution`` reads ``Tension at least 70 and not un resolution``.

    ``self`` and ``target`` read as the actor and the target (``the target`` when none is
    chosen). Anything beyond comparisons, ``and``, ``or`` and ``not`` keeps its arithmetic with
    labels in place of names; a condition that does not parse is shown as written.
    """
    label = labels(world)

    def name(node: ast.expr) -> str | None:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.insert(0, node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        parts.insert(0, node.id)
        bound = [
            actor if p == "self" else (target or "target") if p == "target" else p for p in parts
        ]
        dotted = ".".join(bound)
        if dotted in label:
            return label[dotted]
        if dotted.startswith("target.") and target is None:
            return f"the target's {dotted[7:].replace('_', ' ')}"
        return " ".join(
            actor_name(world, p) if p in world.actors else p.replace("_", " ") for p in bound
        )

    def words(node: ast.expr) -> str:
        if isinstance(node, ast.BoolOp):
            joiner = " and " if isinstance(node.op, ast.And) else " or "
            return joiner.join(
                f"({words(v)})" if isinstance(v, ast.BoolOp) else words(v) for v in node.values
            )
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = words(node.operand)
            return f"not ({inner})" if isinstance(node.operand, ast.BoolOp) else f"not {inner}"
        if isinstance(node, ast.Compare):
            out = [words(node.left)]
            for op, right in zip(node.ops, node.comparators, strict=True):
                out += [_WORDS.get(type(op), "?"), words(right)]
            return " ".join(out)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool):
                return "always" if node.value else "never"
            return number(node.value) if isinstance(node.value, int | float) else str(node.value)
        named = name(node)
        if named is not None:
            return named
        if isinstance(node, ast.BinOp | ast.UnaryOp | ast.Call):
            return ast.unparse(_Labelled(words).visit(node))
        return ast.unparse(node)

    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError:
        return source
    return words(tree)


class _Labelled(ast.NodeTransformer):
    """Names inside arithmetic replaced by their words (as bare names, for ``unparse``)."""

    def __init__(self, words: Any) -> None:
        self.words = words

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        return ast.Name(self.words(node))

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in ("min", "max", "abs", "round", "clamp"):
            return node
        return ast.Name(self.words(node))
