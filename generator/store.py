"""The records in data/: the only module that reads or writes them.

One JSON line per paper in `data/<YYYY>/<YYYY-MM-DD>.jsonl`, sorted by id, keys
in the record contract's order, so the same day gives the same bytes. Writes
go to a temporary file that replaces the old one only once complete: a crash
or a full disk leaves the previous file intact.

Beside each day, `<YYYY-MM-DD>.meta.json` keeps what its LLM step spent. LLM
replies already paid for are kept in `data/cache/llm/`, appended the moment
they arrive, so a crashed run loses none of them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import StoreError
from generator.files import write_atomic
from generator.models import LISTING_PRECEDENCE, Day, DayCounts, Paper

log = logging.getLogger(__name__)

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
        return Day(date, [_parse_line(line, path, number) for number, line in _lines(path)])

    def read_listed(self, date: dt.date, threshold: int) -> Day:
        """The day's papers that pages list (a topic score of at least `threshold`, or a
        failed LLM step), with the counts of all of them: what rendering needs, at a
        fraction of the memory and time of every record (most papers are listed
        nowhere)."""
        path = self.path(date)
        papers = []
        seen: list[tuple[str, str]] = []  # (announce type, LLM status) of every paper
        for number, line in _lines(path):
            unlisted = _unlisted_fast(line)
            if unlisted:
                seen.append(unlisted)
                continue
            paper = _parse_line(line, path, number)
            seen.append((paper.announce_type, paper.llm.status))
            if paper.llm.status == "failed" or any(hit.score >= threshold for hit in paper.topics):
                papers.append(paper)
        return Day(date, papers, DayCounts.tally(seen))

    def write_day(self, day: Day) -> bool:
        """Store the day; return False when the file already held these bytes."""
        papers = sorted(day.papers, key=lambda p: p.id)
        text = "".join(_dump(p) + "\n" for p in papers)
        return write_atomic(self.path(day.date), text)

    def meta_path(self, date: dt.date) -> Path:
        return self.path(date).with_suffix(".meta.json")

    def read_meta(self, date: dt.date) -> dict[str, Any]:
        path = self.meta_path(date)
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError(f"cannot read {path}: {exc}") from exc
        if not isinstance(meta, dict):
            raise StoreError(f"{path}: expected a JSON object")
        return meta

    def write_meta(self, date: dt.date, meta: dict[str, Any]) -> bool:
        text = json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        return write_atomic(self.meta_path(date), text)

    def reply_cache(self) -> ReplyCache:
        return ReplyCache(self.data_dir / "cache" / "llm")

    def published_versions(self, before: dt.date) -> dict[str, set[int]]:
        """Versions of each paper published in the lookback window before `before`."""
        earliest = before - dt.timedelta(days=SEEN_LOOKBACK_DAYS)
        seen: dict[str, set[int]] = {}
        for date in self.days():
            if earliest <= date < before:
                for paper in self.read_day(date).papers:
                    seen.setdefault(paper.id, set()).add(paper.version)
        return seen


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) of a day file's records, blank lines skipped."""
    try:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if line.strip():
                    yield number, line
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from exc


def _dump(paper: Paper) -> str:
    return json.dumps(paper.to_dict(), ensure_ascii=False, separators=(",", ":"))


# Records are written by _dump: compact, keys in a fixed order. A quote inside a value
# is escaped, so these can only match the record's own keys.
_ANNOUNCE = re.compile(r'"announce_type":"([a-z-]+)"')
_LLM_STATUS = re.compile(r'"llm":\{"status":"([a-z]+)"')
_NO_TOPICS = '"topics":[]'


def _unlisted_fast(line: str) -> tuple[str, str] | None:
    """(announce type, LLM status) of a record no page lists, found without parsing
    it (most records); None when the line needs a full parse to tell."""
    if _NO_TOPICS not in line:
        return None
    announce = _ANNOUNCE.search(line)
    status = _LLM_STATUS.search(line)
    if announce is None or status is None or status.group(1) == "failed":
        return None
    return announce.group(1), status.group(1)


def _parse_line(line: str, path: Path, number: int) -> Paper:
    try:
        return Paper.from_dict(json.loads(line))
    except (json.JSONDecodeError, TypeError, KeyError) as exc:
        raise StoreError(f"{path}:{number}: not a valid record: {exc}") from exc


class ReplyCache:
    """LLM replies already paid for, by (stage, arXiv id and version, model, prompt version).

    Append-only JSON lines, one file per arXiv month of the id (`2606.jsonl`),
    so a day's lookups open a few small files, and git diffs stay additions.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._shards: dict[str, dict[str, dict[str, Any]]] = {}
        self._torn: set[str] = set()  # shards whose last line a killed run cut short

    @staticmethod
    def key(stage: str, versioned_id: str, model: str, prompt_version: str) -> str:
        return f"{stage}|{versioned_id}|{model}|{prompt_version}"

    def get(self, key: str) -> dict[str, Any] | None:
        return self._shard(key).get(key)

    def put(self, key: str, value: dict[str, Any]) -> None:
        self._shard(key)[key] = value
        line = json.dumps({"key": key, "value": value}, ensure_ascii=False, separators=(",", ":"))
        path = self._path(key)
        if path.name in self._torn:  # end the cut line first, or this one joins it
            self._torn.discard(path.name)
            line = "\n" + line
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            raise StoreError(f"cannot write {path}: {exc.strerror}") from exc

    def _path(self, key: str) -> Path:
        arxiv_id = key.split("|")[1]
        month = arxiv_id.split(".")[0] if "/" not in arxiv_id else arxiv_id.split("/")[0]
        return self.folder / f"{re.sub(r'[^A-Za-z0-9-]', '_', month)}.jsonl"

    def _shard(self, key: str) -> dict[str, dict[str, Any]]:
        path = self._path(key)
        name = path.name
        if name not in self._shards:
            self._shards[name], torn = _read_shard(path)
            if torn:
                self._torn.add(name)
        return self._shards[name]


def _read_shard(path: Path) -> tuple[dict[str, dict[str, Any]], bool]:
    """The entries, and whether the last line was cut short (no newline)."""
    entries: dict[str, dict[str, Any]] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return entries, False
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from exc
    for number, line in enumerate(text.splitlines(), 1):
        try:
            entry = json.loads(line)
            entries[entry["key"]] = entry["value"]
        except (json.JSONDecodeError, KeyError, TypeError):
            # The last line of a run killed mid-write: that reply is simply asked again.
            log.warning("%s:%d: unreadable cache line skipped", path, number)
    return entries, bool(text) and not text.endswith("\n")


# -- a day stored again ----------------------------------------------------------


@dataclass(frozen=True)
class Merged:
    """A day's new listing merged into what was stored for it: nothing stored is lost."""

    papers: list[Paper]
    kept: int  # stored papers the new listing lacks, kept as they were
    newer: int  # stored papers replaced by a newer version of them
    added: int  # papers that were not stored


def refuse_foreign(stored: list[Paper], date: dt.date, listed: list[str]) -> None:
    """Refuse a listing that is not the stored day's announcement seen again.

    A re-run of a day lists (nearly) the same papers; a feed whose date is wrong (a
    time zone misread, a stale mirror) lists another day's. Storing it would bury the
    stored day's papers under a different set, so it changes nothing and says why."""
    if not stored or not listed:
        return
    known = {p.id for p in stored}
    shared = sum(arxiv_id in known for arxiv_id in listed)
    if shared * 2 < len(listed):
        raise StoreError(
            f"the feed dated {date} lists {len(listed)} papers, only {shared} of them among "
            f"the {len(stored)} stored for {date}: it is not that day's announcement, so "
            "nothing was changed"
        )


def merge_day(stored: list[Paper], fresh: list[Paper]) -> Merged:
    """Every stored paper stays unless a newer version of it arrives; a paper listed
    again in the same version keeps what the earlier run learnt (API extras,
    translations), which the new listing does not have yet."""
    earlier = {p.id: p for p in stored}
    merged = dict(earlier)
    newer = added = 0
    for paper in fresh:
        old = earlier.get(paper.id)
        if old is None:
            added += 1
        elif paper.version > old.version:
            newer += 1
        elif paper.version < old.version:
            continue  # an older listing never replaces a newer version
        else:
            carry_over(paper, old)
        merged[paper.id] = paper
    kept = len(set(earlier) - {p.id for p in fresh})
    return Merged(sorted(merged.values(), key=lambda p: p.id), kept, newer, added)


def carry_over(paper: Paper, old: Paper) -> None:
    """What an earlier run of the same paper and version had and this one lacks: a
    listing of it in more categories, API extras, the LLM step."""
    if LISTING_PRECEDENCE[old.announce_type] < LISTING_PRECEDENCE[paper.announce_type]:
        paper.announce_type = old.announce_type
    paper.categories = list(dict.fromkeys([*old.categories, *paper.categories]))
    if paper.api.status != "done" and old.api.status == "done":
        paper.comments, paper.journal_ref, paper.doi = old.comments, old.journal_ref, old.doi
        paper.primary_category, paper.authors = old.primary_category, old.authors
        paper.institutions, paper.api = old.institutions, old.api
    if old.llm.status == "done":  # anything less is tried again (from the cache first)
        paper.title_zh, paper.abstract_zh, paper.tldr = old.title_zh, old.abstract_zh, old.tldr
        paper.topics, paper.institutions, paper.llm = old.topics, old.institutions, old.llm
