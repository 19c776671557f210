"""The rules in time: the only code that appends events to a session's log.

A :class:`Kernel` owns the SimPy environment (time only), the event log (the truth) and the state
folded from it. It delivers scheduled injects, lands move effects after their durations, checks
triggers and end conditions after every change, and closes rounds: the session hands it every
seat's orders in canonical order, and it rules on each move with keyed randomness, settles
proposals, shifts factions and runs the interval to the next decision point.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Sequence
from functools import partial
from typing import Any

import simpy
from simpy.events import URGENT

from sim.engine.adjudicate import breached, effect_result, non_finite, rule
from sim.engine.decimals import round6
from sim.engine.events import (
    AgreementMade,
    Answered,
    Breach,
    EffectApplied,
    Ended,
    Event,
    FactionShift,
    InjectDelivered,
    MessageSent,
    MoveMade,
    ProposalClosed,
    RedLineCrossed,
    Resolved,
    Revealed,
    RoundClosed,
    Seat,
    TriggerFired,
    positional,
)
from sim.engine.expr import NonFinite, canonical_name, compile_expr
from sim.engine.legality import runtime_effect
from sim.engine.policy import Decision
from sim.engine.state import State, apply, move_known
from sim.engine.world import (
    BoundEffect,
    BoundMove,
    CompiledEnd,
    CompiledInject,
    CompiledTrigger,
    World,
)
from sim.models import Orders

_move_made = positional(MoveMade)
_resolved = positional(Resolved)
_effect_applied = positional(EffectApplied)
_trigger_fired = positional(TriggerFired)
_faction_shift = positional(FactionShift)

Watchers = tuple[tuple[CompiledTrigger, ...], tuple[CompiledEnd, ...]]
"""What to re-check when a name changes: its triggers, then its immediate end conditions."""

RoundOrders = Sequence[tuple[str, Orders | Decision, Seat]]
"""Every actor's orders for a round in canonical (scenario) order: (actor, the orders of a human
or script seat or the decision of a computer seat, seat)."""


class Kernel:
    """A session's log, state and clock, and the rules that change them."""

    def __init__(
        self,
        world: World,
        seed: int,
        listeners: Iterable[Callable[[Event], None]] = (),
        *,
        lean: bool = False,
    ) -> None:
        self.world = world
        self.seed = seed
        self.listeners = list(listeners)
        self.lean = lean
        self.log: list[Event] = []
        self.state = State.initial(world)
        self.env = simpy.Environment()
        self._landing: dict[float, list[tuple[str, tuple[BoundEffect, ...]]]] = {}
        self._watch = _watchers(world)
        self._watch_t = self._watch.get("t")
        self._ranges = world.ranges
        self.env.process(self._injects())
        self.advance(0.0)
        self._guarded(world.triggers, tuple(e for e in world.ends if e.spec.immediate))

    def close_round(self, orders: RoundOrders) -> None:
        """Record the round's orders, rule on each move, settle proposals, and run the interval
        to the next decision point."""
        r, w, state = self.state.round, self.world, self.state
        t0 = self.env.now
        pending: list[tuple[str, BoundMove]] = []
        for actor, chosen, seat in orders:
            if isinstance(chosen, Decision):
                actor_orders, why = chosen.orders, chosen.rationale
                for rl in chosen.red_lines:
                    self.emit(
                        RedLineCrossed,
                        actor=actor,
                        red_line=rl.red_line,
                        believed=dict(rl.believed),
                        response=rl.response,
                        target=rl.target,
                    )
            else:
                actor_orders, why = chosen, ()
            for i, mo in enumerate(actor_orders.moves, 1):
                mid = f"m{r}.{actor}.{i}"
                move, target = mo.move, mo.target
                mt = w.moves[move].type
                self.push(
                    _move_made(
                        len(self.log),
                        float(self.env.now),
                        r,
                        mid,
                        actor,
                        move,
                        target,
                        mt.escalation,
                        mt.category,
                        mt.visibility,
                        seat,
                        why[i - 1] if i <= len(why) else None,
                    )
                )
                pending.append((mid, w.bound_move(actor, move, target)))
            for j, msg in enumerate(actor_orders.messages, 1):
                proposal = None
                if msg.proposal is not None:
                    pid = f"p{r}.{actor}.{j}"
                    proposal = {
                        "id": pid,
                        "title": msg.proposal.title,
                        "terms": msg.proposal.terms.model_dump(mode="json"),
                        "expires": r + msg.proposal.expires_after,
                    }
                self.emit(
                    MessageSent,
                    mid=f"c{r}.{actor}.{j}",
                    sender=actor,
                    to=msg.to if msg.to == "public" else tuple(msg.to),
                    text=msg.text,
                    by=seat,
                    proposal=proposal,
                )
            for ans in actor_orders.answers:
                self.emit(Answered, actor=actor, proposal=ans.proposal, accept=ans.accept, by=seat)
        self._landing = {}
        for mid, bound in pending:
            if state.outcome is not None:
                break
            self._resolve(mid, bound, t0)
        # One wait per landing time, in canonical move order: the same order as one per move
        # (SimPy runs same-time events first-in, first-out), fewer events.
        for delay, batch in self._landing.items():
            _After(self.env, delay, partial(self._land, batch))
        self._settle_proposals(r)
        self.advance(t0 + w.scenario.clock.round_hours)
        self._shift_factions()
        self.emit(RoundClosed, hash="" if self.lean else state.digest())
        if state.outcome is None and r >= w.scenario.clock.rounds:
            self._final_outcome()

    # -- adjudication --------------------------------------------------------------------------
    def _resolve(self, mid: str, bound: BoundMove, t0: float) -> None:
        state = self.state
        ruling = rule(self.world, state, self.seed, mid, bound)
        mt = bound.spec.type
        outcome = ruling.outcome
        self.push(
            _resolved(
                len(self.log),
                float(self.env.now),
                state.round,
                mid,
                ruling.actor,
                ruling.move,
                outcome,
                round6(ruling.chance),
                round6(ruling.roll),
                ruling.detected_by,
                float(t0 + mt.duration),
            )
        )
        for ag in (
            breached(state, bound.actor, mt.id, mt.tags)
            if outcome != "cancelled" and state.agreements
            else ()
        ):
            agreement = self.state.agreements[ag]
            self.emit(
                Breach,
                agreement=ag,
                actor=bound.actor,
                mid=mid,
                move=mt.id,
                parties=agreement.parties,
            )
            penalty = self.world.scenario.relations.breach_penalty
            for other in agreement.parties:
                # A move breaks a promise only in the eyes of those who know of it: a secret one
                # for those who detected it, a target-only one for its target.
                if other != bound.actor and move_known(self.state, mid, other):
                    a, b = sorted((bound.actor, other))
                    self.change(
                        BoundEffect(f"trust.{a}.{b}", "add", compile_expr(-penalty, ())),
                        f"breach:{ag}",
                    )
        if bound.reveals and outcome == "success":
            rec = self.state.moves[mid]
            knowers = "public" if rec.visibility == "public" else sorted(rec.known_by)
            self._reveal(bound.reveals, knowers, mid)
        effects = (
            bound.effects
            if outcome == "success"
            else bound.on_failure
            if outcome == "failure"
            else ()
        )
        if effects:
            self._landing.setdefault(mt.duration, []).append((mid, effects))

    def _settle_proposals(self, r: int) -> None:
        for pid in sorted(self.state.proposals):
            prop = self.state.proposals[pid]
            if any(v is False for v in prop.answers.values()):
                self.emit(ProposalClosed, id=pid, status="rejected", parties=prop.parties)
            elif all(prop.answers.get(p) for p in prop.parties):
                commitments = tuple(
                    {
                        "forbid": list(c.forbid),
                        "bound": c.bound if c.bound == "all" else list(c.bound),
                        "until": self.state.t + c.hours,
                        "label": c.label,
                    }
                    for c in prop.terms.commitments
                )
                self.emit(
                    AgreementMade,
                    id=pid,
                    title=prop.title,
                    parties=prop.parties,
                    commitments=commitments,
                )
                for eff in prop.terms.effects:
                    self.change(runtime_effect(self.world, eff), f"agreement:{pid}")
            elif r >= prop.expires:
                self.emit(ProposalClosed, id=pid, status="expired", parties=prop.parties)

    def _shift_factions(self) -> None:
        state = self.state
        values = state.values
        for actor, model in self.world.models.items():
            weights = state.factions[actor]
            for faction in model.factions:
                fid = faction.id
                weight = weights[fid]
                new = weight
                for shift in faction.shifts:
                    try:
                        held = shift.when.fn(values)
                    except (ArithmeticError, ValueError):  # stop with the condition named
                        where = ("when", "shift", actor, fid)
                        raise non_finite(self.world, state, shift.when, where) from None
                    if held:
                        new += shift.by
                new = round6(min(1.0, max(0.0, new)))
                if new != weight:
                    self.push(
                        _faction_shift(
                            len(self.log), float(self.env.now), state.round, actor, fid, new
                        )
                    )

    def _final_outcome(self) -> None:
        values = self.state.values
        for end in self.world.ends:
            try:
                held = end.when(values)
            except (ArithmeticError, ValueError) as exc:  # stop with the condition named
                raise self._condition_failed((end,), exc) from None
            if held:
                self.emit(
                    Ended,
                    round=self.world.scenario.clock.rounds,
                    outcome=end.spec.id,
                    title=end.spec.title,
                    reason="clock",
                )
                return
        self.emit(
            Ended,
            round=self.world.scenario.clock.rounds,
            outcome="unresolved",
            title="No end condition held",
            reason="clock",
        )

    # -- time ----------------------------------------------------------------------------------
    def advance(self, until: float) -> None:
        env = self.env
        while self.state.outcome is None and env.peek() <= until:
            env.step()
        if self.state.outcome is None and env.now < until:
            env.run(until=until)

    def _injects(self) -> Generator[simpy.Event, Any, None]:
        for inj in self.world.injects:
            delay = inj.spec.at - self.env.now
            if delay > 0:
                yield self.env.timeout(delay)
            if self.state.outcome is not None:
                return
            self._deliver(inj)

    def _deliver(self, inj: CompiledInject) -> None:
        spec = inj.spec
        self.emit(
            InjectDelivered,
            id=spec.id,
            title=spec.title,
            text=spec.text,
            audience=spec.audience if spec.audience == "public" else tuple(spec.audience),
            source="schedule",
        )
        for eff in inj.effects:
            self.change(eff, f"inject:{spec.id}")
        self._reveal(spec.reveals, spec.audience, f"inject:{spec.id}")

    def _reveal(self, names: Sequence[str], audience: Sequence[str] | str, source: str) -> None:
        """Tell ``audience`` the current values of ``names``."""
        if names:
            values = self.state.values
            self.emit(
                Revealed,
                audience="public" if audience == "public" else tuple(audience),
                values={canonical_name(n): values[canonical_name(n)] for n in names},
                source=source,
            )

    def _land(self, batch: list[tuple[str, tuple[BoundEffect, ...]]], _: simpy.Event) -> None:
        state = self.state
        for source, effects in batch:
            for eff in effects:
                if state.outcome is not None:
                    return
                self.change(eff, source)

    def _recheck(self, trigger: CompiledTrigger, _: simpy.Event) -> None:
        if self.state.outcome is None:
            self._guarded((trigger,))

    # -- changes -------------------------------------------------------------------------------
    def emit(self, cls: type[Event], **fields: Any) -> None:
        # seq, t and round are stamped here so that no caller can get them wrong.
        if "round" not in fields:
            fields["round"] = self.state.round
        self.push(cls(seq=len(self.log), t=float(self.env.now), **fields))

    def push(self, event: Event) -> None:
        # emit stamps seq, t and round; the hottest emitters (moves, rulings, effects) build
        # their events the same way, positionally, without the keyword round trip.
        state = self.state
        moved = event.t != state.t
        self.log.append(event)
        apply(state, event)
        if self.listeners:
            for listener in self.listeners:
                listener(event)
        if moved:
            watchers = self._watch_t
            if watchers:
                self._guarded(*watchers)

    def change(self, effect: BoundEffect, source: str) -> None:
        state = self.state
        if state.outcome is not None:
            return
        name = effect.name
        new, delta = effect_result(state.values, self._ranges, effect)
        if new != new:  # NaN: the amount was no finite number; a log must never hold one
            rec = state.moves.get(source)
            origin = source if rec is None else f"move:{rec.move}"
            raise non_finite(self.world, state, effect.amount, ("effect", origin, name))
        if delta == 0 and new == state.values[name]:
            return
        self.push(
            _effect_applied(
                len(self.log), float(self.env.now), state.round, source, name, new, delta
            )
        )
        watchers = self._watch.get(name)
        if watchers:
            self._guarded(*watchers)

    def _guarded(
        self, triggers: Iterable[CompiledTrigger], ends: Iterable[CompiledEnd] = ()
    ) -> None:
        """:meth:`check`, with a condition that cannot be computed now named (NonFinite)."""
        try:
            self.check(triggers, ends)
        except (ArithmeticError, ValueError) as exc:
            raise self._condition_failed((*triggers, *ends), exc) from None

    def _condition_failed(
        self, watchers: Iterable[CompiledTrigger | CompiledEnd], exc: Exception
    ) -> Exception:
        """What to raise when checking ``watchers`` raised ``exc``: a :class:`NonFinite` naming
        the condition that cannot be computed now (one mixing an integer too large for a float
        with a float, ``round(x, nan)``), else ``exc`` itself."""
        if isinstance(exc, NonFinite):
            return exc
        for item in watchers:
            try:
                item.when.fn(self.state.values)
            except (ArithmeticError, ValueError):
                kind = "end" if isinstance(item, CompiledEnd) else "trigger"
                return non_finite(self.world, self.state, item.when, ("when", kind, item.spec.id))
        return exc

    def check(self, triggers: Iterable[CompiledTrigger], ends: Iterable[CompiledEnd] = ()) -> None:
        """Fire the triggers that hold (and may fire now), then end the exercise if one of
        ``ends`` holds; triggers first, as they may change what the ends read."""
        state = self.state
        values = state.values
        fired = state.fired
        now = self.env.now  # the clock moves only between SimPy steps, never inside one
        for item in triggers:
            if state.outcome is not None:
                return
            spec = item.spec
            tid = spec.id
            last = fired.get(tid)
            if last is not None and (not spec.repeat or now - last < spec.cooldown or now == last):
                continue
            if not item.when.fn(values):
                continue
            self.push(_trigger_fired(len(self.log), float(now), state.round, tid))
            if spec.repeat:
                # Triggers are re-checked when a name they read changes; one that keeps holding
                # with nothing changing must still fire again once its cooldown is over.
                _After(self.env, spec.cooldown, partial(self._recheck, item))
            if spec.inject is not None:
                inj = spec.inject
                self.emit(
                    InjectDelivered,
                    id=f"trigger.{tid}",
                    title=inj.title,
                    text=inj.text,
                    audience=inj.audience if inj.audience == "public" else tuple(inj.audience),
                    source="trigger",
                )
            for eff in item.effects:
                self.change(eff, f"trigger:{tid}")
            if spec.inject is not None:
                self._reveal(spec.inject.reveals, spec.inject.audience, f"inject:trigger.{tid}")
        for end in ends:
            if state.outcome is not None:
                return
            if end.when.fn(values):
                self.emit(Ended, outcome=end.spec.id, title=end.spec.title, reason="condition")


class _After(simpy.Event):
    """Call ``then`` ``delay`` hours from now: a process that waits once, without the process.

    It starts the way SimPy starts a process (an urgent event now, which then schedules the
    timeout; see ``simpy.events.Initialize``), so every event keeps the place in SimPy's queue
    that the generator processes these replaced gave it, and the logs stay byte-identical.
    A process costs a generator, two resumptions and an end event more, several times a round.
    """

    def __init__(
        self, env: simpy.Environment, delay: float, then: Callable[[simpy.Event], None]
    ) -> None:
        self.env = env
        self.callbacks = [self._start]
        self._value = None
        self._ok = True
        self._delay = delay
        self._then = then
        env.schedule(self, URGENT)

    def _start(self, _: simpy.Event) -> None:
        self.env.timeout(self._delay).callbacks.append(self._then)


def _watchers(world: World) -> dict[str, Watchers]:
    """Each state name (``t`` for conditions that read none) to what reads it."""
    triggers: dict[str, list[CompiledTrigger]] = {}
    ends: dict[str, list[CompiledEnd]] = {}
    for trig in world.triggers:
        for name in trig.when.names or {"t"}:
            triggers.setdefault(name, []).append(trig)
    for end in world.ends:
        if end.spec.immediate:
            for name in end.when.names or {"t"}:
                ends.setdefault(name, []).append(end)
    return {
        name: (tuple(triggers.get(name, ())), tuple(ends.get(name, ())))
        for name in {**triggers, **ends}
    }
