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
import itertools
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import StoreError
from generator.files import write_atomic
from generator.models import LISTING_PRECEDENCE, Day, DayCounts, Paper
from generator.selection import on_pages

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

    def read_day(self, date: dt.date, *, report: bool = True) -> Day:
        """The day's records; each line left out (or used twice) named in the log,
        unless `report` is off: the day was read, and named, before."""
        path = self.path(date)
        unreadable: list[str] = []
        papers = _one_per_id(path, _records(path, unreadable, report=report), report=report)
        return Day(date, papers, unreadable=unreadable)

    def read_listed(self, date: dt.date, threshold: int, *, report: bool = True) -> Day:
        """The day's papers that pages list, with the counts of all of them."""
        return listed_day(self.read_day(date, report=report), threshold)

    def write_day(self, day: Day) -> bool:
        """Store the day; return False when the file already held these bytes.

        A file holding lines that cannot be read is not replaced (StoreError): the
        new file would not have them, and nothing stored is ever lost silently."""
        path = self.path(day.date)
        _refuse_to_lose(path)
        papers = sorted(day.papers, key=lambda p: p.id)
        text = "".join(_dump(p) + "\n" for p in papers)
        return write_atomic(path, text)

    def stored(self, date: dt.date) -> Day:
        """The stored day, or an empty one; StoreError, before any work is done on it,
        when it holds lines `write_day` would refuse to drop."""
        day = self.read_day(date) if self.path(date).exists() else Day(date, [])
        if day.unreadable:
            raise StoreError(_refusal(day.unreadable))
        return day

    def meta_path(self, date: dt.date) -> Path:
        return self.path(date).with_suffix(".meta.json")

    def read_meta(self, date: dt.date) -> dict[str, Any]:
        """What earlier runs spent on the day; {} when nothing is recorded.

        A file that cannot be read (not UTF-8, not JSON, not the expected shape) is
        moved aside to `<name>.broken-<n>`, for a person to look at, and the day
        starts its record afresh: the file only records spending and deliveries, so it
        must neither stop the day from being stored nor be overwritten unseen."""
        path = self.meta_path(date)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StoreError(f"cannot read {path}: {exc.strerror}") from exc
        try:
            return _checked_meta(json.loads(data.decode("utf-8")))
        except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            aside = _move_aside(path)
            log.warning(
                "%s: unreadable (%s); moved to %s, the day's spending and deliveries are "
                "recorded afresh",
                path,
                _reason(exc),
                aside.name,
            )
            return {}

    def write_meta(self, date: dt.date, meta: dict[str, Any]) -> bool:
        text = json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        return write_atomic(self.meta_path(date), text)

    def deliveries(self, date: dt.date) -> dict[str, dict[str, Any]]:
        """Where the day was delivered (`arxiv-digest deliver`): channel → {at, to, ...}."""
        return dict(self.read_meta(date).get("delivered", {}))

    def record_delivery(self, date: dt.date, channel: str, entry: dict[str, Any]) -> None:
        """Record one channel's delivery of the day, the moment it is done: a run that
        stops after it never sends that channel again."""
        meta = self.read_meta(date)
        meta["delivered"] = {**meta.get("delivered", {}), channel: entry}
        self.write_meta(date, meta)

    def reply_cache(self) -> ReplyCache:
        return ReplyCache(self.data_dir / "cache" / "llm")

    def unpublished(self, papers: list[Paper], date: dt.date) -> list[Paper]:
        """Leave out papers already published, in the same version, on an earlier day."""
        seen = self.published_versions(before=date)
        fresh = [p for p in papers if p.version not in seen.get(p.id, set())]
        if len(fresh) < len(papers):
            log.info("%d papers were published on earlier days; skipped.", len(papers) - len(fresh))
        return fresh

    def save(self, day: Day) -> bool:
        """`write_day`, saying what it did."""
        changed = self.write_day(day)
        where = f"stored in {self.path(day.date)}" if changed else "unchanged"
        log.info("%s: %d papers %s", day.date, len(day.papers), where)
        return changed

    def published_versions(self, before: dt.date) -> dict[str, set[int]]:
        """Versions of each paper published in the lookback window before `before`.
        A line that cannot be read is left out with a warning: it must not stop every
        run of the next 60 days."""
        earliest = before - dt.timedelta(days=SEEN_LOOKBACK_DAYS)
        seen: dict[str, set[int]] = {}
        for date in self.days():
            if earliest <= date < before:
                for _, paper in _records(self.path(date), []):
                    seen.setdefault(paper.id, set()).add(paper.version)
        return seen


def listed_day(day: Day, threshold: int) -> Day:
    """The papers of a whole day that pages list (a topic score of at least
    `threshold`, or a failed LLM step), with the counts of all of them: what rendering
    needs."""
    seen = [(paper.announce_type, paper.llm.status) for paper in day.papers]
    papers = [paper for paper in day.papers if on_pages(paper, threshold)]
    return Day(day.date, papers, DayCounts.tally(seen), day.unreadable)


def _raw_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of a day file's lines, blank lines skipped. Bytes, so that
    one line that is not UTF-8 spoils only itself."""
    try:
        with path.open("rb") as lines:
            for number, line in enumerate(lines, 1):
                if line.strip():
                    yield number, line
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from exc


def _records(
    path: Path, unreadable: list[str], *, report: bool = True
) -> Iterator[tuple[int, Paper]]:
    """(line number, record) of each valid line; each other line is added to
    `unreadable` as "file:line: not a valid record: what is wrong" (and logged)."""
    for number, line in _raw_lines(path):
        try:
            paper = _parse_record(line)
        except ValueError as exc:
            problem = f"{path}:{number}: not a valid record: {_reason(exc)}"
            unreadable.append(problem)
            if report:
                log.warning("%s (left out)", problem)
        else:
            yield number, paper


def _parse_record(line: bytes) -> Paper:
    """The record on one line; ValueError saying what is wrong with it."""
    text = line.decode("utf-8")
    paper = Paper.from_dict(json.loads(text))
    if "\\ud" in text or "\\uD" in text:  # JSON's \u is lower-case, its digits not
        # JSON can spell a lone UTF-16 surrogate (\ud800), which is no text: the
        # record could be read but never written again, nor any page made from it.
        try:
            _dump(paper).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError("a \\u escape that is not a character (lone surrogate)") from exc
    return paper


def _reason(exc: ValueError) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 (byte {exc.start + 1})"
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON ({exc.msg} at character {exc.pos})"
    return str(exc)


def _one_per_id(
    path: Path, records: Iterable[tuple[int, Paper]], *, report: bool = True
) -> list[Paper]:
    """One record per id, in file order: the higher version, or at equal versions the
    one whose LLM step is done, else the first. Two runs' lines merged by hand or by
    git must not show a card twice or count it twice."""
    kept: dict[str, tuple[int, Paper]] = {}
    for number, paper in records:
        earlier = kept.get(paper.id)
        if earlier is None:
            kept[paper.id] = number, paper
            continue
        if _better(paper, earlier[1]):
            kept[paper.id] = number, paper
        if not report:
            continue
        log.warning(
            "%s:%d: %s is also on line %d; line %d is used",
            path,
            number,
            paper.id,
            earlier[0],
            kept[paper.id][0],
        )
    return [paper for _, paper in kept.values()]


def _better(paper: Paper, than: Paper) -> bool:
    if paper.version != than.version:
        return paper.version > than.version
    return paper.llm.status == "done" and than.llm.status != "done"


def _refuse_to_lose(path: Path) -> None:
    if not path.exists():
        return
    unreadable: list[str] = []
    for _ in _records(path, unreadable, report=False):
        pass
    if unreadable:
        raise StoreError(_refusal(unreadable))


def _refusal(unreadable: list[str]) -> str:
    more = f" (and {len(unreadable) - 1} more lines)" if len(unreadable) > 1 else ""
    return (
        f"{unreadable[0]}{more}; the day is not stored again, which would drop it: "
        "fix or remove the line"
    )


def _dump(paper: Paper) -> str:
    return json.dumps(paper.to_dict(), ensure_ascii=False, separators=(",", ":"))


# The "llm" section of a day's metadata, as usage.Usage.added_to writes it.
_META_COUNTS = ("requests", "tokens_in", "tokens_out", "cache_hits", "failed")


def _checked_meta(meta: object) -> dict[str, Any]:
    """`meta` when it has the shape runs write; ValueError naming what is not."""
    if not isinstance(meta, dict):
        raise ValueError("expected a JSON object")
    llm = meta.get("llm", {})
    if not isinstance(llm, dict):
        raise ValueError('"llm": expected an object')
    for key in _META_COUNTS:
        if key in llm and (type(llm[key]) is not int or llm[key] < 0):
            raise ValueError(f"llm.{key}: expected a whole number, got {llm[key]!r:.40}")
    cost = llm.get("cost_usd", 0)
    if type(cost) not in (int, float) or not 0 <= cost < float("inf"):
        raise ValueError(f"llm.cost_usd: expected a number, got {cost!r:.40}")
    if not isinstance(llm.get("estimated", False), bool):
        raise ValueError("llm.estimated: expected true or false")
    if not isinstance(llm.get("model", ""), str):
        raise ValueError("llm.model: expected a string")
    _check_deliveries(meta.get("delivered", {}))
    return meta


def _check_deliveries(delivered: object) -> None:
    """The "delivered" section, as `Store.record_delivery` writes it."""
    if not isinstance(delivered, dict):
        raise ValueError('"delivered": expected an object')
    for channel, entry in delivered.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("at"), str):
            raise ValueError(f'delivered.{channel:.20}: expected {{"at": "…", …}}')


def _move_aside(path: Path) -> Path:
    """Rename `path` to the first free `<name>.broken-<n>`; the new name."""
    for number in itertools.count(1):
        aside = path.with_name(f"{path.name}.broken-{number}")
        if not aside.exists():
            try:
                path.rename(aside)
            except OSError as exc:
                raise StoreError(f"cannot move {path} aside: {exc.strerror}") from exc
            return aside
    raise AssertionError("unreachable")  # pragma: no cover


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
    """The entries, and whether the last line was cut short (no newline).

    Read as bytes and split on newlines only: a line that is not UTF-8, not JSON or
    not a {"key", "value"} entry is skipped alone (that reply is simply asked again),
    and text inside a reply (a U+2028 in a title) never splits its line."""
    entries: dict[str, dict[str, Any]] = {}
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return entries, False
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from exc
    for number, line in enumerate(data.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line.decode("utf-8"))
            key, value = entry["key"], entry["value"]
        except (ValueError, KeyError, TypeError):
            # Most often the last line of a run killed mid-write.
            log.warning("%s:%d: unreadable cache line skipped", path, number)
            continue
        if isinstance(key, str) and isinstance(value, dict):
            entries[key] = value
        else:
            log.warning("%s:%d: unreadable cache line skipped", path, number)
    return entries, bool(data) and not data.endswith(b"\n")


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


def merged_day(date: dt.date, stored: list[Paper], fresh: list[Paper]) -> Day:
    """A new listing of `date` merged into what is stored for it (`merge_day`), saying
    what the merge kept and replaced."""
    merged = merge_day(stored, fresh)
    if merged.kept:
        log.warning(
            "%s: %d stored papers this listing lacks were kept "
            "(a re-run never drops what is stored)",
            date,
            merged.kept,
        )
    if merged.newer:
        log.info("%s: %d papers replaced by their newer version", date, merged.newer)
    return Day(date, merged.papers)


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
