"""The rules in time: the only code that appends events to a session's log.

A :class:`Kernel` owns the SimPy environment (time only), the event log (the truth) and the state
folded from it. It delivers scheduled injects, lands move effects after their durations, checks
triggers and end conditions after every change, and closes rounds: the session hands it every
seat's orders in canonical order, and it rules on each move with keyed randomness, settles
proposals, shifts factions and runs the interval to the next decision point.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Sequence
from contextlib import suppress
from functools import partial
from math import nan
from typing import Any

import simpy
from simpy.events import NORMAL, URGENT

from sim.engine.adjudicate import breached, effect_result, non_finite, ruled
from sim.engine.decimals import HALF, LIMIT, MINUS_HALF, MINUS_LIMIT, SHIFT, round6
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
from sim.engine.expr import Fn, NonFinite, Value, canonical_name, compile_expr
from sim.engine.legality import runtime_effect
from sim.engine.policy import Decision
from sim.engine.state import APPLY, State, move_known, observe
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
_inject_delivered = positional(InjectDelivered)
_message_sent = positional(MessageSent)
_answered = positional(Answered)
_revealed = positional(Revealed)
_round_closed = positional(RoundClosed)

Watchers = tuple[tuple["_TriggerPlan", ...], tuple[CompiledEnd, ...]]
"""What to re-check when a name changes: its triggers, then its immediate end conditions."""

EffectPlan = tuple[
    str, bool, "Value | None", Fn, "tuple[float, float] | None", "Watchers | None", BoundEffect
]
"""An effect ready to land: (name, whether it sets, its constant amount as a float or None, the
amount's function, the name's range or None for a flag, what reads the name, the effect itself)."""

RoundOrders = Sequence[tuple[str, Orders | Decision, Seat]]
"""Every actor's orders for a round in canonical (scenario) order: (actor, the orders of a human
or script seat or the decision of a computer seat, seat)."""


class Kernel:
    """A session's log, state and clock, and the rules that change them.

    The hot paths read SimPy's clock as ``env._now``, what its ``now`` property returns, without
    the property call (about 70 reads a round). The clock starts at the float ``0.0``, so it is a
    float at every step (a time plus a delay), and the events take it as their ``t`` as it is:
    ``float()`` of a float is that very float, and a class call (~1% of the kernel's
    instructions, callgrind).
    """

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
        self.env = simpy.Environment(0.0)  # a float from the start, so is every time after
        self._landing: dict[float, list[tuple[str, tuple[EffectPlan, ...]]]] = {}
        plan = _Plan.of(world)
        self._plan = plan
        self._watch = plan.watch
        self._watch_t = plan.watch.get("t")
        self._ranges = world.ranges
        clock = world.scenario.clock  # this world's own (a shorter session's copy has another)
        self._round_hours = clock.round_hours
        self._rounds = clock.rounds
        self._settled: dict[str, float] = {}
        """Each faction's weight (the very object) when it was last clamped and rounded: while
        it stays that object and no shift applies, the round changes nothing."""
        self._inject_loop = self._injects()
        self.env.process(self._inject_loop)
        self.advance(0.0)
        self.check(plan.triggers, plan.immediate)

    def close_round(self, orders: RoundOrders) -> None:
        """Record the round's orders, rule on each move, settle proposals, and run the interval
        to the next decision point."""
        r, w, state = self.state.round, self.world, self.state
        t0 = self.env.now
        now = t0
        moves = self._plan.moves
        log = self.log
        pending: list[tuple[str, _MovePlan]] = []
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
                key = (actor, move, target)
                mp = moves.get(key)
                if mp is None:
                    mp = moves[key] = _MovePlan(self._plan, w.bound_move(actor, move, target))
                self.push(
                    _move_made(
                        len(log),
                        now,
                        r,
                        mid,
                        actor,
                        move,
                        target,
                        mp.escalation,
                        mp.category,
                        mp.visibility,
                        seat,
                        why[i - 1] if i <= len(why) else None,
                    )
                )
                pending.append((mid, mp))
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
                self.push(
                    _message_sent(
                        len(log),
                        self.env._now,
                        r,
                        f"c{r}.{actor}.{j}",
                        actor,
                        msg.to if msg.to == "public" else tuple(msg.to),
                        msg.text,
                        seat,
                        proposal,
                    )
                )
            for ans in actor_orders.answers:
                self.push(
                    _answered(len(log), self.env._now, r, actor, ans.proposal, ans.accept, seat)
                )
        self._landing = {}
        for mid, mp in pending:
            if state.outcome is not None:
                break
            self._resolve(mid, mp, t0)
        # One wait per landing time, in canonical move order: the same order as one per move
        # (SimPy runs same-time events first-in, first-out), fewer events. None once the
        # exercise has ended (a breach's trust change can end it): nothing would land (see _stop).
        if state.outcome is None:
            for delay, batch in self._landing.items():
                _After(self.env, delay, partial(self._land, batch))
        if state.proposals:
            self._settle_proposals(r)
        self.advance(t0 + self._round_hours)
        self._shift_factions()
        self.push(_round_closed(len(log), self.env._now, r, "" if self.lean else state.digest()))
        if state.outcome is None and r >= self._rounds:
            self._final_outcome()

    # -- adjudication --------------------------------------------------------------------------
    def _resolve(self, mid: str, mp: _MovePlan, t0: float) -> None:
        state = self.state
        chance, roll, outcome, detected = ruled(self.world, state, self.seed, mid, mp.bound)
        self.push(
            _resolved(
                len(self.log),
                self.env._now,
                state.round,
                mid,
                mp.actor,
                mp.id,
                outcome,
                round6(chance),
                round6(roll),
                detected,
                t0 + mp.duration,
            )
        )
        if state.agreements and outcome != "cancelled":
            self._breaches(mid, mp)
        if mp.reveals and outcome == "success":
            rec = self.state.moves[mid]
            knowers = "public" if rec.visibility == "public" else sorted(rec.known_by)
            self._reveal(mp.reveals, knowers, mid)
        effects = (
            mp.effects if outcome == "success" else mp.on_failure if outcome == "failure" else ()
        )
        if effects:
            landing = self._landing.get(mp.duration)
            if landing is None:
                self._landing[mp.duration] = [(mid, effects)]
            else:
                landing.append((mid, effects))

    def _breaches(self, mid: str, mp: _MovePlan) -> None:
        actor = mp.actor
        for ag in breached(self.state, actor, mp.id, mp.tags):
            agreement = self.state.agreements[ag]
            self.emit(
                Breach,
                agreement=ag,
                actor=actor,
                mid=mid,
                move=mp.id,
                parties=agreement.parties,
            )
            penalty = self.world.scenario.relations.breach_penalty
            for other in agreement.parties:
                # A move breaks a promise only in the eyes of those who know of it: a secret one
                # for those who detected it, a target-only one for its target.
                if other != actor and move_known(self.state, mid, other):
                    a, b = sorted((actor, other))
                    self.change(
                        BoundEffect(f"trust.{a}.{b}", "add", compile_expr(-penalty, ())),
                        f"breach:{ag}",
                    )

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
        factions = state.factions
        settled = self._settled
        for key, actor, fid, shifts in self._plan.factions:
            weight = factions[actor][fid]
            new = weight
            for when, by, expr in shifts:
                try:
                    held = when(values)
                except (ArithmeticError, ValueError):  # stop with the condition named
                    where = ("when", "shift", actor, fid)
                    raise non_finite(self.world, state, expr, where) from None
                if held:
                    new += by
            if new is weight and settled.get(key) is weight:
                continue  # no shift, and already clamped and rounded: round6 gives it back
            # round6(min(1.0, max(0.0, new))), the same floats (NaN included: max gives 0.0)
            new = new if new > 0.0 else 0.0
            new = round6(new if new < 1.0 else 1.0)
            if new != weight:
                self.push(
                    _faction_shift(len(self.log), self.env._now, state.round, actor, fid, new)
                )
                settled[key] = new  # the object the state now holds
            else:
                settled[key] = weight  # it is what round6(clamp(.)) gives, so gives back

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
                self._stop()
                return
        self.emit(
            Ended,
            round=self.world.scenario.clock.rounds,
            outcome="unresolved",
            title="No end condition held",
            reason="clock",
        )
        self._stop()

    def _stop(self) -> None:
        """Once the exercise has ended nothing more happens in time (every callback and
        :meth:`advance` check the outcome first), so SimPy's pending events are dropped.

        Their callbacks hold the kernel, and they wait in the queue of the kernel's own
        environment: a reference cycle through the whole log and state, which only the garbage
        collector could free, after walking them (a finished lean run is ~1,000 such objects).
        Without it a finished session is freed as soon as its last reference goes. The
        scheduled injects' generator is closed for the same reason, unless it is running (this
        end came from one of its injects): then it returns by itself (see :meth:`_injects`)."""
        self.env._queue.clear()  # SimPy's heap of scheduled events
        with suppress(ValueError):  # it is running: the end came from one of its injects
            self._inject_loop.close()

    # -- time ----------------------------------------------------------------------------------
    def advance(self, until: float) -> None:
        env = self.env
        state = self.state
        step, queue = env.step, env._queue
        # SimPy's heap of (time, priority, id, event): ``peek()`` without the call
        while state.outcome is None and queue and queue[0][0] <= until:
            step()
        if state.outcome is None and env.now < until:
            env.run(until=until)

    def _injects(self) -> Generator[simpy.Event, Any, None]:
        for inj in self._plan.injects:
            delay = inj.at - self.env.now
            if delay > 0:
                yield self.env.timeout(delay)
            if self.state.outcome is not None:
                return
            self._deliver(inj)
            if self.state.outcome is not None:
                return  # no wait for the next one: see _stop

    def _deliver(self, inj: _InjectPlan) -> None:
        self.push(
            _inject_delivered(
                len(self.log),
                self.env._now,
                self.state.round,
                inj.id,
                inj.title,
                inj.text,
                inj.audience,
                "schedule",
            )
        )
        source = inj.source
        for eff in inj.effects:
            self._change(eff, source)
        self._reveal(inj.reveals, inj.audience, source)

    def _reveal(self, names: Sequence[str], audience: Sequence[str] | str, source: str) -> None:
        """Tell ``audience`` the current values of ``names``."""
        if names:
            values = self.state.values
            self.push(
                _revealed(
                    len(self.log),
                    self.env._now,
                    self.state.round,
                    "public" if audience == "public" else tuple(audience),
                    {canonical_name(n): values[canonical_name(n)] for n in names},
                    source,
                )
            )

    def _land(self, batch: list[tuple[str, tuple[EffectPlan, ...]]], _: simpy.Event) -> None:
        state = self.state
        change = self._change
        for source, effects in batch:
            for eff in effects:
                if state.outcome is not None:
                    return
                change(eff, source)

    def _recheck(self, trigger: _TriggerPlan, _: simpy.Event) -> None:
        if self.state.outcome is None:
            self.check((trigger,))

    # -- changes -------------------------------------------------------------------------------
    def emit(self, cls: type[Event], **fields: Any) -> None:
        # seq, t and round are stamped here so that no caller can get them wrong.
        if "round" not in fields:
            fields["round"] = self.state.round
        self.push(cls(seq=len(self.log), t=self.env._now, **fields))

    def push(self, event: Event) -> None:
        # emit stamps seq, t and round; the hottest emitters (moves, rulings, effects) build
        # their events the same way, positionally, without the keyword round trip.
        state = self.state
        t = event.t
        moved = t != state.t
        self.log.append(event)
        # apply(state, event), inlined: its stamps, then its handler for the event's type
        state.seq = event.seq + 1
        if moved:
            state.t = t
            state.values["t"] = t
        APPLY[type(event)](state, event)
        if self.listeners:
            for listener in self.listeners:
                listener(event)
        if moved:
            watchers = self._watch_t
            if watchers:
                self.check(*watchers)

    def change(self, effect: BoundEffect, source: str) -> None:
        """Apply ``effect`` now (clamped, rounded; nothing recorded if nothing changes)."""
        self._change(self._plan.effect(effect), source)

    def _change(self, plan: EffectPlan, source: str) -> None:
        state = self.state
        if state.outcome is not None:
            return
        name, sets, constant, fn, span, watchers, effect = plan
        values = state.values
        old = values[name]
        if span is None or type(old) is not float:  # flags, integers: the general rule
            new, delta = effect_result(values, self._ranges, effect)
        else:
            # effect_result's arithmetic for a float, inlined with round6 (same floats, bit for
            # bit): this runs for every effect of every move, inject and trigger.
            try:
                new = constant if constant is not None else float(fn(values))
                if not sets:
                    new = old + new
            except (ArithmeticError, ValueError):  # an integer too large for a float
                new = nan
            if new - new:  # NaN or an infinity
                new = delta = nan
            else:
                lo, hi = span
                new = lo if new < lo else hi if new > hi else new
                if type(new) is float:  # round6(new)
                    p = new * 1e6
                    n = (p + SHIFT) - SHIFT
                    new = (
                        n / 1e6
                        if n and MINUS_HALF < p - n < HALF and MINUS_LIMIT < p < LIMIT
                        else round(new, 6)
                    )
                else:
                    new = round6(new)
                delta = new - old
                p = delta * 1e6  # round6(delta): new and old are floats, so is delta
                n = (p + SHIFT) - SHIFT
                delta = (
                    n / 1e6
                    if n and MINUS_HALF < p - n < HALF and MINUS_LIMIT < p < LIMIT
                    else round(delta, 6)
                )
        if new != new:  # NaN: the amount was no finite number; a log must never hold one
            rec = state.moves.get(source)
            origin = source if rec is None else f"move:{rec.move}"
            raise non_finite(self.world, state, effect.amount, ("effect", origin, name))
        if delta == 0 and new == old:
            return
        # push(), inlined with apply()'s case for an effect, in its order: about 30 a round
        log = self.log
        seq = len(log)
        now = self.env._now
        event = _effect_applied(seq, now, state.round, source, name, new, delta)
        log.append(event)
        state.seq = seq + 1
        moved = now != state.t
        if moved:
            state.t = now
            values["t"] = now
        values[name] = new
        sight = state.sight
        if sight is not None and name in sight.by_source:
            observe(state, event)
        if self.listeners:
            for listener in self.listeners:
                listener(event)
        if moved:
            at_t = self._watch_t
            if at_t:
                self.check(*at_t)
        if watchers:
            self.check(*watchers)

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

    def check(self, triggers: Iterable[_TriggerPlan], ends: Iterable[CompiledEnd] = ()) -> None:
        """Fire the triggers that hold (and may fire now), then end the exercise if one of
        ``ends`` holds; triggers first, as they may change what the ends read. A condition that
        cannot be computed now is named in the error (:class:`NonFinite`)."""
        try:
            state = self.state
            values = state.values
            fired = state.fired
            now = self.env._now  # the clock moves only between SimPy steps, never inside one
            for item in triggers:
                if state.outcome is not None:
                    return
                tid = item.id
                last = fired.get(tid)
                if last is not None and (
                    not item.repeat or now - last < item.cooldown or now == last
                ):
                    continue
                if not item.when(values):
                    continue
                self.push(_trigger_fired(len(self.log), now, state.round, tid))
                if item.repeat and state.outcome is None:
                    # Triggers are re-checked when a name they read changes; one that keeps holding
                    # with nothing changing must still fire again once its cooldown is over (not
                    # after the end, which its own event may have reached: see _stop).
                    _After(self.env, item.cooldown, partial(self._recheck, item))
                inj = item.inject
                if inj is not None:
                    self.push(
                        _inject_delivered(
                            len(self.log),
                            now,
                            state.round,
                            f"trigger.{tid}",
                            inj.title,
                            inj.text,
                            inj.audience if inj.audience == "public" else tuple(inj.audience),
                            "trigger",
                        )
                    )
                source = item.source
                for eff in item.effects:
                    self._change(eff, source)
                if inj is not None:
                    self._reveal(inj.reveals, inj.audience, f"inject:trigger.{tid}")
            for end in ends:
                if state.outcome is not None:
                    return
                if end.when.fn(values):
                    self.emit(Ended, outcome=end.spec.id, title=end.spec.title, reason="condition")
                    self._stop()
        except (ArithmeticError, ValueError) as exc:
            # a condition that cannot be computed now, named (NonFinite)
            raise self._condition_failed((*(t.trigger for t in triggers), *ends), exc) from None


class _After(simpy.Event):
    """Call ``then`` ``delay`` hours from now: a process that waits once, without the process.

    It starts the way SimPy starts a process (an urgent event now, which then schedules the
    timeout; see ``simpy.events.Initialize``), so every event keeps the place in SimPy's queue
    that the generator processes these replaced gave it, and the logs stay byte-identical; the
    same event then waits as the timeout (see :meth:`_start`).
    A process costs a generator, two resumptions and an end event more, several times a round.
    """

    def __init__(
        self, env: simpy.Environment, delay: float, then: Callable[[simpy.Event], None]
    ) -> None:
        self.env = env
        # The function, not a bound method: SimPy passes the event to its callbacks, and a bound
        # method would be a cycle (the event holds it) that outlives a wait dropped unrun.
        self.callbacks = [_After._start]
        self._value = None
        self._ok = True
        self._delay = delay
        self._then = then
        env.schedule(self, URGENT)

    def _start(self) -> None:
        # The timeout, played by this event itself: SimPy's step has taken its callbacks (and
        # left None) before calling this one, and the entry pushed is the very one that
        # ``env.timeout(delay)`` would push (same time, priority and next id), so the queue's
        # order is unchanged, without a Timeout built and initialised (~1% of the kernel).
        delay = self._delay
        if delay < 0:
            raise ValueError(f"Negative delay {delay}")  # as Timeout says it
        self.callbacks = [self._then]
        self.env.schedule(self, NORMAL, delay)


class _TriggerPlan:
    """A trigger's fields as :meth:`Kernel.check` reads them, looked up once per world."""

    __slots__ = ("cooldown", "effects", "id", "inject", "repeat", "source", "trigger", "when")

    def __init__(self, trigger: CompiledTrigger) -> None:
        spec = trigger.spec
        self.trigger = trigger
        self.id = spec.id
        self.repeat = spec.repeat
        self.cooldown = spec.cooldown
        self.when = trigger.when.fn
        self.inject = spec.inject
        self.source = f"trigger:{spec.id}"
        self.effects: tuple[EffectPlan, ...] = ()  # filled in once every trigger has a plan


class _InjectPlan:
    """A scheduled inject's fields as :meth:`Kernel._deliver` reads them."""

    __slots__ = ("at", "audience", "effects", "id", "reveals", "source", "text", "title")

    def __init__(self, inj: CompiledInject, plan: _Plan) -> None:
        spec = inj.spec
        self.at = spec.at
        self.id = spec.id
        self.title = spec.title
        self.text = spec.text
        self.audience = spec.audience if spec.audience == "public" else tuple(spec.audience)
        self.reveals = spec.reveals
        self.source = f"inject:{spec.id}"
        self.effects = tuple(plan.effect(e) for e in inj.effects)


class _MovePlan:
    """A bound move's fields as the kernel reads them (one lookup a move, not six)."""

    __slots__ = (
        "actor",
        "bound",
        "category",
        "duration",
        "effects",
        "escalation",
        "id",
        "on_failure",
        "reveals",
        "tags",
        "visibility",
    )

    def __init__(self, plan: _Plan, bound: BoundMove) -> None:
        mt = bound.spec.type
        self.bound = bound
        self.actor = bound.actor
        self.id = mt.id
        self.escalation = mt.escalation
        self.category = mt.category
        self.visibility = mt.visibility
        self.duration = mt.duration
        self.tags = mt.tags
        self.reveals = bound.reveals
        self.effects = tuple(plan.effect(e) for e in bound.effects)
        self.on_failure = tuple(plan.effect(e) for e in bound.on_failure)


class _Plan:
    """Per-world tables for the kernel, built once (``World.memo``) and shared by its sessions:
    what reads each name, triggers, injects and moves with their effects ready to land, the
    factions' shift rules flattened."""

    __slots__ = (
        "built_from",
        "factions",
        "immediate",
        "injects",
        "moves",
        "ranges",
        "triggers",
        "watch",
    )

    @classmethod
    def of(cls, world: World) -> _Plan:
        plan = world.memo.get(_PLAN)
        # A world's copies share its memo (``session.with_rounds`` changes only the clock, which
        # no plan holds): a plan serves every world built from the very same parts.
        if not isinstance(plan, _Plan) or not all(
            a is b
            for a, b in zip(
                plan.built_from,
                (world.triggers, world.injects, world.ends, world.models, world.ranges),
                strict=True,
            )
        ):
            plan = world.memo[_PLAN] = cls(world)
        return plan

    def __init__(self, world: World) -> None:
        self.ranges = world.ranges
        self.triggers = tuple(_TriggerPlan(t) for t in world.triggers)
        self.immediate = tuple(e for e in world.ends if e.spec.immediate)
        self.watch = _watchers(self.triggers, self.immediate)
        for tp in self.triggers:
            tp.effects = tuple(self.effect(e) for e in tp.trigger.effects)
        self.injects = tuple(_InjectPlan(inj, self) for inj in world.injects)
        self.built_from = (world.triggers, world.injects, world.ends, world.models, world.ranges)
        self.moves: dict[tuple[str, str, str | None], _MovePlan] = {}
        self.factions = tuple(
            (
                f"{actor}.{faction.id}",
                actor,
                faction.id,
                tuple((s.when.fn, s.by, s.when) for s in faction.shifts),
            )
            for actor, model in world.models.items()
            for faction in model.factions
        )

    def effect(self, effect: BoundEffect) -> EffectPlan:
        """``effect`` ready for :meth:`Kernel._change`."""
        amount = effect.amount
        constant = amount.constant
        if constant is not None:
            try:
                constant = float(constant)  # once here, not at every landing
            except (ArithmeticError, ValueError):  # too large: the function raises it when used
                constant = None
        return (
            effect.name,
            effect.op == "set",
            constant,
            amount.fn,
            self.ranges.get(effect.name),
            self.watch.get(effect.name),
            effect,
        )


_PLAN = "sitroom:kernel-plan"


def _watchers(
    triggers: tuple[_TriggerPlan, ...], ends: tuple[CompiledEnd, ...]
) -> dict[str, Watchers]:
    """Each state name (``t`` for conditions that read none) to what reads it."""
    by_trigger: dict[str, list[_TriggerPlan]] = {}
    by_end: dict[str, list[CompiledEnd]] = {}
    for trig in triggers:
        for name in trig.trigger.when.names or {"t"}:
            by_trigger.setdefault(name, []).append(trig)
    for end in ends:
        for name in end.when.names or {"t"}:
            by_end.setdefault(name, []).append(end)
    return {
        name: (tuple(by_trigger.get(name, ())), tuple(by_end.get(name, ())))
        for name in {**by_trigger, **by_end}
    }
