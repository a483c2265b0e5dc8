"""Site: content/ → site/ with MkDocs (Material). The only module that runs MkDocs."""

from __future__ import annotations

import functools
import hashlib
import http.server
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml
from yaml_env_tag import construct_env_tag

from generator.errors import SiteError


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
        with SearchIndex(search, language) as own:
            return build_site(root, strict=strict, index=own)
    command = [sys.executable, "-m", "mkdocs", "build", "--clean", "--quiet"]
    if strict:
        command.append("--strict")
    result = _mkdocs(root, command)
    if result.returncode != 0:
        raise SiteError(f"mkdocs build failed:\n{_tail(result)}")
    site = root / "site"
    if index is not None:
        index.move_into(site)
    return site


class SearchIndex:
    """Pagefind indexing the search documents in the background, while pages are
    rendered and MkDocs builds (each of those uses one core), into a folder of its
    own: `mkdocs build --clean` empties site/."""

    def __init__(
        self, documents: Mapping[str, str], language: str, cache: Path | None = None
    ) -> None:
        self._scratch = tempfile.TemporaryDirectory(prefix="digest-index-")
        self._output = Path(self._scratch.name) / "pagefind"
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._job = self._pool.submit(index_search, self._output, documents, language, cache)

    def move_into(self, site: Path) -> None:
        self._job.result()  # waits; a failed index raises here
        shutil.move(self._output, site / "pagefind")

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
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

    With a `cache` folder, a quarter whose documents are unchanged since a build that
    used it is copied from there instead of indexed again: a daily build re-indexes
    only the current quarter.
    """
    by_period: dict[str, dict[str, str]] = {}
    for path, html in documents.items():
        by_period.setdefault(search_period(path), {})[path] = html
    output.mkdir(parents=True, exist_ok=True)
    for period, period_documents in by_period.items():
        if cache is None:
            _pagefind(period_documents, output / period, language)
        else:
            _link_tree(_cached_bundle(cache, period, period_documents, language), output / period)
    periods = [{"id": p, "label": period_label(p)} for p in sorted(by_period, reverse=True)]
    (output / "periods.json").write_text(
        json.dumps(periods, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def search_period(path: str) -> str:
    """The bundle of a search document: "2026/06/19/2606.12345.html" → "2026-q2"."""
    year, month = path.split("/", 2)[:2]
    return f"{year}-q{(int(month) - 1) // 3 + 1}"


def period_label(period: str) -> str:
    """What readers see: "2026-q2" → "2026 年 4–6 月"."""
    year, quarter = period.split("-q")
    first = (int(quarter) - 1) * 3 + 1
    return f"{year} 年 {first}–{first + 2} 月"


# Bumped when what goes into a bundle changes other than through the documents.
_BUNDLE_FORMAT = "1"


def _cached_bundle(cache: Path, period: str, documents: Mapping[str, str], language: str) -> Path:
    """The period's bundle in `cache`, indexed now unless these very documents were
    indexed before (same Pagefind, same language). Older bundles of the period go."""
    digest = hashlib.sha256(f"{_BUNDLE_FORMAT} {_pagefind_version()} {language}".encode())
    for path in sorted(documents):
        digest.update(f"\0{path}\0{documents[path]}".encode())
    bundle = cache / f"{period}-{digest.hexdigest()[:16]}"
    if not bundle.is_dir():
        cache.mkdir(parents=True, exist_ok=True)
        partial = cache / f"{bundle.name}.partial"  # a killed build leaves no half bundle
        shutil.rmtree(partial, ignore_errors=True)
        _pagefind(documents, partial, language)
        partial.rename(bundle)
    for old in cache.glob(f"{period}-*"):
        if old != bundle:
            shutil.rmtree(old, ignore_errors=True)
    return bundle


def _link_tree(source: Path, target: Path) -> None:
    """Hard links where the file system allows (a bundle is 10k files, never edited)."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link)


@functools.cache
def _pagefind_version() -> str:
    return importlib.metadata.version("pagefind")


def _pagefind(documents: Mapping[str, str], output: Path, language: str) -> None:
    # The documents are read once and thrown away: memory, where there is a tmpfs.
    scratch = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="digest-search-", dir=scratch) as folder:
        for path, html in documents.items():
            target = Path(folder) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(html, encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "pagefind",
            "--site",
            folder,
            "--output-path",
            str(output),
            "--force-language",
            language,
            "--quiet",
        ]
        result = subprocess.run(command, text=True, capture_output=True, check=False)
    if result.returncode != 0:
        raise SiteError(f"search index (pagefind) failed for {output.name}:\n{_tail(result)}")
    for unused in _PAGEFIND_UI:  # its own search UIs: the site has one (digest.js)
        (output / unused).unlink(missing_ok=True)


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


def serve_site(root: Path, address: str) -> None:
    """Serve the built site/ until interrupted: exactly what deploys, search included
    (`mkdocs serve` would rebuild without the search index)."""
    host, _, port = address.rpartition(":")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root / "site"))
    with http.server.ThreadingHTTPServer((host or "127.0.0.1", int(port)), handler) as server:
        print(f"serving {root / 'site'} on http://{host or '127.0.0.1'}:{port}/ (Ctrl+C stops)")
        server.serve_forever()


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
