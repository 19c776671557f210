"""After-action reports: Markdown for terminals and git, self-contained HTML for sharing.

``write_report(session_or_log, world, fmt)`` is the one entry point (the CLI's ``sitroom report``
and the TUI's debrief screen both call it). With ``as_actor`` the report is built from the log
redacted for that actor (its view's events, see :mod:`sim.record.export`) and what it believed
is folded from those events alone, so it can only say what that actor could know.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from sim.record.log import Log

if TYPE_CHECKING:
    from sim.engine.session import Session
    from sim.engine.world import World
    from sim.report.facts import Debrief

Format = Literal["md", "html"]
FORMATS: tuple[Format, ...] = ("md", "html")

__all__ = ["FORMATS", "Debrief", "Format", "debrief", "write_report"]


def __getattr__(name: str) -> object:
    """``Debrief`` on first use (see :func:`debrief` for why the facts load late)."""
    if name == "Debrief":
        from sim.report.facts import Debrief

        return Debrief
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def debrief(source: Session | Log, world: World, *, as_actor: str | None = None) -> Debrief:
    """The report's content, for front ends that lay it out themselves."""
    # Imported here: `sitroom run` and the TUI import submodules (``narrate``, ``labels``) at
    # start-up, which runs this package first, and need neither the facts nor the exports.
    from sim.record.export import full_log, redact_log
    from sim.report.facts import gather

    log = source if isinstance(source, Log) else full_log(source)
    if as_actor is not None:
        log = redact_log(log, as_actor, world)
    return gather(log, world)


def write_report(
    source: Session | Log, world: World, fmt: Format = "md", *, as_actor: str | None = None
) -> str:
    """The after-action report of a session or log as Markdown or HTML text."""
    facts = debrief(source, world, as_actor=as_actor)
    if fmt == "html":
        from sim.report.html import render  # pulls in the plotting library only when needed

        return render(facts)
    from sim.report.markdown import render as render_md

    return render_md(facts)
