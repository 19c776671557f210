"""Typed inputs: the journal form round-trips, bad frames are refused with a clear message, and a
journal of typed inputs rebuilds a session exactly."""

from __future__ import annotations

from typing import Any

import pytest

from sim.engine.events import InjectDelivered
from sim.engine.inputs import (
    AdHocInject,
    Close,
    IllegalInput,
    Input,
    Override,
    Pause,
    Resume,
    Send,
    SetSeat,
    Submit,
    parse_input,
)
from sim.engine.legality import effect_type_problem
from sim.engine.session import Session
from sim.models import Effect, Orders
from sim.models.script import MessageOrder
from sim.record.log import Log, inputs_from_log
from tests.worlds import world

WORLD = world()


def every_kind() -> list[Input]:
    """One input of each kind, with non-default fields."""
    orders = Orders.model_validate({"moves": [{"move": "insult", "target": "b"}]})
    return [
        Submit(actor="a", orders=orders),
        Override(mid="m1.a.1", outcome="failure", note="why"),
        AdHocInject(
            title="Flash",
            text="news",
            audience=["a"],
            effects=[Effect.model_validate({"change": "tension", "by": 5})],
        ),
        Send(actor="a", message=MessageOrder(to=["b"], text="talk?")),
        Pause(note="lunch"),
        Resume(),
        SetSeat(actor="b", seat="script"),
        Close(),
    ]


@pytest.mark.parametrize("inp", every_kind(), ids=lambda i: i.op)
def test_journal_form_round_trips(inp: Input) -> None:
    """parse_input(inp.journal()) is the same input, for every kind."""
    assert parse_input(inp.journal()) == inp


def test_older_journal_forms_still_parse() -> None:
    """Journals written before inputs were typed lack optional keys; they still parse."""
    assert parse_input({"op": "inject", "title": "T"}) == AdHocInject(title="T")
    assert parse_input({"op": "pause"}) == Pause()
    assert parse_input({"op": "resume"}) == Resume()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"op": "explode"}, "op"),
        ({"actor": "a"}, "op"),
        ({"op": "override", "mid": "m1.a.1", "outcome": "maybe"}, "outcome"),
        ({"op": "seat", "actor": "a", "seat": "robot"}, "seat"),
        ({"op": "close", "extra": 1}, "extra"),
        ("not a mapping", "input"),
    ],
)
def test_bad_inputs_are_refused_by_field(data: Any, words: str) -> None:
    """A malformed input raises IllegalInput naming the field, never a pydantic traceback."""
    with pytest.raises(IllegalInput) as err:
        parse_input(data)
    assert words in str(err.value)


def test_recorder_receives_typed_inputs_that_rebuild_the_session() -> None:
    """Every accepted input reaches the recorder typed; replaying them gives the same log."""
    journal: list[Input] = []
    s = Session(WORLD, 3, {"a": "human"}, recorder=journal.append)
    s.submit("a", Orders.model_validate({"moves": [{"move": "insult", "target": "b"}]}))
    s.inject("Flash", "news", ["a"])
    s.close_round()
    s.pause("break")
    s.resume()
    s.close_round()
    assert [i.op for i in journal] == ["submit", "inject", "close", "pause", "resume", "close"]
    again = Session(WORLD, 3, {"a": "human"})
    for inp in journal:
        again.apply_input(inp.journal())
    assert [e.to_dict() for e in again.log] == [e.to_dict() for e in s.log]


def test_refused_input_is_not_recorded() -> None:
    """An illegal input changes nothing and never reaches the recorder."""
    journal: list[Input] = []
    s = Session(WORLD, 3, {"a": "human"}, recorder=journal.append)
    with pytest.raises(IllegalInput):
        s.inject("  ", audience=["nobody"])
    assert journal == []
    assert not any(isinstance(e, InjectDelivered) for e in s.log)


@pytest.mark.parametrize(
    ("effect", "is_flag", "expected"),
    [
        ({"change": "flags.x", "by": 1}, True, ("change", "is a flag")),
        ({"set": "flags.x", "to": 3}, True, ("to", "set it to true or false")),
        ({"set": "tension", "to": True}, False, ("to", "is a number")),
        ({"set": "flags.x", "to": True}, True, None),
        ({"change": "tension", "by": -2}, False, None),
    ],
)
def test_effect_types_are_one_rule(
    effect: dict[str, Any], is_flag: bool, expected: tuple[str, str] | None
) -> None:
    """The builder and run-time effects share one type rule and one wording."""
    got = effect_type_problem(Effect.model_validate(effect), is_flag)
    if expected is None:
        assert got is None
    else:
        assert got is not None and got[0] == expected[0] and expected[1] in got[1]


PROPOSAL = MessageOrder.model_validate(
    {
        "to": ["b"],
        "text": "Stand down?",
        "proposal": {"title": "Calm", "terms": {"effects": [{"change": "tension", "by": -5}]}},
    }
)


def negotiated(recorder: Any = None) -> Session:
    """a proposes to b with send(); b accepts in its orders; both in round 1."""
    s = Session(WORLD, 3, {"a": "human", "b": "human"}, recorder=recorder)
    s.send("a", PROPOSAL)
    s.submit("b", Orders.model_validate({"answers": [{"proposal": "p1.a.s1", "accept": True}]}))
    s.close_round()
    return s


def test_send_delivers_now_and_agrees_within_the_round() -> None:
    """A sent proposal is in the log at once and is agreed when the same round closes."""
    s = Session(WORLD, 3, {"a": "human", "b": "human"})
    s.send("a", PROPOSAL)
    assert s.log[-1].to_dict()["mid"] == "c1.a.s1"
    assert "p1.a.s1" in s.view("b").to_json()["proposals"][0]["id"]
    s = negotiated()
    made = [e for e in s.log if e.type == "agreement"]
    assert [(e.round, e.to_dict()["id"]) for e in made] == [(1, "p1.a.s1")]


def test_send_is_refused_for_computer_seats_and_bad_recipients() -> None:
    """A computer seat cannot send; a message to an unknown actor names it."""
    s = Session(WORLD, 3, {"a": "human"})
    with pytest.raises(IllegalInput, match="computer"):
        s.send("b", PROPOSAL)
    with pytest.raises(IllegalInput, match="zed"):
        s.send("a", MessageOrder(to=["zed"], text="hi"))


def test_logs_with_sent_messages_rebuild_their_inputs() -> None:
    """inputs_from_log turns in-round messages back into Send inputs that replay exactly."""
    journal: list[Input] = []
    s = negotiated(journal.append)
    rebuilt = inputs_from_log(Log(s.header.to_dict(), list(s.log)))
    assert [i.op for i in rebuilt] == [i.op for i in journal] == ["send", "submit", "close"]
    again = Session(WORLD, 3, {"a": "human", "b": "human"})
    for inp in rebuilt:
        again.apply(inp, trusted=True)
    assert [e.to_dict() for e in again.log] == [e.to_dict() for e in s.log]
