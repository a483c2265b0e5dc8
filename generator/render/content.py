"""content/: the one writer of the rendered pages.

Each page is written as it is made (an archive's pages are too big to hold at once),
an unchanged file is left alone, two pages at one path are refused, and what an
earlier render wrote into render's folders but this one did not is removed.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frontmatter

from generator.card_data import gzipped
from generator.errors import RenderError
from generator.files import inside, write_atomic
from generator.render import urls

# Folders render owns completely: a file there that this render did not write is stale.
GENERATED_DIRS = re.compile(r"^(\d{4}/|topics/|feeds/)")


@dataclass(frozen=True)
class Rendered:
    written: int  # files under content/ that changed
    removed: int  # stale generated files deleted


class Content:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.paths: set[str] = set()  # every file this render made, relative to `folder`
        self._written = 0

    def add(self, path: str, text: str) -> None:
        """`text` at `path` under content/ (refused outside it: StoreError)."""
        self._claim(path)
        self._written += write_atomic(inside(self.folder, path), text, durable=False)

    def add_gzipped(self, path: str, raw: bytes) -> None:
        """`raw` gzipped at `path` under content/ (a day file: card_data.py), as `add`.
        When the file there already holds `raw`, it is left as it is, not compressed
        again: compressing was an eighth of making a month. (Its bytes are then an
        earlier build's, the same but for a change of gzip's level or version.)"""
        self._claim(path)
        target = inside(self.folder, path)
        try:
            if gzip.decompress(target.read_bytes()) == raw:
                return
        except (OSError, EOFError, gzip.BadGzipFile, zlib.error):
            pass  # none there, or not whole: written
        self._written += write_atomic(target, gzipped(raw), durable=False)

    def add_page(
        self, url: str, title: str, body: str, *, path: str | None = None, **meta: Any
    ) -> None:
        """The Markdown page MkDocs turns into `url`, with its front matter."""
        post = frontmatter.Post(body, title=title, **meta)
        self.add(path or urls.source_path(url), frontmatter.dumps(post, sort_keys=False) + "\n")

    def keep(self, paths: Iterable[str]) -> None:
        """Files content/ holds already, made by an earlier render from the same inputs
        (a month of the build cache, site/months.py): not written, not stale."""
        for path in paths:
            self._claim(path)

    def merge(self, paths: Iterable[str], written: int) -> None:
        """Files another renderer made into the same folder (a month made in a worker
        process: generator/month_pages.py), `written` of them changed."""
        self.keep(paths)
        self._written += written

    @property
    def written(self) -> int:
        return self._written

    def _claim(self, path: str) -> None:
        """`path` as this render's: refused if a page of this render has it already."""
        if path in self.paths:
            raise RenderError(f"two pages would be written to content/{path}")
        self.paths.add(path)

    def finish(self) -> Rendered:
        """Remove the stale generated files; say what changed."""
        removed = 0
        for path in sorted(self.folder.rglob("*")):
            relative = path.relative_to(self.folder).as_posix()
            if path.is_file() and GENERATED_DIRS.match(relative) and relative not in self.paths:
                path.unlink()
                removed += 1
        return Rendered(self._written, removed)
