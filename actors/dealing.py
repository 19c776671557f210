"""How a profile player deals in agreements: what a commitment of mutual restraint is worth to it,
whether to propose one, how to answer one, and what breaking one costs.

Everything is judged on the seat's beliefs and on public knowledge (the move catalogue and the
profiles, which players may read in ``sitroom actors show``), never on the true state. A
commitment forbids move tags (or move ids); its worth to an actor is the harm it expects to be
spared from the other parties' forbidden moves (each weighed by that party's escalation
tendency, the likelihood it would use them) less the best of its own forbidden options it gives
up this round.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter, mul
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from sim.engine.expr import Value
from sim.engine.view import ProposalView, View, expected_on
from sim.engine.world import BoundMove, World
from sim.models.script import AnswerOrder, Commitment, MessageOrder, ProposalSpec, Terms

if TYPE_CHECKING:
    from actors.profile import ProfilePolicy

PROPOSE_MIN = 0.01
"""Net worth (utility units) a restraint deal must have for its proposer to offer it."""
LIKELIHOOD = 0.05
"""Chance a round that a party makes its worst forbidden move, at escalation tendency 1: the
catastrophes restraint guards against are rare, and their full cost would drown every other
consideration."""
TRUST_MIN = 40.0
"""Trust (0-100) below which an actor does not bother proposing: the offer would be refused."""
DEAL_ROUNDS = 3
"""Rounds a proposed commitment of restraint holds."""
BREACH_SCALE = 0.06
"""Utility an actor with ``keep_agreements`` 1 (short of never) would give up to keep its word."""


def forbids(forbid: Iterable[str], move: str, tags: Iterable[str]) -> bool:
    """Whether a commitment forbidding ``forbid`` covers a move with these tags (the engine's
    rule, :func:`sim.engine.adjudicate.breached`)."""
    f = set(forbid)
    return move in f or any(t in f for t in tags)


def static_coefficients(world: World, actor: str) -> dict[str, float]:
    """Utility per unit change of each state name for ``actor`` by its profile's base weights
    (public: what another player can know of its interests, without its factions' mix)."""
    key = ("static-coefficients", actor)
    out: dict[str, float] | None = world.memo.get(key)
    if out is None:
        out = {}
        for item in world.models[actor].interests:
            for want in item.wants:
                out[want.name] = out.get(want.name, 0.0) + item.weight * want.signed_weight
        world.memo[key] = out
    return out


def deal_moves(world: World, actor: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """``actor``'s usable moves with their tags, in catalogue order (memoised per world)."""
    key = ("deal-moves", actor)
    out: tuple[tuple[str, frozenset[str]], ...] | None = world.memo.get(key)
    if out is None:
        out = tuple((m, frozenset(world.moves[m].type.tags)) for m in world.usable[actor])
        world.memo[key] = out
    return out


def change_bounds(
    world: World, actor: str, move: str
) -> tuple[tuple[tuple[str, float, float], ...], ...]:
    """Per target of ``actor``'s ``move``, per effect: the state name and the least and most it
    can change it, whatever the (in-range) state (memoised per world). A constant addition moves
    a name between 0 and its amount (clamping only shortens it), a flag by at most 1, anything
    else by at most its range; a little is added for the engine's rounding."""
    key = ("deal-bounds", actor, move)
    out: tuple[tuple[tuple[str, float, float], ...], ...] | None = world.memo.get(key)
    if out is None:
        per_target = []
        for target in world.targets(actor, move):
            bm = world.bound_move(actor, move, target)
            spans: list[tuple[str, float, float]] = []
            for eff in (*bm.effects, *bm.on_failure):
                rng = world.ranges.get(eff.name)
                const = eff.amount.constant
                if rng is None:
                    lo, hi = -1.0, 1.0
                elif eff.op == "add" and isinstance(const, int | float):
                    lo, hi = min(0.0, float(const)), max(0.0, float(const))
                else:
                    lo, hi = rng[0] - rng[1], rng[1] - rng[0]
                spans.append((eff.name, lo - 1e-6, hi + 1e-6))
            per_target.append(tuple(spans))
        out = tuple(per_target)
        world.memo[key] = out
    return out


def weighed_bounds(
    world: World, actor: str, move: str, weighs: frozenset[str]
) -> tuple[tuple[tuple[str, float, float], ...], ...]:
    """:func:`change_bounds` of the names in ``weighs`` alone, in the same order (memoised per
    world, actor, move and set of names)."""
    key = ("deal-weighed-bounds", actor, move, weighs)
    out: tuple[tuple[tuple[str, float, float], ...], ...] | None = world.memo.get(key)
    if out is None:
        out = tuple(
            tuple(span for span in spans if span[0] in weighs)
            for spans in change_bounds(world, actor, move)
        )
        world.memo[key] = out
    return out


BoundTable = tuple[tuple[tuple[str, float, float], ...], ...]


def bound_table(
    world: World, other: str, forbid: Iterable[str], weighs: frozenset[str] | None
) -> BoundTable | None:
    """The spans of :func:`Outlook.harm_bound`'s loop, made once per world, other actor,
    forbid list and set of weighed names: the targets of every move of ``other``'s that
    ``forbid`` covers, each target's spans (of the names in ``weighs``, or all) as (name,
    -lo, -hi), a target whose spans another target has already given left out (the bound is
    their maximum). None when a span's bounds are not lo < 0 < hi (the general loop then)."""
    key = (other, tuple(forbid), weighs)
    memo: dict[tuple[str, tuple[str, ...], frozenset[str] | None], BoundTable | None]
    memo = world.memo.setdefault("deal-bound-tables", {})
    if key in memo:
        return memo[key]
    targets: dict[tuple[tuple[str, float, float], ...], None] = {}
    for move in covered(world, other, key[1]):
        per_target = (
            change_bounds(world, other, move)
            if weighs is None
            else weighed_bounds(world, other, move, weighs)
        )
        for spans in per_target:
            targets[spans] = None
    table: BoundTable | None = tuple(
        tuple((n, -lo, -hi) for n, lo, hi in spans) for spans in targets
    )
    if not all(lo < 0.0 < hi for spans in targets for _n, lo, hi in spans):
        table = None
    memo[key] = table
    return table


def _table_worst(table: BoundTable, coef: Mapping[str, float]) -> float:
    """:func:`_worst_bound` from a :func:`bound_table`: the same float. Each effect's expected
    share lies between 0 and its own change, so it takes away at most max(0.0, -k * lo,
    -k * hi), which (lo < 0 < hi) is k * -lo for k > 0 and k * -hi for k < 0 (the same float:
    a product's sign is exact), nothing for k 0 (or NaN); added in the spans' order from 0.0."""
    worst = 0.0
    get = coef.get
    for spans in table:
        loss = 0.0
        for n, neg_lo, neg_hi in spans:
            k = get(n)
            if k:
                if k > 0.0:
                    loss += k * neg_lo
                elif k < 0.0:
                    loss += k * neg_hi
        if loss > worst:  # worst = max(worst, loss): no NaN, so in any order
            worst = loss
    return worst


def _worst_bound(
    world: World,
    coef: Mapping[str, float],
    other: str,
    forbid: Iterable[str],
    weighs: frozenset[str] | None,
) -> float:
    """The worst loss :func:`Outlook.harm_bound` bounds, by the general loop (any bounds)."""
    worst = 0.0
    get = coef.get
    for move in covered(world, other, forbid):
        per_target = (
            change_bounds(world, other, move)
            if weighs is None
            else weighed_bounds(world, other, move, weighs)
        )
        for spans in per_target:
            loss = 0.0
            for n, lo, hi in spans:
                k = get(n)
                if k:
                    # loss += max(0.0, a, b), with max's comparisons (adding 0.0 to a sum of
                    # non-negative terms from 0.0 changes nothing).
                    a = -k * lo
                    b = -k * hi
                    if a > 0.0:
                        loss += b if b > a else a
                    elif b > 0.0:
                        loss += b
            if loss > worst:  # worst = max(worst, loss)
                worst = loss
    return worst


def move_tags(world: World) -> dict[str, frozenset[str]]:
    """Every move's commitment tags as a set (memoised per world)."""
    out: dict[str, frozenset[str]] | None = world.memo.get("deal-move-tags")
    if out is None:
        out = {m: frozenset(spec.type.tags) for m, spec in world.moves.items()}
        world.memo["deal-move-tags"] = out
    return out


def covered_ids(world: World, forbid: Iterable[str]) -> frozenset[str]:
    """Every move id a commitment forbidding ``forbid`` (move ids or tags) covers, whoever makes
    it (memoised per world and forbid list: a game weighs the same few again and again)."""
    key = tuple(forbid)
    memo: dict[tuple[str, ...], frozenset[str]] = world.memo.setdefault("deal-covered-ids", {})
    out = memo.get(key)
    if out is None:
        f = set(key)
        out = frozenset(
            m for m, tags in move_tags(world).items() if m in f or not f.isdisjoint(tags)
        )
        memo[key] = out
    return out


def covered(world: World, actor: str, forbid: Iterable[str]) -> tuple[str, ...]:
    """``actor``'s usable moves that a commitment forbidding ``forbid`` covers, in catalogue
    order (memoised per world, actor and forbid list)."""
    key = (actor, tuple(forbid))
    memo: dict[tuple[str, tuple[str, ...]], tuple[str, ...]]
    memo = world.memo.setdefault("deal-covered", {})
    out = memo.get(key)
    if out is None:
        ids = covered_ids(world, key[1])
        out = memo[key] = tuple(m for m, _tags in deal_moves(world, actor) if m in ids)
    return out


def given_up(world: World, forbid: Iterable[str], own_best: Mapping[str, float]) -> float:
    """The best of an actor's own options (scores by move id) that ``forbid`` covers, or 0."""
    ids = covered_ids(world, forbid)
    # max([0.0, *scores of the covered moves]): a score replaces the best so far only when it
    # is greater (as in builtin max), so from 0.0 the answer is the greatest score above 0.0
    # whatever the order (a NaN or a zero never replaces it), and the shorter side is walked.
    best = 0.0
    if len(ids) < len(own_best):
        get = own_best.get
        for move in ids:
            score = get(move)
            if score is not None and score > best:
                best = score
    else:
        for move, score in own_best.items():
            if score > best and move in ids:
                best = score
    return best


AHEAD_MEMO = 64
"""Expected changes kept per (move, target) and set of weighed names, for the beliefs met most
(the first come first: every game starts from the same state, and a batch plays thousands)."""


class _Ahead:
    """One (move, target) of another actor, for the look-ahead: its bound move, the state names
    its expected changes read, and the expected changes met before (:func:`expected_on` of the
    same values and the same weighed names gives the same floats: it reads nothing else)."""

    __slots__ = ("bound", "memo", "read")

    def __init__(self, bound: BoundMove) -> None:
        self.bound = bound
        names: set[str] = set(bound.chance.names)
        for eff in (*bound.effects, *bound.on_failure):
            names.add(eff.name)
            names |= eff.amount.names
        read = sorted(names)
        self.read: Callable[[Mapping[str, Value]], object] = (
            itemgetter(*read) if read else lambda _v: ()
        )
        self.memo: dict[tuple[object, object], tuple[tuple[str, ...], tuple[float, ...]]] = {}


def _aheads(world: World, actor: str, move: str) -> tuple[_Ahead, ...]:
    """``actor``'s ``move`` per target, for the look-ahead (memoised per world)."""
    key = ("deal-aheads", actor, move)
    out: tuple[_Ahead, ...] | None = world.memo.get(key)
    if out is None:
        out = tuple(_Ahead(world.bound_move(actor, move, t)) for t in world.targets(actor, move))
        world.memo[key] = out
    return out


class Outlook:
    """One seat's look-ahead on one set of beliefs: the worst loss each move it considers would
    cause an actor weighing state by a given ``coef`` (from the expected changes of the names
    that ``coef`` weighs), worked out once however many commitments a decision weighs (the
    values must not change)."""

    __slots__ = ("_losses", "_weighs", "values", "world")

    def __init__(self, world: World, values: Mapping[str, Value]) -> None:
        self.world = world
        self.values = values
        self._losses: dict[tuple[int, str, str], float] = {}
        self._weighs: dict[int, int] = {}

    def harm_bound(
        self,
        coef: Mapping[str, float],
        other: str,
        forbid: Iterable[str],
        weighs: frozenset[str] | None = None,
    ) -> float:
        """An upper bound of :func:`harm` that needs no look-ahead (a cheap test first).
        ``weighs``: names that hold every name ``coef`` weighs (not 0), when the caller knows
        them (the others' changes are left out before the loop instead of in it)."""
        world = self.world
        model = world.models.get(other)
        if model is None:
            return 0.0
        table = bound_table(world, other, forbid, weighs)
        if table is None:
            worst = _worst_bound(world, coef, other, forbid, weighs)
        else:
            worst = _table_worst(table, coef)
        return (worst * (1 + 1e-9) + 1e-12) * model.escalation * LIKELIHOOD

    def loss(self, coef: Mapping[str, float], other: str, move: str) -> float:
        """The worst loss (>= 0) over the targets of ``other``'s ``move``: the most utility
        (``coef`` per unit change) the expected changes of one of its targets take away."""
        cid = id(coef)
        memo_key = (cid, other, move)
        hit = self._losses.get(memo_key)
        if hit is not None:
            return hit
        world, values = self.world, self.values
        weighs = self._weighs.get(cid)
        if weighs is None:
            # The names coef weighs, as one number per tuple of names (a key of the memos).
            weighs = self._weighs[cid] = _weighs_token(world, tuple(coef))
        worst = 0.0
        weight = coef.__getitem__
        aheads = world.memo.get(("deal-aheads", other, move))  # _aheads' memo, read inline
        if aheads is None:
            aheads = _aheads(world, other, move)
        for ahead in aheads:
            try:
                key = (weighs, ahead.read(values))
            except KeyError:  # a name the beliefs lack: expected_on says what it says
                key = None
            seen = None if key is None else ahead.memo.get(key)
            if seen is None:
                # Only the names coef weighs: a name it does not weigh adds 0.0 * x, which
                # changes no sum but the sign of a zero (and -0.0 is no loss, as 0.0 is not).
                d = expected_on(world, values, ahead.bound, coef)
                seen = (tuple(d), tuple(d.values()))
                if key is not None and len(ahead.memo) < AHEAD_MEMO:
                    ahead.memo[key] = seen
            # -sum(coef[n] * x for n, x in d.items()): the same products, summed in order;
            # worst = max(worst, lost), which keeps worst unless lost is greater.
            lost = -sum(map(mul, map(weight, seen[0]), seen[1]))
            if lost > worst:
                worst = lost
        self._losses[memo_key] = worst
        return worst


def _weighs_token(world: World, names: tuple[str, ...]) -> int:
    """One number per tuple of names, for the memos' keys (memoised per world): a tuple of
    names in a key would be hashed name by name at every look-up."""
    memo: dict[tuple[str, ...], int] = world.memo.setdefault("deal-weighs", {})
    return memo.setdefault(names, len(memo))


def harms(
    world: World, coef: Mapping[str, float], other: str, forbid: Iterable[str], outlook: Outlook
) -> bool:
    """``harm(world, outlook.values, coef, other, forbid, outlook) > 0``, stopping at the first
    move that makes it so (a maximum times positive factors is above 0 when one of its terms,
    times them, is)."""
    model = world.models.get(other)
    if model is None:
        return False
    for move in covered(world, other, forbid):
        if outlook.loss(coef, other, move) * model.escalation * LIKELIHOOD > 0:
            return True
    return False


def harm(
    world: World,
    values: Mapping[str, Value],
    coef: Mapping[str, float],
    other: str,
    forbid: Iterable[str],
    outlook: Outlook | None = None,
) -> float:
    """The worst loss (>= 0) one of ``other``'s moves covered by ``forbid`` would cause an actor
    weighing state by ``coef``, times the chance ``other`` makes it in a round (its escalation
    tendency times :data:`LIKELIHOOD`). Pass an :class:`Outlook` on ``values`` (whose ``coef``
    stays the same object) to share the look-ahead between calls."""
    model = world.models.get(other)
    if model is None:
        return 0.0
    if outlook is None:
        outlook = Outlook(world, values)
    worst = 0.0
    for move in covered(world, other, forbid):
        # max of maxima over targets: the same float as the maximum over every target
        worst = max(worst, outlook.loss(coef, other, move))
    return worst * model.escalation * LIKELIHOOD


def tags_of(world: World, actor: str) -> tuple[str, ...]:
    """Commitment tags ``actor``'s usable moves carry, sorted (memoised per world)."""
    key = ("deal-tags", actor)
    out: tuple[str, ...] | None = world.memo.get(key)
    if out is None:
        out = tuple(sorted({t for m in world.usable[actor] for t in world.moves[m].type.tags}))
        world.memo[key] = out
    return out


@dataclass(frozen=True, slots=True)
class Worth:
    """What a commitment is worth to one actor, in parts, for its rationale."""

    spared: float
    """Harm it expects to be spared from the other parties."""
    given_up: float
    """The best of its own forbidden options it gives up."""

    @property
    def net(self) -> float:
        """Spared less given up."""
        return self.spared - self.given_up


def worth(
    world: World,
    values: Mapping[str, Value],
    coef: Mapping[str, float],
    actor: str,
    bound: Iterable[str],
    forbid: Iterable[str],
    own_best: Mapping[str, float],
    outlook: Outlook | None = None,
) -> Worth:
    """The worth to ``actor`` of a commitment binding ``bound`` not to use ``forbid``;
    ``own_best`` is its best score this round by move id."""
    f = tuple(forbid)
    spared = sum(harm(world, values, coef, b, f, outlook) for b in bound if b != actor)
    given = given_up(world, f, own_best) if actor in bound else 0.0
    return Worth(spared, given)


def tag_words(tags: Iterable[str]) -> str:
    """Commitment tags in plain words: 'strike or forces north'."""
    return " or ".join(t.replace("_", " ") for t in tags)


def answer(
    player: ProfilePolicy,
    view: View,
    prop: ProposalView,
    best_by_move: Mapping[str, float],
    values: Mapping[str, Value] | None = None,
) -> tuple[AnswerOrder, MessageOrder | None]:
    """Accept a proposal whose terms are worth more than the freedom its commitments cost;
    when they are not but part of them would be, reject and counter with that part.
    ``values``: the view's beliefs (``view.believed``), when the caller has them already."""
    if values is None:
        values = view.believed
    coef = player._coef
    utility = 0.0
    for eff in prop.terms.effects:
        adds = bool(eff.change)
        name = eff.name
        amount = eff.by if adds else eff.to
        if name in coef and isinstance(amount, int | float) and not isinstance(amount, bool):
            delta = float(amount) if adds else float(amount) - float(values[name])
            utility += coef[name] * delta
    world, actor = player.world, player.actor
    outlook = Outlook(world, values)
    commitments = prop.terms.commitments
    a, b = sorted((player.actor, prop.sender))
    trust = float(values.get(f"trust.{a}.{b}", 50.0))
    trusting = (trust - 50) / 50 * 0.01
    # The utility with no harm spared first (0 for each worth's spared part): each commitment
    # spares a finite amount >= 0 (losses are finite maxima from 0.0), and float addition and
    # subtraction never decrease when an operand grows, so the utility is at least this; when
    # that is enough to accept (70% of answers: nothing of its own given up, and trust), the
    # look-ahead is not needed.
    least = utility
    for c in commitments:
        bound = prop.parties if c.bound == "all" else tuple(c.bound)
        least += 0 - (given_up(world, c.forbid, best_by_move) if actor in bound else 0.0)
    if least + trusting >= 0:
        accept = True
    else:
        for c in commitments:
            bound = prop.parties if c.bound == "all" else tuple(c.bound)
            w = worth(world, values, coef, actor, bound, c.forbid, best_by_move, outlook)
            utility += w.net
        utility += trusting
        accept = utility >= 0
    counter = None
    every = {t for c in commitments for t in c.forbid}
    # A counter keeps the tags worth keeping alone, when that is some but not all of them: only
    # a refused two-party proposal of two tags or more can have one (most are accepted), so the
    # tags are weighed one by one only then.
    if not accept and len(every) > 1 and len(prop.parties) == 2:
        keepable: list[str] = []
        for c in commitments:
            bound = prop.parties if c.bound == "all" else tuple(c.bound)
            for tag in c.forbid:
                part = worth(world, values, coef, actor, bound, (tag,), best_by_move, outlook)
                if part.net > 0:
                    keepable.append(tag)
        if keepable and set(keepable) != every:
            counter = offer(player, prop.sender, tuple(sorted(set(keepable))), view, counter=True)
    return answer_order(prop.id, accept), counter


def due(player: ProfilePolicy, r: int) -> bool:
    """Whether :func:`propose` would look for a deal in round ``r``: at most one proposal every
    ``propose_every`` rounds, and a look every ``propose_every`` rounds."""
    every = player.negotiation.propose_every
    if r - player.considered < every:
        return False
    # (max(..., default=-100) would parse its keyword at every call: twice a decision.)
    proposed = player.proposed
    return r - (max(proposed.values()) if proposed else -100) >= every


_Tag = tuple[str, tuple[str], BoundTable | None, tuple[str, ...], tuple[str, ...]]
"""A tag another actor's moves carry, for :func:`propose`: the tag, the tag as a forbid list,
the harm bound's :func:`bound_table` over the proposer's weighed names, the other's moves it
covers and the proposer's own."""
_Party = tuple[str, str, dict[str, float], float, tuple[_Tag, ...]]
"""Another actor with a model, for :func:`propose`: its id, the state name of the pair's trust,
its :func:`static_coefficients`, its escalation tendency and its tags (:func:`tags_of`)."""


def _parties(world: World, actor: str, weighs: frozenset[str]) -> tuple[_Party, ...]:
    """What :func:`propose` reads of each other actor with a model, in ``world.actors`` order:
    all fixed for the world (memoised per actor and set of weighed names, as the profile
    player's tables are), so a look for a deal works none of it out again."""
    key = ("deal-parties", actor, weighs)
    out: tuple[_Party, ...] | None = world.memo.get(key)
    if out is None:
        rows = []
        for other in world.actors:
            if other == actor or other not in world.models:
                continue
            a, b = sorted((actor, other))
            tags = tuple(
                (
                    tag,
                    (tag,),
                    bound_table(world, other, (tag,), weighs),
                    covered(world, other, (tag,)),
                    covered(world, actor, (tag,)),
                )
                for tag in tags_of(world, other)
            )
            rows.append(
                (
                    other,
                    f"trust.{a}.{b}",
                    static_coefficients(world, other),
                    world.models[other].escalation,
                    tags,
                )
            )
        out = world.memo[key] = tuple(rows)
    return out


def propose(
    player: ProfilePolicy,
    view: View,
    best_by_move: Mapping[str, float],
    values: Mapping[str, Value] | None = None,
) -> MessageOrder | None:
    """A commitment of mutual restraint to the actor with whom it is worth most, if any is
    worth making, to an actor it trusts enough: at most one every ``propose_every`` rounds.
    ``values``: the view's beliefs (``view.believed``), when the caller has them already."""
    world, actor, r = player.world, player.actor, view.round
    if not due(player, r):
        return None  # also keeps the look-ahead below off most rounds
    player.considered = r
    if values is None:
        values = view.believed
    # What each tag would cost this player of its own options this round (asked once per
    # other actor that has the tag).
    given: dict[str, float] = {}
    busy = {p for ag in view.agreements for p in ag.parties}
    busy |= {p for pr in view.proposals for p in pr.parties}
    best: tuple[float, str, tuple[str, ...]] | None = None
    outlook = Outlook(world, values)
    coef, support = player._coef, player.support
    held = player.deal_bounds
    if held is None or held[0] is not coef:
        held = player.deal_bounds = (coef, {})
    bounds = held[1]
    loss = outlook.loss
    # (harms below reads the proposer's model as harm_bound reads the other's: it has one.)
    own_escalation = world.models[actor].escalation
    for other, trust, theirs, escalation, other_tags in _parties(world, actor, support):
        if other in busy or float(values.get(trust, 50.0)) < TRUST_MIN:
            continue
        tags = []
        for tag, forbid, table, their_moves, own_moves in other_tags:
            spare = bounds.get((other, tag))
            if spare is None:
                # outlook.harm_bound(coef, other, forbid, support), from the table it reads
                worst = (
                    _worst_bound(world, coef, other, forbid, support)
                    if table is None
                    else _table_worst(table, coef)
                )
                spare = bounds[other, tag] = (worst * (1 + 1e-9) + 1e-12) * escalation * LIKELIHOOD
            if spare <= PROPOSE_MIN:
                continue  # spare - own <= spare (own >= 0), below: its own options not asked
            own = given.get(tag)
            if own is None:
                own = given[tag] = given_up(world, forbid, best_by_move)
            if spare - own <= PROPOSE_MIN:
                continue  # could not be worth it even at the bound: no look-ahead needed
            # Would they gain too? Judged by their public interests, on this seat's beliefs:
            # harms(world, theirs, actor, forbid, outlook), its loop over the moves covered
            # (asked first: it stops at the first harmful move, and fails about half the time).
            for move in own_moves:
                if loss(theirs, actor, move) * own_escalation * LIKELIHOOD > 0:
                    break
            else:
                continue
            # worth(world, values, coef, actor, (actor, other), forbid, best_by_move, outlook)
            # .net, unrolled: the harm spared from the other party (harm's loop over the
            # moves the tag covers, a sum of one term), less what the tag costs of its own
            # options (given_up's answer, asked above).
            worst = 0.0
            for move in their_moves:
                worst = max(worst, loss(coef, other, move))
            net = sum((worst * escalation * LIKELIHOOD,)) - own
            if net > PROPOSE_MIN:
                tags.append(tag)
                kept = net
        if tags:
            # worth(world, values, coef, actor, (actor, other), tags, best_by_move, outlook)
            # .net: for one tag its net above; for more, the same unrolled over them all (the
            # losses are the outlook's already).
            forbid_all = tuple(tags)
            net = kept
            if len(tags) > 1:
                worst = 0.0
                for move in covered(world, other, forbid_all):
                    worst = max(worst, loss(coef, other, move))
                spared = sum((worst * escalation * LIKELIHOOD,))
                net = spared - given_up(world, forbid_all, best_by_move)
            if best is None or net > best[0]:
                best = (net, other, forbid_all)
    if best is None:
        return None
    return offer(player, best[1], best[2], view)


def offer(
    player: ProfilePolicy, other: str, tags: tuple[str, ...], view: View, *, counter: bool = False
) -> MessageOrder:
    player.proposed[other] = view.round
    words = tag_words(tags)
    hours = player.world.scenario.clock.round_hours * DEAL_ROUNDS
    title = f"Mutual restraint: no {words}"
    lead = "counters with mutual restraint" if counter else "proposes"
    text = (
        f"{player.short} {lead}: neither side uses {words} for {DEAL_ROUNDS} rounds "
        f"({player.short} gains more from {player.short_of.get(other, other)}'s restraint "
        "than it gives up)."
    )
    return restraint_message(other, text, title, tags, hours, f"no {words}")


def validated_message(
    to: str, text: str, title: str, forbid: tuple[str, ...], hours: float, label: str
) -> MessageOrder:
    """A message carrying a proposal of one commitment, validated field by field."""
    commitment = Commitment(forbid=list(forbid), hours=hours, label=label)
    spec = ProposalSpec(title=title, terms=Terms(commitments=[commitment]), expires_after=1)
    return MessageOrder(to=[to], text=text, proposal=spec)


M = TypeVar("M", bound=BaseModel)

_setattr = object.__setattr__


def _plain(cls: type[BaseModel], fields: tuple[str, ...]) -> bool:
    """Whether a ``cls`` is its ``__dict__`` (these fields, in this order) and its fields set
    alone: no aliases, no post-init, no root model, no extra or private attributes kept."""
    return (
        cls.__pydantic_post_init__ is None
        and not cls.__pydantic_root_model__
        and cls.model_config.get("extra") != "allow"
        and not cls.__private_attributes__
        and tuple(cls.model_fields) == fields
        and all(f.alias is None and f.validation_alias is None for f in cls.model_fields.values())
    )


_DIRECT = (
    _plain(Commitment, ("forbid", "bound", "hours", "label"))
    and _plain(Terms, ("effects", "commitments"))
    and _plain(ProposalSpec, ("title", "terms", "expires_after"))
    and _plain(MessageOrder, ("to", "text", "proposal"))
    and _plain(AnswerOrder, ("proposal", "accept"))
)


def _made(cls: type[M], values: dict[str, Any], given: set[str]) -> M:
    """A ``cls`` of ``values`` (every field, in order) with ``given`` as its fields set: what
    validating values already valid makes, without the validation."""
    out = cls.__new__(cls)
    _setattr(out, "__dict__", values)
    _setattr(out, "__pydantic_fields_set__", given)
    _setattr(out, "__pydantic_extra__", None)
    _setattr(out, "__pydantic_private__", None)
    return out


def restraint_message(
    to: str, text: str, title: str, forbid: tuple[str, ...], hours: float, label: str
) -> MessageOrder:
    """:func:`validated_message`'s message, built directly (four models a proposal, ~1% of a
    lean run validated): the ids are the world's actors and tags, ``hours`` a positive float,
    so validation would only strip the texts, which are checked to need none."""
    if not (
        _DIRECT
        and isinstance(hours, float)
        and hours > 0
        and forbid
        and all(x == x.strip() for x in (text, title, label))
    ):
        return validated_message(to, text, title, forbid, hours, label)
    commitment = _made(
        Commitment,
        {"forbid": list(forbid), "bound": "all", "hours": hours, "label": label},
        {"forbid", "hours", "label"},
    )
    terms = _made(Terms, {"effects": [], "commitments": [commitment]}, {"commitments"})
    spec = _made(
        ProposalSpec,
        {"title": title, "terms": terms, "expires_after": 1},
        {"title", "terms", "expires_after"},
    )
    return _made(
        MessageOrder, {"to": [to], "text": text, "proposal": spec}, {"to", "text", "proposal"}
    )


def answer_order(proposal: str, accept: bool) -> AnswerOrder:
    """``AnswerOrder.model_construct(proposal=proposal, accept=accept)``, built directly."""
    if not _DIRECT:
        return AnswerOrder.model_construct(proposal=proposal, accept=accept)
    return _made(AnswerOrder, {"proposal": proposal, "accept": accept}, {"proposal", "accept"})
