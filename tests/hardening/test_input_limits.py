"""Huge but valid files are refused early, at the first entry past a stated limit (see
docs/archive.md, "Limits and faults"): a million entries are counted on the parser's events
before any node is built; smaller files past a list's cap, or with too many actors, are refused
before any model is built. Files are generated in the test's temp folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sim.authoring.limits import MAX_ACTORS, MAX_ENTRIES
from sim.authoring.loader import check_file
from sim.authoring.yamlsrc import MAX_FILE_BYTES, MAX_NODES

ROOT = Path(__file__).resolve().parents[2]
MINI = (ROOT / "tests" / "data" / "good" / "mini.yaml").read_text(encoding="utf-8")
ALPHA = (ROOT / "tests" / "data" / "good" / "alpha.yaml").read_text(encoding="utf-8")
ACTORS = "actors:\n  - id: alpha\n  - id: beta\n"
FLAGS = "flags:\n  talks: false\n"


def _scenario(tmp: Path, old: str, new: str) -> Path:
    path = tmp / "big.yaml"
    assert old in MINI
    path.write_text(MINI.replace(old, new), encoding="utf-8")
    return path


def test_a_million_actors_are_refused_by_count(tmp_path: Path) -> None:
    path = _scenario(tmp_path, ACTORS, "actors: [" + ",".join(["{id: a}"] * 1_000_000) + "]\n")
    assert path.stat().st_size < MAX_FILE_BYTES  # under the size cap: the count refuses it
    checked = check_file(path)
    assert checked.model is None and len(checked.problems) == 1
    (p,) = checked.problems
    assert (p.line, p.message) == (
        8,
        f"the file holds more than {MAX_NODES:,} values (keys, values and list items); "
        "sitroom reads at most that many per file",
    )
    assert p.col > 1


def test_a_million_flags_through_the_command(tmp_path: Path) -> None:
    """Through `sitroom validate`: exit 1, the position and the limit, no traceback."""
    flags = ",".join(f"f{i}: no" for i in range(1_000_000))[: MAX_FILE_BYTES - 4096]
    flags = flags[: flags.rfind(",")]
    path = _scenario(tmp_path, FLAGS, "flags: {" + flags + "}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "ui.cli", "validate", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "big.yaml:15:" in proc.stdout and f"more than {MAX_NODES:,} values" in proc.stdout


def test_an_actor_file_of_a_million_entries(tmp_path: Path) -> None:
    path = tmp_path / "alpha.yaml"
    sources = "sources: [" + ",".join(["x"] * 1_000_000) + "]\n"
    path.write_text(ALPHA + sources, encoding="utf-8")
    checked = check_file(path)
    assert checked.model is None
    assert [p.message.split(";")[0] for p in checked.problems] == [
        f"the file holds more than {MAX_NODES:,} values (keys, values and list items)"
    ]


def test_a_list_past_its_cap_is_refused_before_models(tmp_path: Path) -> None:
    flags = "".join(f"  f{i}: false\n" for i in range(MAX_ENTRIES + 1))
    path = _scenario(tmp_path, FLAGS, FLAGS + flags)
    checked = check_file(path)
    assert checked.model is None
    (p,) = checked.problems
    assert (p.line, p.col) == (16 + MAX_ENTRIES, 3)  # the first key past the limit
    assert p.message == (
        f"{MAX_ENTRIES + 2:,} entries here; a list or mapping holds at most {MAX_ENTRIES:,} "
        "(this key is the first past the limit)"
    )


def test_too_many_actors(tmp_path: Path) -> None:
    actors = "actors:\n" + "".join(f"  - id: a{i}\n" for i in range(MAX_ACTORS + 10))
    checked = check_file(_scenario(tmp_path, ACTORS, actors))
    assert checked.model is None
    (p,) = checked.problems
    assert (p.line, p.col) == (9 + MAX_ACTORS, 5)  # the first actor past the limit
    assert p.message.startswith(f"{MAX_ACTORS + 10:,} actors; a scenario has at most {MAX_ACTORS}")
