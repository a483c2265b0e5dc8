from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, rss_bytes

from generator.errors import StoreError
from generator.models import Day, DayCounts, StepState, TopicHit
from generator.sources.rss import parse_feed
from generator.store import ReplyCache, Store

DAY = dt.date(2026, 6, 19)
RSS = FIXTURES / "rss" / "fetched-2026-06-19-cs.CL.xml"


def test_records_round_trip_byte_for_byte(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    papers = parse_feed(rss_bytes("2026-06-19", "cs.CL")).papers
    assert store.write_day(Day(DAY, list(reversed(papers)))) is True
    path = tmp_path / "data" / "2026" / "2026-06-19.jsonl"
    first = path.read_bytes()
    again = store.read_day(DAY)
    assert [p.id for p in again.papers] == sorted(p.id for p in papers)
    assert store.write_day(again) is False  # same bytes: not even rewritten
    assert path.read_bytes() == first
    line = first.decode().splitlines()[0]
    assert line.startswith('{"id":"2104.08928","version":4,"title":')
    keys = [
        "id",
        "version",
        "title",
        "authors",
        "abstract",
        "categories",
        "primary_category",
        "announce_type",
        "comments",
        "journal_ref",
        "doi",
        "title_zh",
        "abstract_zh",
        "tldr",
        "institutions",
        "topics",
        "api",
        "llm",
    ]
    import json

    assert list(json.loads(line)) == keys


def test_a_full_disk_during_a_write_leaves_the_previous_file_intact(tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes the kernel refuse the write (EFBIG) as a full disk would."""
    store = Store(tmp_path / "data")
    papers = parse_feed(rss_bytes("2026-06-19", "cs.CL")).papers
    store.write_day(Day(DAY, papers[:3]))
    before = store.path(DAY).read_bytes()
    script = f"""
import datetime as dt, resource, signal, sys
from pathlib import Path
from generator.store import Store
from generator.sources.rss import parse_feed
from generator.models import Day
from generator.errors import StoreError
papers = parse_feed(Path({str(RSS)!r}).read_bytes()).papers
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))
try:
    Store(Path({str(tmp_path / "data")!r})).write_day(Day(dt.date(2026, 6, 19), papers))
except StoreError as exc:
    print(exc)
    sys.exit(3)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 3, result.stderr
    assert "cannot write" in result.stdout and "File too large" in result.stdout
    assert store.path(DAY).read_bytes() == before
    assert [p.name for p in store.path(DAY).parent.iterdir()] == ["2026-06-19.jsonl"]


def test_a_corrupt_line_is_reported_with_its_place(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    store.path(DAY).parent.mkdir(parents=True)
    store.path(DAY).write_text('{"id": "1"}\n', encoding="utf-8")
    with pytest.raises(StoreError, match=r"2026-06-19\.jsonl:1: not a valid record"):
        store.read_day(DAY)


def test_published_versions_look_only_at_earlier_days(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    papers = parse_feed(rss_bytes("2026-06-19", "cs.CL")).papers
    store.write_day(Day(dt.date(2026, 6, 18), papers[:2]))
    store.write_day(Day(DAY, papers[2:4]))
    seen = store.published_versions(before=DAY)
    assert set(seen) == {papers[0].id, papers[1].id}


def test_a_reply_cached_after_a_torn_line_is_kept(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    first = ReplyCache(folder)
    first.put(ReplyCache.key("triage", "2606.00001v1", "m", "t1"), {"title_zh": "甲"})
    with (folder / "2606.jsonl").open("a", encoding="utf-8") as shard:
        shard.write('{"key": "triage|2606.000')  # a run killed in the middle of a write
    second = ReplyCache(folder)
    key = ReplyCache.key("triage", "2606.00002v1", "m", "t1")
    second.put(key, {"title_zh": "乙"})
    assert ReplyCache(folder).get(key) == {"title_zh": "乙"}  # not glued to the torn line
    lines = (folder / "2606.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and lines[1] == '{"key": "triage|2606.000'


def test_read_listed_keeps_what_pages_list_and_counts_the_whole_day(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    papers = parse_feed(rss_bytes("2026-06-19", "cs.CL")).papers
    for paper in papers:  # most papers are listed nowhere, as on a real day
        paper.llm = StepState("done")
    listed, below, failed = papers[0], papers[1], papers[2]
    listed.topics = [TopicHit("llm", "other", 60, "at the threshold")]
    below.topics = [TopicHit("llm", "other", 59, "just under it")]
    failed.llm = StepState("failed", "triage: reply was not JSON")
    # An abstract quoting a record's own keys must not fool the reading that skips parsing.
    papers[3].abstract = 'see "topics":[] and "llm":{"status":"failed"} in the data'
    papers[3].topics = [TopicHit("llm", "other", 90, "quoted keys")]
    store.write_day(Day(DAY, papers))

    day = store.read_listed(DAY, threshold=60)
    assert sorted(p.id for p in day.papers) == sorted([listed.id, failed.id, papers[3].id])
    assert day.counts() == DayCounts.of(store.read_day(DAY).papers)
    assert day.counts().total == len(papers) and day.counts().llm == {
        "done": len(papers) - 1,
        "failed": 1,
    }
