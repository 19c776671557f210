"""The policy registry: players come from the ``sitroom.players`` entry points or register() in
code; the world builder names them without importing any, and only the one asked for is loaded."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sim.engine import policy as registry
from sim.engine.policy import Decision, check_policy, make_policy, policy_names, register
from sim.engine.rng import Stream
from sim.engine.view import View
from sim.engine.world import World
from sim.models import Orders
from tests.worlds import world

ROOT = Path(__file__).resolve().parents[2]


class Idle:
    """A player that never moves."""

    def __init__(self, world: World, actor: str) -> None:
        self.actor = actor

    def decide(self, view: View, rng: Stream) -> Decision:
        return Decision(Orders())


@pytest.fixture
def clean_registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """The registry as it is, undone after the test."""
    table = dict(registry._REGISTRY)
    monkeypatch.setattr(registry, "_REGISTRY", table)
    return table


def test_bundled_players_are_entry_points() -> None:
    assert {"baseline", "profile"} <= set(policy_names())
    assert check_policy("baseline") is None
    assert check_policy("profile") is None
    assert check_policy("profil") == (
        f"unknown policy 'profil'; did you mean 'profile'? (known: {', '.join(policy_names())})"
    )
    with pytest.raises(ValueError, match="unknown policy 'nobody'"):
        make_policy("nobody", world(), "a")


@pytest.mark.usefixtures("clean_registry")
def test_register_adds_a_player_and_wins_over_an_entry_point() -> None:
    register("idle")(Idle)
    register("baseline")(Idle)
    assert "idle" in policy_names()
    assert check_policy("idle") is None
    assert isinstance(make_policy("idle", world(), "a"), Idle)
    assert isinstance(make_policy("baseline", world(), "a"), Idle)


class SlowEntryPoint:
    """An entry point whose import takes a while, counting its loads."""

    name = "slow"
    loads = 0

    def load(self) -> type[Idle]:
        SlowEntryPoint.loads += 1
        time.sleep(0.05)
        return Idle


@pytest.mark.usefixtures("clean_registry")
def test_threads_load_an_entry_point_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dask workers play on several threads: each gets the player, which is imported once."""
    plugins = {**registry._entry_points(), "slow": SlowEntryPoint()}
    monkeypatch.setattr(registry, "_plugins", plugins)
    w = world()
    got: list[object] = []
    threads = [
        threading.Thread(target=lambda: got.append(make_policy("slow", w, "a"))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert SlowEntryPoint.loads == 1
    assert len(got) == 8
    assert all(isinstance(p, Idle) for p in got)


def loaded_after(code: str) -> set[str]:
    """Player modules in sys.modules after running ``code`` in a fresh interpreter."""
    script = f"import sys\n{code}\nprint('\\n'.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        text=True,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.split()
    return {m for m in out if m.startswith(("sim.players", "actors."))}


def test_building_a_world_imports_no_player() -> None:
    build = "from sim.authoring.loader import load_scenario\nw = load_scenario('pyongyang-coup')"
    assert loaded_after(build) == set()
    play = f"{build}\nfrom sim.engine.policy import make_policy\nmake_policy('baseline', w, 'us')"
    assert loaded_after(play) == {"sim.players", "sim.players.baseline"}


class Reader(Idle):
    """A player that asks for its seat's move events and keeps what it was shown."""

    reads_events = frozenset({"move"})

    def __init__(self, world: World, actor: str) -> None:
        super().__init__(world, actor)
        self.shown: list[dict[str, object]] = []

    def decide(self, view: View, rng: Stream) -> Decision:
        self.shown = [dict(e) for e in view.events]
        return Decision(Orders())


def test_a_computer_seat_gets_the_event_types_its_policy_reads_through_the_wall() -> None:
    """A policy with ``reads_events`` is shown its seat's redacted events of those types only
    (others' rationales hidden); a policy without it is shown none."""
    from sim.authoring.loader import load_scenario
    from sim.engine.session import Session

    w = load_scenario("korea-instability-2012")
    session = Session(w, 3)
    reader, idle = Reader(w, "japan"), Idle(w, "rok")
    session.computer._policies.update({"japan": reader, "rok": idle})
    seen_by_idle: list[object] = []
    idle.decide = lambda view, rng: seen_by_idle.extend(view.events) or Decision(Orders())  # type: ignore[method-assign]
    for _ in range(3):
        session.close_round()
    assert reader.shown and {e["type"] for e in reader.shown} == {"move"}
    assert all(e["rationale"] is None for e in reader.shown if e["actor"] != "japan")
    assert seen_by_idle == []
