"""The real fixture feeds through the real parser; each anomaly of the fixtures README pinned."""

from __future__ import annotations

import datetime as dt

import pytest
from arxiv_server import Fault, FixtureArxiv, combined_feed
from conftest import rss_bytes

from generator.errors import FetchError
from generator.sources.authors import decode_tex, parse_creators
from generator.sources.http import ArxivHttp, RetryPolicy
from generator.sources.rss import FeedRefused, fetch_feed, parse_feed

FAST = RetryPolicy(attempts=3, backoff_seconds=0.001)


def test_a_saturday_download_of_fridays_feed_belongs_to_friday() -> None:
    feed = parse_feed(rss_bytes("2026-06-13", "cs.CL"))
    assert feed.date == dt.date(2026, 6, 12)
    assert len(feed.papers) == 159


@pytest.mark.parametrize("download", ["2026-06-14", "2026-06-22"])
def test_weekend_and_post_holiday_feeds_have_a_date_and_no_items(download: str) -> None:
    feed = parse_feed(rss_bytes(download, "cs.AI"))
    assert feed.date == dt.date.fromisoformat(download)
    assert feed.papers == []


def test_the_date_is_the_channel_pubdate_in_us_eastern() -> None:
    # 00:00 -0400 on Friday is 04:00 UTC Friday; a UTC reading of 23:00 -0400 would differ.
    late = rss_bytes("2026-06-19", "cs.CL").replace(
        b"<pubDate>Fri, 19 Jun 2026 00:00:00 -0400</pubDate>",
        b"<pubDate>Sat, 20 Jun 2026 02:00:00 +0000</pubDate>",
        1,
    )
    assert parse_feed(late).date == dt.date(2026, 6, 19)


def test_items_become_records_with_the_prefix_stripped() -> None:
    feed = parse_feed(rss_bytes("2026-06-19", "cs.CL"))
    paper = next(p for p in feed.papers if p.id == "2606.19344")
    assert paper.version == 1
    assert paper.title.startswith("Exposing the Unsaid: Visualizing Hidden LLM Bias")
    assert paper.abstract.startswith("Large Language Models (LLMs) exhibit representational")
    assert paper.categories == ["cs.CL", "cs.AI"]
    assert paper.announce_type == "new"
    assert paper.authors == [
        "Matteo Pelossi", "Rita Sevastjanova", "Thilo Spinner", "Mennatallah El-Assady"
    ]  # fmt: skip
    assert all(
        "Announce Type" not in p.abstract and not p.abstract.startswith("arXiv:")
        for p in feed.papers
    )


def test_all_four_announce_types_are_kept() -> None:
    feed = parse_feed(rss_bytes("2026-06-19", "cs.CL"))
    counts = {
        t: sum(p.announce_type == t for p in feed.papers)
        for t in ("new", "cross", "replace", "replace-cross")
    }
    assert counts == {"new": 56, "cross": 34, "replace": 22, "replace-cross": 14}


def test_cross_listings_are_merged_into_one_record_per_paper() -> None:
    separate = [
        parse_feed(rss_bytes("2026-06-19", c)) for c in ("cs.AI", "cs.CL", "cs.CV", "cs.LG")
    ]
    listings = sum(len(f.papers) for f in separate)
    ids = {p.id for f in separate for p in f.papers}
    # Concatenated raw feeds, as a combined request without arXiv's own merging would be.
    joined = rss_bytes("2026-06-19", "cs.CL").replace(
        b"</channel>",
        b"".join(
            raw[raw.index(b"<item>") : raw.rindex(b"</item>") + 7]
            for raw in (rss_bytes("2026-06-19", c) for c in ("cs.AI", "cs.CV", "cs.LG"))
        )
        + b"</channel>",
    )
    merged = parse_feed(joined)
    assert listings == 926 and len(ids) == 697
    assert len(merged.papers) == 697
    paper = next(p for p in merged.papers if p.id == "2606.19344")  # new in cs.CL, cross in cs.AI
    assert paper.announce_type == "new"
    assert paper.categories == ["cs.CL", "cs.AI"]


def test_tex_accents_in_creators_are_decoded() -> None:
    names = {n for p in parse_feed(rss_bytes("2026-06-16", "cs.CL")).papers for n in p.authors}
    assert not [n for n in names if "\\" in n or "{" in n]
    assert decode_tex(r"{\L}ukasz D\k{e}bowski") == "Łukasz Dębowski"
    assert decode_tex(r"Y{\i}ld{\i}r{\i}m Nie{\ss}ner Ond\v{r}ej Rodr\'{\i}guez") == (
        "Yıldırım Nießner Ondřej Rodríguez"
    )
    assert decode_tex("50% of $x$") == "50% of $x$"  # not TeX accents: left alone


def test_parenthesised_affiliations_keep_their_commas() -> None:
    names, affiliations = parse_creators(
        "Renmin Cheng (The Hong Kong University of Science,Technology), Changhao Chen, and Bob Li"
    )
    assert names == ["Renmin Cheng", "Changhao Chen", "Bob Li"]
    assert affiliations == ["The Hong Kong University of Science,Technology"]


def test_hostile_text_is_kept_verbatim_for_later_escaping() -> None:
    raw = rss_bytes("2026-06-19", "cs.CL").replace(
        b"<title>Exposing the Unsaid:",
        b"<title>&lt;script&gt;alert(1)&lt;/script&gt; {{ x }} *a* | b\x01 Exposing the Unsaid:",
        1,
    )
    paper = next(p for p in parse_feed(raw).papers if p.id == "2606.19344")
    assert paper.title.startswith("<script>alert(1)</script> {{ x }} *a* | b Exposing")


def fetch(server: FixtureArxiv, categories: list[str]) -> object:
    with ArxivHttp(deadline=10) as client:
        return fetch_feed(client, server.rss_url, categories, policy=FAST, sleep=lambda s: None)


def test_one_combined_request_for_all_categories() -> None:
    with FixtureArxiv("2026-06-19") as server:
        feed = fetch(server, ["cs.CL", "cs.AI", "cs.LG", "cs.CV", "cs.CY", "cs.CR"])
        assert [path for _, path in server.requests] == ["/rss/cs.CL+cs.AI+cs.LG+cs.CV+cs.CY+cs.CR"]
    assert len(feed.papers) == 697  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "fault",
    [
        Fault(503, b"busy", {"Retry-After": "0"}),
        Fault(429, b"slow down"),
        Fault(200, b""),
        Fault(200, b"<html><body>Rate exceeded.</body></html>"),
    ],
    ids=["503", "429", "blank", "html"],
)
def test_transient_faults_are_retried(fault: Fault) -> None:
    with FixtureArxiv("2026-06-19") as server:
        server.faults.append(fault)
        feed = fetch(server, ["cs.CL"])
        assert len(server.requests) == 2
    assert len(feed.papers) == 126  # type: ignore[attr-defined]


def test_a_feed_cut_in_the_middle_is_an_error_not_a_short_day() -> None:
    full = combined_feed("2026-06-19", ["cs.CL"])
    with FixtureArxiv("2026-06-19") as server:
        server.faults.extend([Fault(200, full[: len(full) // 2])] * 3)
        with pytest.raises(FetchError, match="after 3 attempts"):
            fetch(server, ["cs.CL"])


def test_a_refused_query_is_not_retried() -> None:
    refusal = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed error for query</title>'
        b"<pubDate>Fri, 19 Jun 2026 00:00:00 -0400</pubDate></channel></rss>"
    )
    with pytest.raises(FeedRefused, match="Feed error for query"):
        parse_feed(refusal)
    with FixtureArxiv("2026-06-19") as server:
        server.faults.append(Fault(400, refusal))
        with pytest.raises(FetchError, match="HTTP 400"):
            fetch(server, ["cs.XX"])
        assert len(server.requests) == 1


def test_connection_refused_is_a_fetch_error() -> None:
    with ArxivHttp(deadline=1) as client, pytest.raises(FetchError, match="after 3 attempts"):
        fetch_feed(client, "http://127.0.0.1:9/rss/", ["cs.CL"], policy=FAST, sleep=lambda s: None)
