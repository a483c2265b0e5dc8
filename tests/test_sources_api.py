"""The export API: both recorded formats, the known faults, and arXiv's pace."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from arxiv_server import FIXTURES, ODD_COUNTS, ODD_ENTRIES, Fault, FixtureArxiv, alter_first_entry

from generator.sources.api import ArxivApi, parse_api_feed
from generator.sources.http import ArxivHttp, Retryable, RetryPolicy

FAST = RetryPolicy(attempts=3, backoff_seconds=0.001)


def test_legacy_api_format() -> None:
    page = parse_api_feed((FIXTURES / "api" / "api_legacy_au_del_maestro_2016.xml").read_bytes())
    assert page.total_results == 31 and len(page.entries) == 10
    first = page.entries[0]
    assert (first.id, first.version) == ("1201.4869", 1)
    assert first.comments == "26 pages, 10 figures"
    assert first.journal_ref == "Int. J. Mod. Phys. B, 26, 1244002 (2012)"
    assert first.doi == "10.1142/S021797921244002X"
    assert first.primary_category == "cond-mat.mes-hall"
    assert "\n" not in first.abstract  # the API's 80-column wrapping is undone
    assert any("/" in e.id for e in page.entries)  # old-style ids such as cond-mat/0412498


def test_2025_api_format() -> None:
    page = parse_api_feed((FIXTURES / "api" / "api_new_all_nicotine_2026-07.xml").read_bytes())
    assert page.total_results == 58 and len(page.entries) == 10
    first = page.entries[0]
    assert (first.id, first.version, first.primary_category) == (
        "1509.01687",
        1,
        "cond-mat.mes-hall",
    )
    assert first.doi == "10.1063/1.4904358" and first.comments == "4 figures"
    assert first.published == dt.datetime(2015, 9, 5, 10, 21, 46, tzinfo=dt.UTC)


ERROR_ENTRY = (
    b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>'
    b"<id>http://arxiv.org/api/errors#incorrect_id_format_for_1234.12345</id><title>Error</title>"
    b"<summary>incorrect id format for 1234.12345</summary></entry></feed>"
)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "blank body"),
        (b"   \n", "blank body"),
        (b"<html><body>Rate exceeded.</body></html>", "not an Atom feed"),
        (b"Rate exceeded.", "not XML"),
        (ERROR_ENTRY, "incorrect id format"),
    ],
)
def test_known_faults_are_recognised_as_retryable(body: bytes, reason: str) -> None:
    with pytest.raises(Retryable, match=reason):
        parse_api_feed(body)


def api(server: FixtureArxiv, sleeps: list[float] | None = None) -> ArxivApi:
    record = sleeps if sleeps is not None else []
    return ArxivApi(
        ArxivHttp(deadline=10), server.api_url, min_interval=0, policy=FAST, sleep=record.append
    )


@pytest.mark.parametrize(
    "fault",
    [
        Fault(429, b"", {"Retry-After": "0"}),
        Fault(503, b"busy"),
        Fault(200, b""),
        Fault(200, b"<html>Rate exceeded.</html>"),
        Fault(200, ERROR_ENTRY),
        Fault(
            200,
            b'<feed xmlns="http://www.w3.org/2005/Atom"><opensearch:totalResults '
            b'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0'
            b"</opensearch:totalResults></feed>",
        ),
    ],
    ids=["429", "503", "blank", "html", "error-entry", "empty-page"],
)
def test_a_fault_then_success_completes_the_batch(fault: Fault) -> None:
    with FixtureArxiv("2026-06-19") as server:
        server.faults.append(fault)
        found, problems = api(server).fetch_entries(["2606.19348", "2606.19344"])
        assert len(server.requests) == 2
    assert problems == []
    assert set(found) == {"2606.19348", "2606.19344"}
    assert len(found["2606.19348"].authors) == 319
    assert found["2606.19348"].primary_category == "cs.CL"


def test_a_batch_that_keeps_failing_is_reported_not_raised() -> None:
    with FixtureArxiv("2026-06-19") as server:
        server.faults.extend([Fault(503, b"down")] * 3)
        found, problems = api(server).fetch_entries(["2606.19348"])
    assert found == {}
    assert problems == [
        "ids 2606.19348…2606.19348: arXiv API could not be read after 3 attempts: HTTP 503"
    ]


def test_an_id_missing_from_the_answer_is_simply_not_found() -> None:
    with FixtureArxiv("2026-06-19") as server:
        found, problems = api(server).fetch_entries(["2606.19348", "2606.99999"])
    assert set(found) == {"2606.19348"} and problems == []


def test_requests_keep_arxivs_pace_of_one_every_three_seconds() -> None:
    """A fake clock: the client must wait out the rest of 3 s before each request."""
    now = [100.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    with FixtureArxiv("2026-06-19") as server:
        client = ArxivApi(
            ArxivHttp(deadline=10),
            server.api_url,
            min_interval=3.0,
            policy=FAST,
            sleep=sleep,
            clock=lambda: now[0],
        )
        ids = [p for p in server.papers_of("2026-06-19")][:250]  # three batches
        server.faults.append(Fault(503, b""))  # and one retry
        client.fetch_entries(ids)
        assert len(server.requests) == 4
    assert sleeps == [3.0, 3.0, 3.0]  # the retry waits 3 s too, not the 1 ms backoff


# -- odd answers: read what can be read, name what cannot ---------------------------

NICOTINE = (FIXTURES / "api" / "api_new_all_nicotine_2026-07.xml").read_bytes()


@pytest.mark.parametrize("change", ODD_ENTRIES.values(), ids=list(ODD_ENTRIES))
def test_an_entry_that_cannot_be_read_is_skipped_by_name_and_the_others_kept(
    change: Callable[[str], str],
) -> None:
    altered: list[tuple[str, str]] = []
    page = parse_api_feed(alter_first_entry(change, altered)(NICOTINE))
    ((versioned, entry),) = altered
    assert versioned == "1509.01687v1"
    assert [e.id for e in page.entries] == [e.id for e in parse_api_feed(NICOTINE).entries][1:]
    (problem,) = page.skipped
    if f"abs/{versioned}</id>" in entry:
        assert problem.startswith(f"{versioned}: "), problem
    elif "<id>" in entry:  # named by what stands there
        assert problem.startswith("entry <id> '") and "not an arXiv abstract URL" in problem
    else:
        assert problem == "an entry: no <id>"
    assert page.total_results == 58 and page.served == 10


@pytest.mark.parametrize("change", ODD_COUNTS.values(), ids=list(ODD_COUNTS))
def test_odd_counts_leave_the_entries_readable(change: Callable[[bytes], bytes]) -> None:
    page = parse_api_feed(change(NICOTINE))
    assert len(page.entries) == 10 and page.skipped == []
    assert page.total_results in (58, None)


def test_an_unreadable_entry_is_named_among_the_problems_of_its_batch() -> None:
    altered: list[tuple[str, str]] = []
    no_date = ODD_ENTRIES["no published"]
    with FixtureArxiv("2026-06-19") as server:
        server.faults.append(Fault(rewrite=alter_first_entry(no_date, altered)))
        found, problems = api(server).fetch_entries(["2606.19348", "2606.19344"])
    ((versioned, _),) = altered
    assert versioned.split("v")[0] not in found and len(found) == 1
    assert problems == [f"entry skipped: {versioned}: no <published>"]


def search(server: FixtureArxiv) -> list[str]:
    from generator.sources.schedule import submission_window

    window = submission_window(dt.date(2026, 6, 19))
    assert window is not None
    return [e.id for e in api(server).search_submitted(["cs.CL"], *window)]


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("generator.sources.api.PAGE_SIZE", 40)


def test_a_search_whose_total_cannot_be_read_pages_until_an_empty_page(
    small_pages: None,
) -> None:
    with FixtureArxiv("2026-06-19") as server:
        expected = search(server)
        pages = len(server.requests)
        assert pages >= 3  # the fixture day spans several pages of 40
        server.faults.extend(
            Fault(rewrite=ODD_COUNTS["totalResults not a number"]) for _ in range(50)
        )
        assert search(server) == expected
        assert len(server.requests) - pages in (pages, pages + 1)  # then one empty page


def test_a_search_stops_when_the_api_repeats_a_page(small_pages: None) -> None:
    served: list[bytes] = []

    def first_page_again(body: bytes) -> bytes:  # whatever `start` asks for
        served.append(served[0] if served else ODD_COUNTS["totalResults absent"](body))
        return served[-1]

    with FixtureArxiv("2026-06-19") as server:
        server.faults.extend(Fault(rewrite=first_page_again) for _ in range(50))
        found = search(server)
        assert len(server.requests) == 2
    assert found == [e.id for e in parse_api_feed(served[0]).entries] and len(found) == 40


def test_a_search_is_bounded_by_what_the_api_serves(
    small_pages: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("generator.sources.api.MAX_RESULTS", 80)
    with FixtureArxiv("2026-06-19") as server:
        server.faults.extend(Fault(rewrite=ODD_COUNTS["totalResults absent"]) for _ in range(50))
        found = search(server)
        assert len(server.requests) == 2
    assert len(found) == 80
    assert "search stopped after 80 results" in caplog.text
