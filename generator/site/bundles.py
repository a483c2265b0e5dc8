"""The search bundles: Pagefind over the search documents (render/search.py), one
bundle per period (layout.py). Only Pagefind's output is published.

A quarter per bundle keeps a first query's download, and Pagefind's memory, the size
of three months however long the archive grows (bench/). One language for everything:
the documents hold Chinese and English side by side, and Pagefind's extended build
segments Chinese words at index time.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from generator.errors import SiteError
from generator.files import inside, link_tree
from generator.site.layout import by_period, write_manifest
from generator.site.process import tail


class SearchIndex:
    """Pagefind indexing search documents in the background, a quarter at a time as
    they are added, while the rest of the build goes on (on the other core). Bundles
    are made outside site/ (`mkdocs build --clean` empties it) and put there last.

    With a `cache` folder, bundles are kept there under a hash of their documents, the
    Pagefind version and the language, and a quarter whose documents are unchanged is
    not indexed again: a daily build indexes only the current quarter.
    """

    def __init__(
        self,
        language: str,
        cache: Path | None = None,
        elsewhere: Sequence[Mapping[str, str]] = (),
    ) -> None:
        self.language = language
        self.cache = cache
        self.elsewhere = elsewhere  # manifest entries after ours: an older site's search
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

    def cached_bundles(self) -> dict[str, Path]:
        """The bundles of the cache, made or being made, by quarter: what write_into
        puts in its output."""
        return {} if self.cache is None else dict(self._bundles)

    def write_into(self, output: Path, put: Put | None = None) -> None:
        """Wait for the bundles and put them in `output` (site/pagefind/), with the
        manifest listing them (layout.py). `put(period, bundle)` puts a cached
        bundle in output/period (build.py, held.py); by default, as hard links."""
        for job in self._jobs:
            job.result()  # a failed index raises here
        output.mkdir(parents=True, exist_ok=True)
        for period, bundle in self._bundles.items():
            if self.cache is None:
                shutil.move(bundle, output / period)
                continue
            if put is None:
                link_tree(bundle, output / period)
            else:
                put(period, bundle)
            for old in self.cache.glob(f"{period}-*"):  # earlier versions of the quarter
                if old != bundle:
                    shutil.rmtree(old, ignore_errors=True)
        write_manifest(output, self._bundles, self.elsewhere)

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        for job in self._jobs:
            job.cancel()  # after a failure, quarters not yet started are not indexed
        self._pool.shutdown(wait=True)
        self._scratch.cleanup()


Put = Callable[[str, Path], None]  # a quarter's folder, from its cached bundle

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
    # In one order whatever order they came in: Pagefind's files follow the order it
    # finds the documents in, and a cached rebuild must publish what a full one does.
    for path, html in sorted(documents.items()):
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
        raise SiteError(f"search index (pagefind) failed for {bundle.name}:\n{tail(result)}")
    for unused in _PAGEFIND_UI:  # its own search UIs: the site has one (digest/search.js)
        (partial / unused).unlink(missing_ok=True)
    partial.rename(bundle)


_PAGEFIND_UI = [
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
]
