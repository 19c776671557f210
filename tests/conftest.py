"""Suite-wide fixtures."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_archive(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test (nor any `sitroom` it starts) writes to the user's real session archive or
    world cache (the cache stays on: tests load cached worlds as users do)."""
    monkeypatch.setenv("SITROOM_ARCHIVE", str(tmp_path_factory.getbasetemp() / "archive.sqlite3"))
    monkeypatch.setenv("SITROOM_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))
