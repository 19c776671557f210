"""The master scenario events list (MSEL) as a spreadsheet: scheduled injects out and in.

Exercise designers keep their injects in a spreadsheet: time, audience, inject, expected player
action, objective. :func:`write_msel` writes a scenario's scheduled injects as ``.xlsx``
(openpyxl) or ``.csv``; :func:`read_msel` reads one back into :class:`Inject` models, every bad
cell reported as ``FILE:Sheet!B7`` (``FILE:7`` for CSV) with what to write instead;
:func:`merge_injects` puts them into a scenario's YAML text, replacing its ``injects:`` section and
keeping everything else (comments included) as written.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.authoring.problems import Problem, Severity, UserError
from sim.models.scenario import Inject, Scenario

COLUMNS = ("id", "time (h)", "round", "audience", "title", "text", "expected action", "objective")
"""The exported header; ``round`` is derived from the time and ignored on import."""
SHEET = "MSEL"

_ALIASES = {
    "id": "id",
    "inject id": "id",
    "time": "at",
    "time (h)": "at",
    "at": "at",
    "hours": "at",
    "hour": "at",
    "round": "round",
    "audience": "audience",
    "to": "audience",
    "title": "title",
    "inject": "title",
    "headline": "title",
    "text": "text",
    "description": "text",
    "message": "text",
    "expected action": "expected_action",
    "expected player action": "expected_action",
    "expected_action": "expected_action",
    "objective": "objective",
    "objective it serves": "objective",
}
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def _letter(col: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass(frozen=True)
class Cell:
    """One cell's value and where it is, for messages."""

    value: Any
    row: int
    col: int


# -- out -----------------------------------------------------------------------------------------


def rows_of(scenario: Scenario) -> list[list[Any]]:
    """The scheduled injects as spreadsheet rows (in time order), header excluded."""
    hours = scenario.clock.round_hours
    out = []
    for inj in sorted(scenario.injects, key=lambda i: i.at):
        out.append(
            [
                inj.id,
                inj.at,
                int(inj.at // hours) + 1,
                "public" if inj.audience == "public" else ", ".join(inj.audience),
                inj.title,
                inj.text,
                inj.expected_action or "",
                inj.objective or "",
            ]
        )
    return out


def write_msel(scenario: Scenario, out: Path) -> int:
    """Write the MSEL to ``out`` (``.xlsx`` or ``.csv``); the number of injects written."""
    rows = rows_of(scenario)
    suffix = out.suffix.lower()
    if suffix == ".csv":
        with out.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            writer.writerows(rows)
        return len(rows)
    if suffix != ".xlsx":
        raise UserError(f"{out}: write the MSEL as .xlsx or .csv (got '{out.suffix or 'none'}')")
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    widths = (18, 9, 7, 18, 36, 60, 36, 24)
    for i, width in enumerate(widths, 1):
        sheet.column_dimensions[_letter(i)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    book.save(out)
    return len(rows)


# -- in ------------------------------------------------------------------------------------------


class _Reader:
    """Rows of cells and a way to name a cell in a message."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sheet = ""
        self.csv = path.suffix.lower() == ".csv"

    def where(self, row: int, col: int) -> str:
        if self.csv:
            return f"{self.path}:{row}"
        return f"{self.path}:{self.sheet}!{_letter(col)}{row}"

    def rows(self) -> Iterator[list[Cell]]:
        if self.csv:
            try:
                with self.path.open(encoding="utf-8-sig", newline="") as fh:
                    for r, values in enumerate(csv.reader(fh), 1):
                        yield [Cell(v, r, c) for c, v in enumerate(values, 1)]
            except UnicodeDecodeError:
                raise UserError(f"{self.path}: not UTF-8 text; save the CSV as UTF-8") from None
            return
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
        except (InvalidFileException, OSError, KeyError, ValueError) as exc:
            raise UserError(f"{self.path}: not an .xlsx workbook ({exc})") from None
        names = book.sheetnames
        self.sheet = next((n for n in names if n.strip().lower() in ("msel", "injects")), names[0])
        for r, values in enumerate(book[self.sheet].iter_rows(values_only=True), 1):
            yield [Cell(v, r, c) for c, v in enumerate(values, 1)]
        book.close()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_msel(path: Path, scenario: Scenario) -> tuple[list[Inject], list[Problem]]:
    """The injects of an MSEL file, checked against ``scenario``'s actors and clock.

    Problems name the cell; with any error the injects are not to be used.
    """
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise UserError(f"{path}: read an MSEL from .xlsx or .csv (got '{path.suffix or 'none'}')")
    reader = _Reader(path)
    problems: list[Problem] = []

    headers: dict[int, str] = {}

    def problem(row: int, col: int, message: str, severity: Severity = "error") -> None:
        # A CSV position has no column letter: name the column instead.
        named = f"column '{headers[col]}': " if reader.csv and col in headers and row > 1 else ""
        problems.append(Problem(reader.where(row, col), 0, 0, named + message, severity))

    rows = reader.rows()
    header = next((r for r in rows if any(_text(c.value) for c in r)), None)
    if header is None:
        raise UserError(f"{path}: empty; the first row names the columns ({', '.join(COLUMNS)})")
    field_of: dict[int, str] = {}
    for cell in header:
        headers[cell.col] = _text(cell.value)
        name = _text(cell.value).lower()
        if not name:
            continue
        key = _ALIASES.get(name)
        if key is None:
            problem(
                cell.row,
                cell.col,
                f"column '{_text(cell.value)}' is not an MSEL column and is ignored "
                f"(columns: {', '.join(COLUMNS)})",
                "warning",
            )
        elif key in field_of.values():
            problem(cell.row, cell.col, f"column '{_text(cell.value)}' appears twice")
        else:
            field_of[cell.col] = key
    for needed in ("at", "title"):
        if needed not in field_of.values():
            label = "time (h)" if needed == "at" else needed
            problem(header[0].row, 1, f"no '{label}' column in the header row")
    if any(p.severity == "error" for p in problems):
        return [], problems
    col_of = {v: k for k, v in field_of.items()}
    actors = [p.id for p in scenario.actors]
    end = scenario.clock.rounds * scenario.clock.round_hours
    injects: list[Inject] = []
    seen: set[str] = set()
    for row in rows:
        cells = {field_of[c.col]: c for c in row if c.col in field_of}
        if not any(_text(c.value) for c in cells.values()):
            continue  # blank rows separate phases in many MSELs
        r = row[0].row if row else 0

        def get(key: str, r: int = r, cells: dict[str, Cell] = cells) -> Cell:
            return cells.get(key) or Cell(None, r, col_of.get(key, 1))

        ok = True
        at_cell = get("at")
        at: float = 0.0
        raw = at_cell.value
        if isinstance(raw, bool) or raw is None or _text(raw) == "":
            problem(r, at_cell.col, "missing time: write the hours from the start, e.g. 18.5")
            ok = False
        else:
            try:
                at = float(raw) if isinstance(raw, int | float) else float(_text(raw))
            except ValueError:
                problem(
                    r,
                    at_cell.col,
                    f"time '{_text(raw)}' is not a number: write the hours from the start "
                    "(e.g. 18.5), not a clock time or a date",
                )
                ok = False
            else:
                if at < 0 or at > end:
                    problem(
                        r,
                        at_cell.col,
                        f"time {at:g} h is outside the clock (0 to {end:g} h: "
                        f"{scenario.clock.rounds} rounds of {scenario.clock.round_hours:g} h)",
                    )
                    ok = False
        title = _text(get("title").value)
        if not title:
            problem(r, get("title").col, "missing title: every inject needs a headline")
            ok = False
        ident = _text(get("id").value) or _slug(title, seen)
        if not _ID.match(ident):
            problem(
                r,
                get("id").col,
                f"id '{ident}' is not an id: use lower-case letters, digits and underscores, "
                "starting with a letter (e.g. refugees_day2)",
            )
            ok = False
        elif ident in seen:
            problem(r, get("id").col, f"id '{ident}' is used twice; ids must be unique")
            ok = False
        seen.add(ident)
        audience_text = _text(get("audience").value) or "public"
        audience: list[str] | str = "public"
        if audience_text.lower() not in ("public", "all", "everyone"):
            audience = [a.strip() for a in re.split(r"[,;]", audience_text) if a.strip()]
            unknown = [a for a in audience if a not in actors]
            if unknown:
                problem(
                    r,
                    get("audience").col,
                    f"unknown actor '{unknown[0]}' in the audience: write 'public' or actor ids "
                    f"separated by commas ({', '.join(actors)})",
                )
                ok = False
        if not ok:
            continue
        data: dict[str, Any] = {"id": ident, "at": at, "title": title, "audience": audience}
        for key in ("text", "expected_action", "objective"):
            value = _text(get(key).value)
            if value:
                data[key] = value
        try:
            injects.append(Inject.model_validate(data))
        except ValidationError as exc:
            first = exc.errors()[0]
            key = str(first["loc"][0]) if first["loc"] else "title"
            problem(r, get(key).col, f"{key}: {first['msg']}")
    return injects, problems


def _slug(title: str, seen: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:40] or "inject"
    if not base[0].isalpha():
        base = f"inject_{base}"
    ident, n = base, 2
    while ident in seen:
        ident, n = f"{base}_{n}", n + 1
    return ident


# -- into the scenario file ----------------------------------------------------------------------


def inject_data(injects: Sequence[Inject], old: Sequence[Inject]) -> list[dict[str, Any]]:
    """The injects as YAML data; effects and reveals of an inject that already existed (same id)
    are kept, since a spreadsheet has no column for them."""
    before = {i.id: i for i in old}
    out = []
    for inj in injects:
        data: dict[str, Any] = {"id": inj.id, "at": inj.at, "title": inj.title}
        if inj.text:
            data["text"] = inj.text
        data["audience"] = inj.audience
        if inj.expected_action:
            data["expected_action"] = inj.expected_action
        if inj.objective:
            data["objective"] = inj.objective
        kept = before.get(inj.id)
        if kept is not None:
            if kept.effects:
                data["effects"] = [
                    e.model_dump(mode="json", exclude_none=True) for e in kept.effects
                ]
            if kept.reveals:
                data["reveals"] = list(kept.reveals)
        if isinstance(data["at"], float) and data["at"].is_integer():
            data["at"] = int(data["at"])
        out.append(data)
    return out


class _Flow(list[str]):
    """An audience list, written inline: ``audience: [us, china]``."""


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as the bundled scenarios are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


def _text_block(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(_Flow, _flow)
_Dumper.add_representer(str, _text_block)


def merge_injects(text: str, injects: list[dict[str, Any]]) -> str:
    """``text`` with its top-level ``injects:`` section replaced (or added at the end)."""
    for data in injects:
        if isinstance(data.get("audience"), list):
            data["audience"] = _Flow(data["audience"])
    block = yaml.dump(
        {"injects": injects}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=96
    )
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(r"^injects\s*:", line)), None)
    if start is None:
        sep = "" if not text or text.endswith("\n") else "\n"
        return f"{text}{sep}{block}"
    stop = start + 1
    while stop < len(lines) and (
        lines[stop].strip() == "" or lines[stop][0] in " \t-" or lines[stop].startswith("#")
    ):
        stop += 1
    # Comment lines just above the next top-level key belong to it, not to the old injects.
    while stop - 1 > start and lines[stop - 1].startswith("#"):
        stop -= 1
    while stop - 1 > start and lines[stop - 1].strip() == "":
        stop -= 1
    tail = lines[stop:]
    return "".join([*lines[:start], block, *(["\n"] if tail else []), *tail])
