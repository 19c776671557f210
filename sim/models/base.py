"""The one strict base every authoring model inherits."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64),
    Field(
        description="An identifier: lower-case letters, digits and underscores, starting with a "
        "letter.",
        examples=["china", "refugee_flow"],
    ),
]
"""Ids become dotted names in expressions (``china.domestic_support``), hence no dashes or dots."""

ScenarioId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=80),
    Field(
        description="A scenario or catalogue id: lower-case letters, digits, '-' and '_'.",
        examples=["korea-instability-2012"],
    ),
]

Expression = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2000),
    Field(
        description="An expression over state names, checked when the file loads, e.g. "
        "`tension >= 70 and not flags.un_resolution`. See docs/authoring.md.",
        examples=["tension >= 70 and not flags.un_resolution"],
    ),
]

Amount = Annotated[
    float | Expression,
    Field(
        description="A number, or an expression giving one (evaluated on the state at the time).",
        examples=[5, "-tension / 10"],
    ),
]

Chance = Annotated[
    float | Expression,
    Field(
        description="A probability from 0 to 1, or an expression giving one (clamped to 0..1).",
        examples=[0.8, "0.9 - tension / 200"],
    ),
]

Basis = Literal["documented", "reported", "assumption"]


class Strict(BaseModel):
    """Unknown keys are errors (they are almost always typos) and loaded models never change.

    Validators are built on a model's first validation, not at import (``defer_build``): a run
    of a cached world validates almost nothing, and building all of them was most of the
    start-up of `sitroom run`."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True
    )


class Citation(Strict):
    """Where a claim in a profile or scenario comes from."""

    source: str = Field(
        description="Key of a source in actors/sources.yaml (S1, S2, E1, ...).", examples=["S2"]
    )
    basis: Basis = Field(
        description="documented: the source states it; reported: seen "
        "through press or summaries; assumption: a modelling "
        "inference that no source states."
    )
    note: str = Field(
        default="",
        description="A short paraphrase of what the source supports. "
        "Never copy a sentence from the source.",
    )
