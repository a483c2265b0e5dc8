"""What a month's cache key (months.py) reads of each of its days' files: the file's
git blob id.

Every build checks every month's key. Hashing each day's records for it read the
whole archive on every build: 540 MB at 250 days, about 2.7 GB at 1,250, seconds of
a daily build that adds one day (bench/README.md). In a git checkout, as the daily
workflow's, git's index already holds each committed file's blob id, and
`git ls-files --modified` says which files differ from it. A file that does (the day
being built), that git does not track, or any file outside git gets its id from its
bytes, computed as git computes it, so a month's key does not depend on whether its
files are committed yet. Anything git cannot answer falls back to reading the file:
at worst a month is built again, never reused wrongly.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

GIT_TIMEOUT = 30.0  # seconds for each git command; past it the files are read instead


def blob_id(data: bytes) -> str:
    """The id git gives a file of these bytes (SHA-1, git's default object format)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


class BlobIds:
    """The blob ids of the files under `folder`, asked of git once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._committed: dict[str, str] | None = None

    def of(self, path: Path) -> str | None:
        """The blob id of the file at `path` (under the folder), or None if it has none."""
        if self._committed is None:
            self._committed = committed_ids(self.folder)
        try:
            known = self._committed.get(path.relative_to(self.folder).as_posix())
        except ValueError:  # not under the folder: read below
            known = None
        if known:
            return known
        try:
            return blob_id(path.read_bytes())
        except FileNotFoundError:
            return None


def committed_ids(folder: Path) -> dict[str, str]:
    """Each regular file under `folder` that git's index holds as it is on disk, by its
    path relative to `folder`: its blob id. Empty outside git, or without git."""
    try:
        staged = _git(folder, "ls-files", "--stage", "-z")
        changed = set(_git(folder, "ls-files", "--modified", "-z").split("\0"))
    except (OSError, subprocess.SubprocessError, ValueError):  # ValueError: undecodable names
        return {}
    ids = {}
    for entry in staged.split("\0"):
        info, _, name = entry.partition("\t")
        fields = info.split(" ")  # mode, blob id, merge stage
        regular = len(fields) == 3 and fields[0] in ("100644", "100755") and fields[2] == "0"
        if regular and name not in changed:
            ids[name] = fields[1]
    return ids


def _git(folder: Path, *args: str) -> str:
    # Paths come out relative to the folder, as they are asked (-z: none quoted). No
    # GIT_DIR or the like from a hook around us: the folder's own repository answers.
    command = ["git", "-C", str(folder), *args]
    env = {name: value for name, value in os.environ.items() if not name.startswith("GIT_")}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=GIT_TIMEOUT, check=True, env=env
    ).stdout
