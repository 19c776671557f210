"""What an after-action report says, gathered from a log: plain values, no formatting.

Both renderers (Markdown, HTML) read one :class:`Debrief`, so they cannot disagree. A report
redacted for an actor is gathered from the redacted log, so it can only say what the log says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal

from sim.engine.events import (
    AgreementMade,
    Answered,
    Breach,
    ControlNote,
    EffectApplied,
    Ended,
    Event,
    InjectDelivered,
    MessageSent,
    MoveMade,
    Overridden,
    ProposalClosed,
    RedLineCrossed,
    Resolved,
    Revealed,
    RoundClosed,
    SeatChanged,
    TriggerFired,
)
from sim.engine.expr import Value
from sim.engine.world import World
from sim.record.log import Log
from sim.report.expected import ExpectedAction, expected_actions
from sim.report.knowledge import Knowledge, knowledge
from sim.report.labels import short_name, state_labels

Kind = Literal[
    "inject",
    "move",
    "message",
    "answer",
    "agreement",
    "proposal",
    "breach",
    "trigger",
    "flag",
    "control",
    "seat",
    "red_line",
    "reveal",
    "end",
]


@dataclass(frozen=True, slots=True)
class Item:
    """One line of the timeline."""

    t: float
    round: int
    kind: Kind
    text: str
    actor: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """One move of one actor, with how it turned out and, for computer seats, why."""

    actor: str
    round: int
    t: float
    mid: str
    move: str
    target: str | None
    escalation: int
    visibility: str
    by: str
    outcome: str | None = None
    detected_by: tuple[str, ...] = ()
    rationale: str | None = None


@dataclass(frozen=True, slots=True)
class ObjectiveResult:
    """A learning objective and what the run showed about it."""

    id: str
    text: str
    measure: str | None
    met: bool | None
    """None: not measurable, or (in a redacted report) measured on hidden information."""
    by_round: tuple[bool, ...] = ()
    """Whether the measure held at the end of each round."""
    values: dict[str, Value] = field(default_factory=dict)
    """Final values of the names the measure reads."""

    def verdict(self) -> str:
        """What happened, in one sentence (the measure itself is shown next to it)."""
        if self.measure is None:
            return "Not measured by the engine: discuss it."
        if self.met is None:
            return "The measure reads information hidden from this reader."
        rounds = [str(r + 1) for r, ok in enumerate(self.by_round) if ok]
        held = (
            f"held at the end of round(s) {', '.join(rounds)}"
            if rounds
            else "never held at a round's end"
        )
        values = ", ".join(f"{k} = {v}" for k, v in self.values.items())
        return f"{'Met' if self.met else 'Not met'} at the end; {held} ({values})."


@dataclass(frozen=True, slots=True)
class Debrief:
    """Everything an after-action report shows."""

    title: str
    summary: str
    header: dict[str, object]
    redacted_for: str | None
    seats: dict[str, str]
    """Actor to a description of who played it (changes included)."""
    outcome: str | None
    outcome_title: str
    outcome_text: str
    rounds: int
    hours: float
    timeline: list[Item]
    samples: list[str]
    """Sample labels for the series: "start", then "R1", "R2", ..."""
    series: dict[str, list[float | None]]
    """Indicator id to its value at each sample (only indicators the reader may see)."""
    labels: dict[str, str]
    ladder: dict[str, list[int | None]]
    """Actor to the highest escalation rung it used in each round (None: no known move)."""
    decisions: dict[str, list[Decision]]
    messages: dict[str, list[Item]]
    knowledge: dict[str, Knowledge]
    objectives: list[ObjectiveResult]
    control_notes: list[Item]
    discussion: list[str]
    facilitator_notes: str
    names: dict[str, str]
    """Actor id to its short display name."""
    clock: str
    """How sim time is shown: the scenario's start label."""
    start: datetime | None = None
    round_hours: float = 6.0
    expected: list[ExpectedAction] = field(default_factory=list)
    """Injects with an expected player action and whether it followed (control's report only)."""

    def name(self, actor: str) -> str:
        """An actor's display name."""
        return self.names.get(actor, actor)

    def when(self, t: float) -> str:
        """A sim time for people: a date when the clock starts at one, else hours from start."""
        if self.start is not None:
            return (self.start + timedelta(hours=t)).strftime("%Y-%m-%d %H:%M")
        return f"{self.clock} +{t:g}h"


def _start(label: str) -> datetime | None:
    try:
        return datetime.fromisoformat(label)
    except ValueError:
        return None


def gather(log: Log, world: World) -> Debrief:
    """Read a (possibly redacted) log into a :class:`Debrief`."""
    sc = world.scenario
    reader = log.header.get("redacted_for")
    reader = str(reader) if reader else None
    names = {a: short_name(world, a) for a in world.actors}
    # The reader's picture, folded from its own events: what it sees, and what it last observed
    # of the rest (control reads the whole log, so its picture is the truth).
    values: dict[str, Value] = dict(world.initial)
    believed: dict[str, float] = {}
    """Names the reader cannot see, to the sim hour it last observed them."""
    visible = world.visible[reader] if reader else world.names
    indicators = [i for i in sc.indicators if i.id in visible]
    series: dict[str, list[float | None]] = {i.id: [float(values[i.id])] for i in indicators}
    samples = ["start"]
    rounds = sc.clock.rounds
    ladder: dict[str, list[int | None]] = {a: [None] * rounds for a in world.actors}
    timeline: list[Item] = []
    decisions: dict[str, list[Decision]] = {a: [] for a in world.actors}
    moves: dict[str, Decision] = {}
    messages: dict[str, list[Item]] = {a: [] for a in world.actors}
    notes: list[Item] = []
    measures = dict(world.objectives)
    held: dict[str, list[bool]] = {o.id: [] for o in sc.objectives}
    seats = {a: str(s) for a, s in dict(log.header["seats"]).items()}
    ended: Ended | None = None
    t = 0.0
    for e in log.events:
        t = values["t"] = e.t
        _observe(e, values, believed, visible, reader)
        item = _line(e, world, names, moves)
        if item is not None:
            timeline.append(item)
        if isinstance(e, MoveMade):
            d = Decision(
                e.actor,
                e.round,
                e.t,
                e.mid,
                world.moves[e.move].type.name,
                e.target,
                e.escalation,
                e.visibility,
                e.by,
                rationale=e.rationale,
            )
            moves[e.mid] = d
            if 1 <= e.round <= rounds:
                rung = ladder[e.actor][e.round - 1]
                ladder[e.actor][e.round - 1] = max(e.escalation, rung or 0)
        elif isinstance(e, Resolved) and e.mid in moves:
            d = moves[e.mid]
            moves[e.mid] = replace(d, outcome=e.outcome, detected_by=e.detected_by)
        elif isinstance(e, MessageSent | Answered) and item is not None:
            messages[e.sender if isinstance(e, MessageSent) else e.actor].append(item)
        elif isinstance(e, SeatChanged):
            seats[e.actor] += f", {e.seat} from round {e.round}"
        elif isinstance(e, Overridden | ControlNote) or (
            isinstance(e, InjectDelivered) and e.source == "control"
        ):
            if item is not None:
                notes.append(item)
        elif isinstance(e, RoundClosed):
            samples.append(f"R{e.round}")
            for ind in indicators:
                series[ind.id].append(float(values[ind.id]))
            for oid in held:
                expr = measures.get(oid)
                if expr is not None:
                    held[oid].append(bool(expr(values)))
        elif isinstance(e, Ended):
            ended = e
    for d in moves.values():
        decisions[d.actor].append(d)
    end_spec = next((x for x in sc.end_conditions if ended and x.id == ended.outcome), None)
    closed = len(samples) - 1
    return Debrief(
        title=sc.title,
        summary=sc.summary,
        header=dict(log.header),
        redacted_for=reader,
        seats=seats,
        outcome=ended.outcome if ended else None,
        outcome_title=ended.title if ended else "Not finished",
        outcome_text=end_spec.description
        if end_spec
        else ("" if ended else f"The log stops after round {closed} of {rounds}."),
        rounds=closed,
        hours=t,
        timeline=timeline,
        samples=samples,
        series=series,
        labels={i.id: i.label for i in indicators},
        ladder={a: v[: max(closed, 1)] for a, v in ladder.items()},
        decisions=decisions,
        messages=messages,
        knowledge=knowledge(
            log, world, reader, names, {n: (values[n], at) for n, at in believed.items()}
        ),
        objectives=_objectives(world, values, held, visible),
        control_notes=notes,
        discussion=_discussion(log, world, series, ladder, names, reader),
        facilitator_notes="" if reader else sc.facilitator_notes,
        names=names,
        clock=sc.clock.start,
        start=_start(sc.clock.start),
        round_hours=sc.clock.round_hours,
        expected=[] if reader else expected_actions(log.events, world),
    )


def _observe(
    e: Event,
    values: dict[str, Value],
    believed: dict[str, float],
    visible: frozenset[str],
    reader: str | None,
) -> None:
    """Fold one event into the reader's picture. Values change only by effects; a reveal tells
    the reader (already in its audience: the log is redacted) values it cannot see."""
    if isinstance(e, EffectApplied):
        values[e.name] = e.value
        if e.name not in visible:
            believed[e.name] = e.t  # a change it observed through its cause (redaction let it by)
    elif isinstance(e, Revealed) and reader is not None:
        for name, value in e.values.items():
            if name not in visible:
                values[name] = value
                believed[name] = e.t
    elif isinstance(e, RoundClosed):
        values["round"] = e.round + 1


def _line(e: Event, world: World, names: dict[str, str], moves: dict[str, Decision]) -> Item | None:
    """The timeline's line for an event, or None for bookkeeping events."""

    def who(a: str) -> str:
        return names.get(a, a)

    if isinstance(e, InjectDelivered):
        to = "" if e.audience == "public" else f" (to {', '.join(map(who, e.audience))})"
        src = {"schedule": "Inject", "trigger": "Inject (triggered)", "control": "Control inject"}
        return Item(
            e.t,
            e.round,
            "inject",
            f"{src[e.source]}{to}: {e.title}" + (f" — {e.text}" if e.text else ""),
        )
    if isinstance(e, MoveMade):
        mt = world.moves[e.move].type
        target = f" → {who(e.target)}" if e.target else ""
        secret = " [secret]" if e.visibility == "secret" else ""
        return Item(
            e.t,
            e.round,
            "move",
            f"{who(e.actor)}: {mt.name}{target} (escalation {e.escalation}){secret}",
            e.actor,
        )
    if isinstance(e, MessageSent):
        to = "all" if e.to == "public" else ", ".join(map(who, e.to))
        prop = f" [proposes: {e.proposal['title']}]" if e.proposal else ""
        return Item(e.t, e.round, "message", f"{who(e.sender)} → {to}: {e.text}{prop}", e.sender)
    if isinstance(e, Answered):
        verb = "accepts" if e.accept else "rejects"
        return Item(e.t, e.round, "answer", f"{who(e.actor)} {verb} proposal {e.proposal}", e.actor)
    if isinstance(e, AgreementMade):
        return Item(
            e.t, e.round, "agreement", f"Agreement: {e.title} ({', '.join(map(who, e.parties))})"
        )
    if isinstance(e, ProposalClosed):
        return Item(e.t, e.round, "proposal", f"Proposal {e.id} {e.status}")
    if isinstance(e, Breach):
        return Item(
            e.t,
            e.round,
            "breach",
            f"Breach: {who(e.actor)} broke {e.agreement} with {world.moves[e.move].type.name}",
            e.actor,
        )
    if isinstance(e, TriggerFired):
        return Item(e.t, e.round, "trigger", f"Trigger fired: {e.id}")
    if isinstance(e, EffectApplied) and e.name.startswith("flags.") and e.delta == 0:
        # Flags are the story's turning points (a mandate, a sealed border); numbers are charted.
        move = moves.get(e.source)
        source = f"{who(move.actor)}: {move.move}" if move else e.source
        return Item(
            e.t,
            e.round,
            "flag",
            f"{e.name.removeprefix('flags.')} is now {str(e.value).lower()} ({source})",
        )
    if isinstance(e, Overridden):
        note = f" — {e.note}" if e.note else ""
        return Item(e.t, e.round, "control", f"Control forced {e.mid} to {e.outcome}{note}")
    if isinstance(e, ControlNote):
        note = f" — {e.note}" if e.note else ""
        return Item(e.t, e.round, "control", f"Control {e.action}d the exercise{note}")
    if isinstance(e, SeatChanged):
        return Item(e.t, e.round, "seat", f"{who(e.actor)} is now played by: {e.seat}", e.actor)
    if isinstance(e, RedLineCrossed):
        believed = ", ".join(
            f"{state_labels(world).get(k, k)} = {_value(v)}" for k, v in e.believed.items()
        )
        if e.response is None:
            answer = "no response move was possible"
        else:
            target = f" → {who(e.target)}" if e.target else ""
            spec = world.moves.get(e.response)
            answer = f"responded with {spec.type.name if spec else e.response}{target}"
        return Item(
            e.t,
            e.round,
            "red_line",
            f"Red line {e.red_line} of {who(e.actor)} crossed (it believed {believed}); {answer}",
            e.actor,
        )
    if isinstance(e, Revealed):
        to = "all" if e.audience == "public" else ", ".join(map(who, e.audience))
        label = state_labels(world)
        shown = ", ".join(f"{label.get(k, k)} = {_value(v)}" for k, v in e.values.items())
        return Item(e.t, e.round, "reveal", f"Revealed to {to}: {shown}")
    if isinstance(e, Ended):
        return Item(e.t, e.round, "end", f"End: {e.title} ({e.outcome})")
    return None


def _value(v: Value) -> str:
    return str(v).lower() if isinstance(v, bool) else f"{float(v):g}"


def _objectives(
    world: World, values: Mapping[str, Value], held: dict[str, list[bool]], visible: frozenset[str]
) -> list[ObjectiveResult]:
    measures = dict(world.objectives)
    out = []
    for obj in world.scenario.objectives:
        expr = measures.get(obj.id)
        if expr is None:
            out.append(ObjectiveResult(obj.id, obj.text, obj.measure, None))
            continue
        reads = sorted(n for n in expr.names if n in world.names)
        if any(n not in visible for n in reads):
            # A redacted report must not evaluate a measure on values its reader never saw.
            out.append(ObjectiveResult(obj.id, obj.text, expr.source, None))
            continue
        out.append(
            ObjectiveResult(
                obj.id,
                obj.text,
                expr.source,
                bool(expr(values)),
                tuple(held[obj.id]),
                {n: values[n] for n in reads},
            )
        )
    return out


def _discussion(
    log: Log,
    world: World,
    series: dict[str, list[float | None]],
    ladder: dict[str, list[int | None]],
    names: dict[str, str],
    reader: str | None,
) -> list[str]:
    """Turning points worth raising in the debrief, from what the log shows."""
    out: list[str] = []
    labels = {i.id: i.label for i in world.scenario.indicators}
    swings = []
    for ind, values in series.items():
        for r in range(1, len(values)):
            before, after = values[r - 1], values[r]
            if before is not None and after is not None and after != before:
                swings.append((abs(after - before), r, ind, after - before))
    for _size, r, ind, delta in sorted(swings, reverse=True)[:3]:
        out.append(f"Round {r}: {labels.get(ind, ind)} moved {delta:+g}. What drove it?")
    peaks = [
        (rung, r + 1, a)
        for a, rungs in ladder.items()
        for r, rung in enumerate(rungs)
        if rung is not None
    ]
    if peaks:
        rung, r, a = max(peaks, key=lambda p: (p[0], -p[1]))
        out.append(
            f"The highest rung of the escalation ladder ({rung}) was first reached by "
            f"{names.get(a, a)} in round {r}. Was that intended, and how was it read?"
        )
    breaches = [e for e in log.events if isinstance(e, Breach)]
    if breaches:
        out.append(f"{len(breaches)} agreement breach(es): what did the breaking side expect?")
    closed = [e for e in log.events if isinstance(e, ProposalClosed)]
    if closed:
        out.append(f"{len(closed)} proposal(s) were rejected or expired: what was missing?")
    if reader is None:
        unseen = [
            e
            for e in log.events
            if isinstance(e, Resolved)
            and world.moves[e.move].type.visibility == "secret"
            and not e.detected_by
        ]
        if unseen:
            out.append(
                f"{len(unseen)} secret move(s) were never detected: how would the others "
                "have acted had they known?"
            )
    return out
