"""The build cache of months: a month whose inputs are unchanged since a build made it
is neither read, rendered nor built again. Its content/ files and its built pages come
from here, so a daily build does the work of the month that changed (issue 18).

A month's inputs are its days' records and metadata (data/), the dates of the days
around it (its first and last days link to them), and the fingerprint of everything
that shapes every page: the generator's code and templates, overrides/, mkdocs.yml,
digest.yml, the site's address and the versions of the packages that write HTML. A
change to any of them makes every key new, so everything is built again.

An entry, `.cache/pages/<YYYY-MM>-<key>/` (kept by actions/cache in the daily
workflow, like the search bundles beside it):

    site/          the month's built files of site/YYYY/MM/
    month.json.gz  what the rest of the build needs of the month without reading it:
                   each day's counts (the archive calendar), the search documents (a
                   quarter is indexed whole), the stale topic hits and lacking details
                   (the build's warnings), and the names and sizes of the month's files
                   in content/

content/ is committed and is not copied here: an entry is used only while content/
holds the month's files as the entry lists them (a file lost or cut short means the
month is made again), so what is published always matches what is committed.

It is made in a .partial folder and renamed when whole, so a build killed meanwhile
leaves nothing that passes for an entry.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import importlib.metadata
import json
import shutil
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import generator
from generator.files import link_tree
from generator.models import DayCounts
from generator.store import Store

# Bumped when what an entry holds changes other than through its inputs.
_ENTRY_FORMAT = "1"
# The packages whose versions show in the HTML they write.
_WRITERS = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2")
SUMMARY = "month.json.gz"
# How build.py tells MkDocs (the digest-cards plugin) which months' folders of content/
# to leave out: their pages come from the cache. Space-separated "YYYY/MM".
REUSED_ENV = "DIGEST_REUSED_MONTHS"


def month_of(date: dt.date) -> str:
    """ "2026-06": the unit of the cache."""
    return f"{date:%Y-%m}"


def folder_of(month: str) -> str:
    """ "2026-06" → "2026/06": where its days' pages are, under content/ and site/."""
    return month.replace("-", "/")


@dataclass
class MonthSummary:
    """What a build needs of a month it does not read again."""

    counts: dict[str, DayCounts] = field(default_factory=dict)  # ISO date → counts
    documents: dict[str, str] = field(default_factory=dict)  # search documents
    stale: Counter[str] = field(default_factory=Counter)  # topics.stale_hits
    lacking: int = 0  # listed papers lacking details (selection.lacks_details)
    content: dict[str, int] = field(default_factory=dict)  # content/ path → bytes

    def dumps(self) -> bytes:
        raw = {
            "counts": {date: asdict(counts) for date, counts in self.counts.items()},
            "documents": self.documents,
            "stale": dict(self.stale),
            "lacking": self.lacking,
            "content": self.content,
        }
        text = json.dumps(raw, ensure_ascii=False, sort_keys=True)
        return gzip.compress(text.encode("utf-8"), mtime=0)

    @classmethod
    def loads(cls, data: bytes) -> MonthSummary:
        raw = json.loads(gzip.decompress(data))
        return cls(
            {date: DayCounts(**counts) for date, counts in raw["counts"].items()},
            raw["documents"],
            Counter(raw["stale"]),
            raw["lacking"],
            raw["content"],
        )


@dataclass(frozen=True)
class CachedMonth:
    month: str
    folder: Path  # the entry
    summary: MonthSummary

    @property
    def site(self) -> Path:
        return self.folder / "site" / folder_of(self.month)


class MonthCache:
    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.folder = folder
        self.fingerprint = fingerprint

    def key(self, store: Store, dates: Sequence[dt.date], around: Sequence[dt.date | None]) -> str:
        """The hash of a month's inputs: its days' files and the days around it."""
        digest = hashlib.sha256(f"{_ENTRY_FORMAT} {self.fingerprint}".encode())
        digest.update(repr([d and d.isoformat() for d in around]).encode())
        for date in dates:
            digest.update(f"\0{date}\0".encode())
            digest.update(store.path(date).read_bytes())
            meta = store.meta_path(date)
            digest.update(meta.read_bytes() if meta.is_file() else b"-")
        return digest.hexdigest()[:16]

    def get(self, month: str, key: str, content: Path) -> CachedMonth | None:
        """The month's entry, if it is whole and content/ holds its files."""
        entry = self.folder / f"{month}-{key}"
        try:
            summary = MonthSummary.loads((entry / SUMMARY).read_bytes())
        except (OSError, ValueError, KeyError, TypeError):
            return None  # not made, or not whole: the month is built again
        cached = CachedMonth(month, entry, summary)
        if not cached.site.is_dir() or not _holds(content, summary.content):
            return None
        return cached

    def put(self, month: str, key: str, content: Path, site: Path, summary: MonthSummary) -> None:
        """Keep the month as this build made it: its built files (hard links: the next
        build empties site/ before it writes), and the list of its content/ files."""
        entry = self.folder / f"{month}-{key}"
        partial = entry.with_name(entry.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        link_tree(site / folder_of(month), partial / "site" / folder_of(month))
        folder = content / folder_of(month)
        summary.content = {
            path.relative_to(content).as_posix(): path.stat().st_size
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        }
        (partial / SUMMARY).write_bytes(summary.dumps())
        shutil.rmtree(entry, ignore_errors=True)
        partial.rename(entry)

    def prune(self, kept: Iterable[str]) -> None:
        """Remove every entry but these (month-key names): earlier versions of a month,
        and months the archive no longer has."""
        keep = set(kept)
        if not self.folder.is_dir():
            return
        for entry in self.folder.iterdir():
            if entry.name not in keep:
                shutil.rmtree(entry, ignore_errors=True)


def _holds(content: Path, files: dict[str, int]) -> bool:
    """Whether content/ has each file, of its size."""
    for relative, size in files.items():
        try:
            if (content / relative).stat().st_size != size:
                return False
        except OSError:
            return False
    return bool(files)


def fingerprint(root: Path, site_url: str | None) -> str:
    """Everything that shapes every page: a change to any of it rebuilds the site."""
    digest = hashlib.sha256(f"{site_url}".encode())
    for name in _WRITERS:
        try:
            digest.update(f"\0{name} {importlib.metadata.version(name)}".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"\0{name} -".encode())
    package = Path(generator.__file__).parent
    files = [(root, root / "mkdocs.yml"), (root, root / "digest.yml")]
    files += _tree(root, root / "overrides") + _tree(package, package)
    for base, path in files:
        if path.is_file():  # named from its base: the same wherever the project is
            digest.update(f"\0{path.relative_to(base)}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _tree(base: Path, folder: Path) -> list[tuple[Path, Path]]:
    paths = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return [(base, path) for path in paths]
