"""The archive commands through a real `sitroom` process: output, exit codes, one-line errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

SITROOM = str(Path(sys.executable).parent / "sitroom")
MINI = Path(__file__).resolve().parents[1] / "data" / "good" / "mini.yaml"


def sitroom(*args: str | Path, db: Path, code: int = 0) -> subprocess.CompletedProcess[str]:
    """Run the command against the archive ``db``; check the exit code and that no traceback
    escaped."""
    proc = subprocess.run(
        [SITROOM, *map(str, args)],
        capture_output=True,
        text=True,
        env={"SITROOM_ARCHIVE": str(db), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert proc.returncode == code, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert "internal error" not in proc.stderr
    return proc


def one_line_error(proc: subprocess.CompletedProcess[str], pattern: str) -> None:
    """The error is a single line on stderr and says what went wrong."""
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, proc.stderr
    assert re.search(pattern, lines[0]), lines[0]


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """A run of the test scenario, archived: (archive, log file, session id)."""
    tmp = tmp_path_factory.mktemp("cli")
    db, log = tmp / "archive.sqlite3", tmp / "run.jsonl"
    proc = sitroom("run", MINI, "--seed", "3", "--out", log, "-q", db=db)
    match = re.search(r"session ([0-9a-f]{8})", proc.stderr)
    assert match, proc.stderr
    return db, log, match.group(1)


def test_sessions_lists_the_run(played: tuple[Path, Path, str]) -> None:
    """`sitroom sessions` shows the run with its seed, rounds and status."""
    db, _log, sid = played
    out = sitroom("sessions", db=db).stdout
    line = next(x for x in out.splitlines() if x.startswith(sid))
    assert " mini " in line and " 3 " in line and "ended" in line
    (data,) = [json.loads(x) for x in sitroom("sessions", "--json", db=db).stdout.splitlines()]
    assert data["id"] == sid and data["status"] == "ended"


def test_export_is_the_log_byte_for_byte(played: tuple[Path, Path, str], tmp_path: Path) -> None:
    """Exporting an archived run gives exactly the log the run wrote; a prefix id is enough."""
    db, log, sid = played
    sitroom("export", sid[:4], "--out", tmp_path / "x.jsonl", db=db)
    assert (tmp_path / "x.jsonl").read_bytes() == log.read_bytes()
    assert sitroom("export", sid, db=db).stdout.encode() == log.read_bytes()


def test_redacted_export(played: tuple[Path, Path, str], tmp_path: Path) -> None:
    """`--as` marks the header and drops what the actor could not know."""
    db, _log, sid = played
    sitroom("export", sid, "--as", "beta", "--out", tmp_path / "b.jsonl", db=db)
    rows = (tmp_path / "b.jsonl").read_text().splitlines()
    assert json.loads(rows[0])["redacted_for"] == "beta"
    assert all('"rationale":"' not in r for r in rows if '"actor":"alpha"' in r)
    one_line_error(
        sitroom("export", sid, "--as", "bta", db=db, code=1), r"unknown actor 'bta'.*beta"
    )


def test_unknown_and_malformed_ids(played: tuple[Path, Path, str]) -> None:
    """Unknown or malformed session ids are one-line errors with exit code 1."""
    db, _log, _sid = played
    one_line_error(sitroom("export", "0000ffff", db=db, code=1), r"no session '0000ffff'")
    one_line_error(sitroom("export", "not-an-id", db=db, code=1), r"not a session id")
    one_line_error(sitroom("run", "--resume", "0000ffff", db=db, code=1), r"no session")


def test_resume_of_an_ended_session_is_refused(played: tuple[Path, Path, str]) -> None:
    """A finished session cannot be continued; the message says where to look instead."""
    db, _log, sid = played
    one_line_error(
        sitroom("run", "--resume", sid, db=db, code=1), rf"already ended.*sitroom report {sid}"
    )


def self_contained(html: str) -> None:
    """Charts inline; no external reference and no script."""
    assert html.count("<svg") >= 2
    assert "<script" not in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert not re.search(r"https?://(?!www\.w3\.org/)", html)


def test_reports_of_a_log_and_of_a_session(played: tuple[Path, Path, str], tmp_path: Path) -> None:
    """From a file or an id prefix, as HTML (by --out suffix) or Markdown, whole or redacted."""
    db, log, sid = played
    sitroom("report", log, "--out", tmp_path / "r.html", db=db)
    self_contained((tmp_path / "r.html").read_text())
    md = sitroom("report", sid[:6], db=db).stdout
    assert md.startswith("# After-action report: A minimal test scenario")
    assert "Redacted for Beta" in sitroom("report", sid, "--as", "beta", db=db).stdout


def test_html_report_of_a_default_run_is_self_contained(tmp_path: Path) -> None:
    """The default scenario's HTML report holds its charts and reaches for nothing outside."""
    from sim.authoring.library import DEFAULT_SCENARIO
    from sim.authoring.loader import load_scenario
    from sim.authoring.problems import UserError

    try:
        load_scenario(DEFAULT_SCENARIO)
    except UserError as exc:  # its profiles and catalogue land on main separately
        pytest.skip(f"the default scenario does not load on this branch yet: {exc}")
    db = tmp_path / "a.sqlite3"
    sitroom("run", "--seed", "3", "--out", tmp_path / "run.jsonl", "-q", db=db)
    sitroom("report", tmp_path / "run.jsonl", "--format", "html", "--out", tmp_path / "r.x", db=db)
    self_contained((tmp_path / "r.x").read_text())
    md = sitroom("report", tmp_path / "run.jsonl", db=db).stdout
    assert "## Learning objectives" in md and "coordination" in md


def test_report_errors(tmp_path: Path) -> None:
    """Missing and corrupt logs are one-line errors naming the file (and line)."""
    db = tmp_path / "a.sqlite3"
    one_line_error(
        sitroom("report", tmp_path / "missing.jsonl", db=db, code=1),
        r"missing\.jsonl: no such file",
    )
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"format": "sitroom-log/1"\n')
    one_line_error(sitroom("report", bad, db=db, code=1), r"bad\.jsonl:1: not a sitroom log")
    one_line_error(sitroom("import", bad, db=db, code=1), r"bad\.jsonl:1")
    one_line_error(sitroom("report", "abcdef12", db=db, code=1), r"no session archive|no such")


def test_import_then_report(played: tuple[Path, Path, str], tmp_path: Path) -> None:
    """An imported log becomes a session; importing it twice is refused."""
    _db, log, _sid = played
    db = tmp_path / "other.sqlite3"
    out = sitroom("import", log, db=db).stdout
    sid = re.search(r"as session ([0-9a-f]{8})", out)
    assert sid, out
    sitroom("report", sid.group(1), "--format", "html", db=db)
    one_line_error(sitroom("import", log, db=db, code=1), r"already in the archive")
    corrupt = tmp_path / "corrupt.jsonl"
    rows = log.read_text().splitlines()
    corrupt.write_text("\n".join([*rows[:5], "{not json", *rows[6:]]) + "\n")
    one_line_error(sitroom("import", corrupt, db=db, code=1), r"corrupt\.jsonl:6: corrupt line")


def test_interrupted_run_resumes_to_the_same_log(tmp_path: Path) -> None:
    """A run cut off mid-way (here: two rounds then nothing) resumes to the uninterrupted log."""
    from sim.authoring.loader import load_scenario
    from sim.record.archive import Archive

    db = tmp_path / "a.sqlite3"
    world = load_scenario(str(MINI))
    with Archive(db) as archive:
        archived = archive.create(world, 5, scenario_ref=str(MINI))
        archived.session.close_round()
        archived.session.close_round()
        archived.pending.clear()  # the process died before writing its last events
        sid = archived.id
    assert "interrupted" in sitroom("sessions", db=db).stdout
    sitroom("run", "--resume", sid[:5], "--out", tmp_path / "resumed.jsonl", "-q", db=db)
    sitroom(
        "run", MINI, "--seed", "5", "--no-archive", "--out", tmp_path / "plain.jsonl", "-q", db=db
    )
    assert (tmp_path / "resumed.jsonl").read_bytes() == (tmp_path / "plain.jsonl").read_bytes()


def test_run_does_not_resume_human_seats(tmp_path: Path) -> None:
    """A session with human seats belongs to `play --resume`; `run` would pass their turns."""
    from sim.authoring.loader import load_scenario
    from sim.record.archive import Archive

    db = tmp_path / "a.sqlite3"
    with Archive(db) as archive:
        archived = archive.create(
            load_scenario(str(MINI)), 1, {"alpha": "human"}, scenario_ref=str(MINI)
        )
        archived.close()
    one_line_error(
        sitroom("run", "--resume", archived.id, db=db, code=1),
        rf"human seats \(alpha\).*sitroom play --resume {archived.id}",
    )
