"""What to write instead, for the syntax errors authors make most.

Python's parser says "invalid syntax" for ``tension = 70``, ``a && b``, ``and and`` and
``minus six`` alike; an instructor needs to be told the fix. Each rule looks at the source text
(never at Python's wording, which changes between versions) and returns a hint and the offset of
the character it is about.
"""

from __future__ import annotations

import re

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"==="), "use == to compare"),
    (re.compile(r"=>"), "write >= for 'at least'"),
    (re.compile(r"=<"), "write <= for 'at most'"),
    (re.compile(r"<>"), "write != for 'not equal'"),
    (re.compile(r"(?<![<>=!])=(?!=)"), "use == to compare (a single = is not a comparison)"),
    (re.compile(r"&&?"), "use and / or / not (write 'and', not '&&')"),
    (re.compile(r"\|\|?"), "use and / or / not (write 'or', not '||')"),
    (re.compile(r"!(?!=)"), "use and / or / not (write 'not', not '!')"),
    (re.compile(r"\b(AND|OR|NOT|And|Or|Not)\b"), "use and / or / not, in lower case"),
    (
        re.compile(r"\b(and|or)\s+(and|or)\b"),
        "two of and / or in a row: remove one, or put a condition between them",
    ),
    (re.compile(r"\b(not)\s+(and|or)\b"), "'not' needs a condition after it"),
    (re.compile(r"[-+*/%]\s*[*/%]"), "two operators in a row: remove one"),
)
_TRAILING = re.compile(r"(\band|\bor|\bnot|[-+*/%<>=])\s*$")
_WORDS = re.compile(r"^[A-Za-z_]+(\s+[A-Za-z_]+)+$")


def syntax_hint(text: str) -> tuple[str, int] | None:
    """A hint for a stripped expression that does not parse, with the offset it points at."""
    for pattern, hint in _RULES:
        match = pattern.search(text)
        if match is not None:
            return hint, match.start()
    if _WORDS.match(text):
        return (
            "words are not understood here: write a number (e.g. -6) or an expression over "
            "state names (e.g. -tension / 10)",
            0,
        )
    match = _TRAILING.search(text)
    if match is not None:
        return f"the expression ends with '{match.group(1)}': add what comes after it", match.start(
            1
        )
    return None
