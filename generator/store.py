"""The records in data/: the only module that reads or writes them.

One JSON line per paper in `data/<YYYY>/<YYYY-MM-DD>.jsonl`, sorted by id, keys
in the record contract's order, so the same day gives the same bytes. Writes
go to a temporary file that replaces the old one only once complete: a crash
or a full disk leaves the previous file intact.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from generator.errors import StoreError
from generator.files import write_atomic
from generator.models import Day, Paper

# How far back "already published" is looked up. arXiv re-serves a previous
# day's items by mistake now and then (the fixtures show it); a paper listed
# again with the same version months later is not something it does.
SEEN_LOOKBACK_DAYS = 60


class Store:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def path(self, date: dt.date) -> Path:
        return self.data_dir / f"{date.year:04d}" / f"{date.isoformat()}.jsonl"

    def days(self) -> list[dt.date]:
        """Every stored day, oldest first."""
        dates = []
        for path in self.data_dir.glob("[0-9][0-9][0-9][0-9]/*.jsonl"):
            try:
                dates.append(dt.date.fromisoformat(path.stem))
            except ValueError:
                continue  # not one of ours
        return sorted(dates)

    def read_day(self, date: dt.date) -> Day:
        path = self.path(date)
        papers = []
        try:
            with path.open(encoding="utf-8") as lines:
                for number, line in enumerate(lines, 1):
                    if line.strip():
                        papers.append(_parse_line(line, path, number))
        except OSError as exc:
            raise StoreError(f"cannot read {path}: {exc.strerror}") from exc
        return Day(date, papers)

    def write_day(self, day: Day) -> bool:
        """Store the day; return False when the file already held these bytes."""
        papers = sorted(day.papers, key=lambda p: p.id)
        text = "".join(_dump(p) + "\n" for p in papers)
        return write_atomic(self.path(day.date), text)

    def published_versions(self, before: dt.date) -> dict[str, set[int]]:
        """Versions of each paper published in the lookback window before `before`."""
        earliest = before - dt.timedelta(days=SEEN_LOOKBACK_DAYS)
        seen: dict[str, set[int]] = {}
        for date in self.days():
            if earliest <= date < before:
                for paper in self.read_day(date).papers:
                    seen.setdefault(paper.id, set()).add(paper.version)
        return seen


def _dump(paper: Paper) -> str:
    return json.dumps(paper.to_dict(), ensure_ascii=False, separators=(",", ":"))


def _parse_line(line: str, path: Path, number: int) -> Paper:
    try:
        return Paper.from_dict(json.loads(line))
    except (json.JSONDecodeError, TypeError, KeyError) as exc:
        raise StoreError(f"{path}:{number}: not a valid record: {exc}") from exc
