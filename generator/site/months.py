"""The build cache of months: a month whose inputs are unchanged since a build made it
is neither read, rendered nor built again. Its content/ files and its built pages come
from here, so a daily build does the work of the month that changed (issue 18).

A month's unit is its folder, YYYY/MM/ (its days' pages, and its topics' month pages
YYYY/MM/<topic>/), and the folders of the weeks it owns, YYYY/Www/ (its topics' week
pages). A week belongs to the month of its last day on the site, so the unit that makes
a week's pages always has one of its days; a week that began in the month before has
those days read again with the month (four at most). A week's folder is named by its
ISO year, which the month may not share: a week of 2025-12-29 to 2026-01-02 is
2026/W01/, the unit of January 2026, or of December 2025 while January has no day yet.

A month's inputs are its days' records and metadata (data/, each file by its git
blob id: site/blobs.py, so checking a key reads no record git already knows), those
of the days of the month before in the weeks it owns, the dates of the days around it
and around each week it owns (their first and last days, and the weeks' and the
month's pages, link to them), and the fingerprint of everything that shapes every
page: the generator's code and templates, overrides/, mkdocs.yml, digest.yml, the
site's address and the versions of the packages that write HTML. A change to any of
them makes every key new, so everything is built again.

So a week's owner changes only with a new (or removed) day: a week that ended in one
month and gets a day in the next goes to the next, and the month before is made again
anyway, as its last day now links to the new one, and gives the week up. A daily build
makes the current month's pages and its week's; the first day of a month makes the
month before again too, as it did before weeks.

An entry, `.cache/pages/<YYYY-MM>-<key>/` (kept by actions/cache in the daily
workflow, like the search bundles beside it):

    site/          the unit's built files: site/YYYY/MM/ and site/YYYY/Www/ of its weeks
    month.json.gz  what the rest of the build needs of the month without reading it:
                   each day's counts (the archive calendar), the search documents (a
                   quarter is indexed whole), the stale topic hits and lacking details
                   (the build's warnings), and the names and sizes of the unit's files
                   in content/

content/ is committed and is not copied here: an entry is used only while content/
holds the unit's files as the entry lists them (a file lost or cut short means the
month is made again), so what is published always matches what is committed.

It is made in a .partial folder and renamed when whole, so a build killed meanwhile
leaves nothing that passes for an entry.
"""

from __future__ import annotations

import bisect
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
from generator.periods import Period, around
from generator.site.blobs import BlobIds
from generator.store import Store

# Bumped when what an entry holds changes other than through its inputs.
_ENTRY_FORMAT = "3"
# The packages whose versions show in the HTML they write.
_WRITERS = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2")
SUMMARY = "month.json.gz"
# How build.py tells MkDocs (the digest-cards plugin) which folders of content/ to
# leave out: their pages come from the cache. Space-separated "YYYY/MM" and "YYYY/Www".
REUSED_ENV = "DIGEST_REUSED_MONTHS"


def month_of(date: dt.date) -> str:
    """ "2026-06": the unit of the cache."""
    return f"{date:%Y-%m}"


def folder_of(month: str) -> str:
    """ "2026-06" → "2026/06": where its days' pages are, under content/ and site/."""
    return month.replace("-", "/")


@dataclass(frozen=True)
class Unit:
    """What one entry of the cache makes: a month and the weeks it owns."""

    month: str  # "2026-06"
    dates: list[dt.date]  # the month's days
    weeks: list[Period]  # the weeks it owns, oldest first
    before: list[dt.date]  # their days of the month before, read with the month's

    @property
    def folders(self) -> list[str]:
        return [folder_of(self.month), *(week.folder for week in self.weeks)]


def unit_of(dates: Sequence[dt.date], month: list[dt.date]) -> Unit:
    """The unit of the month of `month` (its days) among every day of the site, `dates`
    (sorted): the weeks whose last day on the site is in the month are its."""
    weeks = sorted({Period.week_of(date) for date in month})
    owned = [w for w in weeks if dates[bisect.bisect_right(dates, w.end) - 1] <= month[-1]]
    before = [d for w in owned for d in dates if d in w and d < month[0]]
    return Unit(month_of(month[0]), month, owned, before)


def weeks_around(dates: Sequence[dt.date], unit: Unit) -> list[dt.date | None]:
    """The days just before and after each week of `unit`: its pages link to their weeks."""
    return [date for week in unit.weeks for date in around(dates, week)]


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
        # Level 1: a cache entry, read back once; level 9 took a second at 250 days.
        return gzip.compress(text.encode("utf-8"), compresslevel=1, mtime=0)

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
    folders: list[str]  # Unit.folders: where its pages are, under site/

    def site(self, folder: str) -> Path:
        """The entry's built files of `folder` (one of `folders`)."""
        return self.folder / "site" / folder


class MonthCache:
    def __init__(self, folder: Path, fingerprint: str, store: Store) -> None:
        self.folder = folder
        self.fingerprint = fingerprint
        self.store = store
        self.blobs = BlobIds(store.data_dir)

    def key(
        self, dates: Sequence[dt.date], around: Sequence[dt.date | None], form: str = ""
    ) -> str:
        """The hash of a month's inputs: its days' files (and those of the month before
        in its weeks), by their git blob ids (blobs.py), the days around it and its
        weeks, and `form`: what else its pages depend on that can change with the
        archive (whether its pages are full, render/days.py full_pages)."""
        digest = hashlib.sha256(f"{_ENTRY_FORMAT} {self.fingerprint} {form}".encode())
        digest.update(repr([d and d.isoformat() for d in around]).encode())
        for date in dates:
            records = self.blobs.of(self.store.path(date))
            meta = self.blobs.of(self.store.meta_path(date))
            digest.update(f"\0{date} {records} {meta or '-'}".encode())
        return digest.hexdigest()[:16]

    def get(self, unit: Unit, key: str, content: Path) -> CachedMonth | None:
        """The month's entry, if it is whole and content/ holds its files."""
        entry = self.entry(unit, key)
        try:
            summary = MonthSummary.loads((entry / SUMMARY).read_bytes())
        except (OSError, ValueError, KeyError, TypeError):
            return None  # not made, or not whole: the month is built again
        cached = CachedMonth(unit.month, entry, summary, unit.folders)
        whole = all(cached.site(folder).is_dir() for folder in unit.folders)
        if not whole or not _holds(content, summary.content):
            return None
        return cached

    def entry(self, unit: Unit, key: str) -> Path:
        return self.folder / f"{unit.month}-{key}"

    def put(self, unit: Unit, key: str, content: Path, site: Path, summary: MonthSummary) -> None:
        """Keep the month as this build made it: its built files (hard links: the next
        build empties site/ before it writes), and the list of its content/ files."""
        entry = self.entry(unit, key)
        partial = entry.with_name(entry.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        for folder in unit.folders:
            link_tree(site / folder, partial / "site" / folder)
        summary.content = {
            path.relative_to(content).as_posix(): path.stat().st_size
            for folder in unit.folders
            for path in sorted((content / folder).rglob("*"))
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
