"""Numbered fog-of-war rules (R42 on): declared visibility, beliefs that update on observation,
reveals, red-line events and views as plain data. Each builds a tiny world (tests/worlds.py)."""

from __future__ import annotations

import json

from sim.engine.events import RedLineCrossed
from sim.engine.session import Session
from sim.engine.view import view_from_json
from sim.record.log import Log
from sim.record.runner import verify
from tests.engine.test_engine_rules import HUMANS, moves
from tests.worlds import CITE, profile, world

SET_ALARM = """
kind: catalogue
id: mini
title: Mini moves
moves:
  - {id: wait, name: Wait, category: diplomatic, escalation: 0}
  - id: whisper
    name: Whisper
    category: diplomatic
    escalation: 0
    target: actor
    visibility: target
    effects: [{set: flags.alarm, to: true}]
  - id: shout
    name: Shout
    category: information
    escalation: 1
    effects: [{set: flags.alarm, to: true}]
  - id: brief
    name: Brief
    category: information
    escalation: 0
    target: actor
    visibility: target
    reveals: [self.support]
  - id: push
    name: Push
    category: military
    escalation: 3
    effects: [{change: self.support, by: 10}, {change: tension, by: 10}]
"""


def test_r42_a_flag_set_by_a_target_only_move_stays_unseen_by_others() -> None:
    """R42: flags default to `visible: source`: the target learns, a bystander does not."""
    s = Session(world(moves=SET_ALARM), 1, HUMANS)
    s.submit("a", moves(("whisper", "b")))
    s.close_round()
    assert s.state.values["flags.alarm"] is True
    b, c = s.view("b"), s.view("c")
    assert b.believed["flags.alarm"] is True and b.beliefs["flags.alarm"].seen_at == 0.0
    assert c.believed["flags.alarm"] is False and c.beliefs["flags.alarm"].seen_at is None
    assert "flags.alarm" not in c.values
    assert not [e for e in c.events if e["type"] == "effect"]


def test_r43_a_public_move_shows_its_flag_to_everyone() -> None:
    """R43: whoever knows the cause observes the change: a public move tells all."""
    s = Session(world(moves=SET_ALARM), 1, HUMANS)
    s.submit("a", moves("shout"))
    s.close_round()
    assert all(s.view(x).believed["flags.alarm"] is True for x in "abc")


def test_r44_a_declared_public_flag_is_seen_whatever_changed_it() -> None:
    """R44: `visible: public` puts a flag in every seat's values, even after a quiet move."""
    s = Session(world("flags: {alarm: {initial: false, visible: public}}", SET_ALARM), 1, HUMANS)
    s.submit("a", moves(("whisper", "b")))
    s.close_round()
    assert s.view("c").values["flags.alarm"] is True


def test_r45_public_variables_and_party_trust() -> None:
    """R45: a `visible: public` variable is everyone's; trust is seen by its two parties."""
    patch = (
        "variables: [{id: support, label: Support, initial: 50, visible: public}, "
        "{id: mood, label: Mood, initial: 5}]"
    )
    v = Session(world(patch), 1, HUMANS).view("c")
    assert "a.support" in v.values and "a.mood" not in v.values and "c.mood" in v.values
    assert "trust.a.c" in v.values and "trust.a.b" not in v.values
    assert v.beliefs["trust.a.b"].value == 50


def test_r46_an_inject_that_reveals_updates_its_audience_beliefs() -> None:
    """R46: `reveals:` on an inject tells its audience the current values, and when."""
    patch = "injects: [{id: news, at: 6, title: News, audience: [b], reveals: [a.support]}]"
    s = Session(world(patch, SET_ALARM), 1, HUMANS)
    s.submit("a", moves("push"))
    s.close_round()
    assert s.view("b").beliefs["a.support"] == type(s.view("b").beliefs["a.support"])(60.0, 6.0)
    assert s.view("c").beliefs["a.support"].value == 50


def test_r47_a_move_that_reveals_tells_those_who_know_of_it() -> None:
    """R47: a successful move with `reveals:` shares the values with everyone who knows of it
    (here, its target), which is how intelligence sharing works."""
    s = Session(world(moves=SET_ALARM), 1, HUMANS)
    s.submit("a", moves("push"))
    s.close_round()
    s.submit("a", moves(("brief", "b")))
    s.close_round()
    assert s.view("b").believed["a.support"] == 60
    assert s.view("c").believed["a.support"] == 50
    assert any(e["type"] == "revealed" for e in s.view("b").events)
    assert not any(e["type"] == "revealed" for e in s.view("c").events)


def test_r48_a_red_line_crossing_is_an_event_for_its_actor_and_control() -> None:
    """R48: the computer player's red line crossing is logged with the believed values and the
    response; only that actor and control see it."""
    line = {
        "id": "hot",
        "label": "Hot",
        "when": "tension >= 55",
        "response": ["insult"],
        "target": "b",
        "cite": CITE,
    }
    profs = {a: profile(a, policy="profile", red_lines=[line] if a == "c" else []) for a in "abc"}
    s = Session(world(profiles=profs), 1, {"a": "human", "b": "human"})
    s.submit("a", moves("provoke"))
    s.close_round()
    s.close_round()
    (crossing,) = [e for e in s.log if isinstance(e, RedLineCrossed)]
    assert crossing.actor == "c" and crossing.red_line == "hot"
    assert crossing.response == "insult" and crossing.target == "b"
    assert list(crossing.believed) == ["tension"] and crossing.believed["tension"] >= 55
    assert any(e["type"] == "red_line" for e in s.view("c").events)
    assert not any(e["type"] == "red_line" for e in s.view("a").events)
    assert any(e["type"] == "red_line" for e in s.view(None).events)


def test_r49_a_view_round_trips_through_json_unchanged() -> None:
    """R49: a view is plain data: JSON out and back gives the same value."""
    s = Session(world(moves=SET_ALARM), 1, HUMANS)
    s.submit("a", moves(("whisper", "b")))
    s.close_round()
    for actor in ("a", "b", None):
        v = s.view(actor)
        again = view_from_json(json.loads(json.dumps(v.to_json())))
        assert again == v
        assert not hasattr(v, "state") and not hasattr(v, "world") and not hasattr(v, "log")


def test_r50_a_seats_events_are_numbered_for_it_alone() -> None:
    """R50: gaps in numbering would tell how much is hidden: each view counts 0, 1, 2, ..."""
    s = Session(world(moves=SET_ALARM), 1, HUMANS)
    s.submit("a", moves(("whisper", "b")))
    s.close_round()
    for actor in "abc":
        seqs = [e["seq"] for e in s.view(actor).events]
        assert seqs == list(range(len(seqs)))
    assert len(s.view("c").events) < len(s.view(None).events)


def test_r51_logs_with_beliefs_and_reveals_replay_exactly() -> None:
    """R51: beliefs are a fold over events, so a replay reproduces them and the hashes."""
    patch = "injects: [{id: news, at: 6, title: News, audience: [b], reveals: [a.support]}]"
    w = world(patch, SET_ALARM)
    s = Session(w, 4, HUMANS)
    s.submit("a", moves("push"))
    s.close_round()
    s.submit("a", moves(("brief", "c")))
    s.close_round()
    assert verify(w, Log(s.header.to_dict(), s.log)) is None


def test_r52_control_pauses_are_not_in_a_players_view() -> None:
    """R52: pause and resume are control's bookkeeping: the control view has them, no seat's."""
    s = Session(world(), 1, HUMANS)
    s.pause("coffee")
    s.resume()
    assert [e["action"] for e in s.view(None).events if e["type"] == "control"] == [
        "pause",
        "resume",
    ]
    assert not [e for e in s.view("a").events if e["type"] == "control"]
