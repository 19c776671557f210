"""The libyaml fast path and the pure-Python path read files identically."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.authoring import yamlsrc

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    [
        *ROOT.glob("actors/*.yaml"),
        *ROOT.glob("scenarios/*.yaml"),
        *ROOT.glob("tests/data/good/*.yaml"),
        *ROOT.glob("docs/examples/*.yaml"),
    ]
)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fast_and_careful_paths_agree(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Data, key positions and value spans are the same whichever parser composed the file."""
    text = path.read_text(encoding="utf-8")
    fast = yamlsrc.parse(text, str(path))
    monkeypatch.setattr(yamlsrc, "_fast_root", lambda _text: None)
    careful = yamlsrc.parse(text, str(path))
    assert fast.data == careful.data
    assert fast.values == careful.values
    assert fast.keys == careful.keys


def test_the_bundled_files_take_the_fast_path() -> None:
    """Bundled content has no anchors, so it is composed by the C parser when available."""
    if not getattr(yamlsrc.yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML built without libyaml")
    text = (ROOT / "scenarios" / "moves.yaml").read_text(encoding="utf-8")
    assert yamlsrc._fast_root(text) is not None
