"""Site: content/ → site/ with MkDocs (Material). The only module that runs MkDocs."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import yaml
from yaml_env_tag import construct_env_tag

from generator.errors import SiteError
from generator.files import inside


def build_site(
    root: Path,
    *,
    search: Mapping[str, str] | None = None,
    language: str = "zh",
    strict: bool = True,
    index: SearchIndex | None = None,
) -> Path:
    """Run `mkdocs build` in `root` and put the search index in site/pagefind/: the
    `index` already under way, or one made of `search` (render/search.py) meanwhile.
    Return the site folder."""
    if index is None and search:
        with SearchIndex(language) as own:
            own.add(search)
            return build_site(root, strict=strict, index=own)
    command = [sys.executable, "-m", "mkdocs", "build", "--clean", "--quiet"]
    if strict:
        command.append("--strict")
    result = _mkdocs(root, command)
    if result.returncode != 0:
        raise SiteError(f"mkdocs build failed:\n{_tail(result)}")
    site = root / "site"
    if index is not None:
        index.write_into(site / "pagefind")
    return site


class SearchIndex:
    """Pagefind indexing search documents in the background, a quarter at a time as
    they are added, while the rest of the build goes on (on the other core). Bundles
    are made outside site/ (`mkdocs build --clean` empties it) and put there last.

    With a `cache` folder, bundles are kept there under a hash of their documents, the
    Pagefind version and the language, and a quarter whose documents are unchanged is
    not indexed again: a daily build indexes only the current quarter.
    """

    def __init__(self, language: str, cache: Path | None = None) -> None:
        self.language = language
        self.cache = cache
        self._scratch = tempfile.TemporaryDirectory(prefix="digest-index-")
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._bundles: dict[str, Path] = {}  # quarter → its bundle, made or being made
        self._jobs: list[Future[None]] = []

    def add(self, documents: Mapping[str, str]) -> None:
        """Index these documents; each quarter must come whole, in one call."""
        for period, period_documents in by_period(documents).items():
            if period in self._bundles:
                raise SiteError(f"search documents of {period} were added twice")
            bundle = self._bundle(period, period_documents)
            self._bundles[period] = bundle
            if not bundle.is_dir():
                # Written here rather than by the worker: a thread writing 9k files
                # would hold up the one reading and rendering (Python's GIL).
                source = _write_documents(period_documents)
                self._jobs.append(self._pool.submit(_index, source, bundle, self.language))

    def _bundle(self, period: str, documents: Mapping[str, str]) -> Path:
        if self.cache is None:
            return Path(self._scratch.name) / period
        digest = hashlib.sha256(f"{_BUNDLE_FORMAT} {_pagefind_version()} {self.language}".encode())
        for path in sorted(documents):
            digest.update(f"\0{path}\0{documents[path]}".encode())
        return self.cache / f"{period}-{digest.hexdigest()[:16]}"

    def write_into(self, output: Path) -> None:
        """Wait for the bundles and put them in `output` (site/pagefind/), with
        periods.json listing the quarters newest first."""
        for job in self._jobs:
            job.result()  # a failed index raises here
        output.mkdir(parents=True, exist_ok=True)
        for period, bundle in self._bundles.items():
            if self.cache is None:
                shutil.move(bundle, output / period)
            else:
                _link_tree(bundle, output / period)
                for old in self.cache.glob(f"{period}-*"):  # earlier versions of the quarter
                    if old != bundle:
                        shutil.rmtree(old, ignore_errors=True)
        write_periods(output, self._bundles)

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        for job in self._jobs:
            job.cancel()  # after a failure, quarters not yet started are not indexed
        self._pool.shutdown(wait=True)
        self._scratch.cleanup()


def index_search(
    output: Path, documents: Mapping[str, str], language: str, cache: Path | None = None
) -> None:
    """Pagefind over the search documents into `output` (site/pagefind/), one bundle
    per quarter, with periods.json listing them newest first. Only Pagefind's output
    is published.

    A quarter per bundle keeps a first query's download, and Pagefind's memory, the
    size of three months however long the archive grows (bench/). One language for
    everything: the documents hold Chinese and English side by side, and Pagefind's
    extended build segments Chinese words at index time.
    """
    with SearchIndex(language, cache) as index:
        index.add(documents)
        index.write_into(output)


def write_periods(output: Path, periods: Iterable[str]) -> None:
    listed = [{"id": p, "label": period_label(p)} for p in sorted(periods, reverse=True)]
    output.mkdir(parents=True, exist_ok=True)
    (output / "periods.json").write_text(
        json.dumps(listed, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def by_period(documents: Mapping[str, str]) -> dict[str, dict[str, str]]:
    grouped: dict[str, dict[str, str]] = {}
    for path, html in documents.items():
        grouped.setdefault(search_period(path), {})[path] = html
    return grouped


def quarter(date: dt.date) -> str:
    """ "2026-q2": the search bundle of a day's papers."""
    return f"{date.year}-q{(date.month - 1) // 3 + 1}"


def search_period(path: str) -> str:
    """The bundle of a search document: "2026/06/19/2606.12345.html" → "2026-q2"."""
    year, month = path.split("/", 2)[:2]
    return quarter(dt.date(int(year), int(month), 1))


def period_label(period: str) -> str:
    """What readers see: "2026-q2" → "2026 年 4–6 月"."""
    year, number = period.split("-q")
    first = (int(number) - 1) * 3 + 1
    return f"{year} 年 {first}–{first + 2} 月"


# Bumped when what goes into a bundle changes other than through the documents.
_BUNDLE_FORMAT = "1"


@functools.cache
def _pagefind_version() -> str:
    return importlib.metadata.version("pagefind")


def _write_documents(documents: Mapping[str, str]) -> tempfile.TemporaryDirectory[str]:
    """The documents as files for Pagefind, in memory where there is a tmpfs: they are
    read once and thrown away."""
    shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    folder = tempfile.TemporaryDirectory(prefix="digest-search-", dir=shm)
    for path, html in documents.items():
        target = inside(Path(folder.name), path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    return folder


def _index(source: tempfile.TemporaryDirectory[str], bundle: Path, language: str) -> None:
    """Pagefind over `source` into `bundle`, by way of a .partial folder: a build killed
    meanwhile leaves nothing that passes for a finished bundle."""
    partial = bundle.with_name(bundle.name + ".partial")
    with source:
        shutil.rmtree(partial, ignore_errors=True)
        partial.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "pagefind",
            "--site",
            source.name,
            "--output-path",
            str(partial),
            "--force-language",
            language,
            "--quiet",
        ]
        result = subprocess.run(command, text=True, capture_output=True, check=False)
    if result.returncode != 0:
        raise SiteError(f"search index (pagefind) failed for {bundle.name}:\n{_tail(result)}")
    for unused in _PAGEFIND_UI:  # its own search UIs: the site has one (digest.js)
        (partial / unused).unlink(missing_ok=True)
    partial.rename(bundle)


def _link_tree(source: Path, target: Path) -> None:
    """Hard links where the file system allows (a bundle is 10k files, never edited)."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link)


_PAGEFIND_UI = [
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
]


def _tail(result: subprocess.CompletedProcess[str]) -> str:
    return "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])


def _mkdocs(root: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    if not (root / "mkdocs.yml").is_file():
        raise SiteError(f"no mkdocs.yml in {root}")
    # Material 9.7+ prints a notice about MkDocs 2.0 on every build; we know.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(command, cwd=root, env=env, text=True, capture_output=True, check=False)


class _IgnoreTags(yaml.SafeLoader):
    """mkdocs.yml may hold `!!python/name:` tags; we only need plain keys, and `!ENV`
    resolved by the same code MkDocs uses."""


_IgnoreTags.add_constructor("!ENV", construct_env_tag)
_IgnoreTags.add_multi_constructor("", lambda loader, suffix, node: None)
_IgnoreTags.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def site_url(root: Path) -> str | None:
    """`site_url` from mkdocs.yml, for the absolute links Atom feeds want."""
    try:
        raw = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_IgnoreTags)
    except (OSError, yaml.YAMLError):
        return None
    value = raw.get("site_url") if isinstance(raw, dict) else None
    return str(value) if value else None
