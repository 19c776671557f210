"""The export audit: over many seeds of every bundled scenario, with scripted secret moves, private
and public messages, a pact that a secret move later breaks, control overrides and private and
public control injects, no `export --as` (nor the live view, which must equal it) reveals by its
numbering, its effect sources, its chances or its rolls anything its seat could not know:

* move, message and control-inject numbers run 1, 2, ... per kind with no gap;
* every source an event names (a move, an inject, an agreement, a breach) is shown in the export;
* a chance is shown only when the move's formula reads names the seat can see;
* no roll is shown (a roll beside chance and outcome would reveal an override).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections import defaultdict
from typing import Any

import pytest

from sim.authoring import library
from sim.authoring.loader import load_scenario
from sim.engine.events import Breach, Overridden
from sim.engine.inputs import IllegalInput
from sim.engine.session import Session
from sim.engine.world import World
from sim.models import Orders
from sim.record.export import redact_log
from sim.record.log import Log

SEEDS = range(int(os.environ.get("AUDIT_SEEDS", "40")))
NUMBERED = re.compile(r"((?:m|c)\d+\.[^.]+\.s?|control\.\d+\.)(\d+)")


def secret_moves(world: World, s: Session, actor: str) -> list[tuple[str, str | None]]:
    legal = sorted(s.view(actor).legal, key=lambda mt: (mt[0], mt[1] or ""))
    return [(m, t) for m, t in legal if world.moves[m].type.visibility == "secret"]


def play(world: World, seed: int) -> Session:
    """A run with scripted secrets, a pact broken in secret, overrides and private injects."""
    probe = Session(world, seed)
    actors = list(world.actors)
    mover = next((a for a in actors if secret_moves(world, probe, a)), actors[0])
    others = [a for a in actors if a != mover]
    p, q = others[seed % len(others)], others[(seed + 1) % len(others)]
    scripted = {mover, p, q}
    s = Session(world, seed, dict.fromkeys(scripted, "script"))
    secrets = secret_moves(world, s, mover)
    # Round 1: a private word to p, then a pact offered to p and q forbidding the secret move.
    messages: list[dict[str, Any]] = [{"to": [p], "text": f"just between us {seed}"}]
    if secrets and p != q:
        messages.append(
            {
                "to": [p, q],
                "text": "a pact",
                "proposal": {
                    "title": "No surprises",
                    "terms": {"commitments": [{"forbid": [secrets[0][0]], "label": "none"}]},
                },
            }
        )
    first: dict[str, Any] = {"messages": messages}
    if len(secrets) > 1:
        move, target = secrets[1]
        first["moves"] = [{"move": move} | ({"target": target} if target else {})]
    _submit(s, mover, first)
    s.inject(f"Eyes only {seed}", "private", [q])
    s.inject("Public news", "for all")
    s.close_round()
    # Round 2: p and q accept; the mover makes a secret move, which control overrides.
    for who in (p, q):
        if who != mover:
            _submit(s, who, {"answers": [{"proposal": f"p1.{mover}.2", "accept": True}]})
    if secrets:
        move, target = secrets[0]
        _submit(s, mover, {"moves": [{"move": move} | ({"target": target} if target else {})]})
        for ruling in s.preview():
            if ruling.actor == mover:
                s.override(ruling.mid, "failure", "control says no")
                break
    if not s.over:
        s.close_round()
    # Round 3: the secret move again, now breaking the pact if it came into force.
    if secrets and not s.over:
        move, target = secrets[0]
        _submit(s, mover, {"moves": [{"move": move} | ({"target": target} if target else {})]})
    if not s.over:
        s.close_round()
    for a in scripted:
        if not s.over:
            s.set_seat(a, "computer")
    while not s.over:
        s.close_round()
    return s


def _submit(s: Session, actor: str, orders: dict[str, Any]) -> None:
    # This seed's state may not allow it: the rest of the run still audits.
    with contextlib.suppress(IllegalInput):
        s.submit(actor, Orders.model_validate(orders))


def audit(world: World, log: Log, actor: str, events: list[dict[str, Any]]) -> None:
    # Numbering: each kind's numbers are 1..k as the seat sees them.
    numbers: dict[str, set[int]] = defaultdict(set)
    for e in events:
        for key in ("mid", "id"):
            m = NUMBERED.fullmatch(str(e.get(key, "")))
            if m and not (key == "id" and e["type"] != "inject"):
                numbers[m[1]].add(int(m[2]))
    for head, seen in numbers.items():
        assert seen == set(range(1, len(seen) + 1)), (actor, head, sorted(seen))
    # Sources: everything named is shown.
    moves = {e["mid"]: e for e in events if e["type"] == "move"}
    injects = {e["id"] for e in events if e["type"] == "inject"}
    agreements = {e["id"] for e in events if e["type"] == "agreement"}
    breaches = {e["agreement"] for e in events if e["type"] == "breach"}
    for e in events:
        if e["type"] in ("resolved", "breach"):
            assert e["mid"] in moves, (actor, e)
        if e["type"] in ("effect", "revealed"):
            kind, _, ident = e["source"].partition(":")
            if e["source"] == "unknown":
                continue
            if e["source"][:1] == "m" and not ident:
                assert e["source"] in moves, (actor, e)
            elif kind == "inject":
                assert ident in injects, (actor, e)
            elif kind == "agreement":
                assert ident in agreements, (actor, e)
            elif kind == "breach":
                assert ident in breaches, (actor, e)
            else:
                raise AssertionError((actor, e))
        if e["type"] == "resolved":
            assert e["roll"] is None, (actor, e)
            if e["chance"] is not None:
                target = moves[e["mid"]]["target"]
                names = world.bound_move(e["actor"], e["move"], target).chance.names
                assert names <= world.visible[actor], (actor, e, names - world.visible[actor])
        assert e["type"] != "override", actor


@pytest.mark.parametrize("scenario", library.scenario_ids())
def test_exports_reveal_nothing(scenario: str) -> None:
    """No gap, hidden source, hidden chance or roll in any seat's export; the live view is equal."""
    world = load_scenario(scenario)
    overridden = broken = 0
    for seed in SEEDS:
        s = play(world, seed)
        overridden += sum(isinstance(e, Overridden) for e in s.log)
        broken += sum(isinstance(e, Breach) for e in s.log)
        log = Log(s.header.to_dict(), list(s.log))
        for actor in world.actors:
            exported = [e.to_dict() for e in redact_log(log, actor, world).events]
            audit(world, log, actor, exported)
            assert exported == [dict(e) for e in s.view(actor).events]
    assert overridden > 0 and broken > 0, "the audit never exercised an override or a breach"
