"""Headless runs: load -> build -> run -> summarize, for scripts, batch runs and tests."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sim.events import (
    AgreementMade,
    Breach,
    EffectApplied,
    Ended,
    Event,
    InjectDelivered,
    MessageSent,
    MoveMade,
    ProposalClosed,
    Resolved,
    RoundClosed,
    Seat,
    TriggerFired,
)
from sim.log import Divergence, Log, compare, inputs_from_log, replay_inputs
from sim.models import Script
from sim.problems import Problem
from sim.session import IllegalInput, Input, Session
from sim.world import World
from sim.yamlsrc import Doc


@dataclass(frozen=True, slots=True)
class ScriptProblem(Exception):
    """Orders in a script that the rules refuse, located by round and actor."""

    round: int
    actor: str
    problems: tuple[str, ...]

    def __str__(self) -> str:
        return f"round {self.round}, {self.actor}: " + "; ".join(self.problems)


def seats_for(
    world: World, script: Script | None, seats: dict[str, Seat] | None = None
) -> dict[str, Seat]:
    """Seats for a headless run: actors in the script play from it, the rest by computer."""
    out: dict[str, Seat] = dict.fromkeys(world.actors, "computer")
    if script is not None:
        for a in script.actors:
            out[a] = "script"
        for orders in script.rounds.values():
            for a in orders:
                out[a] = "script"
    out.update(seats or {})
    return out


def script_problems(world: World, script: Script, doc: Doc) -> list[Problem]:
    """:func:`check_script` as positioned problems in the script's file. An unknown actor or a
    round out of range points at its key; a bad move at the move."""
    return [
        doc.problem(loc, message, at="key" if loc[0] == "rounds" and loc[-1] != "move" else "value")
        for loc, message in check_script(world, script)
    ]


def check_script(world: World, script: Script) -> list[tuple[tuple[str | int, ...], str]]:
    """Static problems of a script against a world, as (YAML path, message)."""
    from sim.expr import suggest

    problems: list[tuple[tuple[str | int, ...], str]] = []
    if script.scenario is not None and script.scenario != world.id:
        problems.append(
            (("scenario",), f"the script is for scenario '{script.scenario}', not '{world.id}'")
        )
    for i, a in enumerate(script.actors):
        if a not in world.actors:
            problems.append((("actors", i), f"unknown actor '{a}'{suggest(a, world.actors)}"))
    rounds = world.scenario.clock.rounds
    for r, by_actor in script.rounds.items():
        if not 1 <= r <= rounds:
            problems.append((("rounds", r), f"round {r} is outside 1..{rounds}"))
        for a, orders in by_actor.items():
            if a not in world.actors:
                problems.append(
                    (("rounds", r, a), f"unknown actor '{a}'{suggest(a, world.actors)}")
                )
                continue
            for i, mo in enumerate(orders.moves):
                if mo.move not in world.moves:
                    problems.append(
                        (
                            ("rounds", r, a, "moves", i, "move"),
                            f"unknown move '{mo.move}'{suggest(mo.move, world.moves)}",
                        )
                    )
                elif mo.move not in world.usable[a]:
                    problems.append(
                        (
                            ("rounds", r, a, "moves", i, "move"),
                            f"{a} cannot use move '{mo.move}' in this scenario",
                        )
                    )
    return problems


def run(
    world: World,
    seed: int,
    script: Script | None = None,
    *,
    seats: dict[str, Seat] | None = None,
    scenario_ref: str | None = None,
    prefix: Log | None = None,
    recorder: Callable[[Input], None] | None = None,
    on_round: Callable[[Session, list[Event]], None] | None = None,
    session: Session | None = None,
    lean: bool = False,
) -> Session:
    """Play a whole session headless; ``prefix`` continues a (forked) log first.

    ``session`` plays on in a session made elsewhere (an archived or resumed one) instead of a
    new one; ``seed``, ``seats`` and ``recorder`` are then its own. ``lean`` plays a new session
    for its numbers only (see :attr:`Session.lean`).
    Raises :class:`ScriptProblem` when scripted orders are refused by the rules.
    """
    if session is None and prefix is not None:
        session = Session(
            world,
            int(prefix.header["seed"]),
            prefix.header["seats"],
            scenario_ref=scenario_ref,
            recorder=recorder,
        )
    elif session is None:
        session = Session(
            world,
            seed,
            seats_for(world, script, seats),
            scenario_ref=scenario_ref,
            recorder=recorder,
            lean=lean,
        )
    if prefix is not None:
        replay_inputs(session, inputs_from_log(prefix))
        # The fork's new script takes over its actors from here; the log records the handover.
        for actor, seat in seats_for(world, script).items():
            if seat == "script" and not session.over:
                session.set_seat(actor, "script")
    while not session.over:
        r = session.round
        orders = script.rounds.get(r, {}) if script is not None else {}
        for actor, o in orders.items():
            try:
                session.submit(actor, o)
            except IllegalInput as exc:
                raise ScriptProblem(r, actor, tuple(exc.problems)) from None
        events = session.close_round()
        if on_round is not None:
            on_round(session, events)
    return session


def verify(world: World, log: Log) -> Divergence | None:
    """Re-execute a log and return its first divergence, or None if it reproduces exactly."""
    try:
        session = Session(
            world,
            int(log.header["seed"]),
            log.header["seats"],
            scenario_ref=log.header.get("scenario_ref"),
        )
    except IllegalInput as exc:
        return Divergence(0, None, {"error": str(exc)})
    try:
        replay_inputs(session, inputs_from_log(log))
    except Exception as exc:  # a hand-edited log can ask for anything; report, never crash
        return compare(log.events, session.log) or Divergence(
            len(session.log), None, {"error": f"{type(exc).__name__}: {exc}"}
        )
    return compare(log.events, session.log)


def summary(session: Session) -> dict[str, Any]:
    """One object for machines: scenario, seed, rounds, outcome, final indicators and more."""
    world, state = session.world, session.state
    ended = next((e for e in reversed(session.log) if isinstance(e, Ended)), None)
    closed = [e for e in session.log if isinstance(e, RoundClosed)]
    indicators = {i.id: state.values[i.id] for i in world.scenario.indicators}
    escalation = {a: (round(sum(v) / len(v), 3) if v else 0.0) for a, v in state.escalation.items()}
    moves = Counter(e.move for e in session.log if isinstance(e, MoveMade))
    return {
        "scenario": world.id,
        "scenario_hash": world.content_hash,
        "seed": session.seed,
        "seats": dict(session.seats),
        "rounds": len(closed),
        "hours": state.t,
        "outcome": state.outcome,
        "outcome_title": ended.title if ended else None,
        "indicators": indicators,
        "mean_escalation": escalation,
        "triggers": sorted({e.id for e in session.log if isinstance(e, TriggerFired)}),
        "agreements": sorted(state.agreements),
        "top_moves": dict(moves.most_common(5)),
        "events": len(session.log),
        "final_hash": closed[-1].hash if closed else None,
    }


def _num(x: float) -> str:
    """At most one decimal, no trailing zeros: 68.1543 -> 68.2, 40.0 -> 40."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def state_label(world: World, name: str) -> str:
    """A state name as people read it: indicator labels, 'trust US-China', 'ROK readiness'."""
    shorts = {a: m.profile.short for a, m in world.models.items()}
    labels = {i.id: i.label for i in world.scenario.indicators}
    variables = {v.id: v.label for v in world.scenario.variables}
    parts = name.split(".")
    if name in labels:
        return labels[name]
    if parts[0] == "trust" and len(parts) == 3:
        return f"trust {shorts.get(parts[1], parts[1])}-{shorts.get(parts[2], parts[2])}"
    if parts[0] == "flags" and len(parts) == 2:
        return f"flag {parts[1]}"
    if len(parts) == 2 and parts[0] in shorts:
        return f"{shorts[parts[0]]}: {variables.get(parts[1], parts[1])}"
    return name


def describe(event: Event, world: World) -> str | None:
    """One readable line for an event (None for bookkeeping events)."""
    if isinstance(event, MoveMade):
        mt = world.moves[event.move].type
        target = f" -> {event.target}" if event.target else ""
        secret = " [secret]" if event.visibility == "secret" else ""
        why = f"  ({event.rationale})" if event.rationale else ""
        return f"{event.actor}: {mt.name}{target} (esc {event.escalation}){secret}{why}"
    if isinstance(event, Resolved):
        if event.outcome == "success" and not event.detected_by:
            return None
        seen = f", detected by {', '.join(event.detected_by)}" if event.detected_by else ""
        return f"  {event.mid} {event.move}: {event.outcome}{seen}"
    if isinstance(event, EffectApplied):
        label = state_label(world, event.name)
        value = (
            ("yes" if event.value else "no") if isinstance(event.value, bool) else _num(event.value)
        )
        sign = f" ({'+' if event.delta > 0 else ''}{_num(event.delta)})" if event.delta else ""
        return f"  {label} = {value}{sign}  [{event.source}]"
    if isinstance(event, InjectDelivered):
        to = "all" if event.audience == "public" else ", ".join(event.audience)
        return f"INJECT ({to}): {event.title}"
    if isinstance(event, MessageSent):
        to = "all" if event.to == "public" else ", ".join(event.to)
        prop = (
            f" [proposal {event.proposal['id']}: {event.proposal['title']}]"
            if event.proposal
            else ""
        )
        return f"{event.sender} -> {to}: {event.text}{prop}"
    if isinstance(event, AgreementMade):
        return f"AGREEMENT {event.id}: {event.title} ({', '.join(event.parties)})"
    if isinstance(event, ProposalClosed):
        return f"proposal {event.id} {event.status}"
    if isinstance(event, Breach):
        return f"BREACH: {event.actor} broke {event.agreement} with {event.move}"
    if isinstance(event, TriggerFired):
        return f"trigger {event.id} fired"
    if isinstance(event, Ended):
        return f"END: {event.title} ({event.outcome})"
    return None


def format_round(events: Iterable[Event], world: World) -> str:
    """Readable blocks, one per round (its header first), times in sim hours."""
    blocks: list[str] = []
    body: list[str] = []
    for e in events:
        if isinstance(e, RoundClosed):
            blocks.append(
                "\n".join([f"Round {e.round}  (ends t={e.t:g}h, state {e.hash[:8]})", *body])
            )
            body = []
            continue
        line = describe(e, world)
        if line is not None:
            body.append(f"  t={e.t:>5g}h  {line}")
    if body:
        blocks.append("\n".join(body))
    return "\n".join(blocks)
