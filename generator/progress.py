"""Progress of long steps: a live bar on a terminal, plain log lines elsewhere (CI)."""

from __future__ import annotations

import logging
import os
from types import TracebackType
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

log = logging.getLogger(__name__)


class Tracker(Protocol):
    def add(self, stage: str, total: int) -> None: ...
    def advance(self, stage: str, count: int = 1) -> None: ...
    def __enter__(self) -> Tracker: ...
    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class LogTracker:
    """One line per tenth of each stage: readable in a CI log."""

    def __init__(self) -> None:
        self._totals: dict[str, int] = {}
        self._done: dict[str, int] = {}

    def add(self, stage: str, total: int) -> None:
        self._totals[stage] = self._totals.get(stage, 0) + total
        self._done.setdefault(stage, 0)

    def advance(self, stage: str, count: int = 1) -> None:
        total = self._totals.get(stage, 0)
        before = self._done[stage]
        self._done[stage] = after = before + count
        if total and (after * 10 // total > before * 10 // total or after == total):
            log.info("%s: %d/%d", stage, after, total)

    def __enter__(self) -> LogTracker:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class BarTracker:
    def __init__(self, console: Console) -> None:
        self._bars = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self._tasks: dict[str, TaskID] = {}

    def add(self, stage: str, total: int) -> None:
        if stage in self._tasks:
            task = next(t for t in self._bars.tasks if t.id == self._tasks[stage])
            self._bars.update(task.id, total=(task.total or 0) + total)
        else:
            self._tasks[stage] = self._bars.add_task(stage, total=total)

    def advance(self, stage: str, count: int = 1) -> None:
        self._bars.advance(self._tasks[stage], count)

    def __enter__(self) -> BarTracker:
        self._bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bars.stop()


def tracker() -> Tracker:
    """A bar when a person watches stderr, log lines in CI and pipes."""
    console = Console(stderr=True)
    if console.is_terminal and not os.environ.get("CI"):
        return BarTracker(console)
    return LogTracker()
