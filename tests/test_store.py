from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
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


def stored_day(tmp_path: Path, count: int = 4) -> tuple[Store, list[str]]:
    """A store holding DAY with `count` real papers; the file's lines."""
    store = Store(tmp_path / "data")
    papers = parse_feed(rss_bytes("2026-06-19", "cs.CL")).papers[:count]
    for paper in papers:
        paper.api, paper.llm = StepState("done"), StepState("done")
    papers[1].topics = [TopicHit("llm", "other", 80, "关键词命中")]
    store.write_day(Day(DAY, papers))
    return store, store.path(DAY).read_text("utf-8").splitlines()


def replace_line(store: Store, number: int, line: bytes) -> bytes:
    """Line `number` (1-based) of DAY's file replaced by `line`; the file's new bytes."""
    lines = store.path(DAY).read_bytes().splitlines()
    lines[number - 1] = line
    data = b"\n".join(lines) + b"\n"
    store.path(DAY).write_bytes(data)
    return data


def changed(line: str, **fields: object) -> bytes:
    record = json.loads(line)
    record.update(fields)
    return json.dumps(record, ensure_ascii=False).encode()


def without(line: str, key: str) -> bytes:
    record = json.loads(line)
    del record[key]
    return json.dumps(record).encode()


def with_hit(line: str, **hit: object) -> bytes:
    return changed(
        line, topics=[{"topic": "llm", "subtopic": "other", "score": 80, "reason": "r", **hit}]
    )


# Every field of the record contract, broken the ways records were seen broken (or could
# be: by hand, by a merge, by another program), with what the message must name.
BAD_RECORDS: dict[str, tuple[Callable[[str], bytes], str]] = {
    "not JSON": (lambda line: line[:-20].encode(), "not JSON"),
    "not an object": (lambda line: b'["2606.19348"]', "expected a JSON object"),
    "invalid UTF-8": (
        lambda line: line.encode().replace(b'"title":"', b'"title":"\xff\xfe'),
        "not UTF-8",
    ),
    "lone surrogate": (
        lambda line: changed(line, title="x").replace(b'"x"', b'"\\udc80"'),
        "surrogate",
    ),
    "lone surrogate, upper-case digits": (
        lambda line: changed(line, abstract="x").replace(b'"x"', b'"a \\uD83D b"'),
        "surrogate",
    ),
    "id not an arXiv id": (
        lambda line: changed(line, id="../../overrides/main"),
        "id: expected an arXiv",
    ),
    "id with a version": (lambda line: changed(line, id="2606.19348v2"), "id: expected an arXiv"),
    "id a number": (lambda line: changed(line, id=2606.19348), "id: expected an arXiv"),
    "version a string": (
        lambda line: changed(line, version="2"),
        'version: expected a version number 1-9999, got "2"',
    ),
    "version 0": (lambda line: changed(line, version=0), "version: expected"),
    "version a bool": (lambda line: changed(line, version=True), "version: expected"),
    "title null": (lambda line: changed(line, title=None), "title: expected a string, got null"),
    "authors null": (
        lambda line: changed(line, authors=None),
        "authors: expected a list of strings, got null",
    ),
    "authors a string": (
        lambda line: changed(line, authors="A. Author"),
        "authors: expected a list",
    ),
    "an author a number": (
        lambda line: changed(line, authors=["A", 3]),
        "authors: expected a list",
    ),
    "abstract a list": (lambda line: changed(line, abstract=["x"]), "abstract: expected a string"),
    "categories null": (lambda line: changed(line, categories=None), "categories: expected a list"),
    "primary category a list": (
        lambda line: changed(line, primary_category=["cs.CL"]),
        "primary_category",
    ),
    "unknown announce type": (
        lambda line: changed(line, announce_type="replaced"),
        "announce_type: expected new | cross",
    ),
    "comments a number": (
        lambda line: changed(line, comments=12),
        "comments: expected a string or null",
    ),
    "journal ref an object": (lambda line: changed(line, journal_ref={}), "journal_ref"),
    "doi a bool": (lambda line: changed(line, doi=False), "doi"),
    "title_zh a list": (lambda line: changed(line, title_zh=["标题"]), "title_zh"),
    "abstract_zh a number": (lambda line: changed(line, abstract_zh=1), "abstract_zh"),
    "tldr an object": (lambda line: changed(line, tldr={"zh": "x"}), "tldr"),
    "institutions a string": (lambda line: changed(line, institutions="MIT"), "institutions"),
    "topics null": (lambda line: changed(line, topics=None), "topics: expected a list"),
    "topic hit a string": (lambda line: changed(line, topics=["llm"]), "topics[0]: expected"),
    "score a string": (
        lambda line: with_hit(line, score="95"),
        'topics[0].score: expected an integer 0-100, got "95"',
    ),
    "score 250": (
        lambda line: with_hit(line, score=250),
        "topics[0].score: expected an integer 0-100, got 250",
    ),
    "score negative": (lambda line: with_hit(line, score=-1), "topics[0].score"),
    "score a bool": (lambda line: with_hit(line, score=True), "got true"),
    "score a float": (lambda line: with_hit(line, score=95.5), "topics[0].score"),
    "topic slug null": (
        lambda line: with_hit(line, topic=None),
        "topics[0].topic: expected a string",
    ),
    "hit with an extra key": (lambda line: with_hit(line, weight=1), "topics[0]: expected"),
    "llm state unknown": (
        lambda line: changed(line, llm={"status": "ok", "reason": None}),
        "llm.status: expected done | failed",
    ),
    "api state a string": (
        lambda line: changed(line, api="done"),
        "api: expected {status, reason}",
    ),
    "llm reason a number": (
        lambda line: changed(line, llm={"status": "failed", "reason": 3}),
        "llm.reason",
    ),
    "an extra key": (lambda line: changed(line, score=95), "unknown key 'score'"),
    "a missing key": (lambda line: without(line, "authors"), "missing key authors"),
}


@pytest.mark.parametrize("number", [2, 3])  # the listed paper, and one listed nowhere
@pytest.mark.parametrize(("corrupt", "problem"), BAD_RECORDS.values(), ids=list(BAD_RECORDS))
def test_a_record_that_breaks_the_contract_is_left_out_named_and_never_overwritten(
    tmp_path: Path,
    corrupt: Callable[[str], bytes],
    problem: str,
    number: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store, lines = stored_day(tmp_path)
    good = store.read_day(DAY).papers
    data = replace_line(store, number, corrupt(lines[number - 1]))
    place = f"2026-06-19.jsonl:{number}: not a valid record: "

    day = store.read_day(DAY)
    assert [p.id for p in day.papers] == [p.id for i, p in enumerate(good, 1) if i != number]
    assert len(day.unreadable) == 1 and place in day.unreadable[0]
    assert problem in day.unreadable[0]
    assert any(place in message and problem in message for message in caplog.messages)
    listed = store.read_listed(DAY, threshold=60)
    assert listed.unreadable == day.unreadable and listed.counts().total == len(lines) - 1
    assert [p.id for p in listed.papers] == ([] if number == 2 else [good[1].id])
    assert set(store.published_versions(before=DAY + dt.timedelta(days=1))) == {
        p.id for p in day.papers
    }
    # Storing the day again would drop the line: refused, in one line, the file untouched.
    with pytest.raises(StoreError) as refused:
        store.write_day(Day(DAY, good))
    message = str(refused.value)
    assert "\n" not in message and place in message and "fix or remove the line" in message
    assert store.path(DAY).read_bytes() == data


def test_every_unreadable_line_is_named_and_counted_in_the_refusal(tmp_path: Path) -> None:
    store, lines = stored_day(tmp_path)
    replace_line(store, 1, changed(lines[0], authors=None))
    replace_line(store, 4, b"\xff not a record")
    day = store.read_day(DAY)
    assert [u.split(": not a valid record")[0][-8:] for u in day.unreadable] == [
        ".jsonl:1",
        ".jsonl:4",
    ]
    with pytest.raises(StoreError, match=r"jsonl:1: .* \(and 1 more lines\)"):
        store.write_day(day)


def test_a_day_file_with_an_id_twice_gives_one_record_per_id(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store, lines = stored_day(tmp_path)
    first, second, third = (json.loads(line) for line in lines[:3])
    newer = {**first, "version": first["version"] + 1, "title": "newer"}
    pending = {**second, "llm": {"status": "skipped", "reason": "no LLM configured"}}
    again = {**third, "title": "the same version again"}
    extra = [json.dumps(r, ensure_ascii=False) for r in (newer, pending, again)]
    # newer first: the higher version wins wherever it stands
    store.path(DAY).write_text("\n".join([extra[0], *lines, *extra[1:]]) + "\n", "utf-8")

    day = store.read_day(DAY)
    assert [p.id for p in day.papers] == [p["id"] for p in (first, second, third)] + [
        json.loads(lines[3])["id"]
    ]
    by_id = {p.id: p for p in day.papers}
    assert by_id[first["id"]].title == "newer"  # the higher version
    assert by_id[second["id"]].llm == StepState("done")  # the one whose LLM step is done
    assert by_id[third["id"]].title == third["title"]  # equal otherwise: the first
    assert day.unreadable == []
    assert store.read_listed(DAY, threshold=60).counts().total == 4
    assert any(f"2026-06-19.jsonl:2: {first['id']} is also on line 1" in m for m in caplog.messages)
    assert store.write_day(day) is True  # one per id from now on
    assert len(store.path(DAY).read_text("utf-8").splitlines()) == 4


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


def test_cache_lines_that_cannot_be_read_are_skipped_one_by_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "cache"
    writer = ReplyCache(folder)
    first, last = (ReplyCache.key("triage", f"2606.0000{n}v1", "m", "t1") for n in (1, 2))
    writer.put(first, {"title_zh": "甲"})
    with (folder / "2606.jsonl").open("ab") as shard:
        shard.write(b'{"key": "triage|2606.00003v1|m|t1", "value": {"title_zh": "\xff"}}\n')
        shard.write(b"[1, 2]\n")
        shard.write(b'{"key": 1, "value": {}}\n')
        shard.write(b'{"key": "triage|2606.00004v1|m|t1", "value": "95"}\n')
    # U+2028 is a line break to str.splitlines, not to JSON: the reply keeps its line.
    writer.put(last, {"title_zh": "乙\u2028丙"})

    reader = ReplyCache(folder)
    assert reader.get(first) == {"title_zh": "甲"}
    assert reader.get(last) == {"title_zh": "乙\u2028丙"}
    assert reader.get(ReplyCache.key("triage", "2606.00004v1", "m", "t1")) is None
    skipped = [m for m in caplog.messages if "unreadable cache line skipped" in m]
    assert [m.split(": ")[0].rsplit(":", 1)[1] for m in skipped] == ["2", "3", "4", "5"]


GARBAGE_META = {
    "not JSON": b'{"llm": {"requests": 3,',
    "not UTF-8": b'{"llm": {"model": "\xff"}}',
    "not an object": b"[1, 2]",
    "llm not an object": b'{"llm": [3]}',
    "requests a string": b'{"llm": {"requests": "5"}}',
    "tokens negative": b'{"llm": {"tokens_in": -1}}',
    "cost a string": b'{"llm": {"cost_usd": "0.1"}}',
    "estimated a string": b'{"llm": {"estimated": "yes"}}',
    "model a number": b'{"llm": {"model": 4}}',
    "deliveries a list": b'{"delivered": ["slack"]}',
    "a delivery without its time": b'{"delivered": {"slack": {"to": "ab12"}}}',
}


def test_deliveries_are_recorded_one_channel_at_a_time_beside_the_spending(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    store.write_meta(DAY, {"llm": {"requests": 3}})
    store.record_delivery(DAY, "mail", {"at": "2026-06-19T06:00:00Z", "to": "ab12"})
    store.record_delivery(DAY, "slack", {"at": "2026-06-19T06:00:01Z", "to": "cd34"})
    assert store.deliveries(DAY) == {
        "mail": {"at": "2026-06-19T06:00:00Z", "to": "ab12"},
        "slack": {"at": "2026-06-19T06:00:01Z", "to": "cd34"},
    }
    assert store.read_meta(DAY)["llm"] == {"requests": 3}
    assert store.deliveries(dt.date(2026, 6, 18)) == {}


@pytest.mark.parametrize("garbage", GARBAGE_META.values(), ids=list(GARBAGE_META))
def test_a_meta_file_that_cannot_be_read_is_kept_aside_and_the_day_counts_afresh(
    tmp_path: Path, garbage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store(tmp_path / "data")
    path = store.meta_path(DAY)
    path.parent.mkdir(parents=True)
    path.write_bytes(garbage)
    assert store.read_meta(DAY) == {}
    aside = path.with_name("2026-06-19.meta.json.broken-1")
    assert aside.read_bytes() == garbage and not path.exists()
    assert any(str(path) in m and "broken-1" in m for m in caplog.messages)
    store.write_meta(DAY, {"llm": {"requests": 1}})
    assert store.read_meta(DAY) == {"llm": {"requests": 1}}
    path.write_bytes(garbage)  # broken again: the first copy stays as it was
    assert store.read_meta(DAY) == {}
    assert aside.read_bytes() == garbage
    assert path.with_name("2026-06-19.meta.json.broken-2").read_bytes() == garbage
    assert store.days() == []  # the copies are not days
