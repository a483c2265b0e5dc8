"""Site: content/ → site/ with MkDocs (Material). The only module that runs MkDocs."""

from __future__ import annotations

import functools
import http.server
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

    def __init__(self, documents: Mapping[str, str], language: str) -> None:
        self._scratch = tempfile.TemporaryDirectory(prefix="digest-index-")
        self._output = Path(self._scratch.name) / "pagefind"
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._job = self._pool.submit(index_search, self._output, documents, language)

    def move_into(self, site: Path) -> None:
        self._job.result()  # waits; a failed index raises here
        shutil.move(self._output, site / "pagefind")

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True)
        self._scratch.cleanup()


def index_search(output: Path, documents: Mapping[str, str], language: str) -> None:
    """Pagefind over the search documents into `output` (site/pagefind/), one bundle
    per year, with years.json listing the years newest first. Only Pagefind's output
    is published.

    A year per bundle keeps a first query's download and work the size of one year
    however long the archive grows (bench/search_archive.py). One language for
    everything: the documents hold Chinese and English side by side, and Pagefind's
    extended build segments Chinese words at index time.
    """
    by_year: dict[str, dict[str, str]] = {}
    for path, html in documents.items():
        by_year.setdefault(path.split("/", 1)[0], {})[path] = html
    for year, year_documents in by_year.items():
        _pagefind(year_documents, output / year, language)
    years = sorted(by_year, reverse=True)
    output.mkdir(parents=True, exist_ok=True)
    (output / "years.json").write_text(json.dumps(years) + "\n", encoding="utf-8")


def _pagefind(documents: Mapping[str, str], output: Path, language: str) -> None:
    with tempfile.TemporaryDirectory(prefix="digest-search-") as folder:
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
