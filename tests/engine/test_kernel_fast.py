"""The kernel's shortcuts (issue 18) give what the plain rules give: the move chain hashed only
when a digest asks, faction weights skipped while nothing shifts them, per-world plans shared."""

from __future__ import annotations

import hashlib

from sim.authoring.loader import load_scenario
from sim.engine.events import FactionShift, Resolved
from sim.engine.kernel import Kernel, _Plan
from sim.engine.state import fold
from sim.record.runner import run

WORLD = load_scenario("korea-instability-2012")


def eager_chain(events: list[Resolved], known: dict[str, set[str]]) -> str:
    """The move chain as it was hashed before issue 18: one link per ruling, at once."""
    chain = ""
    for e in events:
        link = f"{e.mid}|{e.outcome}|{','.join(sorted(known[e.mid]))}"
        chain = hashlib.blake2b(f"{chain}|{link}".encode(), digest_size=12).hexdigest()
    return chain


def test_deferred_move_chain_equals_the_eager_one() -> None:
    session = run(WORLD, 3, lean=True)
    state = session.state
    resolved = [e for e in session.log if isinstance(e, Resolved)]
    assert resolved
    known = {mid: rec.known_by for mid, rec in state.moves.items()}
    assert state.moves_hash() == eager_chain(resolved, known)
    # and a fold of the same log, hashed in one go, agrees
    assert fold(WORLD, session.log).moves_hash() == state.moves_hash()


def test_faction_weights_are_clamped_and_rounded_each_shift() -> None:
    """Every recorded weight is its own round6(clamp(.)), the invariant the skip relies on."""
    shifts = 0
    for seed in range(6):
        for e in run(WORLD, seed, lean=True).log:
            if isinstance(e, FactionShift):
                shifts += 1
                assert 0.0 <= e.weight <= 1.0 and round(e.weight, 6) == e.weight
    assert shifts


def test_one_plan_per_world_and_the_same_log_from_a_fresh_one() -> None:
    kernel = Kernel(WORLD, 5, lean=True)
    assert kernel._plan is _Plan.of(WORLD)
    before = [e.to_dict() for e in run(WORLD, 5, lean=True).log]
    WORLD.memo.pop("sitroom:kernel-plan")
    assert [e.to_dict() for e in run(WORLD, 5, lean=True).log] == before


def test_a_shorter_copy_of_a_world_keeps_its_own_clock() -> None:
    """``with_rounds`` copies share the memo that holds the plan; the clock is not in it."""
    from sim.engine.events import Ended, RoundClosed
    from sim.engine.session import Session

    full = run(WORLD, 7, lean=True)  # the plan is built (or reused) for the full world
    assert _Plan.of(WORLD) is Kernel(WORLD, 7, lean=True)._plan
    short = Session(WORLD, 7, rounds=2, lean=True)
    while not short.over:
        short.close_round()
    closed = [e.round for e in short.log if isinstance(e, RoundClosed)]
    assert closed[-1] <= 2
    # Its briefings are retold (sim.engine.briefing), so its actor models are new objects and
    # it gets a plan of its own: never the full world's, whose clock runs longer.
    assert short.kernel._plan is _Plan.of(short.world)
    assert len([e for e in full.log if isinstance(e, RoundClosed)]) >= len(closed)
    (ended,) = [e for e in short.log if isinstance(e, Ended)]
    assert ended.round <= 2


def test_a_finished_session_is_freed_without_the_collector() -> None:
    """Once a run has ended the kernel drops SimPy's pending events, whose callbacks held it in a
    cycle: the session, its kernel and its log go with their last reference, the collector off
    (every bundled scenario, full and lean)."""
    import gc
    import weakref

    from sim.authoring import library

    ended = set()
    gc.collect()
    gc.disable()
    try:
        for sid in library.scenario_ids():
            world = load_scenario(sid)
            for lean in (False, True):
                for seed in range(4):
                    session = run(world, seed, lean=lean)
                    ended.add(session.log[-1].type == "ended")
                    kernel = weakref.ref(session.kernel)
                    del session
                    assert kernel() is None, (sid, lean, seed)
    finally:
        gc.enable()
    assert ended == {True, False}  # runs that ended last, and mid-round (the round closed after)
