"""Bundled scenarios, actor profiles and move catalogues, looked up by id.

Files are found with :mod:`importlib.resources` over the ``scenarios`` and ``actors`` packages, so
they are found the same way from a checkout, an editable install or an installed wheel.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sim.authoring.problems import UserError
from sim.authoring.yamlsrc import parse, read_text
from sim.engine.expr import suggest

DEFAULT_SCENARIO = "korea-instability-2012"
"""The flagship exercise: listed first and played when no scenario is named."""

_KIND_LINE = re.compile(r"^kind:[ \t]*['\"]?([A-Za-z_]+)", re.MULTILINE)
_ID_LINE = re.compile(r"^id:[ \t]*(['\"]?)([^'\"#\s]+)\1[ \t]*(?:#.*)?$", re.MULTILINE)


@dataclass(frozen=True)
class Entry:
    """One bundled file."""

    id: str
    title: str
    path: Path


def sniff_kind(path: Path) -> str | None:
    """The ``kind:`` of a file from its text alone (no parsing), or None.

    Cheap enough to run over every YAML file in a folder when looking for catalogues.
    """
    from sim.authoring.yamlsrc import MAX_FILE_BYTES, Unreadable, read_regular

    try:  # a FIFO or device in a scanned folder is skipped, never read (it could hang)
        head = read_regular(path, MAX_FILE_BYTES).decode("utf-8", errors="replace")
    except Unreadable:
        return None
    match = _KIND_LINE.search(head)
    return match.group(1) if match else None


def _sniff(path: Path) -> tuple[str | None, str | None]:
    """The top-level ``kind:`` and ``id:`` of a file from its text alone (block style, as every
    bundled file is written), or None for what is not found."""
    from sim.authoring.yamlsrc import MAX_FILE_BYTES, Unreadable, read_regular

    try:  # a FIFO or device in a scanned folder is skipped, never read (it could hang)
        text = read_regular(path, MAX_FILE_BYTES).decode("utf-8", errors="replace")
    except Unreadable:
        return None, None
    kind, ident = _KIND_LINE.search(text), _ID_LINE.search(text)
    return (kind.group(1) if kind else None), (ident.group(2) if ident else None)


@functools.cache
def _package_files(package: str) -> tuple[Path, ...]:
    root = importlib.resources.files(package)
    return tuple(
        sorted(
            Path(str(entry))
            for entry in root.iterdir()
            if entry.name.endswith(".yaml") and entry.is_file()
        )
    )


def _quick_entry(path: Path, title_key: str) -> Entry | None:
    """Id and title read from the file's top-level ``id:`` and title lines alone, or None when
    the text does not say them plainly (flow style, a title continued on the next line): listing
    the library then parses no file. A file broken elsewhere is listed under its title, and
    loading it says what is wrong."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    ident = _ID_LINE.search(text)
    title = re.search(rf"^{re.escape(title_key)}:[^\n]*\n(?![ \t])", text, re.MULTILINE)
    if ident is None or title is None:
        return None
    try:
        value = yaml.safe_load(title.group(0)).get(title_key)
    except (yaml.YAMLError, AttributeError):
        return None
    if not isinstance(value, str):
        return None
    return Entry(ident.group(2), value, path)


def _entry(path: Path, title_key: str) -> Entry:
    """Id and title of a file; a broken file is still listed (validate will say why)."""
    quick = _quick_entry(path, title_key)
    if quick is not None:
        return quick
    try:
        data = parse(read_text(path), str(path)).data
    except UserError:
        return Entry(path.stem, "(invalid file: run `sitroom validate` on it)", path)
    ident, title = data.get("id"), data.get(title_key)
    return Entry(
        ident if isinstance(ident, str) else path.stem,
        title if isinstance(title, str) else "",
        path,
    )


def _index(package: str, kind: str, title_key: str) -> dict[str, Entry]:
    entries = [_entry(p, title_key) for p in _package_files(package) if sniff_kind(p) == kind]
    return {e.id: e for e in entries}


@functools.cache
def scenarios() -> tuple[Entry, ...]:
    """Bundled scenarios, the default first, then by id."""
    index = _index("scenarios", "scenario", "title")
    return tuple(sorted(index.values(), key=lambda e: (e.id != DEFAULT_SCENARIO, e.id)))


@functools.cache
def actors() -> tuple[Entry, ...]:
    """Bundled actor profiles by id (the file name, which is how scenarios find them)."""
    files = [p for p in _package_files("actors") if sniff_kind(p) == "actor"]
    return tuple(Entry(p.stem, _entry(p, "name").title, p) for p in files)


@functools.cache
def catalogues() -> tuple[Entry, ...]:
    """Bundled move catalogues, by their ``id:``."""
    return tuple(_index("scenarios", "catalogue", "title").values())


def scenario_ids() -> list[str]:
    """Ids of the bundled scenarios, the default first."""
    return [e.id for e in scenarios()]


def actor_ids() -> list[str]:
    """Ids of the bundled actor profiles."""
    return [e.id for e in actors()]


def catalogue_ids() -> list[str]:
    """Ids of the bundled move catalogues."""
    return [e.id for e in catalogues()]


def _find(entries: Iterable[Entry], ident: str) -> Path | None:
    return next((e.path for e in entries if e.id == ident), None)


def _find_one(package: str, kind: str, ident: str) -> Path | None:
    """The bundled file of ``kind`` whose text says ``id: IDENT``, found without parsing any
    file (the library grows; loading one scenario should not parse all of them). The last in
    file order wins, as in the full index."""
    for path in reversed(_package_files(package)):
        if _sniff(path) == (kind, ident):
            return path
    return None


def scenario_path(ident: str) -> Path | None:
    """The file of a bundled scenario, or None."""
    # The index (which parses every scenario) only when the text does not tell: an id written
    # in flow style, or a broken file listed under its file name.
    return _find_one("scenarios", "scenario", ident) or _find(scenarios(), ident)


def actor_path(ident: str) -> Path | None:
    """The file of a bundled actor profile, or None."""
    return next(
        (p for p in _package_files("actors") if p.stem == ident and sniff_kind(p) == "actor"),
        None,
    )


def catalogue_path(ident: str) -> Path | None:
    """The file of a bundled move catalogue, or None."""
    return _find_one("scenarios", "catalogue", ident) or _find(catalogues(), ident)


def catalogue_paths(folder: Path) -> dict[str, Path]:
    """Catalogue files in ``folder`` by their ``id:`` (read from the text when it is there; a
    file that fails to parse and does not say is listed under its file name)."""
    out: dict[str, Path] = {}
    for path in sorted(folder.glob("*.yaml")):
        kind, ident = _sniff(path)
        if kind == "catalogue":
            # The id from the text when it says it (the loader parses the file it picks anyway).
            out.setdefault(ident or _entry(path, "title").id, path)
    return out


def _lookup(ident: str, path: Path | None, ids: Callable[[], Iterable[str]], what: str) -> Path:
    """``path``, or :class:`UserError` naming the missing bundled ``what`` with a suggestion."""
    if path is None:
        raise UserError(
            f"no bundled {what} '{ident}'{suggest(ident, ids())}; `sitroom list` shows them"
        )
    return path


def lookup_scenario(ident: str) -> Path:
    """The file of a bundled scenario; :class:`UserError` with a suggestion if there is none."""
    return _lookup(ident, scenario_path(ident), scenario_ids, "scenario")


def lookup_actor(ident: str) -> Path:
    """The file of a bundled actor profile; :class:`UserError` with a suggestion if none."""
    return _lookup(ident, actor_path(ident), actor_ids, "actor profile")
