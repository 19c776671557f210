"""Control's adjudication preview and overrides, a seat's locked moves and the debrief, over a
real `sitroom serve` on 127.0.0.1 with real WebSocket clients."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim.engine.inputs import Close, Override
from sim.models import Orders
from sim.models.script import MoveOrder
from tests.net.served import MINI, exported, run, serve, sitroom, until
from ui.net.client import Connection, Refused
from ui.net.protocol import PreviewRequest

SEATS = ("--seat", "alpha=human", "--seat", "beta=human")
MOVES = """
kind: catalogue
id: mini_moves
title: Moves for the test scenarios
moves:
  - id: talk
    name: Talks
    category: diplomatic
    escalation: 0
    chance: 0.5
    effects:
      - {set: flags.talks, to: true}
  - id: strike
    name: Strike
    category: military
    escalation: 8
    requires: "tension >= 70 and not flags.talks"
    effects: [{change: tension, by: 10}]
"""
OBJECTIVES = """
objectives:
  - {id: calm_kept, text: Keep tension below 90, measure: "tension < 90"}
  - {id: talked, text: Open talks}
"""


def scenario(tmp: Path) -> str:
    """The mini scenario with a locked move (Strike) and learning objectives."""
    where = tmp / "sc"
    where.mkdir()
    text = Path(MINI).read_text()
    (where / "mini.yaml").write_text(text.rstrip() + "\n" + OBJECTIVES)
    (where / "mini_moves.yaml").write_text(MOVES)
    for actor in ("alpha", "beta", "sources"):
        shutil.copy(Path(MINI).parent / f"{actor}.yaml", where / f"{actor}.yaml")
    return str(where / "mini.yaml")


def test_control_previews_and_overrides_and_the_log_replays(tmp_path: Path) -> None:
    """Control asks the preview: the submitted move with its chance and roll; a seat or an
    observer asking is refused; control's override is journalled (the preview marks it, the
    round's move has the forced outcome) and the log replays."""
    srv = serve(tmp_path, scenario(tmp_path), *SEATS)

    async def play() -> None:
        async with (
            Connection(srv.url, srv.codes["control"]) as control,
            Connection(srv.url, srv.codes["alpha"]) as alpha,
            Connection(srv.url, srv.codes["observer"]) as observer,
        ):
            await alpha.submit(Orders(moves=[MoveOrder(move="talk")]))
            preview = await control.ask_preview()
            assert [(r.mid, r.actor, r.move, r.chance) for r in preview.rulings] == [
                ("m1.alpha.1", "alpha", "talk", 0.5)
            ]
            assert preview.rulings[0].override_note is None
            dice = preview.rulings[0].outcome
            forced = "failure" if dice == "success" else "success"
            for who in (alpha, observer):
                fid = who.new_id()
                with pytest.raises(Refused) as refused:
                    await who.request(PreviewRequest(id=fid), fid)
                assert refused.value.code == "forbidden"
            with pytest.raises(Refused) as refused:
                await alpha.input(Override(mid="m1.alpha.1", outcome=forced))
            assert refused.value.code == "forbidden"

            await control.input(Override(mid="m1.alpha.1", outcome=forced, note="umpire"))
            again = await control.ask_preview()
            assert (again.rulings[0].outcome, again.rulings[0].override_note) == (
                forced,
                "umpire",
            )
            await control.input(Close())
            await until(lambda: control.round == 2, control)

    try:
        run(play())
    finally:
        srv.stop()
    full = exported(srv.archive, srv.session)
    resolved = next(e for e in full if e["type"] == "resolved" and e["mid"] == "m1.alpha.1")
    assert resolved["outcome"] == forced_outcome(full)
    (tmp_path / "log.jsonl").write_text(sitroom(srv.archive, "export", srv.session).stdout)
    verified = sitroom(srv.archive, "replay", str(tmp_path / "log.jsonl"), "--verify")
    assert verified.returncode == 0, verified.stderr


def forced_outcome(events: list[dict[str, object]]) -> object:
    return next(e["outcome"] for e in events if e["type"] == "override")


def test_a_seat_is_told_its_locked_moves_in_words(tmp_path: Path) -> None:
    """Strike is locked (tension is 40): the seat's welcome lists it with its condition in
    labels; control and observers get no list; once the condition holds it is no longer
    listed."""
    srv = serve(tmp_path, scenario(tmp_path), *SEATS)

    async def play() -> None:
        async with (
            Connection(srv.url, srv.codes["alpha"]) as alpha,
            Connection(srv.url, srv.codes["control"]) as control,
        ):
            assert [(m.move, m.why) for m in alpha.locked] == [
                ("strike", "possible when Tension at least 70 and not talks")
            ]
            assert control.welcome is not None and control.welcome.locked is None
            from sim.engine.inputs import AdHocInject
            from sim.models import Effect

            raise_tension = Effect.model_validate({"change": "tension", "by": 40})
            await control.input(
                AdHocInject(title="Shelling", text="", audience="public", effects=[raise_tension])
            )
            await until(lambda: not alpha.locked, alpha)
            assert ("strike", None) in {tuple(mt) for mt in alpha.view_data["legal"]}

    try:
        run(play())
    finally:
        srv.stop()


def test_each_client_gets_its_debrief_from_its_own_view(tmp_path: Path) -> None:
    """When the last round closes, control is sent the endings and the objectives measured on
    the final state; the seat and the observer are sent none (their debrief is their own view,
    which equals `export --as`)."""
    srv = serve(tmp_path, scenario(tmp_path), *SEATS)

    async def play() -> None:
        async with (
            Connection(srv.url, srv.codes["control"]) as control,
            Connection(srv.url, srv.codes["alpha"]) as alpha,
            Connection(srv.url, srv.codes["observer"]) as observer,
        ):
            for r in (1, 2, 3):
                await control.input(Close(), round=r)
            await until(lambda: control.debrief is not None and alpha.over, control)
            await until(lambda: alpha.over and observer.over, alpha)
            assert control.debrief is not None
            assert [(e.id, e.title) for e in control.debrief.endings] == [
                ("crisis", "Crisis"),
                ("calm", "Calm"),
            ]
            assert [(o.id, o.met) for o in control.debrief.objectives] == [
                ("calm_kept", True),
                ("talked", None),
            ]
            assert alpha.debrief is None and observer.debrief is None
            seen = list(alpha.events)
        # A control joining after the end is sent the debrief too.
        async with Connection(srv.url, srv.codes["control"]) as late:
            await until(lambda: late.debrief is not None, late)
        return seen  # type: ignore[return-value]

    try:
        seen = run(play())
    finally:
        srv.stop()
    assert seen == exported(srv.archive, srv.session, "alpha")  # type: ignore[comparison-overlap]
