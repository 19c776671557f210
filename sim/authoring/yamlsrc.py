"""A YAML reader that remembers where every value came from.

PyYAML's constructors throw positions away, so we stop at its *composer* (a tree of nodes with
marks) and build plain Python values ourselves. That also lets us refuse what a safe authoring
format should never do: duplicate keys (PyYAML silently keeps the last), tags beyond the plain
YAML types (nothing is ever instantiated or executed), and alias bombs (we measure how far aliases
expand before expanding anything). The result is a :class:`~sim.authoring.yamldoc.Doc`.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.authoring.problems import Problem, UserError, shorten
from sim.authoring.yamldoc import Doc, Loc, Span

ALIAS_BUDGET = 10_000
"""Values that aliases may add beyond the document's own nodes. Real files reuse a citation or an
effect list a few dozen times; a 'billion laughs' file asks for 10**9 and is refused up front."""
MAX_NUMBER = 10**15
"""Largest number a file may hold (state values are floats, exact to about 9e15)."""
MAX_DEPTH = 100
"""Nesting depth; sitroom's models are a handful of levels deep."""

_T = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_T}{n}" for n in ("str", "int", "float", "bool", "null", "timestamp", "value")}
_MERGE = f"{_T}merge"
_SEQ, _MAP = f"{_T}seq", f"{_T}map"


MAX_NODES = 100_000
"""Most values (keys, values, list items) in one file; the largest bundled file holds ~3,000.
Counted on the parser's events before any node is built, so a file of a million entries is
refused in a fraction of a second and constant memory."""

MAX_FILE_BYTES = 8 * 1024 * 1024
"""Largest YAML file read (the flagship scenario is ~0.1 MB); a bigger one is refused unread."""


class Unreadable(Exception):
    """A file that is not read: missing, a folder, a FIFO or device, too large, or unreadable."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_regular(path: str | Path, limit: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; :class:`Unreadable` otherwise.

    The type is checked on the opened descriptor (opened non-blocking, so a FIFO cannot hang
    the open): a FIFO, a device or ``/dev/zero`` is refused by type, never read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise Unreadable("no such file") from None
    except IsADirectoryError:
        raise Unreadable(f"is a directory, not a {what}") from None
    except OSError as exc:
        raise Unreadable(f"cannot read it: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise Unreadable(f"is a directory, not a {what}")
        if not stat.S_ISREG(st.st_mode):
            kind = "a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
            raise Unreadable(f"is {kind}, not a regular file; give a {what}")
        if st.st_size > limit:
            raise Unreadable(
                f"is {st.st_size / 2**20:.1f} MB; sitroom reads files of at most "
                f"{limit / 2**20:g} MB"
            )
        with os.fdopen(fd, "rb") as fh:
            fd = -1
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise Unreadable(f"cannot read it: {exc.strerror}") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(raw) > limit:
        raise Unreadable(f"grew past {limit / 2**20:g} MB while being read")
    return raw


def read_text(path: str | Path, shown: str | None = None) -> str:
    """The file's text, or a :class:`UserError` with a one-line reason."""
    name = shown if shown is not None else str(path)
    try:
        raw = read_regular(path, MAX_FILE_BYTES, "YAML file")
    except Unreadable as exc:
        raise UserError([Problem(name, 0, 0, exc.reason)]) from None
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise UserError([Problem(name, 0, 0, "UTF-16 text; save the file as UTF-8")])
    if b"\x00" in raw:
        raise UserError([Problem(name, 0, 0, "binary file (contains NUL bytes), not YAML text")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        message = (
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8"
        )
        raise UserError([Problem(name, 0, 0, message)]) from None


def parse(text: str, path: str) -> Doc:
    """Parse one YAML document into a :class:`Doc`.

    Problems that stop the whole file (syntax errors, alias bombs, a non-mapping top level) raise
    :class:`UserError`; others (duplicate keys, bad tags) are collected in ``doc.problems`` so the
    caller can report them together with its own checks.
    """
    doc = Doc(path, text)
    _check_count(doc)
    fast = _fast_root(text)
    if fast is not None:
        return _finish(doc, fast, {})
    loader: _Loader | None = None
    try:
        loader = _Loader(text)  # checks for unprintable characters up front
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise UserError([_syntax_problem(doc, exc)]) from None
    except yaml.reader.ReaderError as exc:
        line, col = doc.linecol(exc.position)
        what = f"character U+{exc.character:04X}" if isinstance(exc.character, int) else "byte"
        raise UserError(
            [
                Problem(
                    path,
                    line,
                    col,
                    f"unacceptable {what}: {exc.reason}",
                    source_line=doc.source_line(line),
                )
            ]
        ) from None
    except RecursionError:
        raise UserError([Problem(path, 0, 0, "nested too deeply to read")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        raise UserError(
            [Problem(path, 0, 0, "empty file; expected a mapping starting with 'kind:'")]
        )
    if not isinstance(root, MappingNode) or root.tag != _MAP:
        line, col = doc.mark_pos(root.start_mark)
        if isinstance(root, MappingNode):
            message = _tag_message(root.tag)
        else:
            what = "a list" if isinstance(root, SequenceNode) else "a single value"
            message = f"the top level must be a mapping of keys (starting with 'kind:'), not {what}"
        raise UserError([Problem(path, line, col, message, source_line=doc.source_line(line))])
    return _finish(doc, root, loader.alias_marks)


_COUNTED = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent)


def _check_count(doc: Doc) -> None:
    """Refuse a file of more than :data:`MAX_NODES` values at the first one past the limit.

    Every value takes at least two characters (``1,`` or ``-`` and a newline), so only a text
    longer than twice the limit can hold too many: smaller files (every real one) are not
    scanned twice.
    """
    if len(doc.text) <= 2 * MAX_NODES:
        return
    loader = (yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader)(
        doc.text
    )
    count = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, _COUNTED):
                count += 1
                if count > MAX_NODES and event.start_mark is not None:
                    line, col = doc.linecol(event.start_mark.index)
                    message = (
                        f"the file holds more than {MAX_NODES:,} values (keys, values and list "
                        "items); sitroom reads at most that many per file"
                    )
                    problem = Problem(doc.path, line, col, message, "error", doc.source_line(line))
                    raise UserError([problem])
    except yaml.YAMLError:
        return  # a syntax error: the parse proper finds and words it
    finally:
        loader.dispose()


def _finish(doc: Doc, root: Node, alias_marks: dict[tuple[int, int, bool], yaml.Mark]) -> Doc:
    _check_aliases(doc, root, alias_marks)
    doc.data = _Builder(doc, alias_marks).build(root, ())
    return doc


_ALIAS_OR_ANCHOR = re.compile(r"(?:^|[\s\[{,:])[&*][^\s,\[\]{}]")


def _fast_root(text: str) -> MappingNode | None:
    """The root mapping composed by libyaml's C parser, or None to take the careful path.

    The pure-Python scanner dominated loading a scenario (it reads a dozen files). The C parser
    builds the same node graph with character-indexed marks, so positions are unchanged. It is
    used only for files without anchors or aliases (their uses must be tracked), without
    characters the Python reader refuses, and that parse cleanly; everything else, and every
    error message, comes from the pure-Python path.
    """
    if (
        not getattr(yaml, "__with_libyaml__", False)
        or _ALIAS_OR_ANCHOR.search(text)
        or yaml.reader.Reader.NON_PRINTABLE.search(text)
    ):
        return None
    loader = yaml.CSafeLoader(text)
    try:
        root = loader.get_single_node()
    except Exception:  # any trouble: let the careful path find and word it
        return None
    finally:
        loader.dispose()
    if isinstance(root, MappingNode) and root.tag == _MAP:
        return root
    return None


def load(path: str | Path, shown: str | None = None) -> Doc:
    """Read and parse a file; ``shown`` is the name used in problems (default: ``path``)."""
    name = shown if shown is not None else str(path)
    return parse(read_text(path, name), name)


class _Loader(yaml.SafeLoader):
    """SafeLoader's composer, remembering where each alias was used (the node is shared)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.alias_marks: dict[tuple[int, int, bool], yaml.Mark] = {}

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if parent is not None and self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            is_key = isinstance(parent, MappingNode) and index is None
            self.alias_marks[(id(parent), len(parent.value), is_key)] = event.start_mark
        node: Node | None = super().compose_node(parent, index)
        assert node is not None  # only called when an event is waiting
        return node


_FRIENDLY = {
    "found character '\\t' that cannot start any token": (
        "tab character; YAML indents with spaces only"
    ),
    "found a tab character that violates indentation": (
        "tab character in indentation; YAML indents with spaces only"
    ),
    "mapping values are not allowed here": (
        "unexpected ':' (quote a value that contains ': ', or check the indentation)"
    ),
    "found a tab character where an indentation space is expected": (
        "tab character in indentation; YAML indents with spaces only"
    ),
    "expected <block end>, but found '<block mapping start>'": (
        "inconsistent indentation: this line is indented differently from the keys above it"
    ),
    "expected <block end>, but found '<block sequence start>'": (
        "inconsistent indentation: this list is indented differently from the keys above it"
    ),
    "but found another document": (
        "a second document ('---') follows; a sitroom file holds exactly one"
    ),
}


def _syntax_problem(doc: Doc, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    message = _FRIENDLY.get(problem, problem)
    if (
        problem not in _FRIENDLY
        and exc.context
        and exc.problem
        and exc.context_mark
        and mark is not exc.context_mark
    ):
        message += f" ({exc.context} at line {doc.mark_pos(exc.context_mark)[0]})"
    if mark is None:
        return Problem(doc.path, 0, 0, f"YAML syntax error: {message}")
    line, col = doc.mark_pos(mark)
    return Problem(
        doc.path, line, col, f"YAML syntax error: {message}", source_line=doc.source_line(line)
    )


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _check_aliases(
    doc: Doc, root: Node, alias_marks: dict[tuple[int, int, bool], yaml.Mark]
) -> None:
    """Refuse alias cycles and alias bombs by sizing the node graph before expanding it.

    Sizes are memoised per node, so this costs one visit per distinct node however large the
    expansion would be.
    """
    if not alias_marks:
        return
    size: dict[int, int] = {}
    active: set[int] = set()

    def measure(node: Node) -> int:
        key = id(node)
        if key in size:
            return size[key]
        if key in active:
            raise _Cycle(node)
        active.add(key)
        total = 1 + sum(measure(child) for child in _children(node))
        active.discard(key)
        size[key] = total
        return total

    try:
        expanded = measure(root)
    except _Cycle:
        mark = min(alias_marks.values(), key=lambda m: m.index)
        raise UserError(
            [
                _at_mark(
                    doc,
                    mark,
                    "an alias refers to a node that contains it; recursive aliases are not allowed",
                )
            ]
        ) from None
    extra = expanded - len(size)
    if extra > ALIAS_BUDGET:
        # Blame the alias use that expands to the most values.
        nodes = {id(n): n for n in _walk_unique(root)}
        worst = max(alias_marks.items(), key=lambda kv: _alias_target_size(kv[0], nodes, size))
        raise UserError(
            [
                _at_mark(
                    doc,
                    worst[1],
                    f"aliases would expand this file by {extra:,} "
                    f"values (limit {ALIAS_BUDGET:,}); refusing a "
                    f"possible alias bomb",
                )
            ]
        )


class _Cycle(Exception):
    def __init__(self, node: Node) -> None:
        self.node = node


def _walk_unique(root: Node) -> list[Node]:
    seen: dict[int, Node] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen[id(node)] = node
            stack.extend(_children(node))
    return list(seen.values())


def _alias_target_size(
    where: tuple[int, int, bool], nodes: dict[int, Node], size: dict[int, int]
) -> int:
    parent_id, pos, is_key = where
    parent = nodes.get(parent_id)
    if parent is None:
        return 0
    if isinstance(parent, MappingNode):
        if pos >= len(parent.value):
            return 0
        child = parent.value[pos][0 if is_key else 1]
    elif isinstance(parent, SequenceNode) and pos < len(parent.value):
        child = parent.value[pos]
    else:
        return 0
    return size.get(id(child), 0)


def _at_mark(doc: Doc, mark: yaml.Mark, message: str) -> Problem:
    line, col = doc.mark_pos(mark)
    return Problem(doc.path, line, col, message, source_line=doc.source_line(line))


_SCALARS = yaml.constructor.SafeConstructor()


class _Builder:
    """Turns nodes into dicts, lists and scalars, recording spans by location."""

    def __init__(self, doc: Doc, alias_marks: dict[tuple[int, int, bool], yaml.Mark]) -> None:
        self.doc = doc
        self.alias_marks = alias_marks

    def _child(self, parent: Node, pos: int, child: Node, loc: Loc) -> Any:
        """Build a child; a value reached through an alias is positioned at the alias."""
        mark = self.alias_marks.get((id(parent), pos, False))
        if mark is not None:
            line, col = self.doc.mark_pos(mark)
            self.doc.values[loc] = Span(line, col, line, col, style="*")
        return self.build(child, loc)

    def build(self, node: Node, loc: Loc) -> Any:
        self.doc.values.setdefault(loc, self.doc.node_span(node))
        if len(loc) > MAX_DEPTH:
            self._bad(node, loc, f"nested more than {MAX_DEPTH} levels deep")
            return None
        if isinstance(node, ScalarNode):
            return self._scalar(node, loc)
        if node.tag not in (_SEQ, _MAP):
            self._bad(node, loc, _tag_message(node.tag))
            return None
        if isinstance(node, SequenceNode):
            return [self._child(node, i, item, (*loc, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        return self._mapping(node, loc)

    def _bad(self, node: Node, loc: Loc, message: str) -> None:
        self.doc.poisoned.add(loc)
        self.doc.problems.append(_at_mark(self.doc, node.start_mark, message))

    def _scalar(self, node: ScalarNode, loc: Loc) -> Any:
        tag = node.tag
        if tag not in _SCALAR_TAGS:
            self._bad(node, loc, _tag_message(tag))
            return None
        name = tag.removeprefix(_T)
        if name in ("str", "timestamp", "value"):
            return node.value  # dates stay text: the models treat them as labels
        if name in ("int", "float") and len(node.value) > 64:
            # Longer than any number a state can hold; refused before Python converts it
            # (a 100,000-digit integer is slow to convert, and refused past 4,300 digits).
            self._bad(
                node,
                loc,
                f"'{shorten(node.value, 24)}' is not a usable number (numbers are finite and at "
                f"most {MAX_NUMBER:.0e})",
            )
            return 0
        try:
            value = getattr(_SCALARS, f"construct_yaml_{name}")(node)
        except (ValueError, KeyError, TypeError):
            self._bad(
                node, loc, f"'{shorten(node.value)}' is not a valid {name} (it is tagged !!{name})"
            )
            return None
        if name in ("int", "float") and not abs(value) <= MAX_NUMBER:
            # NaN, infinities and huge numbers: no state can hold them and no log replays them.
            self._bad(
                node,
                loc,
                f"'{shorten(node.value, 24)}' is not a usable number (numbers are finite and at "
                f"most {MAX_NUMBER:.0e})",
            )
            return 0  # a number still, so the model adds no second, misleading message
        return value

    def _key(self, node: Node, loc: Loc) -> str | int | None:
        if not isinstance(node, ScalarNode):
            self._bad(node, loc, "a key must be a plain name, not a list or mapping")
            return None
        if node.tag not in _SCALAR_TAGS:
            self._bad(node, loc, _tag_message(node.tag))
            return None
        # YAML 1.1 reads `no:` or `on:` as booleans; as keys they are meant as names.
        value = self._scalar(node, loc) if node.tag == f"{_T}int" else node.value
        return value if isinstance(value, int | str) else node.value

    def _mapping(self, node: MappingNode, loc: Loc) -> dict[str | int, Any]:
        out: dict[str | int, Any] = {}
        merged: list[MappingNode] = []
        for pos, (key_node, value_node) in enumerate(node.value):
            if key_node.tag == _MERGE:
                merged.extend(self._merge_sources(value_node, loc))
                continue
            key = self._key(key_node, loc)
            if key is None:
                continue
            sub = (*loc, key)
            if key in out:
                first = self.doc.keys[sub]
                self.doc.problems.append(
                    _at_mark(
                        self.doc,
                        key_node.start_mark,
                        f"duplicate key '{key}' (first defined at line {first.line})",
                    )
                )
                continue
            self.doc.keys[sub] = self.doc.node_span(key_node)
            out[key] = self._child(node, pos, value_node, sub)
        # Merged keys (`<<: *base`) never override explicit ones; earlier sources win.
        for source in merged:
            for pos, (key_node, value_node) in enumerate(source.value):
                key = self._key(key_node, loc) if key_node.tag != _MERGE else None
                if key is None or key in out:
                    continue
                sub = (*loc, key)
                self.doc.keys[sub] = self.doc.node_span(key_node)
                out[key] = self._child(source, pos, value_node, sub)
        return out

    def _merge_sources(self, node: Node, loc: Loc) -> Sequence[MappingNode]:
        if isinstance(node, MappingNode):
            return [node]
        if isinstance(node, SequenceNode) and all(isinstance(n, MappingNode) for n in node.value):
            return list(node.value)
        self._bad(node, loc, "'<<' merges a mapping or a list of mappings")
        return []


def _tag_message(tag: str) -> str:
    shown = tag.replace(_T, "!!")
    return (
        f"tag '{shown}' is not allowed; sitroom files hold plain text, numbers, lists and mappings"
    )
