"""A profile rendered for instructors: what the actor wants, where it stops, and why."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

from sim.models import ActorProfile, Citation
from sim.models.sources import Source

WIDTH = 88


def _wrap(text: str, indent: str = "  ", width: int = WIDTH) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()), width=width, initial_indent=indent, subsequent_indent=indent
    ) or [indent.rstrip()]


def _cites(cites: Sequence[Citation], sources: Mapping[str, Source], indent: str) -> list[str]:
    out = []
    for c in cites:
        src = sources.get(c.source)
        title = f" - {src.title}" if src else " - (not in the source list!)"
        # The year, and a mark on sources written after the 2012-13 setting (later evidence).
        when = f" {src.year}" if src and src.year else ""
        later = ", LATER EVIDENCE" if src and src.later else ""
        out.extend(_wrap(f"[{c.source}{when}{later}, {c.basis}] {c.note}{title}", indent))
    return out


def _bar(weight: float, width: int = 10) -> str:
    filled = round(weight * width)
    return "#" * filled + "." * (width - filled)


def render_profile(profile: ActorProfile, sources: Mapping[str, Source]) -> str:
    """Plain text, 88 columns, sections in the order an instructor asks about them."""
    p = profile
    lines = [f"{p.name} ({p.id})", "=" * min(WIDTH, len(p.name) + len(p.id) + 3)]
    lines += _wrap(p.summary, "")
    t = p.tendencies
    lines += [
        "",
        "Tendencies",
        f"  risk tolerance   {_bar(t.risk_tolerance)} {t.risk_tolerance:.2f}",
        f"  escalation       {_bar(t.escalation)} {t.escalation:.2f}",
        f"  repetition       {_bar(t.repetition)} {t.repetition:.2f}  (worth lost per repeat)",
        f"  variety          {_bar(t.variety)} {t.variety:.2f}  (room for other lines of play)",
    ]
    lines += _cites(t.cite, sources, "    ")
    n = p.negotiation
    offers = (
        f"  proposes restraint when it serves its interests, at most every {n.propose_every} rounds"
        if n.propose
        else "  does not propose agreements; answers them by its interests"
    )
    lines += [
        "",
        "Agreements",
        f"  keeps its word   {_bar(n.keep_agreements)} {n.keep_agreements:.2f}",
        offers,
    ]
    lines += _cites(n.cite, sources, "    ")
    lines += ["", "Interests (weight, and what the computer player watches)"]
    for i in sorted(p.interests, key=lambda x: -x.weight):
        wants = ", ".join(
            f"{w.indicator} {'up' if w.direction == 'higher' else 'down'}"
            + (f" x{w.weight:g}" if w.weight != 1 else "")
            for w in i.wants
        )
        lines.append(f"  {_bar(i.weight)} {i.weight:.2f}  {i.label}")
        lines += _wrap(f"wants: {wants}", "      ")
        lines += _cites(i.cite, sources, "      ")
    if p.red_lines:
        lines += ["", "Red lines (condition -> forced response)"]
        for r in p.red_lines:
            lines.append(f"  {r.label}")
            by = f" (caused by {', '.join(r.caused_by)})" if r.caused_by else ""
            lines += _wrap(f"when {r.when}{by}  ->  {', '.join(r.response)}", "      ")
            lines += _cites(r.cite, sources, "      ")
    if p.instruments:
        inst = p.instruments
        lines += ["", "Preferred instruments"]
        if inst.categories:
            lines += _wrap("categories: " + ", ".join(inst.categories), "  ")
        if inst.moves:
            lines += _wrap("favoured moves: " + ", ".join(inst.moves), "  ")
        lines += _cites(inst.cite, sources, "    ")
    if p.factions:
        lines += ["", "Internal factions (influence shifts with events)"]
        for f in p.factions:
            lines.append(f"  {_bar(f.weight)} {f.weight:.2f}  {f.label}")
            if f.interests:
                mult = ", ".join(f"{k} x{v:g}" for k, v in f.interests.items())
                lines += _wrap(f"reweights: {mult}", "      ")
            for s in f.shifts:
                lines += _wrap(f"{s.by:+.2f} a round while {s.when}", "      ")
            lines += _cites(f.cite, sources, "      ")
    if p.messages:
        lines += ["", "What its computer player says"]
        for m in p.messages:
            to = "public statement" if m.to == "public" else "to " + ", ".join(m.to)
            lines += _wrap(f'{to}, when {m.when}: "{m.text}"', "  ")
    used = sorted({c.source for c in _all_citations(p)})
    lines += ["", "Sources cited"]
    for key in used:
        src = sources.get(key)
        lines += _wrap(
            (f"{key} ({src.year}): {src.title}" if src.year else f"{key}: {src.title}")
            if src
            else f"{key}: (missing from actors/sources.yaml)",
            "  ",
        )
        if src and src.url:
            lines += _wrap(f"<{src.url}>", "      ")
        if src and src.later:
            lines += _wrap(f"later evidence: {src.later}", "      ")
    return "\n".join(lines)


def _all_citations(p: ActorProfile) -> list[Citation]:
    out = list(p.tendencies.cite)
    for i in p.interests:
        out += i.cite
    for r in p.red_lines:
        out += r.cite
    for f in p.factions:
        out += f.cite
    out += p.negotiation.cite
    if p.instruments:
        out += p.instruments.cite
    return out
