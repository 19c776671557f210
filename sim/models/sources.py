"""The list of sources that profiles and scenarios cite."""

from typing import Literal

from pydantic import Field

from sim.models.base import Strict


class Source(Strict):
    """One citable document."""

    key: str = Field(
        description="Short key used in citations.",
        examples=["S1", "E7"],
        pattern=r"^[A-Z][A-Z0-9]*$",
    )
    title: str = Field(description="Author, title and date.")
    url: str = Field(default="", description="Where it can be found, if public.")
    file: str = Field(default="", description="Path of a local copy under shared/sources, if any.")
    year: int | None = Field(
        default=None,
        ge=1900,
        le=2100,
        description="Year of publication (or of the events it records, for timelines); every "
        "bundled source gives one, so a reader can tell evidence of the setting from later "
        "evidence.",
        examples=[2013],
    )
    later: str = Field(
        default="",
        description="Set when the source was written after the 2012-13 setting: how it is used "
        "(later evidence of a standing position, never of what was known then).",
    )
    reliability: Literal["primary", "reported", "low"] = Field(
        default="primary",
        description="primary: read directly; reported: seen through summaries "
        "or press; low: uncorroborated.",
    )


class SourceList(Strict):
    """The bibliography shared by all bundled profiles and scenarios."""

    kind: Literal["sources"] = Field(description="Marks this file as a source list.")
    sources: list[Source] = Field(description="Every source that may be cited.", min_length=1)
