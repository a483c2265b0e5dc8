"""Shared fixtures: a project folder like a fork's, and the loopback arXiv."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from arxiv_server import FIXTURES, REFERENCE, FixtureArxiv
from llm_server import FakeLLM

__all__ = ["FIXTURES", "REFERENCE", "FakeLLM", "FixtureArxiv"]

REPO = Path(__file__).resolve().parents[1]

assert FIXTURES.is_dir(), f"the arXiv fixtures are missing: {FIXTURES}"
assert REFERENCE.is_dir(), f"the reference digests are missing: {REFERENCE}"


@pytest.fixture(autouse=True)
def no_llm_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own key must never make a test talk to a real provider."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "DIGEST_LLM_MODEL", "DIGEST_LLM_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh project: the repository's digest.yml, mkdocs.yml and overrides/."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("digest.yml", "mkdocs.yml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "overrides", root / "overrides")
    # Loopback servers answer at once: no need to pace requests as for a provider.
    config = root / "digest.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "requests_per_minute: 300", "requests_per_minute: 60000"
        ),
        encoding="utf-8",
    )
    return root


@pytest.fixture
def arxiv(monkeypatch: pytest.MonkeyPatch) -> Iterator[FixtureArxiv]:
    """The loopback arXiv serving the 2026-06-19 feeds; the environment points at it."""
    with FixtureArxiv(download="2026-06-19") as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        yield server


@pytest.fixture
def llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLLM]:
    """The loopback LLM provider; the environment points at it."""
    with FakeLLM() as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        yield server


def rss_bytes(download: str, category: str) -> bytes:
    return (FIXTURES / "rss" / f"fetched-{download}-{category}.xml").read_bytes()
