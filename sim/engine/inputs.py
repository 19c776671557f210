"""What front ends send a session: typed, frozen inputs, one class per kind.

A session journals every accepted input before acting on it (``Session(recorder=...)``), and a
journal of inputs rebuilds the session exactly, so these classes are also the journal's format and
the wire format of networked play. ``journal()`` gives the JSON-ready dict that is stored; the
fields it leaves out are exactly those an older journal may lack, so old archives still resume.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from sim.engine.events import Outcome, Seat
from sim.models import Effect, Orders
from sim.models.base import Strict
from sim.models.script import MessageOrder


class IllegalInput(ValueError):
    """An input the rules refuse; ``problems`` says what and how to fix it. Nothing changed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class Submit(Strict):
    """A seat's orders for the round now open (they replace any it submitted before)."""

    op: Literal["submit"] = Field(default="submit", description="The kind of input.")
    actor: str = Field(description="The actor whose orders these are.")
    orders: Orders = Field(description="Moves, messages and answers for this round.")

    def journal(self) -> dict[str, Any]:
        """The stored form."""
        orders = self.orders.model_dump(mode="json", exclude_defaults=True)
        return {"op": "submit", "actor": self.actor, "orders": orders}


class Override(Strict):
    """Control forces the outcome of one of this round's moves."""

    op: Literal["override"] = Field(default="override", description="The kind of input.")
    mid: str = Field(description="The move's id in this round, e.g. `m3.china.1`.")
    outcome: Outcome = Field(description="success, failure or cancelled.")
    note: str = Field(default="", description="Control's reason, kept in the log.")

    def journal(self) -> dict[str, Any]:
        """The stored form."""
        return {"op": "override", "mid": self.mid, "outcome": self.outcome, "note": self.note}


class AdHocInject(Strict):
    """Control delivers an ad hoc inject now."""

    op: Literal["inject"] = Field(default="inject", description="The kind of input.")
    title: str = Field(description="Headline of the inject.")
    text: str = Field(default="", description="Its text.")
    audience: list[str] | Literal["public"] = Field(
        default="public", description="The actors who receive it, or 'public'."
    )
    effects: list[Effect] = Field(
        default_factory=list, description="State changes it makes when delivered."
    )

    def journal(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "op": "inject",
            "title": self.title,
            "text": self.text,
            "audience": self.audience,
            "effects": [e.model_dump(mode="json", exclude_none=True) for e in self.effects],
        }


class Pause(Strict):
    """Control pauses the exercise: no round closes until it resumes."""

    op: Literal["pause"] = Field(default="pause", description="The kind of input.")
    note: str = Field(default="", description="Control's reason, kept in the log.")

    def journal(self) -> dict[str, Any]:
        """The stored form."""
        return {"op": "pause", "note": self.note}


class Resume(Strict):
    """Control resumes after a pause."""

    op: Literal["resume"] = Field(default="resume", description="The kind of input.")

    def journal(self) -> dict[str, Any]:
        """The stored form."""
        return {"op": "resume"}


class SetSeat(Strict):
    """Control hands an actor's seat to a human, the computer or a script from now on."""

    op: Literal["seat"] = Field(default="seat", description="The kind of input.")
    actor: str = Field(description="The actor whose seat changes.")
    seat: Seat = Field(description="human, computer or script.")

    def journal(self) -> dict[str, Any]:
        """The stored form."""
        return {"op": "seat", "actor": self.actor, "seat": self.seat}


class Close(Strict):
    """Close the round: commit every seat's orders and run the interval to the next one."""

    op: Literal["close"] = Field(default="close", description="The kind of input.")

    def journal(self) -> dict[str, Any]:
        """The stored form."""
        return {"op": "close"}


class Send(Strict):
    """A seat's message (perhaps carrying a proposal) delivered now, inside the round, so that
    a proposal can be made, answered and agreed before the round closes."""

    op: Literal["send"] = Field(default="send", description="The kind of input.")
    actor: str = Field(description="The actor sending it.")
    message: MessageOrder = Field(description="Recipients, text and an optional proposal.")

    def journal(self) -> dict[str, Any]:
        """The stored form."""
        message = self.message.model_dump(mode="json", exclude_defaults=True)
        return {"op": "send", "actor": self.actor, "message": message}


Input = Annotated[
    Submit | Send | Override | AdHocInject | Pause | Resume | SetSeat | Close,
    Field(discriminator="op"),
]
"""Any input a session accepts."""


@functools.cache
def _adapter() -> TypeAdapter[Input]:
    """Built on first use: building the validator at import cost more than the rest of a short
    run's imports, and a run without stored inputs never needs it."""
    return TypeAdapter(Input)


def parse_input(data: object) -> Input:
    """An input from its stored (JSON) form; raise IllegalInput naming what is wrong."""
    from pydantic import ValidationError

    try:
        return _adapter().validate_python(data)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in err['loc']) or 'input'}: {err['msg']}"
            for err in exc.errors()[:5]
        ]
        raise IllegalInput(problems) from None
