"""The wire format without a server: views as View.to_json gives them, strict frames."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from sim.engine.session import Session
from sim.engine.view import view_from_json
from sim.models import Orders
from sim.models.script import MessageOrder
from tests.worlds import world
from ui.net.protocol import ProtocolError, parse_client
from ui.net.public import wire_view

WORLD = world()


def test_wire_view_is_to_json_without_events() -> None:
    """The server's fast view serializer gives exactly View.to_json (less events) and reads
    back with view_from_json, for seats with proposals, and for control."""
    s = Session(WORLD, 3, {"a": "human", "b": "human"})
    proposal = {"title": "Calm", "terms": {"commitments": [{"forbid": ["insult"]}]}}
    s.send("a", MessageOrder.model_validate({"to": ["b"], "text": "x", "proposal": proposal}))
    s.submit("b", Orders.model_validate({"answers": [{"proposal": "p1.a.s1", "accept": True}]}))
    s.close_round()
    for actor in ("a", "b", None):
        view = replace(s.view(actor), events=())
        as_json = json.loads(json.dumps(view.to_json()))  # to_json keeps tuples
        assert json.loads(json.dumps(wire_view(view))) == as_json
        assert replace(view_from_json(wire_view(view)), events=()) == view


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{"type": "hello", "code": "x", "seat": "a"}', "malformed"),
        ('{"type": "draft", "id": "d", "round": 1, "orders": {"moves": 3}}', "malformed"),
        ('{"type": "input", "id": "bad id!", "round": 1, "input": {"op": "close"}}', "malformed"),
        ('{"type": "ping", "v": 2}', "version"),
        ("x" * 70_000, "too_large"),
    ],
)
def test_bad_frames_name_their_problem(text: str, code: str) -> None:
    """Unknown fields, wrong types, bad ids, other versions and oversize frames are refused."""
    with pytest.raises(ProtocolError) as err:
        parse_client(text)
    assert err.value.code == code


def test_the_catalogue_carries_labels_never_the_hidden_scenario() -> None:
    """The welcome's catalogue words a seat's view; it holds no inject to come, trigger, end
    condition, profile beyond names, briefing of another seat, or name the seat cannot see."""
    from sim.authoring.library import DEFAULT_SCENARIO
    from sim.authoring.loader import load_scenario
    from ui.net.public import catalogue, world_from_catalogue
    from ui.tui.text import actor_name, move_name

    world = load_scenario(DEFAULT_SCENARIO)
    sc = world.scenario
    for actor in world.actors:
        cat = catalogue(world, actor)
        text = cat.model_dump_json()
        secrets_ = [i.title for i in sc.injects if i.title not in sc.briefing]
        secrets_ += [t.inject.title for t in sc.triggers if t.inject is not None]
        secrets_ += [e.description for e in sc.end_conditions] + [sc.facilitator_notes]
        secrets_ += [p.briefing for p in sc.actors if p.briefing]
        assert [s for s in secrets_ if s and s in text] == []
        assert set(cat.visible) == set(world.visible[actor])
        assert set(cat.initial) <= world.visible[actor]
        client = world_from_catalogue(cat, actor)
        for other in world.actors:
            assert actor_name(client, other) == actor_name(world, other)
        for mid in world.moves:
            assert move_name(client, mid) == move_name(world, mid)


def test_trusted_encoding_equals_the_models() -> None:
    """The fan-out's fast encoding of views and events is byte for byte the models' own."""
    from sim.authoring.library import DEFAULT_SCENARIO
    from sim.authoring.loader import load_scenario
    from sim.engine.session import Session
    from sim.engine.view import Feed
    from ui.net.protocol import Events, LockedMove, ViewFrame, encode, encode_trusted
    from ui.net.public import wire_view

    world = load_scenario(DEFAULT_SCENARIO)
    s = Session(world, 3, dict.fromkeys(world.actors, "computer"))
    s.close_round()
    s.close_round()
    for actor in (*world.actors, None):
        data = wire_view(s.view(actor))
        assert encode_trusted("view", view=data, locked=None) == encode(ViewFrame(view=data))
        locked = [{"move": "strike", "why": "possible when Tension at least 70"}]
        assert encode_trusted("view", view=data, locked=locked) == encode(
            ViewFrame(view=data, locked=[LockedMove(**m) for m in locked])
        )
        feed = Feed(actor).update(s.log, s.state, s.world)
        assert encode_trusted("events", events=feed) == encode(Events(events=feed))


@pytest.mark.parametrize(
    ("frame_id", "n", "duplicate"),
    [("ab12.1", None, False), ('q"\\é\u2028', 7, False), ("x", 0, True)],
)
def test_fast_ack_is_the_ack_frame(frame_id: str, n: int | None, duplicate: bool) -> None:
    """The ack written without building the model is byte for byte the model's text."""
    from ui.net.protocol import Ack, encode, encode_ack, parse_server

    text = encode_ack(frame_id, n, duplicate)
    assert text == encode(Ack(id=frame_id, n=n, duplicate=duplicate))
    assert parse_server(text) == Ack(id=frame_id, n=n, duplicate=duplicate)


def test_refused_frames_still_say_which_frame_and_why() -> None:
    """Frames validated straight from their text keep the error's id and field problem."""
    with pytest.raises(ProtocolError) as err:
        parse_client('{"type": "draft", "id": "d7", "round": "1", "orders": {}}')
    assert (err.value.code, err.value.frame_id) == ("malformed", "d7")
    assert "round" in err.value.message
    with pytest.raises(ProtocolError) as err:
        parse_client("[1, 2]")
    assert err.value.code == "malformed"
    with pytest.raises(ProtocolError) as err:
        parse_client("{not json")
    assert err.value.code == "malformed"
    assert err.value.message.startswith("not JSON")
