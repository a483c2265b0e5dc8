"""The site builds with each builder it supports, and owes nothing to a plugin.

MkDocs 1.6 (what pyproject.toml ships) and ProperDocs (the maintained continuation of
MkDocs 1.x, reading the same mkdocs.yml and running the same plugins and theme) each build
the fixture site with every card and the search box's link to the manifest. And the
digest-cards plugin is a speed-up only: without it the pages come out the same, so a
builder that runs no MkDocs plugins (Zensical skips them without a word) loses no card.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import urljoin

import pytest
from fixture_site import build_fixture_site

from generator.mkdocs_cards import blocks
from generator.site.layout import MANIFEST_URL

PROPERDOCS = "1.6.7"  # as pinned in pyproject.toml's test extras
TOPIC_PAGE = "2026/06/19/llm/index.html"
ORIGIN = "https://site.test/"  # any address: links are resolved as the browser would
PLUGIN = re.compile(r"(?m)^[ \t]*- digest-cards\n")  # its line under plugins: in mkdocs.yml


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture project, built the way `arxiv-digest build` builds it (MkDocs, then
    the Pagefind bundles)."""
    root = tmp_path_factory.mktemp("builders") / "project"
    build_fixture_site(root)
    return root


def test_mkdocs_1_6_builds_every_card_and_the_manifest_link(project: Path) -> None:
    assert version("mkdocs").startswith("1.6."), "pyproject.toml ships MkDocs 1.6"
    site = project / "site"
    page = (site / TOPIC_PAGE).read_text("utf-8")
    assert f'content="mkdocs-{version("mkdocs")},' in page
    # The theme's search stays off (mkdocs.yml): its index is downloaded whole.
    assert 'data-md-component="search"' not in page and not (site / "search").exists()
    assert_cards_and_manifest(project, site)
    periods = json.loads((site / MANIFEST_URL).read_text("utf-8"))
    bundles = [(site / MANIFEST_URL).parent / period["bundle"] for period in periods]
    assert len(bundles) == 2 and all(bundle.is_file() for bundle in bundles)  # 2026, 2025


def test_properdocs_builds_the_same_pages(project: Path, tmp_path: Path) -> None:
    if find_spec("properdocs") is None:
        pytest.fail("properdocs is missing: bash tests/setup installs the test extras")
    assert version("properdocs") == PROPERDOCS
    site = build(project, "properdocs", project / "mkdocs.yml", tmp_path / "site")
    page = (site / TOPIC_PAGE).read_text("utf-8")
    assert f'content="mkdocs-ProperDocs {PROPERDOCS},' in page  # not MkDocs in disguise
    assert_cards_and_manifest(project, site)
    assert_same_pages(project / "site", site, but=r'<meta name="generator" content="[^"]*">')


def test_the_cards_come_out_the_same_without_the_plugin(project: Path, tmp_path: Path) -> None:
    shipped = (project / "mkdocs.yml").read_text("utf-8")
    without, replaced = PLUGIN.subn("", shipped)
    assert replaced == 1, "mkdocs.yml should list the digest-cards plugin once"
    config = project / "mkdocs.no-plugin.yml"  # beside mkdocs.yml: the same paths
    config.write_text(without, encoding="utf-8")
    site = build(project, "mkdocs", config, tmp_path / "site")
    with_plugin = project / "site"
    topic = cards(with_plugin / TOPIC_PAGE)
    assert len(topic) == 30 and cards(site / TOPIC_PAGE) == topic
    assert_same_pages(with_plugin, site)


def build(root: Path, builder: str, config: Path, site: Path) -> Path:
    """`site`, built from `root` by `builder` (a module run as `python -m`) with `config`."""
    command = [sys.executable, "-m", builder, "build", "--strict", "-f", str(config)]
    quiet = {"NO_MKDOCS_2_WARNING": "1"}  # Material's notice, as site/build.py silences it
    result = subprocess.run(
        [*command, "-d", str(site)],
        cwd=root,
        env={**os.environ, **quiet},
        text=True,
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, f"{builder} build failed:\n{result.stderr[-3000:]}"
    return site


def assert_cards_and_manifest(project: Path, site: Path) -> None:
    """Every page of content/ is built into `site` with its cards as render/ wrote them,
    and its search box names the manifest where site/layout.py writes it."""
    content = project / "content"
    pages = sorted(content.rglob("*.md"))
    found = 0
    for source in pages:
        path = built_path(source.relative_to(content))
        text = source.read_text("utf-8")
        wrote = [text[start:end] for start, end in blocks(text)]
        assert cards(site / path) == wrote, f"{path}: its cards are not as render/ wrote them"
        found += len(wrote)
        html = (site / path).read_text("utf-8")
        link = re.search(r'<dialog class="digest-search[^>]* data-manifest="([^"]*)"', html)
        assert link, f"{path}: no search box"
        assert urljoin(f"{ORIGIN}{path}", link[1]) == f"{ORIGIN}{MANIFEST_URL}", path
    assert len(pages) > 20 and found > 50


def built_path(source: Path) -> str:
    """Where a page of content/ is built (use_directory_urls): "2026/06/19/llm.md" →
    "2026/06/19/llm/index.html", "index.md" → "index.html"."""
    stem = source.with_suffix("")
    folder = stem.parent if stem.name == "index" else stem
    return (folder / "index.html").as_posix()


def cards(page: Path) -> list[str]:
    """The cards of a built page, in order, as they are in its HTML."""
    html = page.read_text("utf-8")
    return [html[start:end] for start, end in blocks(html)]


def assert_same_pages(expected: Path, built: Path, *, but: str | None = None) -> None:
    """Every HTML page of `expected` is in `built`, byte for byte, apart from `but`."""
    names = sorted(p.relative_to(expected) for p in expected.rglob("*.html"))
    assert names == sorted(p.relative_to(built) for p in built.rglob("*.html"))
    for name in names:
        want, got = ((folder / name).read_text("utf-8") for folder in (expected, built))
        if but:
            want, got = re.sub(but, "", want), re.sub(but, "", got)
        assert got == want, f"{name} differs"
