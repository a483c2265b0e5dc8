"""The folders of site/ that a build puts back unchanged from a cache (a month's pages,
months.py; a finished quarter's search bundle, bundles.py), kept across MkDocs'
--clean instead of removed and linked again.

Every build put every cached month and quarter back into a site/ that MkDocs had just
emptied: at 250 days 56,000 files removed and hard-linked again (most of them search
fragments), and the number grows with the archive while a daily build adds a day.
Now, before MkDocs runs, each folder that site/ still holds as it came from the same
cache entry (the record of the last build says so) is moved aside, into .cache/held/,
and moved back after, a rename each; any other is linked from its entry as before.
The record is removed while a build runs, so a build killed midway leaves none that
could vouch for what site/ holds, and the next build links everything again.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path

from generator.files import link_tree

RECORD = ".cache/site.json"  # {site/ folder: the cache entry's copy it came from}
HELD = ".cache/held"


class HeldFolders:
    """site/'s folders that come from cache entries, in a build of the project at `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.site = root / "site"
        self._aside: dict[str, Path] = {}
        self._placed: dict[str, str] = {}

    def set_aside(self, wanted: Mapping[str, Path]) -> None:
        """Before MkDocs: each of `wanted` (site/ folder → its entry's copy) that site/
        holds from that very copy, moved out of MkDocs' way."""
        held = self.root / HELD
        shutil.rmtree(held, ignore_errors=True)  # what a killed build held: not vouched for
        placed = self._read()
        (self.root / RECORD).unlink(missing_ok=True)
        for folder, source in wanted.items():
            here = self.site / folder
            if placed.get(folder) == self._name(source) and here.is_dir():
                target = held / folder
                target.parent.mkdir(parents=True, exist_ok=True)
                here.rename(target)
                self._aside[folder] = target

    def put(self, folder: str, source: Path) -> None:
        """`folder` of site/ as `source` holds it: moved back, or linked from `source`."""
        target = self.site / folder
        aside = self._aside.pop(folder, None)
        if aside is not None:
            if target.exists():  # a builder that runs no plugins built it anyway
                shutil.rmtree(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            aside.rename(target)
        else:
            link_tree(source, target)
        self._placed[folder] = self._name(source)

    def placed(self, folder: str, source: Path) -> None:
        """`folder` of site/ is now `source`'s (hard-linked into it by the cache)."""
        self._placed[folder] = self._name(source)

    def remember(self) -> None:
        """After the build: what site/ holds from where, for the next build."""
        shutil.rmtree(self.root / HELD, ignore_errors=True)  # folders no longer wanted
        record = self.root / RECORD
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(self._placed, sort_keys=True), encoding="utf-8")

    def _name(self, source: Path) -> str:
        try:
            return source.relative_to(self.root).as_posix()
        except ValueError:  # a cache outside the project
            return str(source)

    def _read(self) -> dict[str, str]:
        try:
            raw = json.loads((self.root / RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(raw, dict):
            return {}
        return {str(k): str(v) for k, v in raw.items()}
