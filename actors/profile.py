"""The profile-driven computer player.

Each round it scores every move the actor may take by the change it expects in its weighted
interests, using the engine's own effect model (``sim.engine.adjudicate.effect_result`` semantics:
amounts on the current state, clamped to declared ranges), then tempers the score by the actor's
risk tolerance and escalation tendency and its preferred instruments. A crossed red line forces
its response. It chooses with the engine's seeded stream (a softmax over scores), so play varies
by seed yet replays exactly, and records a one-line rationale per move.

Interest weights are a mixture over the actor's factions: each faction multiplies some interests,
and the factions' influence (which the engine shifts with events) sets the mix. This is how the
disputed ranking of China's priorities (S2 against E7/E8) is modelled.
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable, Mapping, Sequence
from itertools import compress

from actors import dealing, wording
from actors.candidates import Candidate, Fx
from actors.codegen import (
    ScoreAll,
    ScorePlanned,
    coefficients_source,
    compile_scoring,
    scoring_source,
)
from actors.memory import Memory
from sim.engine.clamp import clamp
from sim.engine.expr import Value
from sim.engine.policy import Decision, RedLineChoice
from sim.engine.rng import Stream
from sim.engine.view import View
from sim.engine.world import ActorModel, BoundEffect, World
from sim.models import Orders
from sim.models.script import (
    AnswerOrder,
    MessageOrder,
    MoveOrder,
)

TEMPERATURE = 0.004
"""Softmax temperature in utility units (a full-range swing of a weight-1 interest is 1.0)."""
ESCALATION_SCALE = 0.012
"""Utility per escalation level at the extremes of the escalation tendency."""
INSTRUMENT_BONUS = 0.004
"""Extra utility for a preferred category or favoured move."""
MESSAGE_EVERY = 3
"""Rounds between repeats of the same message rule."""
Weighed = tuple[dict[str, float], tuple[float, ...], tuple[float, ...] | None]
"""(utility per unit change by state name, the same for the tables' names in order, the
interests' weights in order or None when not worked out)."""
Coefficients = Callable[[Mapping[str, float], tuple[float, ...] | None], Weighed | None]
"""The generated ``coefficients(factions, scale)`` (:func:`actors.codegen.coefficients_source`)."""
REPEAT_FLOOR = 0.008
"""Utility a repeat costs on top of its lost share, so that moves worth little (or nothing but
their bias) also lose ground each time they are made again."""


def _delta(values: Mapping[str, Value], fx: Fx) -> float:
    """The change an effect would make now, as the engine would clamp it."""
    name, is_add, const, eff, lo, hi, is_flag = fx
    old = values[name]
    amount = const if const is not None else eff.amount(values)
    if is_flag:
        return float(bool(amount)) - float(old)
    new = old + amount if is_add else float(amount)
    return float(clamp(new, lo, hi) - old)


def _taken(c: Candidate, chosen: list[tuple[str, str | None]]) -> bool:
    return bool(chosen) and c.key in chosen


_setattr = object.__setattr__


def _plain(cls: type[Orders]) -> bool:
    """Whether ``model_construct`` of ``cls`` only sets its four attributes: no aliases, no
    post-init, no root model, no extra fields kept."""
    return (
        cls.__pydantic_post_init__ is None
        and not cls.__pydantic_root_model__
        and cls.model_config.get("extra") != "allow"
        and all(f.alias is None and f.validation_alias is None for f in cls.model_fields.values())
    )


_PLAIN_ORDERS = _plain(Orders) and list(Orders.model_fields) == ["moves", "messages", "answers"]


def _orders(
    moves: list[MoveOrder], answers: list[AnswerOrder], messages: list[MessageOrder]
) -> Orders:
    """``Orders.model_construct(moves=..., answers=..., messages=...)``, the same object made
    directly (a computer seat makes one a round; these orders come from legal candidates, not
    user input)."""
    if not _PLAIN_ORDERS:
        return Orders.model_construct(moves=moves, answers=answers, messages=messages)
    orders = Orders.__new__(Orders)
    _setattr(orders, "__dict__", {"moves": moves, "messages": messages, "answers": answers})
    _setattr(orders, "__pydantic_fields_set__", {"moves", "messages", "answers"})
    _setattr(orders, "__pydantic_extra__", None)
    _setattr(orders, "__pydantic_private__", None)
    return orders


@functools.lru_cache(maxsize=4096)
def _move_order(move: str, target: str | None) -> MoveOrder:
    # Shared between decisions: the engine only reads orders, and building one is not free.
    return MoveOrder.model_construct(move=move, target=target)


def _fx(world: World, support: frozenset[str], effects: tuple[BoundEffect, ...]) -> tuple[Fx, ...]:
    out = []
    for eff in effects:
        if eff.name not in support:
            continue
        lo, hi = world.ranges.get(eff.name, (0.0, 1.0))
        const = eff.amount.constant
        is_flag = isinstance(world.initial[eff.name], bool)
        out.append(
            (
                eff.name,
                eff.op == "add",
                None if const is None or isinstance(const, bool) else float(const),
                eff,
                lo,
                hi,
                is_flag,
            )
        )
    return tuple(out)


def _candidates(
    world: World,
    actor: str,
    categories: frozenset[str],
    favoured: frozenset[str],
    support: frozenset[str],
) -> list[Candidate]:
    """Everything about each usable (move, target) of ``actor`` fixed for the whole game."""
    model = world.models[actor]
    out = []
    for move in world.usable[actor]:
        spec = world.moves[move].type
        bias = spec.escalation / 10 * ESCALATION_SCALE * (model.escalation - 0.5) * 2
        if spec.category in categories:
            bias += INSTRUMENT_BONUS
        if move in favoured:
            bias += INSTRUMENT_BONUS
        for target in world.targets(actor, move):
            bound = world.bound_move(actor, move, target)
            win, lose = _fx(world, support, bound.effects), _fx(world, support, bound.on_failure)
            out.append(
                Candidate(
                    move,
                    target,
                    bound,
                    bound.requires,
                    None if bound.chance.constant is None else float(bound.chance.constant),
                    win,
                    lose,
                    bias,
                    not win and not lose,
                    (move, target),
                )
            )
    return out


class _Tables:
    """A profile player's parts fixed for its world: made once per world and actor (and kept in
    ``world.memo``), shared by every player of that actor in every run of the world."""

    def __init__(self, policy: ProfilePolicy) -> None:
        world, actor, model = policy.world, policy.actor, policy.model
        profile = model.profile
        self.short = profile.short
        inst = profile.instruments
        self.categories = frozenset(inst.categories) if inst else frozenset()
        self.favoured = frozenset(inst.moves) if inst else frozenset()
        self.keep = 1.0 - profile.tendencies.repetition
        self.variety = profile.tendencies.variety
        profile_lines = {rl.id: rl for rl in profile.red_lines}
        self.red_line_labels = {rid: rl.label for rid, rl in profile_lines.items()}
        self.blame: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        for rule in model.red_lines:
            by = profile_lines[rule.id].caused_by if rule.id in profile_lines else []
            if by:
                counted = tuple(
                    sorted(
                        n
                        for n in rule.when.names
                        if n not in ("round", "t") and not isinstance(world.initial.get(n), bool)
                    )
                )
                self.blame[rule.id] = (tuple(a for a in by if a in world.actors), counted)
        self.watched = frozenset(n for _a, ns in self.blame.values() for n in ns)
        self.reads_events = frozenset(
            {"breach", "proposal_closed"} | ({"move", "effect"} if self.watched else set())
        )
        self.short_of = {a: m.profile.short for a, m in world.models.items()}
        self.labels = {item.interest.id: item.interest.label for item in model.interests}
        self.support = frozenset(want.name for item in model.interests for want in item.wants)
        self.interests = tuple(
            (
                item.interest.id,
                item.weight,
                tuple((f.id, f.multipliers.get(item.interest.id, 1.0)) for f in model.factions),
                tuple((want.name, want.signed_weight) for want in item.wants),
            )
            for item in model.interests
        )
        self.candidates = tuple(
            _candidates(world, actor, self.categories, self.favoured, self.support)
        )
        names = sorted({fx[0] for c in self.candidates for fx in (*c.win, *c.lose)})
        self.names = tuple(names)
        risk = model.risk_tolerance
        floats = frozenset(n for n, v in world.initial.items() if type(v) is float)
        self.score_all: ScoreAll | None = compile_scoring(
            scoring_source(self.candidates, names, risk, floats=floats)
        )
        self.score_planned: ScorePlanned | None = compile_scoring(
            scoring_source(self.candidates, names, risk, planned=True, floats=floats),
            "score_planned",
        )
        source = coefficients_source(self.interests, names)
        self.coefficients: Coefficients | None = (
            None if source is None else compile_scoring(source, "coefficients")
        )
        self.by_key = {c.key: c for c in self.candidates}
        self.index = {c.key: i for i, c in enumerate(self.candidates)}
        """(move, target) -> position among the candidates (the plan's index)."""
        self.plans: dict[frozenset[tuple[str, str | None]], tuple[bool | None, ...]] = {}
        """Legal set -> the plan leaving out the candidates it does not hold: a game meets few
        legal sets, and the engine hands the same set object for the same ruling."""
        self.last_plan: tuple[frozenset[tuple[str, str | None]], tuple[bool | None, ...]] = (
            frozenset(),
            (),
        )
        """The legal set and plan last made (not found in ``plans``), to make the next from."""
        by_move: dict[str, list[int]] = {}
        for i, c in enumerate(self.candidates):
            by_move.setdefault(c.move, []).append(i)
        self.of_move = {m: tuple(ix) for m, ix in by_move.items()}
        """Move id -> positions of its candidates (those an agreement's forbidding covers)."""
        self.red_line_names = {rl.id: tuple(sorted(rl.when.names)) for rl in model.red_lines}
        """Red line id -> the names its condition reads, sorted (the rationale's "seen")."""
        wants_of: dict[str, list[tuple[str, float]]] = {}
        for iid, _weight, _mults, wants in self.interests:
            for name, signed in wants:
                wants_of.setdefault(name, []).append((iid, signed))
        self.wants_of = {n: tuple(parts) for n, parts in wants_of.items()}
        """State name -> (interest id, signed weight) of each want of it, in :meth:`gradient`'s
        order (interests, then their wants): one name's gradient without the others'."""

    def plan(self, legal: frozenset[tuple[str, str | None]]) -> tuple[bool | None, ...]:
        """None for each candidate in ``legal``, False for the others."""
        plan = self.plans.get(legal)
        if plan is None:
            last, before = self.last_plan
            if before:
                # From the last plan made: consecutive legal sets differ by a few keys (about
                # three in the default scenario), and set operations reuse the sets' stored
                # hashes where a test of every candidate hashes every key.
                made = list(before)
                index = self.index
                for key in legal ^ last:
                    i = index.get(key)
                    if i is not None:
                        made[i] = None if key in legal else False
                plan = tuple(made)
            else:
                plan = tuple(None if c.key in legal else False for c in self.candidates)
            self.last_plan = (legal, plan)
            if len(self.plans) < 4096:
                self.plans[legal] = plan
        return plan


Tempering = tuple[float | None, float, bool, float]
"""A candidate's plan when its score is tempered: (share kept by its repeats or None, the
repeats' floor cost, whether an agreement it keeps forbids it, how much it keeps its word)."""


def _temper_one(
    s: float,
    u: float,
    c: Candidate,
    plan: Tempering,
    add: Callable[[tuple[float, float, Candidate]], None],
    top: Callable[[float], None],
) -> None:
    """:meth:`ProfilePolicy._temper` for one option: its score lowered for repeats, then for
    breaking its word, or left out (called by the generated scorer with the score it made)."""
    k, cost, forbids, word = plan
    if k is not None:
        s = (s * k if s > 0 else s) - cost
    if forbids:
        if word >= 1:
            return
        s -= word * dealing.BREACH_SCALE
    add((s, u, c))
    top(s)


def _top_two(parts: Mapping[str, float]) -> tuple[tuple[str, float], ...]:
    """``tuple(sorted(((k, v) for k, v in parts.items() if v), key=lambda kv: -abs(kv[1]))[:2])``
    without the sort: the first item of greatest size, then the first of the greatest among the
    rest (a stable sort's order of ties). A NaN (which has no place in that order) is left to
    the sort itself."""
    first: tuple[str, float] | None = None
    second: tuple[str, float] | None = None
    top = runner = 0.0
    for kv in parts.items():
        v = kv[1]
        if not v:
            continue
        if v != v:
            ranked = sorted(((k, v) for k, v in parts.items() if v), key=lambda kv: -abs(kv[1]))
            return tuple(ranked[:2])
        a = v if v > 0.0 else -v
        if first is None or a > top:
            second, runner = first, top
            first, top = kv, a
        elif second is None or a > runner:
            second, runner = kv, a
    if first is None:
        return ()
    return (first,) if second is None else (first, second)


class ProfilePolicy:
    """Plays an actor by its profile: interests, red lines, instruments, tendencies, factions."""

    def __init__(self, world: World, actor: str) -> None:
        self.world = world
        self.actor = actor
        self.model: ActorModel = world.models[actor]
        # Everything fixed for the world is worked out once per world and actor and shared by
        # every player made for it (a batch makes six per run).
        key = ("profile-tables", actor)
        tables: _Tables | None = world.memo.get(key)
        if tables is None:
            tables = world.memo[key] = _Tables(self)
        self._tables = tables
        self.short = tables.short
        self.categories = tables.categories
        self.favoured = tables.favoured
        self.keep = tables.keep
        """Share of a move's worth left after each earlier use on the same target."""
        self.variety = tables.variety
        self.negotiation = self.model.profile.negotiation
        self.used: dict[tuple[str, str | None], int] = {}
        """(move, target) -> times this player has made it this game."""
        self._repeats_of: dict[tuple[str, str | None], int] = {}
        self._repeats: dict[int, Tempering] = {}
        """Candidate position -> its repeats' tempering, for the uses in ``_repeats_of`` (a
        copy of ``used`` when they are in step)."""
        self.scale: tuple[float, ...] | None = None
        """This game's draw of interest weight factors (within ``variety``), on first decision."""
        self.proposed: dict[str, int] = {}
        """Actor -> round of this player's last proposal to it."""
        self.red_line_labels = tables.red_line_labels
        self.blame = tables.blame
        """Red line id -> (actors whose moves count, names they count for), for red lines
        with ``caused_by``."""
        self.memory = Memory(tables.watched)
        self.reads_events = tables.reads_events
        """Event types the engine hands this player from its seat's events: breaches always,
        moves and effects only to blame harm on its cause (redacting them all costs time)."""
        self.reads_effects_on = self.memory.watched
        """The only names whose effects it reads (:class:`actors.memory.Memory` tallies no
        other): the engine leaves the rest out of its events."""
        self.considered = -100
        """Round it last looked for a deal to propose."""
        self.deal_bounds: tuple[dict[str, float], dict[tuple[str, str], float]] | None = None
        """Bounds of the harm each other actor's tag could do, for the weights they hold for
        (:func:`actors.dealing.propose`): they need no state, so they last while weights do."""
        self.short_of = tables.short_of
        self.crossed: set[str] = set()
        """Red lines already answered; one answer per crossing, re-armed when it un-crosses
        (a monotonic condition such as casualties would otherwise provoke every round)."""
        self.message_round: dict[int, int] = {}
        self.labels = tables.labels
        # Names any interest measures: effects on other names cannot change the utility, so the
        # look-ahead skips them (most moves touch a few names an actor does not weigh).
        self.support = tables.support
        # The interests as plain tuples, for the weights (worked out again whenever the
        # factions' influence shifts, which most rounds it does for some actor):
        # (id, base weight, ((faction id, multiplier), ...), ((state name, signed weight), ...)).
        self._interests = tables.interests
        self._ids = tuple(iid for iid, _w, _m, _wants in tables.interests)
        self.candidates: tuple[Candidate, ...] = tables.candidates
        self._names = tables.names
        self._by_key = tables.by_key
        self._score_all: ScoreAll = tables.score_all or self.score_each
        self._grad_key: tuple[float, ...] | None = None
        self._factions: Mapping[str, float] = {}
        self._grad_for: tuple[float, ...] | None = None
        self._grad: dict[str, list[tuple[str, float]]] = {}
        self._grad_of: dict[str, list[tuple[str, float]]] = {}
        """State name -> its :meth:`gradient` entry, for the names asked since the weights
        changed to those of ``_grad_of_key`` (:meth:`explain`)."""
        self._grad_of_key: object = object()
        """The weights key (``_grad_key``) of ``_grad_of``; at first none (not even None)."""
        self._weights_now: dict[str, float] = {}
        self._wants_of = tables.wants_of
        self._coef: dict[str, float] = {}
        self._kvec: tuple[float, ...] = ()
        self._wvec: tuple[float, ...] | None = None
        """The interests' weights now (``weights``' values in order), when the generated
        coefficients gave them."""
        self._gradients: dict[tuple[float, ...], Weighed]
        self._gradients = world.memo.setdefault(("profile-coefficients", actor), {})
        self.explain_moves = True
        """False in a lean session (batch runs): the rationale lines are left out."""

    def fork(self) -> ProfilePolicy:
        """A copy whose decisions do not touch this one's memory (for previews)."""
        twin = copy.copy(self)
        twin.crossed = set(self.crossed)
        twin.message_round = dict(self.message_round)
        twin.used = dict(self.used)
        twin._repeats_of = dict(self._repeats_of)
        twin._repeats = dict(self._repeats)
        twin.proposed = dict(self.proposed)
        twin.considered = self.considered
        twin.memory = self.memory.copy()
        return twin

    def _candidates(self) -> list[Candidate]:
        """Everything about each usable (move, target) that is fixed for the whole game."""
        return _candidates(self.world, self.actor, self.categories, self.favoured, self.support)

    # -- utility ---------------------------------------------------------------------------
    def weights(self, factions: Mapping[str, float]) -> dict[str, float]:
        """Effective interest weights: base weight times the faction-weighted multiplier."""
        total = sum(factions.values())
        out = {}
        for iid, weight, mults, _wants in self._interests:
            mult = 1.0
            if total > 0:
                mult = sum(factions[fid] * m for fid, m in mults) / total
            out[iid] = weight * mult
        if self.scale is not None:
            for (iid, w), k in zip(list(out.items()), self.scale, strict=True):
                out[iid] = w * k
        return out

    def gradient(self, weights: Mapping[str, float]) -> dict[str, list[tuple[str, float]]]:
        """State name -> [(interest id, utility per unit change)]."""
        grad: dict[str, list[tuple[str, float]]] = {}
        for iid, _weight, _mults, wants in self._interests:
            w = weights[iid]
            if w == 0:
                continue
            for name, signed in wants:
                parts = grad.get(name)
                if parts is None:
                    grad[name] = [(iid, w * signed)]
                else:
                    parts.append((iid, w * signed))
        return grad

    def _refresh(self, factions: Mapping[str, float]) -> None:
        # Faction weights change now and then, and runs of one world meet the same mixes again:
        # work the coefficients out again only when they change, from a per-world cache when it
        # has them, with the generated function when there is one (the same floats).
        key = tuple(factions.values()) + (self.scale or ())
        if key == self._grad_key:
            return
        self._grad_key = key
        self._factions = factions
        cache = self._gradients
        hit = cache.get(key)
        if hit is None:
            make = self._tables.coefficients
            hit = make(factions, self.scale) if make is not None else None
            if hit is None:
                grad = self.gradient(self.weights(factions))
                coef = {n: sum(g for _i, g in parts) for n, parts in grad.items()}
                hit = coef, tuple(coef.get(n, 0.0) for n in self._names), None
            if len(cache) < 4096 and not self.variety:
                cache[key] = hit
        self._coef, self._kvec, self._wvec = hit

    def gradients(self) -> dict[str, list[tuple[str, float]]]:
        """:meth:`gradient` of the weights now (for the rationale lines alone: the decisions
        read the coefficients), worked out when the weights have changed since the last ask."""
        if self._grad_for != self._grad_key:
            self._grad_for = self._grad_key
            w = self._wvec
            # The weights the generated coefficients worked out are weights()' floats.
            weights = (
                self.weights(self._factions) if w is None else dict(zip(self._ids, w, strict=True))
            )
            self._grad = self.gradient(weights)
        return self._grad

    def score(self, values: Mapping[str, Value], c: Candidate) -> tuple[float, float]:
        """(score, expected utility) of one candidate: risk-adjusted, escalation-tempered."""
        coef = self._coef
        p = clamp(c.chance if c.chance is not None else float(c.bound.chance.fn(values)), 0.0, 1.0)
        u_win = u_lose = 0.0
        for effects, win in ((c.win, True), (c.lose, False)):
            if not win and p >= 1:
                break
            for name, is_add, const, eff, lo, hi, is_flag in effects:
                k = coef.get(name)
                if not k:
                    continue
                # _delta inlined: the generated scorer is this loop unrolled, line for line.
                old = values[name]
                amount = const if const is not None else eff.amount.fn(values)
                if is_flag:
                    d = float(bool(amount)) - float(old)
                else:
                    new = old + amount if is_add else float(amount)
                    d = clamp(new, lo, hi) - old
                if win:
                    u_win += k * d
                else:
                    u_lose += k * d
        utility = p * u_win + (1 - p) * u_lose
        # Risk aversion: penalise the spread between success and failure.
        risk = (1 - self.model.risk_tolerance) * p * (1 - p) * abs(u_win - u_lose)
        return utility - risk + c.bias, utility

    def score_each(
        self,
        truth: Mapping[str, Value],
        values: Mapping[str, Value],
        _coefficients: Sequence[float],
        candidates: Sequence[Candidate],
    ) -> tuple[list[tuple[float, float, Candidate]], list[float]]:
        """What the generated scorer returns, option by option: the reference it is held to."""
        out = []
        for c in candidates:
            if c.requires is None or c.requires.fn(truth):
                out.append((c.bias, 0.0, c) if c.static else (*self.score(values, c), c))
        return out, [o[0] for o in out]

    def explain(self, values: Mapping[str, Value], c: Candidate) -> tuple[tuple[str, float], ...]:
        """The two interests that contribute most to a candidate's utility (for the rationale)."""
        x = c.chance if c.chance is not None else float(c.bound.chance.fn(values))
        p = 0.0 if x < 0.0 else 1.0 if x > 1.0 else x  # clamp(x, 0.0, 1.0), inlined
        parts: dict[str, float] = {}
        # gradients()[name] for the names the candidate's effects touch alone, each worked out
        # when first asked since the weights changed (the whole gradient was ~75k instructions
        # at each change, for the few names a rationale reads).
        if self._grad_of_key is not self._grad_key:  # (a new key is a new tuple)
            if self._grad_key is None:
                return ()  # no weights worked out yet: gradients() is empty
            self._grad_of_key = self._grad_key
            self._grad_of = {}
            wvec = self._wvec
            # The weights the generated coefficients worked out are weights()' floats.
            self._weights_now = (
                self.weights(self._factions)
                if wvec is None
                else dict(zip(self._ids, wvec, strict=True))
            )
        grad_of = self._grad_of
        for effects, w in ((c.win, p), (c.lose, 1 - p)):
            for name, is_add, const, eff, lo, hi, is_flag in effects:
                # _delta inlined (the same floats), its amount's expression called directly,
                # and clamp's expression too.
                old = values[name]
                amount = const if const is not None else eff.amount.fn(values)
                if is_flag:
                    d = (float(bool(amount)) - float(old)) * w
                else:
                    new = old + amount if is_add else float(amount)
                    d = float((lo if new < lo else hi if new > hi else new) - old) * w
                grad = grad_of.get(name)
                if grad is None:
                    grad = grad_of[name] = self._gradient_of(name)
                for iid, g in grad:
                    parts[iid] = parts.get(iid, 0.0) + g * d
        return _top_two(parts)

    def _gradient_of(self, name: str) -> list[tuple[str, float]]:
        """``gradient(weights)[name]`` (empty when absent) for the weights in ``_weights_now``:
        the same entries, floats and order."""
        weights = self._weights_now
        out = []
        for iid, signed in self._wants_of.get(name, ()):
            w = weights[iid]
            if w != 0:
                out.append((iid, w * signed))
        return out

    # -- decisions -------------------------------------------------------------------------
    def decide(self, view: View, rng: Stream) -> Decision:
        """Red-line responses first, then the best-scoring moves, answers, proposals, messages."""
        world, actor = self.world, self.actor
        if self.scale is None:
            # This game's line of play: the interests weighed within the room the profile
            # leaves, drawn once from the engine's stream.
            v = self.variety
            self.scale = tuple(1 + v * (2 * rng.random() - 1) for _ in self.model.interests)
        self.memory.update(actor, view.events)
        # Judgement uses what this seat believes; what it may do is the engine's ruling
        # (view.legal), so it plays only moves it believes possible and that are.
        values = view.believed
        legal = view.legal
        r = view.round
        self._refresh(view.factions)
        per_round = world.scenario.moves.per_round
        chosen: list[tuple[str, str | None]] = []
        why: list[str] = []
        crossings: list[RedLineChoice] = []

        tables = self._tables
        for red_line in self.model.red_lines:
            rid = red_line.id
            blame = self.blame.get(rid)
            read = values
            names = tables.red_line_names[rid]
            if blame is not None:
                # Harm counts only as caused by the named actors' moves, as this seat saw them.
                # The names the condition reads are enough (a copy of every value is not free).
                read = {n: values[n] for n in names if n in values}
                for n in blame[1]:
                    read[n] = self.memory.caused_by(n, blame[0])
                try:
                    holds = bool(red_line.when.fn(read))
                except KeyError:  # it reads a name it does not list: the whole state, then
                    read = dict(values)
                    for n in blame[1]:
                        read[n] = self.memory.caused_by(n, blame[0])
                    holds = bool(red_line.when.fn(read))
            else:
                holds = bool(red_line.when.fn(read))
            if not holds:
                self.crossed.discard(rid)  # re-armed: the next crossing provokes again
            if not holds or rid in self.crossed or len(chosen) >= per_round:
                continue
            for move in red_line.responses:
                aims = [t for t in world.targets(actor, move) if (move, t) in legal]
                aim = red_line.target
                target = aim if aim in aims else aims[0] if aims else ""
                if target != "" and (move, target) not in chosen:
                    chosen.append((move, target))
                    self.crossed.add(rid)
                    seen = {n: read[n] for n in names if n in read}
                    crossings.append(RedLineChoice(rid, seen, move, target))
                    why.append(wording.red_line_line(self, rid, move, target, seen, blame))
                    break

        # What self.score gives for each legal candidate not yet taken, tempered by _temper,
        # from the generated per-actor function (the reference's filters when there is none).
        scorer = tables.score_planned
        if scorer is not None and self._score_all is tables.score_all:
            plan = self._plan(legal, chosen, view)
            options, scores = scorer(values, self._kvec, self.candidates, plan, _temper_one)
        else:
            options, _scores = self._score_all(values, values, self._kvec, self.candidates)
            options = [o for o in options if o[2].key in legal]
            if chosen:  # red-line responses already taken (most rounds: none)
                options = [o for o in options if not _taken(o[2], chosen)]
            options = self._temper(options, view)
            scores = [o[0] for o in options]
        # The best score by move is read only to weigh a deal (answers, proposals).
        best_by_move: dict[str, float] = {}
        awaiting = view.awaiting_answer
        if awaiting or (self.negotiation.propose and dealing.due(self, r)):
            best_of = best_by_move.get
            for score, _u, c in options:
                # (the best kept are above 0.0: a score not above it is none; ~57% of them)
                if score > 0.0:
                    m = c.move
                    if score > best_of(m, 0.0):
                        best_by_move[m] = score
        exp, isfinite = math.exp, math.isfinite
        variety = self.variety
        near: list[tuple[float, float, Candidate]] = []
        weights: list[float] = []
        last = math.nan
        while len(chosen) < per_round and options:
            best = max(scores)
            if chosen and best <= 0:
                break  # a second move only when it is worth making
            if best != last:  # (after a pick, the same best leaves the same weights)
                # Options within the profile's variety of the best keep a fair chance (1/e).
                temp = max(TEMPERATURE, variety * abs(best))
                floor = best - 12 * temp
                # All near and all finite: the scores are the near ones' (a few rounds; in
                # most some option is far, which min finds without summing them all).
                if min(scores) >= floor and isfinite(sum(scores)):
                    near = options  # (one list: a pick is deleted from both at once)
                    weights = [exp((s - best) / temp) for s in scores]
                else:
                    keep = [s >= floor for s in scores]
                    near = list(compress(options, keep))
                    weights = [exp((s - best) / temp) for s in compress(scores, keep)]
                last = best
            # rng.weighted(near, weights), by position: no search for the pick afterwards.
            at = rng.weighted_index(weights)
            pick = near[at]
            del near[at], weights[at]
            if near is options:
                del scores[at]
            else:
                at = options.index(pick)
                del options[at], scores[at]
            c = pick[2]
            chosen.append(c.key)
            if self.explain_moves:
                # The first option with the best score, as max with a key would find it (the
                # scores are the options', in order): no key function called per option.
                runner = options[scores.index(max(scores))] if options else None
                why.append(wording.choice_line(self, values, pick, runner))
        used, in_step = self.used, self.used == self._repeats_of
        for key in chosen:
            times = used[key] = used.get(key, 0) + 1
            if in_step:
                self._repeats_of[key] = times
                self._repeat(key, times)

        answers: list[AnswerOrder] = []
        messages: list[MessageOrder] = []
        for prop in awaiting:
            answer, counter = dealing.answer(self, view, prop, best_by_move, values)
            answers.append(answer)
            if counter is not None:
                messages.append(counter)
        if not messages and self.negotiation.propose:
            offer = dealing.propose(self, view, best_by_move, values)
            if offer is not None:
                messages.append(offer)
        messages += self.messages(values, r)
        moves = [_move_order(m, t) for m, t in chosen]
        return Decision(
            _orders(moves, answers, messages),
            tuple(why),
            tuple(crossings),
        )

    def _plan(
        self,
        legal: frozenset[tuple[str, str | None]],
        chosen: list[tuple[str, str | None]],
        view: View,
    ) -> Sequence[Tempering | bool | None]:
        """The generated scorer's plan (:func:`actors.codegen.scoring_source`): False for each
        candidate not legal or already taken, the tempering :meth:`_temper` would give the
        others that have any, None for the rest."""
        tables = self._tables
        base = tables.plan(legal)
        forbidden = self._forbidden(view)
        used = self.used
        if not used and not forbidden and not chosen:
            return base
        plan: list[Tempering | bool | None] = list(base)
        index = tables.index
        for key in chosen:
            i = index.get(key)
            if i is not None:
                plan[i] = False
        if used != self._repeats_of:  # (decide keeps them in step: this is for other writers)
            self._repeats_of = dict(used)
            self._repeats = {}
            for key, n in used.items():
                self._repeat(key, n)
        for i, rep in self._repeats.items():
            if plan[i] is None:
                plan[i] = rep
        if forbidden:
            word = self.negotiation.keep_agreements
            of_move = tables.of_move
            for move in forbidden:
                for i in of_move.get(move, ()):
                    now = plan[i]
                    if now is None:
                        plan[i] = (None, 0.0, True, word)
                    elif now is not False:
                        plan[i] = (now[0], now[1], True, word)  # type: ignore[index]
        return plan

    def _repeat(self, key: tuple[str, str | None], n: int) -> None:
        """The tempering of ``key``'s candidate after ``n`` uses, as :meth:`_temper` works it."""
        i = self._tables.index.get(key)
        if i is not None:
            if n:
                k = self.keep**n
                self._repeats[i] = (k, (1 - k) * REPEAT_FLOOR, False, 0.0)
            else:
                self._repeats.pop(i, None)

    def _forbidden(self, view: View) -> set[str]:
        """Move ids an agreement this player still holds itself to forbids it now."""
        forbidden: set[str] = set()
        for ag in view.agreements:
            if ag.id in self.memory.broken:
                continue  # another party broke it first: no longer binding on this one
            for promise in ag.commitments:
                if promise.until >= view.t and (
                    promise.bound == "all" or self.actor in promise.bound
                ):
                    forbidden |= dealing.covered_ids(self.world, promise.forbid)
        return forbidden

    def _temper(
        self, options: list[tuple[float, float, Candidate]], view: View
    ) -> list[tuple[float, float, Candidate]]:
        """Scores lowered for repeats (each earlier use keeps ``1 - repetition`` of the worth)
        and for moves that would break an agreement this player still holds itself to."""
        forbidden = self._forbidden(view)
        used = self.used
        if not used and not forbidden:
            return options
        # The repeats' factors, for the few candidates used so far (looked up by identity).
        keep, by_key = self.keep, self._by_key
        repeat: dict[Candidate, tuple[float, float]] = {}
        for key, n in used.items():
            c = by_key.get(key)
            if c is not None and n:
                k = keep**n
                repeat[c] = (k, (1 - k) * REPEAT_FLOOR)
        word = self.negotiation.keep_agreements
        out = []
        for o in options:
            c = o[2]
            hit = repeat.get(c)
            forbids = forbidden and c.move in forbidden
            if hit is None and not forbids:
                out.append(o)
                continue
            s = o[0]
            if hit is not None:
                k, cost = hit
                s = (s * k if s > 0 else s) - cost
            if forbids:
                if word >= 1:
                    continue
                s -= word * dealing.BREACH_SCALE
            out.append(o if s == o[0] else (s, o[1], c))
        return out

    def messages(self, values: Mapping[str, Value], r: int) -> list[MessageOrder]:
        """At most one profile message a round, each rule repeated at most every few rounds."""
        for i, rule in enumerate(self.model.messages):
            if r - self.message_round.get(i, -MESSAGE_EVERY) < MESSAGE_EVERY:
                continue
            if rule.when.fn(values):
                self.message_round[i] = r
                to = rule.to
                return [MessageOrder(to=to if to == "public" else list(to), text=rule.text)]
        return []
