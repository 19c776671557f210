"""Hostile inputs and faults through the real `sitroom` command: each gets exit 1 (input) or 2
(usage) and the message in its golden file tests/data/bad/cli/NAME.expected, never a traceback or
exit 70. Paths under the test's temp folder print as TMP; random session ids are left out.

Regenerate after a deliberate wording change with ``SITROOM_UPDATE_GOLDEN=1 pytest`` and review
the diff.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "data" / "bad" / "cli"
MINI = ROOT / "tests" / "data" / "good" / "mini.yaml"

Setup = Callable[[Path], list[str]]


def sitroom(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        cwd=cwd,
        text=True,
        capture_output=True,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=120,
    )
    return proc.returncode, proc.stdout, proc.stderr


def log_file(tmp: Path) -> Path:
    """A real log of the mini scenario."""
    out = tmp / "run.jsonl"
    code, _, err = sitroom("run", str(MINI), "--seed", "2", "-q", "--out", str(out), cwd=tmp)
    assert code == 0, err
    return out


def fifo(tmp: Path, name: str = "fifo") -> Path:
    path = tmp / name
    os.mkfifo(path)
    return path


def device(tmp: Path, name: str, minor: int) -> Path:
    """A character device node in tmp (1,3 is a null device, 1,5 zero, 1,7 full): never the
    system's own /dev entries."""
    path = tmp / name
    try:
        os.mknod(path, 0o20666, os.makedev(1, minor))
    except PermissionError:
        pytest.skip("creating a device node needs root")
    return path


def a_file(tmp: Path) -> Path:
    path = tmp / "f"
    path.write_text("")
    return path


def hostile_header(tmp: Path, **changes: object) -> Path:
    src = log_file(tmp)
    rows = src.read_text(encoding="utf-8").splitlines()
    header = json.loads(rows[0]) | changes
    out = tmp / "hostile.jsonl"
    out.write_text("\n".join([json.dumps(header), *rows[1:]]) + "\n", encoding="utf-8")
    return out


def deep_json_log(tmp: Path) -> list[str]:
    src = log_file(tmp)
    rows = src.read_text(encoding="utf-8").splitlines()
    out = tmp / "deep.jsonl"
    out.write_text(rows[0] + "\n" + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    return ["replay", str(out), "--verify"]


def foreign_sqlite(tmp: Path) -> list[str]:
    path = tmp / "foreign.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
        db.execute("INSERT INTO notes VALUES ('mine')")
    return ["sessions", "--archive", str(path)]


def digits_file(tmp: Path) -> list[str]:
    """A scenario whose indicator starts at a 100,000-digit number: echoed shortened."""
    path = tmp / "digits.yaml"
    text = MINI.read_text(encoding="utf-8").replace("initial: 40", "initial: " + "7" * 100_000)
    path.write_text(text, encoding="utf-8")
    return ["validate", str(path)]


CASES: dict[str, Setup] = {
    "out_missing_folder": lambda t: ["run", str(MINI), "-q", "--out", str(t / "no" / "x.jsonl")],
    "out_is_folder": lambda t: ["run", str(MINI), "-q", "--no-archive", "--out", str(t)],
    "out_fifo_no_reader": lambda t: [
        "run",
        str(MINI),
        "-q",
        "--no-archive",
        "--out",
        str(fifo(t)),
    ],
    "out_disk_full": lambda t: [
        "run",
        str(MINI),
        "-q",
        "--no-archive",
        "--out",
        str(device(t, "full", 7)),
    ],
    "report_out_missing_folder": lambda t: [
        "report",
        str(log_file(t)),
        "--out",
        str(t / "no" / "r.md"),
    ],
    "replay_out_missing_folder": lambda t: [
        "replay",
        str(log_file(t)),
        "--until",
        "1",
        "--out",
        str(t / "no" / "f.jsonl"),
    ],
    "export_out_missing_folder": lambda t: ["export", "0", "--out", str(t / "no" / "e.jsonl")],
    "batch_csv_missing_folder": lambda t: [
        "batch",
        str(MINI),
        "-n",
        "2",
        "--csv",
        str(t / "no" / "b.csv"),
    ],
    "new_parent_is_a_file": lambda t: ["new", "scenario", "x", "--dir", str(a_file(t) / "sub")],
    "schema_write_into_file": lambda t: ["schema", "--write", str(a_file(t))],
    "scenario_fifo": lambda t: ["validate", str(fifo(t, "s.yaml"))],
    "scenario_device": lambda t: ["run", str(device(t, "zero.yaml", 5)), "-q", "--no-archive"],
    "log_fifo": lambda t: ["replay", str(fifo(t, "l.jsonl")), "--verify"],
    "log_header_names_passwd": lambda t: [
        "replay",
        str(hostile_header(t, scenario_ref="/etc/passwd")),
        "--verify",
    ],
    "log_header_names_a_fifo": lambda t: [
        "replay",
        str(hostile_header(t, scenario_ref=str(fifo(t, "s.yaml")))),
        "--verify",
    ],
    "value_100k_digits": digits_file,
    "log_header_huge_seed": lambda t: [
        "replay",
        str(hostile_header(t, seed=2**70)),
        "--verify",
    ],
    "log_json_nested_100k": deep_json_log,
    "seed_out_of_range": lambda t: ["run", str(MINI), "--seed", "9223372036854775808"],
    "foreign_sqlite_archive": foreign_sqlite,
    "many_problems_capped": lambda t: [
        "validate",
        str(GOLDEN / "capped_problems.yaml"),
    ],
}


def normalise(text: str, tmp: Path) -> str:
    text = text.replace(str(tmp), "TMP").replace(str(ROOT), "ROOT")
    # Random session ids and the archive's location are not part of the message.
    lines = [ln for ln in text.splitlines() if not re.match(r"session [0-9a-f]{8} \(", ln)]
    return "".join(ln + "\n" for ln in lines)


@pytest.mark.parametrize("name", sorted(CASES))
def test_fault_gets_a_clean_answer(name: str, tmp_path: Path) -> None:
    """Exit 1 or 2 with exactly the golden message; no traceback, no internal error."""
    argv = CASES[name](tmp_path)
    env = {"SITROOM_ARCHIVE": str(tmp_path / "archive.sqlite3")}
    code, _out, err = sitroom(*argv, cwd=tmp_path, env=env)
    tail = "\n".join(_out.splitlines()[-4:])  # validate reports on stdout
    got = f"exit {code}\n" + normalise(tail, tmp_path) + normalise(err, tmp_path)
    expected = GOLDEN / f"{name}.expected"
    if os.environ.get("SITROOM_UPDATE_GOLDEN") == "1":
        expected.write_text(got, encoding="utf-8")
    assert "Traceback" not in err and "internal error" not in err
    assert code in (1, 2), err
    assert got == expected.read_text(encoding="utf-8")


def test_fifo_beside_the_scenario_is_skipped(tmp_path: Path) -> None:
    """Scanning the scenario's folder for catalogues and profiles skips a FIFO named *.yaml
    (reading it would hang): validate and run answer as if it were not there."""
    for src in MINI.parent.glob("*.yaml"):
        (tmp_path / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    fifo(tmp_path, "zz.yaml")
    for args in (["validate", "mini.yaml"], ["run", "mini.yaml", "-q", "--no-archive"]):
        code, out, err = sitroom(*args, cwd=tmp_path)
        assert code == 0, (args, err)
        assert "all valid" in out or "Outcome:" in out


def test_null_device_is_written_into_never_replaced(tmp_path: Path) -> None:
    """`--out` a null device (made in tmp, never the real /dev/null): it stays a device."""
    null = device(tmp_path, "null", 3)
    for argv in (
        ["run", str(MINI), "-q", "--no-archive", "--out", str(null)],
        ["replay", str(log_file(tmp_path)), "--until", "1", "--out", str(null)],
        ["report", str(log_file(tmp_path)), "--out", str(null)],
    ):
        code, _, err = sitroom(*argv, cwd=tmp_path)
        assert code == 0, err
        assert null.is_char_device(), argv
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null", "run.jsonl"]  # no temp left


def test_fifo_with_a_reader_receives_the_log(tmp_path: Path) -> None:
    """A FIFO someone reads gets the log written into it (and stays a FIFO)."""
    pipe = fifo(tmp_path)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(pipe.read_bytes()), daemon=True)
    reader.start()
    code, _, err = sitroom("run", str(MINI), "-q", "--no-archive", "--out", str(pipe), cwd=tmp_path)
    reader.join(30)
    assert code == 0, err
    assert got and got[0].startswith(b'{"engine"') and pipe.is_fifo()


def test_regular_file_replaced_atomically_with_its_mode(tmp_path: Path) -> None:
    """An existing regular file is replaced whole and keeps its mode; a new one gets 0666-umask."""
    old = tmp_path / "old.jsonl"
    old.write_text("old\n")
    old.chmod(0o640)
    code, _, err = sitroom("run", str(MINI), "-q", "--no-archive", "--out", str(old), cwd=tmp_path)
    assert code == 0, err
    assert old.read_text().startswith('{"engine"') and (old.stat().st_mode & 0o777) == 0o640
    new = tmp_path / "new.jsonl"
    code, _, err = sitroom("run", str(MINI), "-q", "--no-archive", "--out", str(new), cwd=tmp_path)
    assert code == 0, err
    umask = os.umask(0)
    os.umask(umask)
    assert new.stat().st_mode & 0o777 == 0o666 & ~umask


def _mount_tmpfs(where: Path, options: str) -> bool:
    where.mkdir()
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    return proc.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    where = tmp_path / "small"
    if not _mount_tmpfs(where, "size=16k"):
        pytest.skip("mounting a small tmpfs needs privileges")
    yield where
    subprocess.run(["umount", str(where)], check=False)


@pytest.fixture
def read_only(tmp_path: Path):  # type: ignore[no-untyped-def]
    where = tmp_path / "ro"
    if not _mount_tmpfs(where, "ro,size=16k"):
        pytest.skip("mounting a read-only tmpfs needs privileges")
    yield where
    subprocess.run(["umount", str(where)], check=False)


def test_full_disk_leaves_no_partial_file(small_disk: Path, tmp_path: Path) -> None:
    """A real full file system (16 kB tmpfs): exit 1, the old file intact, no temp file left."""
    target = small_disk / "report.md"
    target.write_text("previous report\n")
    fd = os.open(small_disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:  # fill the rest of the disk
        while os.write(fd, b"x" * 512):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    code, _, err = sitroom("report", str(log_file(tmp_path)), "--out", str(target), cwd=tmp_path)
    assert code == 1 and "the disk is full" in err and "Traceback" not in err, err
    assert target.read_text() == "previous report\n"
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "report.md"]


def test_read_only_folder_refused_before_the_run(read_only: Path, tmp_path: Path) -> None:
    """A read-only mount is refused up front (as root too), before any work."""
    start = time.monotonic()
    code, _, err = sitroom(
        "run", str(MINI), "-q", "--no-archive", "--out", str(read_only / "x.jsonl"), cwd=tmp_path
    )
    assert code == 1 and "read-only" in err, err
    assert time.monotonic() - start < 30


def test_locked_archive_answers_fast(tmp_path: Path) -> None:
    """An archive another program holds a write lock on: a clear message within seconds."""
    archive = tmp_path / "archive.sqlite3"
    code, _, err = sitroom(
        "run", str(MINI), "-q", "--archive", str(archive), cwd=tmp_path
    )  # creates it
    assert code == 0, err
    holder = sqlite3.connect(archive, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        start = time.monotonic()
        code, _, err = sitroom("run", str(MINI), "-q", "--archive", str(archive), cwd=tmp_path)
        took = time.monotonic() - start
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 1 and "locked by another program" in err and "Traceback" not in err, err
    assert took < 20


def test_stdout_that_is_not_utf8(tmp_path: Path) -> None:
    """Hangul and dashes on an ASCII stdout come out escaped, exit 0."""
    code, out, err = sitroom(
        "run", "korea-instability-2012", "--seed", "3", "--no-archive", cwd=tmp_path,
        env={"PYTHONIOENCODING": "ascii"},
    )  # fmt: skip
    assert code == 0, err
    assert "Outcome:" in out


def test_relative_scenario_reported_from_another_folder(tmp_path: Path) -> None:
    """A session started with a relative scenario path reports and exports from anywhere."""
    here = tmp_path / "work"
    here.mkdir()
    for src in MINI.parent.glob("*.yaml"):
        (here / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    archive = tmp_path / "archive.sqlite3"
    code, _, err = sitroom("run", "mini.yaml", "-q", "--archive", str(archive), cwd=here)
    assert code == 0, err
    sid = re.search(r"session ([0-9a-f]{8})", err)
    assert sid is not None
    code, out, err = sitroom("report", sid[1], "--archive", str(archive), cwd=tmp_path)
    assert code == 0, err
    assert out.startswith("#")


def test_read_only_archive_is_read_and_named(tmp_path: Path) -> None:
    """An archive on a read-only file system: sessions, report and export read it; a new run is
    refused as read-only (not "not a sitroom archive")."""
    where = tmp_path / "arch"
    if not _mount_tmpfs(where, "size=1m"):
        pytest.skip("mounting a tmpfs needs privileges")
    try:
        archive = str(where / "a.sqlite3")
        code, _, err = sitroom("run", str(MINI), "-q", "--archive", archive, cwd=tmp_path)
        assert code == 0, err
        subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
        code, out, err = sitroom("sessions", "--archive", archive, cwd=tmp_path)
        assert code == 0, err
        sid = out.splitlines()[1].split()[0]
        code, out, err = sitroom("report", sid, "--archive", archive, cwd=tmp_path)
        assert code == 0 and out.startswith("# After-action report"), err
        code, out, err = sitroom("run", str(MINI), "-q", "--archive", archive, cwd=tmp_path)
        assert code == 1 and "read-only" in err and "Traceback" not in err, err
    finally:
        subprocess.run(["umount", str(where)], check=False)
