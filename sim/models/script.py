"""Scripts: moves, messages and answers per round per actor, for headless runs."""

from typing import Literal

from pydantic import Field

from sim.models.base import Id, ScenarioId, Strict
from sim.models.moves import Effect


class Commitment(Strict):
    """A promise in an agreement: the parties bound will not use moves with these tags."""

    forbid: list[Id] = Field(
        min_length=1,
        description="Move tags or move type ids the bound parties may not use.",
        examples=[["forces_north"]],
    )
    bound: list[Id] | Literal["all"] = Field(
        default="all", description="Parties bound: 'all' parties, or a list of them."
    )
    hours: float = Field(default=24 * 30, gt=0, description="How long it holds, in sim hours.")
    label: str = Field(default="", description="Plain words, e.g. 'no forces north of the line'.")


class Terms(Strict):
    """What a proposal commits its parties to once everyone accepts."""

    effects: list[Effect] = Field(
        default_factory=list, description="Changes when it comes into force."
    )
    commitments: list[Commitment] = Field(default_factory=list, description="Promises.")


class ProposalSpec(Strict):
    """A proposal carried by a message; every recipient must accept it."""

    title: str = Field(description="Short name of the proposal.")
    terms: Terms = Field(description="Effects and commitments.")
    expires_after: int = Field(default=2, ge=1, le=100, description="Rounds it stays open.")


class MoveOrder(Strict):
    """Use of a move type in a round."""

    move: Id = Field(description="Move type id.")
    target: Id | None = Field(default=None, description="Target actor, for targeted moves.")


class MessageOrder(Strict):
    """A message to other actors, optionally carrying a proposal."""

    to: list[Id] | Literal["public"] = Field(description="Recipients, or 'public'.")
    text: str = Field(description="The message.")
    proposal: ProposalSpec | None = Field(
        default=None, description="A proposal to accept or reject."
    )


class AnswerOrder(Strict):
    """An answer to a proposal."""

    proposal: str = Field(description="Proposal id as shown in the log (e.g. `p1-us-1`).")
    accept: bool = Field(description="Accept or reject.")


class Orders(Strict):
    """One actor's inputs for one round."""

    moves: list[MoveOrder] = Field(default_factory=list, description="Moves to make.")
    messages: list[MessageOrder] = Field(default_factory=list, description="Messages to send.")
    answers: list[AnswerOrder] = Field(default_factory=list, description="Answers to proposals.")


class Script(Strict):
    """Scripted inputs for a headless run: actors named here are played from the script."""

    kind: Literal["script"] = Field(description="Marks this file as a script.")
    scenario: ScenarioId | None = Field(
        default=None, description="Scenario id it was written for (checked if given)."
    )
    actors: list[Id] = Field(
        default_factory=list,
        description="Actors played by the script even "
        "in rounds with no orders (they then pass). Actors with orders are "
        "added automatically.",
    )
    rounds: dict[int, dict[Id, Orders]] = Field(
        default_factory=dict, description="Round number (from 1) to actor id to orders."
    )
