"""The kept timeline of a growing feed gives exactly the entries of describing the whole feed
again, round after round, for control and for a seat; and a screen's log shows a window."""

from __future__ import annotations

from typing import Any

from sim.authoring.library import DEFAULT_SCENARIO
from sim.authoring.loader import bundled_catalogues, load_scenario
from sim.engine.build import build
from sim.engine.session import Session
from ui.tui.history import feed_ladder, ladder
from ui.tui.text import LOG_ROUNDS, Timeline, feed_timeline, recent_entries, timeline
from ui.tui.widgets.indicators import feed_rows, rows_for


def test_kept_timelines_equal_the_whole_feed_described_after_every_round() -> None:
    """Twelve rounds of the flagship scenario: after each, the kept entries of control and of
    every seat equal timeline() over the whole feed, with and without round headings, and so do
    the kept indicator histories and control's escalation ladder."""
    world = load_scenario(DEFAULT_SCENARIO)
    session = Session(world, 4)
    viewers: list[str | None] = [None, *world.actors]
    kept = {(v, r): Timeline(world, v, rounds=r) for v in viewers for r in (False, True)}
    while not session.over and session.round <= 12:
        session.close_round()
        for (viewer, rounds), tl in kept.items():
            events = session.view(viewer).events
            assert tl.update(events) == timeline(world, events, viewer, rounds=rounds)
            assert tl.update(events) is tl.entries  # nothing new: nothing redone
        for viewer in viewers:
            events = session.view(viewer).events
            assert feed_rows(world, viewer, events) == rows_for(world, viewer, events)
        events = session.view(None).events
        rounds = world.scenario.clock.rounds
        assert feed_ladder(world, events, rounds) == ladder(events, world.actors, rounds)


def event(kind: str, seq: int, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "seq": seq, "t": 6.0 * seq, "round": 1 + seq // 2, **fields}


def test_an_entry_is_described_again_when_its_source_arrives_later() -> None:
    """An override read before the move it names (and an answer before its proposal) is worded
    with the source once that arrives, as describing the whole feed would."""
    world = load_scenario(DEFAULT_SCENARIO)
    actor, other = world.actors[:2]
    move = world.usable[actor][0]
    feed = [
        event("override", 0, mid="m1", outcome="success", note=""),
        event("answer", 1, actor=other, proposal="p1", accept=True),
    ]
    tl = Timeline(world, None, rounds=True)
    assert tl.update(tuple(feed)) == timeline(world, feed, None, rounds=True)
    feed += [
        event(
            "move",
            2,
            mid="m1",
            actor=actor,
            move=move,
            target=None,
            escalation=1,
            category="x",
            visibility="public",
            by="computer",
        ),
        event(
            "message",
            3,
            mid="m2",
            sender=actor,
            to=[other],
            text="hi",
            proposal={"id": "p1", "title": "Hotline", "terms": {}},
        ),
    ]
    got = tl.update(tuple(feed))
    assert got == timeline(world, feed, None, rounds=True)
    assert "“Hotline”" in got[2][1] and "m1" not in got[1][1]


def test_another_feed_starts_over() -> None:
    """A feed that is not the continuation of the one read before is read from the start."""
    world = load_scenario(DEFAULT_SCENARIO)
    a, b = Session(world, 1), Session(world, 2)
    for s in (a, b):
        s.close_round()
        s.close_round()
    tl = Timeline(world, None)
    tl.update(a.view(None).events)
    events = b.view(None).events
    assert tl.update(events) == timeline(world, events, None)


def test_a_screen_log_shows_the_last_rounds_under_a_note() -> None:
    """Past LOG_ROUNDS rounds, the log shows the latest ones and says how many are left out."""
    world = load_scenario(DEFAULT_SCENARIO)
    sc = world.scenario
    ends = [e.model_copy(update={"immediate": False}) for e in sc.end_conditions]
    long = sc.model_copy(
        update={"clock": sc.clock.model_copy(update={"rounds": 60}), "end_conditions": ends}
    )
    profiles = {m.profile.id: m.profile for m in world.models.values()}
    built, problems = build(long, profiles, bundled_catalogues())
    assert built is not None, problems
    world = built
    session = Session(world, 1)
    while not session.over and session.round <= LOG_ROUNDS + 3:
        session.close_round()
    kept = feed_timeline(world, session.view(None).events, None, rounds=True)
    shown = recent_entries(kept)
    assert len(kept.starts) > LOG_ROUNDS
    assert "earlier round" in shown[0][1] and "not shown" in shown[0][1]
    assert sum(1 for _, line in shown if "── round" in line) == LOG_ROUNDS
    assert shown[-1] == kept.entries[-1]
