"""The deals' fast paths give what the plain forms they replace give: orders built directly are
the validated ones, attribute for attribute."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from actors import dealing
from sim.models.script import AnswerOrder


def same_model(got: Any, want: Any) -> None:
    """``got`` and ``want`` are the same model, down to every nested model's fields (in order),
    fields set, extra and private attributes."""
    assert type(got) is type(want)
    if isinstance(want, list):
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            same_model(g, w)
        return
    if not isinstance(want, BaseModel):
        assert type(got) is type(want)
        assert got == want
        return
    assert list(got.__dict__) == list(want.__dict__)
    for key, value in want.__dict__.items():
        same_model(got.__dict__[key], value)
    assert got.model_fields_set == want.model_fields_set
    assert got.__pydantic_extra__ == want.__pydantic_extra__
    assert got.__pydantic_private__ == want.__pydantic_private__


def test_a_restraint_message_built_directly_is_the_validated_one() -> None:
    assert dealing._DIRECT
    for forbid in (("strike",), ("forces_north", "strike")):
        args = ("us", "US proposes: no strike.", "Mutual restraint: no strike", forbid, 18.0)
        got = dealing.restraint_message(*args, "no strike")
        want = dealing.validated_message(*args, "no strike")
        same_model(got, want)
        assert got == want
        assert got.model_dump_json() == want.model_dump_json()
    # Texts validation would strip are left to validation.
    got = dealing.restraint_message("us", " x ", "t", ("strike",), 18.0, "l")
    assert got.text == "x"


def test_an_answer_built_directly_is_model_constructs() -> None:
    for accept in (True, False):
        got = dealing.answer_order("p1.us.1", accept)
        want = AnswerOrder.model_construct(proposal="p1.us.1", accept=accept)
        same_model(got, want)
        assert got == AnswerOrder(proposal="p1.us.1", accept=accept)
