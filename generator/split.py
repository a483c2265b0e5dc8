"""Past one site: when digest.yml names an older site (`archive:`), the archive is
published as two, split at a quarter's first day. GitHub Pages publishes at most 1 GB,
about four years of days (issue 18).

    the newer site   `arxiv-digest build`: site/, the days from `split_before` on
    the older site   `arxiv-digest build --older`: older/site/, the days before it

`part` is the one place that chooses a site's days; publish.py builds what it gives.
Each site links to the other where its days end (the first day's "previous", the last
day's "next", the archive calendar; the older site says on every page where the newer
one is), and the newer site's search reaches the older site's bundles (site/layout.py).

The older site is built in a project folder of its own, older/: its pages (content/)
and site (site/), and a mkdocs.yml that inherits the project's with the older site's
address; data/, overrides/, digest.yml and the search cache are the project's, linked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.config import Archive
from generator.errors import DigestError
from generator.site import layout, site_url

OLDER_FOLDER = "older"  # the older site's project folder, in the project's
# What the older site's project shares with the project, linked: folders (the cache is
# publish.SEARCH_CACHE: a quarter is indexed once, whichever site has it) and
# digest.yml, which the build cache's fingerprint reads (site/months.py).
SHARED = ("data", "overrides", ".cache/search")
SHARED_FILES = ("digest.yml",)


@dataclass(frozen=True)
class Across:
    """The other site, as this site's pages lead to it."""

    url: str  # its root, ending in "/"
    date: dt.date | None  # its day next to this site's days (None: it has none yet)
    split: dt.date  # the newer site's first day: digest.yml's split_before

    @property
    def split_month(self) -> str:
        """ "2026 年 1 月": where the split is, as pages say it."""
        return _month(self.split)


@dataclass(frozen=True)
class Edges:
    """Where this site's days end: the site of the days before them (on the newer
    site), or of the days after them (on the older site)."""

    older: Across | None = None
    newer: Across | None = None


ONE_SITE = Edges()  # an archive on one site: its days end nowhere else


@dataclass(frozen=True)
class Part:
    """What one build publishes: its days, the project folder it is built in and where
    the other site is."""

    dates: list[dt.date]
    root: Path
    edges: Edges = ONE_SITE

    def searched_elsewhere(self) -> list[dict[str, str]]:
        """What this site's search manifest adds after its own quarters: the newer
        site's search goes on into the older site's (site/layout.py)."""
        older = self.edges.older
        return [] if older is None else [layout.older_site(older.url, older.split)]


def part(root: Path, archive: Archive | None, dates: Sequence[dt.date], *, older: bool) -> Part:
    """The newer site's days (every day, without a split), or the older site's."""
    if archive is None:
        if older:
            raise DigestError(
                "build --older: digest.yml names no older site; add archive: {older_site: URL,"
                " split_before: YYYY-MM-DD} (README: Past one site)"
            )
        return Part(list(dates), root)
    split = archive.split_before
    before = [d for d in dates if d < split]
    after = [d for d in dates if d >= split]
    newer_url = _newer_address(root, archive)
    if older:
        newer = Across(newer_url, after[0] if after else None, split)
        return Part(before, older_project(root, archive, newer_url), Edges(newer=newer))
    older_site = Across(archive.older_site, before[-1] if before else None, split)
    return Part(after, root, Edges(older=older_site))


def _month(date: dt.date) -> str:
    return f"{date.year} 年 {date.month} 月"


def _newer_address(root: Path, archive: Archive) -> str:
    url = site_url(root)
    if not url:
        raise DigestError("mkdocs.yml has no site_url: the older site links to the newer one")
    url = url.rstrip("/") + "/"
    if url == archive.older_site:
        raise DigestError(
            f"digest.yml: archive.older_site is this site's own address ({url}): the older"
            " days need a site of their own"
        )
    return url


def older_project(root: Path, archive: Archive, newer_url: str) -> Path:
    """older/, made ready to build: its mkdocs.yml and the links to what it shares."""
    folder = root / OLDER_FOLDER
    folder.mkdir(exist_ok=True)
    for name in SHARED:
        _link(folder / name, root / name, folder=True)
    for name in SHARED_FILES:
        _link(folder / name, root / name, folder=False)
    settings = {
        "INHERIT": "../mkdocs.yml",
        "site_url": archive.older_site,
        # The banner of every page (overrides/main.html): where the newer days are.
        "extra": {"digest_newer_site": newer_url, "digest_split": _month(archive.split_before)},
    }
    # The hash of what it inherits: an edit there is an edit here, for the build cache.
    inherited = hashlib.sha256((root / "mkdocs.yml").read_bytes()).hexdigest()[:16]
    text = (
        "# Made by `arxiv-digest build --older` (generator/split.py) on every build:\n"
        f"# the project's mkdocs.yml (sha256 {inherited}…) with the older site's address.\n"
        + yaml.safe_dump(settings, allow_unicode=True, sort_keys=False)
    )
    mkdocs = folder / "mkdocs.yml"
    if not mkdocs.is_file() or mkdocs.read_text(encoding="utf-8") != text:
        mkdocs.write_text(text, encoding="utf-8")
    return folder


def _link(link: Path, target: Path, *, folder: bool) -> None:
    """`link` → `target`, relative, so the project folder can move."""
    relative = os.path.relpath(target, link.parent)
    if link.is_symlink() and os.readlink(link) == relative:
        return
    if link.is_symlink() or link.is_file():
        link.unlink()
    elif link.is_dir():
        shutil.rmtree(link)
    link.parent.mkdir(parents=True, exist_ok=True)
    if folder:
        target.mkdir(parents=True, exist_ok=True)  # a first build has no search cache yet
    link.symlink_to(relative, target_is_directory=folder)
