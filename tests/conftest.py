"""Shared fixtures: a project folder like a fork's, and the loopback arXiv."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from arxiv_server import FIXTURES, REFERENCE, FixtureArxiv

__all__ = ["FIXTURES", "REFERENCE", "FixtureArxiv"]

REPO = Path(__file__).resolve().parents[1]

assert FIXTURES.is_dir(), f"the shared fixtures are missing: {FIXTURES}"
assert REFERENCE.is_dir(), f"the shared reference digests are missing: {REFERENCE}"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh project: the repository's digest.yml, mkdocs.yml and overrides/."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("digest.yml", "mkdocs.yml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "overrides", root / "overrides")
    return root


@pytest.fixture
def arxiv(monkeypatch: pytest.MonkeyPatch) -> Iterator[FixtureArxiv]:
    """The loopback arXiv serving the 2026-06-19 feeds; the environment points at it."""
    with FixtureArxiv(download="2026-06-19") as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        yield server


def rss_bytes(download: str, category: str) -> bytes:
    return (FIXTURES / "rss" / f"fetched-{download}-{category}.xml").read_bytes()
