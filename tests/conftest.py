"""Shared fixtures: a project folder like a fork's, and the loopback arXiv."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from arxiv_server import FIXTURES, REFERENCE, FixtureArxiv
from browser_site import PREFIX, StaticSite, Tab, chromium, open_tab
from fixture_site import REPO, build_fixture_site, copy_project
from llm_server import FakeLLM
from playwright.sync_api import Browser, BrowserContext

__all__ = ["FIXTURES", "REFERENCE", "REPO", "FakeLLM", "FixtureArxiv"]

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
    return copy_project(tmp_path / "project")


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


@pytest.fixture(scope="session")
def site_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where site_url's project is: its data/ and site/ once site_url has built it."""
    return tmp_path_factory.mktemp("browser") / "project"


@pytest.fixture(scope="session")
def site_url(site_project: Path) -> Iterator[str]:
    """The fixture site, built once, served under PREFIX with site_url pointing there."""
    root = site_project
    with StaticSite(root / "site") as server:
        url = server.origin + PREFIX
        build_fixture_site(root, site_url=url)
        yield url


# Module scope: while Playwright runs, its event loop keeps asyncio.run (the build,
# the loopback servers of other tests) from starting in the same thread.
@pytest.fixture(scope="module")
def browser(site_url: str) -> Iterator[Browser]:
    # After site_url: the build runs asyncio, which cannot start inside Playwright's loop.
    with chromium() as browser:
        yield browser


@pytest.fixture
def context(browser: Browser, site_url: str) -> Iterator[BrowserContext]:
    context = browser.new_context(
        base_url=site_url,
        viewport={"width": 1280, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
    )
    yield context
    context.close()


@pytest.fixture
def tab(context: BrowserContext) -> Tab:
    return open_tab(context)
