"""Actor profiles: who an actor is, what it wants, and how it tends to behave."""

from typing import Literal

from pydantic import Field

from sim.models.base import Citation, Expression, Id, ScenarioId, Strict
from sim.models.moves import Category

Direction = Literal["higher", "lower"]


class Want(Strict):
    """One state value an interest cares about and which way the actor wants it to go."""

    indicator: str = Field(
        description="State name: an indicator, `trust.self.OTHER`, "
        "`self.VARIABLE` or `flags.NAME`.",
        examples=["refugee_flow", "trust.self.us"],
    )
    direction: Direction = Field(description="Whether the actor wants it higher or lower.")
    weight: float = Field(
        default=1.0, gt=0, le=10, description="Relative weight within the interest."
    )


class Interest(Strict):
    """Something the actor cares about, weighted against its other interests."""

    id: Id = Field(description="Unique id within the profile.", examples=["border_stability"])
    label: str = Field(description="One line for players and instructors.")
    weight: float = Field(ge=0, le=1, description="Importance, 0 to 1.")
    wants: list[Want] = Field(min_length=1, description="The state values that measure it.")
    cite: list[Citation] = Field(
        min_length=1, description="Sources behind the interest and its weight."
    )


class RedLine(Strict):
    """A condition the actor will not tolerate, and the response it provokes."""

    id: Id = Field(description="Unique id within the profile.")
    label: str = Field(description="One line describing the red line.")
    when: Expression = Field(
        description="Condition on the state that crosses the red line.",
        examples=["flags.us_forces_north"],
    )
    response: list[Id] = Field(
        min_length=1, description="Move type ids the actor responds with, most preferred first."
    )
    target: Id | None = Field(
        default=None,
        description="Actor the response is aimed at, for "
        "targeted responses (else the first the "
        "move allows).",
    )
    caused_by: list[Id] = Field(
        default_factory=list,
        description="Harm counts only when these actors caused it: each number the condition "
        "reads (`round` and `t` apart) stands for the net change the actor saw made by these "
        "actors' moves, from zero (a change whose cause it could not see counts for nobody). "
        "Empty: the condition reads the state as the actor believes it.",
        examples=[["dprk"]],
    )
    cite: list[Citation] = Field(min_length=1, description="Sources behind the red line.")
    unreachable: dict[ScenarioId, str] = Field(
        default_factory=dict,
        description="Bundled scenarios in which this red line cannot be crossed, each with the "
        "reason (the red-line table and balance checks accept it never firing there).",
        examples=[{"yeonpyeong-clash": "no foreign troops enter the North in a border clash"}],
    )


class Instruments(Strict):
    """The tools the actor prefers to use."""

    categories: list[Category] = Field(
        default_factory=list, description="Preferred move categories."
    )
    moves: list[Id] = Field(default_factory=list, description="Move type ids it favours.")
    cite: list[Citation] = Field(min_length=1, description="Sources behind the preference.")


class Tendencies(Strict):
    """How the actor trades risk and escalation against its interests."""

    risk_tolerance: float = Field(
        ge=0,
        le=1,
        description="0: avoids uncertain moves; 1: indifferent to the chance of failure.",
    )
    escalation: float = Field(
        ge=0, le=1, description="0: strongly prefers low-escalation moves; 1: escalates readily."
    )
    repetition: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="Share of a move's worth lost each time the actor has already made it on the "
        "same target this game (0: repeats freely; 1: never repeats a move it could vary).",
    )
    variety: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="Room the profile leaves for different lines of play: each game draws the "
        "interest weights within this share of their values, and moves within this share of "
        "the best one's worth stay in the running (0: the same choices in every game).",
    )
    cite: list[Citation] = Field(min_length=1, description="Sources behind the tendencies.")


class Shift(Strict):
    """A change of a faction's weight when a condition holds at a round's start."""

    when: Expression = Field(description="Condition on the state.")
    by: float = Field(
        ge=-1,
        le=1,
        description="Added to the faction's weight (then clamped to "
        "0..1) each round the condition holds.",
    )


class Faction(Strict):
    """An internal faction whose weight changes the actor's priorities."""

    id: Id = Field(description="Unique id within the profile.")
    label: str = Field(description="Who the faction is.")
    weight: float = Field(ge=0, le=1, description="Initial influence, 0 to 1.")
    interests: dict[Id, float] = Field(
        default_factory=dict,
        description="Multipliers applied to "
        "interest weights in proportion to the faction's influence.",
    )
    shifts: list[Shift] = Field(default_factory=list, description="How events move its influence.")
    cite: list[Citation] = Field(min_length=1, description="Sources behind the faction.")


class Negotiation(Strict):
    """How the computer player deals in agreements: proposing, answering, keeping its word."""

    propose: bool = Field(
        default=True,
        description="Whether it proposes agreements of mutual restraint when their terms "
        "serve its interests.",
    )
    propose_every: int = Field(default=3, ge=1, le=100, description="Rounds between its proposals.")
    keep_agreements: float = Field(
        default=0.7,
        ge=0,
        le=1,
        description="0: breaks a commitment whenever a forbidden move is worth more; "
        "1: keeps its word unless a red line forces its hand or a party broke the agreement.",
    )
    cite: list[Citation] = Field(
        default_factory=list, description="Sources behind its way of negotiating."
    )


class MessageRule(Strict):
    """A short message the computer player sends when a condition holds."""

    when: Expression = Field(description="Condition on the state.")
    to: list[Id] | Literal["public"] = Field(description="Recipients, or 'public' for a statement.")
    text: str = Field(description="The message text (a paraphrase, never a quotation).")


class ActorProfile(Strict):
    """Who an actor is: interests, red lines, instruments, tendencies and factions, with sources."""

    kind: Literal["actor"] = Field(description="Marks this file as an actor profile.")
    id: Id = Field(
        description="The actor's id, used in scenarios and expressions.", examples=["china"]
    )
    name: str = Field(description="Full name.", examples=["People's Republic of China"])
    short: str = Field(description="Short name for tables and prompts.", examples=["China"])
    summary: str = Field(
        description="A paragraph for instructors: who the actor is in this domain."
    )
    interests: list[Interest] = Field(min_length=1, description="What the actor wants.")
    red_lines: list[RedLine] = Field(default_factory=list, description="What it will not tolerate.")
    instruments: Instruments | None = Field(default=None, description="Preferred tools.")
    tendencies: Tendencies = Field(description="Risk and escalation tendencies.")
    factions: list[Faction] = Field(default_factory=list, description="Internal factions.")
    negotiation: Negotiation = Field(
        default_factory=Negotiation,
        description="How it proposes, answers and keeps agreements (defaults: proposes now and "
        "then, keeps its word fairly well).",
    )
    messages: list[MessageRule] = Field(
        default_factory=list, description="Messages the computer player sends."
    )
    policy: str = Field(
        default="profile",
        description="Name of the computer policy that plays this actor.",
        examples=["profile", "baseline"],
    )
