"""arXiv's export API (Atom): completing records, and backfilling past days.

arXiv asks for at most one request every 3 seconds over one connection; the
client keeps that pace itself. The API's known faults (429, 503, blank or HTML
bodies, an Atom `Error` entry, empty pages) are retried; after that the caller
keeps its records without the extras.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx

from generator.errors import FetchError
from generator.sources.authors import decode_tex
from generator.sources.http import ArxivHttp, Retryable, RetryPolicy, get_with_retries
from generator.text import one_line

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}
_ID_RE = re.compile(r"arxiv\.org/abs/(?P<id>.+?)v(?P<version>\d+)$")
BATCH_SIZE = 100  # ids per request: keeps the URL short and one bad batch small
PAGE_SIZE = 500  # results per page when searching by submission date


@dataclass(frozen=True)
class ApiEntry:
    id: str
    version: int
    title: str
    authors: list[str]
    affiliations: list[str]
    abstract: str
    categories: list[str]
    primary_category: str | None
    comments: str | None
    journal_ref: str | None
    doi: str | None
    published: dt.datetime


@dataclass
class ApiPage:
    entries: list[ApiEntry]
    total_results: int


class ArxivApi:
    """A polite client: one request at a time, `min_interval` seconds apart."""

    def __init__(
        self,
        client: ArxivHttp,
        base_url: str = DEFAULT_API_URL,
        *,
        min_interval: float = 3.0,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.base_url = base_url
        self.min_interval = min_interval
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.clock = clock
        self._last_request: float | None = None

    def fetch_entries(self, arxiv_ids: list[str]) -> tuple[dict[str, ApiEntry], list[str]]:
        """Look up `arxiv_ids`; return the entries found and the problems met.

        A batch that still fails after retries is reported, not raised: the
        records it should have completed are kept as they are."""
        found: dict[str, ApiEntry] = {}
        problems: list[str] = []
        for start in range(0, len(arxiv_ids), BATCH_SIZE):
            batch = arxiv_ids[start : start + BATCH_SIZE]
            params = {"id_list": ",".join(batch), "max_results": str(len(batch))}
            try:
                page = self._query(params, expect_results=True)
            except FetchError as exc:
                problems.append(f"ids {batch[0]}…{batch[-1]}: {exc}")
                continue
            found.update((e.id, e) for e in page.entries if e.id in batch)
        return found, problems

    def search_submitted(
        self, categories: list[str], start: dt.datetime, end: dt.datetime
    ) -> Iterator[ApiEntry]:
        """Papers of `categories` submitted in [start, end), page by page."""
        query = "(" + " OR ".join(f"cat:{c}" for c in categories) + ")"
        query += f" AND submittedDate:[{_stamp(start)} TO {_stamp(end)}]"
        offset = 0
        while True:
            params = {
                "search_query": query,
                "start": str(offset),
                "max_results": str(PAGE_SIZE),
                "sortBy": "submittedDate",
                "sortOrder": "ascending",
            }
            page = self._query(params, expect_results=False)
            yield from page.entries
            offset += len(page.entries)
            if not page.entries or offset >= page.total_results:
                return

    def _query(self, params: dict[str, str], *, expect_results: bool) -> ApiPage:
        def parse(response: httpx.Response) -> ApiPage:
            page = parse_api_feed(response.content)
            if expect_results and not page.entries:
                raise Retryable("an empty page (totalResults 0) where entries were expected")
            return page

        self._keep_pace()
        try:
            return get_with_retries(
                self.client,
                self.base_url,
                params=params,
                policy=self.policy,
                parse=parse,
                sleep=self._paced_sleep,
                what="arXiv API",
            )
        finally:
            self._last_request = self.clock()

    def _keep_pace(self) -> None:
        if self._last_request is not None:
            wait = self.min_interval - (self.clock() - self._last_request)
            if wait > 0:
                self.sleep(wait)

    def _paced_sleep(self, seconds: float) -> None:
        # A retry is a request too: never closer than min_interval to the last one.
        self.sleep(max(seconds, self.min_interval))


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%d%H%M")


def parse_api_feed(content: bytes) -> ApiPage:
    """Parse an API response; Retryable for the faults arXiv is known to serve."""
    if not content.strip():
        raise Retryable("blank body")
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        snippet = one_line(content[:80].decode("utf-8", "replace"))
        raise Retryable(f"not XML ({exc}): {snippet!r}") from exc
    if root.tag != f"{{{NS['atom']}}}feed":
        raise Retryable(f"not an Atom feed but <{root.tag}>")
    entries = root.findall("atom:entry", NS)
    for entry in entries:
        if "/api/errors" in (entry.findtext("atom:id", "", NS)):
            message = one_line(entry.findtext("atom:summary", "", NS))
            raise Retryable(f"the API reported an error: {message}")
    total = int(root.findtext("opensearch:totalResults", "0", NS) or 0)
    papers = []
    for entry in entries:
        match = _ID_RE.search(entry.findtext("atom:id", "", NS))
        if match:
            papers.append(_parse_entry(entry, match))
    return ApiPage(papers, total)


def _parse_entry(entry: ET.Element, match: re.Match[str]) -> ApiEntry:
    authors, affiliations = [], []
    for author in entry.findall("atom:author", NS):
        authors.append(decode_tex(one_line(author.findtext("atom:name", "", NS))))
        for node in author.findall("arxiv:affiliation", NS):
            affiliation = one_line(node.text or "")
            if affiliation and affiliation not in affiliations:
                affiliations.append(affiliation)
    primary = entry.find("arxiv:primary_category", NS)
    return ApiEntry(
        id=match["id"],
        version=int(match["version"]),
        title=one_line(entry.findtext("atom:title", "", NS)),
        authors=authors,
        affiliations=affiliations,
        # The API wraps abstracts at 80 columns; the line breaks carry no meaning.
        abstract=one_line(entry.findtext("atom:summary", "", NS)),
        categories=[c.get("term", "") for c in entry.findall("atom:category", NS)],
        primary_category=primary.get("term") if primary is not None else None,
        comments=_optional(entry, "arxiv:comment"),
        journal_ref=_optional(entry, "arxiv:journal_ref"),
        doi=_optional(entry, "arxiv:doi"),
        published=dt.datetime.fromisoformat(entry.findtext("atom:published", "", NS)),
    )


def _optional(entry: ET.Element, tag: str) -> str | None:
    return one_line(entry.findtext(tag, "", NS)) or None
