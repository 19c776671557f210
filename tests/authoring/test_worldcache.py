"""The on-disk cache of built worlds: a hit plays exactly like a fresh build, and any change to a
file the build reads (even one that keeps the size and timestamp) is a miss."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sim.authoring import worldcache
from sim.authoring.library import DEFAULT_SCENARIO, scenario_path
from sim.authoring.loader import load_scenario
from sim.engine import codecache
from sim.record.log import lines
from sim.record.runner import run

ACTORS = Path(__file__).resolve().parents[2] / "actors"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private, empty cache folder."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(worldcache.ENV_VAR, str(folder))
    return folder


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    """A copy of the flagship scenario in a folder of its own, with the US profile beside it."""
    here = tmp_path / "sc"
    here.mkdir()
    src = scenario_path(DEFAULT_SCENARIO)
    assert src is not None
    shutil.copy(src, here / "flag.yaml")
    shutil.copy(ACTORS / "us.yaml", here / "us.yaml")
    return here / "flag.yaml"


def log_of(world: object, seed: int) -> list[str]:
    session = run(world, seed)  # type: ignore[arg-type]
    return list(lines(session.header.to_dict(), session.log))


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle")) if folder.exists() else []


def test_a_cached_world_plays_byte_identical_logs(cache: Path) -> None:
    """The first load writes an entry; the second reads it and gives the same logs, full and
    lean, as the world built from the YAML."""
    built = load_scenario(DEFAULT_SCENARIO)
    assert len(entries(cache)) == 1
    got, _ = worldcache.get(Path(str(scenario_path(DEFAULT_SCENARIO))))
    assert got is not None and got is not built
    assert load_scenario(DEFAULT_SCENARIO).content_hash == built.content_hash
    for seed in (0, 3):
        assert log_of(got, seed) == log_of(built, seed)
        assert run(got, seed, lean=True).log == run(built, seed, lean=True).log


def test_an_edit_that_keeps_size_and_timestamp_is_a_miss(cache: Path, scenario: Path) -> None:
    """Contents are compared, not timestamps: a same-size edit of a profile beside the scenario,
    with its modification time put back, rebuilds the world."""
    first = load_scenario(scenario)
    profile = scenario.parent / "us.yaml"
    text = profile.read_text()
    st = profile.stat()
    assert "risk_tolerance: 0." in text
    i = text.index("risk_tolerance: 0.") + len("risk_tolerance: 0.")
    edited = text[:i] + ("1" if text[i] != "1" else "2") + text[i + 1 :]
    profile.write_text(edited)
    os.utime(profile, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert profile.stat().st_size == st.st_size
    assert worldcache.get(scenario)[0] is None
    second = load_scenario(scenario)
    assert second.models["us"].risk_tolerance != first.models["us"].risk_tolerance


def test_a_file_added_beside_the_scenario_is_a_miss(cache: Path, scenario: Path) -> None:
    """A profile dropped next to the scenario overrides the bundled one: the entry is stale."""
    load_scenario(scenario)
    assert worldcache.get(scenario)[0] is not None
    shutil.copy(ACTORS / "china.yaml", scenario.parent / "china.yaml")
    assert worldcache.get(scenario)[0] is None


def test_damaged_or_foreign_entries_are_misses(cache: Path) -> None:
    """A truncated entry, or one others may write, is never loaded; the load still works."""
    load_scenario(DEFAULT_SCENARIO)
    (entry,) = entries(cache)
    path = Path(str(scenario_path(DEFAULT_SCENARIO)))
    data = entry.read_bytes()
    entry.write_bytes(data[: len(data) // 2])
    assert worldcache.get(path)[0] is None
    assert load_scenario(DEFAULT_SCENARIO).id == DEFAULT_SCENARIO  # rebuilt and rewritten
    assert worldcache.get(path)[0] is not None
    entry.chmod(0o666)
    assert worldcache.get(path)[0] is None


def test_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SITROOM_CACHE=off: every load builds from the YAML and nothing is written."""
    monkeypatch.setenv(worldcache.ENV_VAR, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    load_scenario(DEFAULT_SCENARIO)
    assert worldcache.cache_dir() is None
    assert not any(tmp_path.iterdir())


SOURCE = "def f(x):\n    return x * 2.5 + 1\n"


def test_compiled_code_is_kept_by_its_source(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Generated code is compiled once: the next start reads the same code object's marshal;
    another source is another entry; a damaged or foreign entry is compiled again."""
    first = worldcache.compiled(SOURCE, "<test>")
    (entry,) = cache.glob("code-*.marshal")
    assert first == compile(SOURCE, "<test>", "exec")

    def refuse(*_args: object) -> object:
        raise AssertionError("compiled again")

    monkeypatch.setattr("builtins.compile", refuse)
    assert worldcache.compiled(SOURCE, "<test>") == first
    monkeypatch.undo()
    monkeypatch.setenv(worldcache.ENV_VAR, str(cache))
    worldcache.compiled(SOURCE + "\n", "<test>")
    assert len(list(cache.glob("code-*.marshal"))) == 2
    data = entry.read_bytes()
    entry.write_bytes(data[:-7])
    assert worldcache.compiled(SOURCE, "<test>") == first  # compiled again and rewritten
    assert entry.read_bytes() == data
    entry.chmod(0o666)
    namespace: dict[str, object] = {}
    exec(worldcache.compiled(SOURCE, "<test>"), namespace)
    assert namespace["f"](2) == 6.0  # type: ignore[operator]


def test_old_compiled_code_is_pruned(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codecache, "MAX_CODE_ENTRIES", 3)
    for i in range(5):
        worldcache.compiled(f"x = {i}\n", "<test>")
    assert len(list(cache.glob("code-*.marshal"))) == 3


def test_compiled_code_with_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(worldcache.ENV_VAR, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert worldcache.compiled(SOURCE, "<test>") == compile(SOURCE, "<test>", "exec")
    assert not any(tmp_path.iterdir())


def test_the_event_classes_code_is_kept(cache: Path) -> None:
    """The event classes' generated methods are compiled once, then read back on each start."""
    import subprocess
    import sys

    env = os.environ | {worldcache.ENV_VAR: str(cache)}
    probe = (
        "from sim.engine.events import TriggerFired\n"
        "print(repr(TriggerFired(seq=1, t=0.0, round=1, id='x')))\n"
    )
    outs = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
        )
        outs.append((done.stdout, sorted(p.name for p in cache.glob("code-*.marshal"))))
    assert outs[0] == outs[1]
    assert outs[0][0] == "TriggerFired(seq=1, t=0.0, round=1, id='x')\n" and len(outs[0][1]) == 1
