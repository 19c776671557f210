"""Move types: the actions an actor may take, and the catalogue files that hold them."""

from typing import Literal

from pydantic import Field, model_validator

from sim.models.base import Amount, Chance, Citation, Expression, Id, ScenarioId, Strict

Category = Literal["diplomatic", "information", "military", "economic", "humanitarian", "nuclear"]
Visibility = Literal["public", "target", "secret"]


class Effect(Strict):
    """One change to the world state: either ``change: NAME, by: AMOUNT`` or ``set: NAME, to: V``.

    NAME is a state name (``tension``, ``flags.camps_open``, ``trust.self.target``,
    ``self.domestic_support``). Changes are clamped to the declared range of the value.
    """

    change: str | None = Field(
        default=None,
        description="State name to change by an amount.",
        examples=["tension", "trust.self.target"],
    )
    by: Amount | None = Field(default=None, description="How much to add (negative to subtract).")
    set: str | None = Field(
        default=None, description="State name to set to a value.", examples=["flags.camps_open"]
    )
    to: bool | float | Expression | None = Field(default=None, description="The value to set.")

    @model_validator(mode="after")
    def _one_form(self) -> "Effect":
        if (self.change is None) == (self.set is None):
            raise ValueError(
                "an effect needs exactly one of 'change' (with 'by') or 'set' (with 'to')"
            )
        if self.change is not None and (self.by is None or self.to is not None):
            raise ValueError("'change' takes 'by' (an amount), not 'to'")
        if self.set is not None and (self.to is None or self.by is not None):
            raise ValueError("'set' takes 'to' (a value), not 'by'")
        return self

    @property
    def name(self) -> str:
        """The state name this effect writes."""
        return self.change if self.change is not None else self.set  # type: ignore[return-value]


class MoveType(Strict):
    """An action an actor may take in a round."""

    id: Id = Field(description="Unique id of the move type.", examples=["open_refugee_camps"])
    name: str = Field(description="Short label shown to players.", examples=["Open refugee camps"])
    category: Category = Field(description="Instrument of power the move belongs to.")
    escalation: int = Field(
        ge=0, le=10, description="Escalation level, 0 (conciliatory) to 10 (nuclear use)."
    )
    description: str = Field(default="", description="What the move is, for players.")
    actors: list[Id] | Literal["all"] = Field(
        default="all", description="Who may use it: 'all' or a list of actor ids."
    )
    requires: Expression | None = Field(
        default=None,
        description="Precondition on the state; may use `self.` for the acting actor's variables.",
        examples=["refugee_flow >= 20"],
    )
    target: Literal["none", "actor"] = Field(
        default="none",
        description="Whether the move is aimed at another actor (then effects may use `target`).",
    )
    targets: list[Id] | None = Field(
        default=None, description="If set, the only actors it may target."
    )
    duration: float = Field(
        default=0, ge=0, le=24 * 365, description="Hours from the decision until the effects land."
    )
    chance: Chance = Field(
        default=1.0, description="Chance of success, rolled when the round closes."
    )
    effects: list[Effect] = Field(default_factory=list, description="Changes when it succeeds.")
    on_failure: list[Effect] = Field(default_factory=list, description="Changes when it fails.")
    reveals: list[str] = Field(
        default_factory=list,
        description="State names whose current values everyone who knows of the move learns "
        "when it succeeds (intelligence sharing); may use `self.` and `target.`.",
        examples=[["target.forces_north"]],
    )
    visibility: Visibility = Field(
        default="public",
        description="public: everyone sees it; "
        "target: the actor and its target; secret: only the actor, "
        "unless detected.",
    )
    detection: Chance = Field(
        default=0.0, description="For secret moves: the chance that each other actor detects it."
    )
    tags: list[Id] = Field(
        default_factory=list,
        description="Labels that agreements can forbid (e.g. `forces_north`, `nuclear_test`).",
    )
    cite: list[Citation] = Field(
        default_factory=list, description="Sources behind the move and its effects."
    )

    @model_validator(mode="after")
    def _targets_need_target(self) -> "MoveType":
        if self.targets is not None and self.target == "none":
            raise ValueError(
                "'targets' lists allowed targets but 'target' is 'none'; set `target: actor`"
            )
        return self


class Catalogue(Strict):
    """A file of move types that scenarios can include by id."""

    kind: Literal["catalogue"] = Field(description="Marks this file as a move catalogue.")
    id: ScenarioId = Field(description="The catalogue's id, used in a scenario's `moves.include`.")
    title: str = Field(description="What the catalogue covers.")
    moves: list[MoveType] = Field(description="The move types.", min_length=1)
