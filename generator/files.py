"""Writing files so that a crash or a full disk never leaves half a file."""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from generator.errors import StoreError

TEMP_PATTERN = ".*.tmp"  # what write_atomic writes before renaming


@contextmanager
def exclusive(lock_file: Path, on_wait: Callable[[], None]) -> Iterator[None]:
    """Hold `lock_file` for the whole block; a second holder waits its turn.

    The kernel drops the lock when its process dies, even by SIGKILL: a crashed run
    never blocks the next one."""
    with lock_file.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def remove_partial_writes(folder: Path) -> int:
    """Delete what a writer killed between write and rename left behind."""
    removed = 0
    for path in folder.rglob(TEMP_PATTERN):
        if path.is_file():
            path.unlink()
            removed += 1
    return removed


def inside(folder: Path, relative: str) -> Path:
    """`folder / relative`, refused (StoreError) unless it stays inside `folder`.

    Every writer that puts a name it did not make itself into a path (a paper id in a
    search document, a page path) goes through here: an absolute path, a `..` or a
    symbolic link out of `folder` must never let text from arXiv or a model write
    elsewhere (issue 14: a guid of `../../overrides/main` replaced the theme)."""
    parts = PurePosixPath(relative).parts
    if (
        not relative
        or relative.startswith("/")
        or "\\" in relative
        or "\0" in relative
        or ".." in parts
    ):
        raise StoreError(f"refused to write {relative[:80]!r}: not a path inside {folder}")
    target = folder / relative
    base = folder.resolve()
    if not target.resolve().is_relative_to(base):
        raise StoreError(f"refused to write {relative[:80]!r}: it leads out of {folder}")
    return target


def write_atomic(path: Path, text: str | bytes, *, durable: bool = True) -> bool:
    """Replace `path` with `text` (UTF-8, or bytes as they are) all at once; skip it
    when nothing changed.

    `durable` waits for the disk before the rename: records need it; pages made again
    from them on every run (content/) do not, and an archive's pages are 800 MB."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        # (a kill before the rename leaves the temp file: remove_partial_writes cleans it)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                if durable:
                    handle.flush()
                    os.fsync(handle.fileno())
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise StoreError(f"cannot write {path}: {exc.strerror}") from exc
    return True


def link_tree(source: Path, target: Path) -> None:
    """`source` copied to `target` as hard links where the file system allows: for
    trees of files that are replaced, never edited (search bundles, built pages)."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link, dirs_exist_ok=True)
