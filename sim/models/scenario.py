"""Scenarios: the exercise an instructor writes and a facilitator runs."""

from typing import Literal

from pydantic import Field, model_validator

from sim.models.base import Citation, Expression, Id, ScenarioId, Strict
from sim.models.moves import Effect, MoveType

Audience = list[Id] | Literal["public"]

Seen = Literal["public", "none"] | list[Id]
"""Who sees a value: everyone, only control, or the listed actors."""


class Clock(Strict):
    """Simulated time: rounds are decision windows of equal length."""

    start: str = Field(
        description="Label of the scenario's start in the fiction (free text or ISO date).",
        examples=["2012-11-13 08:00"],
    )
    round_hours: float = Field(
        gt=0, le=24 * 30, description="Length of a round in simulated hours."
    )
    rounds: int = Field(ge=1, le=10_000, description="Number of rounds.")


class Range(Strict):
    """A numeric value with its declared range and initial value."""

    min: float = Field(default=0, description="Lowest value; changes are clamped to it.")
    max: float = Field(default=100, description="Highest value; changes are clamped to it.")
    initial: float = Field(description="Value at the start.")
    precision: int | None = Field(
        default=None,
        ge=0,
        le=6,
        # Display only: left out of the dump, so the content hash (how it plays) is unchanged.
        exclude=True,
        description="Decimal places shown to people (screens, reports); default 1. Display "
        "only: the engine keeps full precision.",
        examples=[0],
    )

    @model_validator(mode="after")
    def _ordered(self) -> "Range":
        if not self.min <= self.initial <= self.max:
            raise ValueError(f"initial {self.initial} is outside min..max ({self.min}..{self.max})")
        return self


class Indicator(Range):
    """A world indicator such as tension or regime stability."""

    id: Id = Field(description="Name used in expressions.", examples=["tension"])
    label: str = Field(description="Label shown to players.", examples=["Peninsula tension"])
    description: str = Field(default="", description="What it measures.")
    visible_to: Seen = Field(
        default="public",
        description="Who sees its value: 'public', 'none' (only control), or a list of actor ids. "
        "Others believe the value they last observed (see docs/authoring.md, 'Who sees what').",
    )


class Variable(Range):
    """A per-actor variable, declared once for every actor (e.g. domestic support)."""

    id: Id = Field(description="Name; used as `ACTOR.NAME` or `self.NAME` in expressions.")
    label: str = Field(description="Label shown to players.")
    visible: Literal["own", "public", "none"] = Field(
        default="own",
        description="Who sees each actor's value: 'own' (that actor), 'public' (everyone: "
        "things the world can observe, such as troops across a border or an alert level), or "
        "'none' (only control).",
    )


class Flag(Strict):
    """A named true/false fact with who sees it."""

    initial: bool = Field(description="Value at the start.")
    visible: Literal["source", "public", "none"] | list[Id] = Field(
        default="source",
        description="Who sees its value: 'source' (whoever sees what changed it: a secret or "
        "target-only move that sets it stays unseen by others), 'public', 'none' (only "
        "control), or a list of actor ids.",
    )
    label: str = Field(default="", description="Label shown to players; defaults to the id.")


class Pair(Strict):
    """The initial trust between two actors."""

    between: list[Id] = Field(min_length=2, max_length=2, description="The two actors.")
    initial: float = Field(ge=0, le=100, description="Initial trust, 0 to 100.")


class Relations(Strict):
    """Pairwise trust, 0 to 100, read as `trust.A.B` (order does not matter)."""

    default: float = Field(default=50, ge=0, le=100, description="Trust for pairs not listed.")
    pairs: list[Pair] = Field(
        default_factory=list, description="Pairs with their own initial trust."
    )
    breach_penalty: float = Field(
        default=20,
        ge=0,
        le=100,
        description="Trust lost by every other party when an actor breaks an agreement.",
    )
    visible: Literal["parties", "public", "none"] = Field(
        default="parties",
        description="Who sees `trust.A.B`: 'parties' (A and B), 'public' or 'none' (only control).",
    )


class Overrides(Strict):
    """Scenario-specific changes to an actor's profile (a hawkish DPRK, a cautious China)."""

    interests: dict[Id, float] = Field(
        default_factory=dict, description="Interest id to its weight in this scenario."
    )
    factions: dict[Id, float] = Field(
        default_factory=dict, description="Faction id to its initial weight."
    )
    risk_tolerance: float | None = Field(
        default=None, ge=0, le=1, description="Replaces the profile's value."
    )
    escalation: float | None = Field(
        default=None, ge=0, le=1, description="Replaces the profile's value."
    )
    policy: str | None = Field(default=None, description="Computer policy for this actor.")


class Participant(Strict):
    """An actor taking part in the scenario."""

    id: Id = Field(description="The actor's id in this scenario.", examples=["china"])
    profile: Id | None = Field(
        default=None,
        description="Profile to use; defaults to `id` "
        "(actors/ID.yaml or ID.yaml beside the "
        "scenario).",
    )
    briefing: str = Field(default="", description="Private briefing only this actor reads.")
    variables: dict[Id, float] = Field(
        default_factory=dict, description="Initial values of per-actor variables."
    )
    overrides: Overrides = Field(default_factory=Overrides, description="Profile overrides.")


class MoveSet(Strict):
    """Which move types the scenario uses."""

    include: list[ScenarioId] = Field(
        default_factory=lambda: ["default"],
        description="Catalogue ids to include (bundled, or a catalogue file beside the scenario).",
    )
    exclude: list[Id] = Field(default_factory=list, description="Move type ids to leave out.")
    per_round: int = Field(
        default=2, ge=1, le=20, description="How many moves each actor may make in a round."
    )
    extra: list[MoveType] = Field(
        default_factory=list, description="Move types defined in this scenario."
    )


class Inject(Strict):
    """A scenario event delivered by control at a scheduled sim time."""

    id: Id = Field(description="Unique id.")
    at: float = Field(ge=0, description="Sim hours from the start.", examples=[0, 18.5])
    title: str = Field(description="Headline.")
    text: str = Field(default="", description="What the audience reads.")
    audience: Audience = Field(default="public", description="'public' or the actor ids told.")
    effects: list[Effect] = Field(default_factory=list, description="State changes it brings.")
    reveals: list[str] = Field(
        default_factory=list,
        description="State names whose current values the audience learns when it is delivered.",
        examples=[["china.forces_north"]],
    )
    expected_action: str | None = Field(
        default=None,
        description="What control expects the audience to do (the MSEL's 'expected player "
        "action'); shown to control when the inject fires. Name a move id or a category "
        "(e.g. `hotline_call`, `diplomatic`) and the after-action report says whether an actor "
        "of the audience made such a move in the same or the next round.",
        examples=["hotline_call with china"],
    )
    objective: str | None = Field(
        default=None,
        description="The learning objective the inject serves: an objective id from "
        "`objectives:` or free text; shown to control when the inject fires.",
        examples=["coordination"],
    )


class TriggerInject(Strict):
    """The message a trigger delivers."""

    title: str = Field(description="Headline.")
    text: str = Field(default="", description="What the audience reads.")
    audience: Audience = Field(default="public", description="'public' or the actor ids told.")
    reveals: list[str] = Field(
        default_factory=list,
        description="State names whose current values the audience learns when it is delivered.",
    )


class Trigger(Strict):
    """A condition on the state and what follows when it becomes true."""

    id: Id = Field(description="Unique id.")
    when: Expression = Field(description="Condition, checked after every state change.")
    repeat: bool = Field(
        default=False, description="Fire again after the cooldown while the condition holds."
    )
    cooldown: float = Field(
        default=24, ge=0, description="Hours before a repeatable trigger may fire again."
    )
    inject: TriggerInject | None = Field(default=None, description="Message delivered.")
    effects: list[Effect] = Field(default_factory=list, description="State changes.")


class EndCondition(Strict):
    """An end state of the exercise."""

    id: Id = Field(
        description="Outcome id reported in logs and summaries.", examples=["managed_transition"]
    )
    title: str = Field(description="Name of the end state.")
    when: Expression = Field(description="Condition for this end state.")
    immediate: bool = Field(
        default=False,
        description="If true, the exercise ends as soon as the "
        "condition holds; otherwise it is checked, in order, when the clock "
        "runs out.",
    )
    description: str = Field(default="", description="What this outcome means, for the debrief.")
    rare: str | None = Field(
        default=None,
        min_length=1,
        description="Why this end state may never be reached in computer-played runs (a tail "
        "risk kept for human play). `sitroom check` then accepts it never being reached in "
        "2,000 runs; without it, an end state never reached fails the check.",
        examples=["war needs several deliberate escalations that computer players avoid"],
    )


class Objective(Strict):
    """A learning objective, optionally with a measure for the debrief."""

    id: Id = Field(description="Unique id.")
    text: str = Field(description="What participants should learn.")
    measure: Expression | None = Field(
        default=None, description="Condition that shows it was met by the end, if measurable."
    )


class Expectation(Strict):
    """A balance goal: a condition over batch results that `sitroom check` asserts."""

    that: Expression = Field(
        description="Condition over batch results: `outcome.ID` (share of runs ending so, 0..1), "
        "`round.ID` (mean round in which outcome ID happens), `objective.ID` (share of runs "
        "meeting it), `trigger.ID` (share of runs in which it fired), `mean.INDICATOR` (mean "
        "final value), `runs`.",
        examples=["0.2 <= outcome.managed_transition <= 0.6"],
    )
    why: str = Field(default="", description="What the goal protects, shown when it fails.")


class Scenario(Strict):
    """A crisis exercise: clock, actors, world state, moves, injects, triggers and end states."""

    kind: Literal["scenario"] = Field(description="Marks this file as a scenario.")
    id: ScenarioId = Field(
        description="Scenario id used on the command line.", examples=["korea-instability-2012"]
    )
    title: str = Field(description="Title shown in lists.")
    summary: str = Field(description="One paragraph: what the exercise is about.")
    briefing: str = Field(description="Public briefing every seat reads first.")
    sources: list[Citation] = Field(
        default_factory=list, description="Sources the scenario draws on."
    )
    clock: Clock = Field(description="Simulated time.")
    actors: list[Participant] = Field(min_length=1, description="Actors taking part.")
    indicators: list[Indicator] = Field(min_length=1, description="World indicators.")
    variables: list[Variable] = Field(default_factory=list, description="Per-actor variables.")
    relations: Relations = Field(default_factory=Relations, description="Pairwise trust.")
    flags: dict[Id, bool | Flag] = Field(
        default_factory=dict,
        description="Named true/false facts: `NAME: true` (initial value; seen by whoever sees "
        "what changes it) or `NAME: {initial: false, visible: public}`.",
    )
    moves: MoveSet = Field(default_factory=MoveSet, description="Move types available.")
    injects: list[Inject] = Field(default_factory=list, description="Master scenario events list.")
    triggers: list[Trigger] = Field(
        default_factory=list, description="Conditions and their consequences."
    )
    end_conditions: list[EndCondition] = Field(
        min_length=1, description="End states; the last is usually a catch-all with `when: true`."
    )
    objectives: list[Objective] = Field(default_factory=list, description="Learning objectives.")
    facilitator_notes: str = Field(default="", description="Notes for the person running it.")
    expect: list[Expectation] = Field(
        default_factory=list,
        description="Balance goals over batch results, asserted by `sitroom check`; e.g. "
        "`- that: 0.2 <= outcome.managed_transition <= 0.6` (see docs/authoring.md).",
    )
