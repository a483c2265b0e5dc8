"""A loopback arXiv: serves the recorded fixture feeds over real HTTP.

- `GET /rss/cs.CL+cs.AI+…` answers like rss.arxiv.org's combined feed: the
  recorded items of each requested category of the current `download` date,
  each paper once (its own-category listing preferred). Categories without a
  fixture contribute nothing, as a quiet category would.
- `GET /api/query?id_list=…` answers in the 2025+ API format with entries built
  from those feed items, with the reference digest's real comments where known.
- `GET /api/query?search_query=…submittedDate:[A TO B]…` returns the `new`
  papers of the feed day whose submission window is [A, B).
- `GET /html/<id>v<n>` answers like arxiv.org/html: a LaTeXML page whose
  author block names the reference digest's institutions, for the papers the
  reference knows; 404 (no HTML version) for the others.
- `GET /robots.txt` answers `robots` (404 when None): by default no delay, so tests
  that do not test the crawl delay do not wait for it.
- `faults` is a queue of canned failures served before the real answer; a fault
  with `slow` sends its body (the real answer if it has none) the slow way of
  `loopback.send_slowly`: a byte a second, never ending, or not at all.
  with `rewrite` serves the real answer, altered (one odd entry, an odd count).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from loopback import LoopbackServer, QuietHandler, send

from generator.sample.arxiv import NO_DELAY, api_entry, atom_feed, combine_feeds

# Copies of the project's shared fixtures (real arXiv responses, reference digests),
# kept in the repository so the tests run anywhere, GitHub's CI and forks included.
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "arxiv"
REFERENCE = Path(__file__).resolve().parent / "fixtures" / "reference"

_ITEM_RE = re.compile(rb"<item>.*?</item>\s*", re.S)
_GUID_RE = re.compile(rb"oai:arXiv\.org:([^<]+?)v(\d+)</guid>")


@dataclass
class Fault:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    path_prefix: str = "/"  # only requests under this path consume the fault
    slow: str | None = None  # one of loopback.SLOW_KINDS
    rewrite: Callable[[bytes], bytes] | None = None  # the real answer, altered


def rss_file(download: str, category: str) -> Path:
    return FIXTURES / "rss" / f"fetched-{download}-{category}.xml"


def combined_feed(download: str, categories: list[str]) -> bytes:
    """The combined feed arXiv would serve for `categories` on `download`."""
    recorded = {c: rss_file(download, c) for c in categories}
    feeds = {c: path.read_bytes() for c, path in recorded.items() if path.exists()}
    feed = combine_feeds(categories, feeds)
    if feed is None:
        raise FileNotFoundError(f"no fixture feed for {download} {categories}")
    return feed


def reference_records() -> dict[str, dict]:
    records = {}
    for path in REFERENCE.glob("digest-*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            records[record["id"]] = record
    return records


class FixtureArxiv(LoopbackServer):
    """Start with `with FixtureArxiv(download="2026-06-19") as arxiv:`."""

    def __init__(self, download: str = "2026-06-19") -> None:
        self.download = download
        self.faults: deque[Fault] = deque()
        self.requests: list[tuple[float, str]] = []
        self.robots: bytes | None = NO_DELAY
        self._reference = reference_records()
        self._papers: dict[str, dict[str, bytes]] = {}
        super().__init__(self._handler())

    @property
    def url(self) -> str:
        return self.origin

    @property
    def rss_url(self) -> str:
        return self.url + "/rss/"

    @property
    def api_url(self) -> str:
        return self.url + "/api/query"

    def env(self) -> dict[str, str]:
        return {
            "ARXIV_RSS_URL": self.rss_url,
            "ARXIV_API_URL": self.api_url,
            "ARXIV_HTML_URL": self.url + "/html/",
            "ARXIV_API_DELAY": "0",
            "DIGEST_RETRY_BACKOFF": "0.01",
        }

    # -- answers -----------------------------------------------------------

    def papers_of(self, download: str) -> dict[str, bytes]:
        """id → RSS item of every paper in the four fixture feeds of a download date."""
        if download not in self._papers:  # kept: every API answer needs them
            feed = combined_feed(download, ["cs.AI", "cs.CL", "cs.CV", "cs.LG"])
            self._papers[download] = {
                _GUID_RE.search(m.group(0)).group(1).decode(): m.group(0)  # type: ignore[union-attr]
                for m in _ITEM_RE.finditer(feed)
            }
        return self._papers[download]

    def api_answer(self, query: dict[str, list[str]]) -> bytes:
        if "id_list" in query:
            wanted = query["id_list"][0].split(",")
            items = self.papers_of(self.download)
            entries = [self.api_entry(items[i]) for i in wanted if i in items]
            return atom_feed(entries)
        # A search is served page by page, as arXiv does: `start`, `max_results`.
        found = self.search_answer(query["search_query"][0])
        start = int(query.get("start", ["0"])[0])
        size = int(query.get("max_results", ["10"])[0])
        return atom_feed(found[start : start + size], total=len(found), start=start)

    def search_answer(self, search: str) -> list[str]:
        from generator.sources import schedule

        start = re.search(r"submittedDate:\[(\d{12}) TO (\d{12})\]", search).group(1)  # type: ignore[union-attr]
        begin = dt.datetime.strptime(start, "%Y%m%d%H%M").replace(tzinfo=dt.UTC)
        for path in sorted((FIXTURES / "rss").glob("fetched-*-cs.CL.xml")):
            download = path.name.split("-cs.")[0].removeprefix("fetched-")
            day = dt.date.fromisoformat(download)
            window = schedule.submission_window(day)
            if window and window[0] == begin:
                items = self.papers_of(download)
                return [
                    self.api_entry(item, published=window[0] + dt.timedelta(hours=1))
                    for item in items.values()
                    if b"Announce Type: new" in item
                ]
        return []

    def api_entry(self, item: bytes, published: dt.datetime | None = None) -> str:
        """The entry of `item`, with the reference digest's real comments where known."""
        arxiv_id = _GUID_RE.search(item).group(1).decode()  # type: ignore[union-attr]
        reference = self._reference.get(arxiv_id, {})
        extra = ""
        if reference.get("comments"):
            extra += f"<arxiv:comment>{html.escape(reference['comments'])}</arxiv:comment>"
        if reference.get("journal_ref"):
            extra += (
                f"<arxiv:journal_ref>{html.escape(reference['journal_ref'])}</arxiv:journal_ref>"
            )
        stamp = (published or dt.datetime(2026, 6, 18, tzinfo=dt.UTC)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        return api_entry(item, published=stamp, extra=extra)

    def html_page(self, versioned_id: str) -> bytes | None:
        """A LaTeXML-shaped first page naming the reference's institutions."""
        record = self._reference.get(versioned_id.rsplit("v", 1)[0])
        if not record or not record.get("institutions"):
            return None
        from llm_server import english_part, split_institutions

        names = "".join(
            f'<span class="ltx_creator ltx_role_author"><span class="ltx_personname">'
            f"{html.escape(name)}</span></span> "
            for name in record["authors"][:3]
        )
        places = "".join(
            '<span class="ltx_contact ltx_role_affiliation">'
            f'{html.escape(english_part(place))}</span><br class="ltx_break"/>'
            for place in split_institutions(record["institutions"])
        )
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"/>'
            f"<title>{html.escape(record['title'])}</title><script>var x = 1;</script></head>"
            '<body><header class="desktop_header">Report Issue</header>'
            '<div class="ltx_page_main"><article class="ltx_document ltx_authors_1line">'
            f'<h1 class="ltx_title ltx_title_document">{html.escape(record["title"])}</h1>'
            f'<div class="ltx_authors">{names}<span class="ltx_author_notes">{places}</span></div>'
            '<div class="ltx_abstract"><h6 class="ltx_title ltx_title_abstract">Abstract</h6>'
            f'<p class="ltx_p">{html.escape(record["abstract"])}</p></div>'
            "</article></div></body></html>"
        ).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                server.requests.append((time.monotonic(), self.path))
                fault = self._take_fault()
                if fault is not None and fault.slow:
                    _, body, headers = self._answer()
                    body, headers = fault.body or body, {**headers, **fault.headers}
                    server.send_slowly(self, fault.slow, fault.status, body, headers)
                elif fault is not None:
                    time.sleep(fault.delay)
                    if fault.rewrite is None:
                        self._send(fault.status, fault.body, fault.headers)
                        return
                    status, body, headers = self._answer()
                    self._send(status, fault.rewrite(body), headers)
                else:
                    self._send(*self._answer())

            def _answer(self) -> tuple[int, bytes, dict[str, str]]:
                parsed = urlparse(self.path)
                try:
                    if parsed.path.startswith("/rss/"):
                        categories = parsed.path.removeprefix("/rss/").split("+")
                        body = combined_feed(server.download, categories)
                        return 200, body, {"Content-Type": "application/rss+xml"}
                    if parsed.path.startswith("/html/"):
                        page = server.html_page(parsed.path.removeprefix("/html/"))
                        status = 200 if page else 404
                        return status, page or b"no HTML version", {"Content-Type": "text/html"}
                    if parsed.path == "/robots.txt" and server.robots is not None:
                        return 200, server.robots, {"Content-Type": "text/plain"}
                    if parsed.path == "/api/query":
                        body = server.api_answer(parse_qs(parsed.query))
                        return 200, body, {"Content-Type": "application/atom+xml"}
                    return 404, b"not found", {}
                except FileNotFoundError as exc:
                    return 404, str(exc).encode(), {}

            def _take_fault(self) -> Fault | None:
                for fault in list(server.faults):
                    if self.path.startswith(fault.path_prefix):
                        server.faults.remove(fault)
                        return fault
                return None

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                send(self, status, body, headers)

        return Handler


# -- odd answers: one entry, or the counts, altered (for Fault.rewrite) -----------------

_ENTRY_RE = re.compile(rb"<entry>.*?</entry>", re.S)


def _sub(pattern: str, replacement: str) -> Callable[[str], str]:
    return lambda text: re.sub(pattern, replacement, text, count=1, flags=re.S)


# Each field of an entry missing or malformed, as a change to the entry's XML.
ODD_ENTRIES: dict[str, Callable[[str], str]] = {
    "no id": _sub(r"<id>.*?</id>", ""),
    "id not an arXiv id": _sub(r"<id>.*?</id>", "<id>http://arxiv.org/abs/../../etc/v1</id>"),
    "id without a version": _sub(r"(<id>[^<]*?)v[0-9]+</id>", r"\1</id>"),
    "id of a month that never was": _sub(
        r"<id>.*?</id>", "<id>http://arxiv.org/abs/2613.00001v1</id>"
    ),
    "id not a URL": _sub(r"<id>http://arxiv.org/abs/(.*?)</id>", r"<id>\1</id>"),
    "no title": _sub(r"<title>.*?</title>", ""),
    "blank title": _sub(r"<title>.*?</title>", "<title>  </title>"),
    "no summary": _sub(r"<summary>.*?</summary>", ""),
    "author without a name": _sub(r"<name>.*?</name>", ""),
    "category without a term": _sub(r'<category term="[^"]*"', "<category"),
    "primary category without a term": _sub(
        r'<arxiv:primary_category term="[^"]*"', "<arxiv:primary_category"
    ),
    "primary category with a blank term": _sub(r'(<arxiv:primary_category term=")[^"]*"', r'\1 "'),
    "no published": _sub(r"<published>.*?</published>", ""),
    "published not a date": _sub(
        r"<published>.*?</published>", "<published>last Tuesday</published>"
    ),
    "published a month that never was": _sub(
        r"<published>.*?</published>", "<published>2026-13-01T00:00:00Z</published>"
    ),
}


def alter_first_entry(
    change: Callable[[str], str], altered: list[tuple[str, str]]
) -> Callable[[bytes], bytes]:
    """A `Fault.rewrite`: the answer with its first entry changed by `change`; each
    time, (the entry's versioned id, the changed entry) goes to `altered`."""

    def rewrite(body: bytes) -> bytes:
        match = _ENTRY_RE.search(body)
        if match is None:
            return body
        entry = match.group(0).decode()
        changed = change(entry)
        versioned = re.search(r"abs/([^<]+)</id>", entry).group(1)  # type: ignore[union-attr]
        altered.append((versioned.strip(), changed))
        return body[: match.start()] + changed.encode() + body[match.end() :]

    return rewrite


def _count_sub(pattern: str, replacement: str) -> Callable[[bytes], bytes]:
    return lambda body: re.sub(pattern.encode(), replacement.encode(), body, count=1, flags=re.S)


_TOTAL = r"<opensearch:totalResults[^>]*>[^<]*</opensearch:totalResults>"
_START = r"<opensearch:startIndex[^>]*>[^<]*</opensearch:startIndex>"
# The answer's top-level counts missing or malformed, as a change to the whole answer.
ODD_COUNTS: dict[str, Callable[[bytes], bytes]] = {
    "totalResults not a number": _count_sub(
        _TOTAL, "<opensearch:totalResults>many</opensearch:totalResults>"
    ),
    "totalResults negative": _count_sub(
        _TOTAL, "<opensearch:totalResults>-5</opensearch:totalResults>"
    ),
    "totalResults blank": _count_sub(
        _TOTAL, "<opensearch:totalResults> </opensearch:totalResults>"
    ),
    "totalResults a fraction": _count_sub(
        _TOTAL, "<opensearch:totalResults>1.5e3</opensearch:totalResults>"
    ),
    "totalResults absent": _count_sub(_TOTAL, ""),
    "startIndex not a number": _count_sub(
        _START, "<opensearch:startIndex>first</opensearch:startIndex>"
    ),
    "startIndex negative": _count_sub(_START, "<opensearch:startIndex>-1</opensearch:startIndex>"),
    "startIndex absent": _count_sub(_START, ""),
}
