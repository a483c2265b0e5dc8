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
from dataclasses import dataclass, field

import httpx

from generator.errors import FetchError
from generator.ids import split_versioned
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
_ABS_URL = re.compile(r"https?://arxiv\.org/abs/(?P<versioned>\S+)")
_COUNT = re.compile(r"[0-9]{1,9}")
BATCH_SIZE = 100  # ids per request: keeps the URL short and one bad batch small
PAGE_SIZE = 500  # results per page when searching by submission date
# arXiv's API serves no result past this offset, whatever totalResults says: the
# bound of a search whose totalResults cannot be read.
MAX_RESULTS = 30_000


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
    total_results: int | None  # None: the answer did not say it in a readable number
    # Entries that could not be read, each named by its id: "2606.19348v1: no <published>".
    skipped: list[str] = field(default_factory=list)

    @property
    def served(self) -> int:
        """How many results the page held, read or not: where the next page starts."""
        return len(self.entries) + len(self.skipped)


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
            problems += [f"entry skipped: {problem}" for problem in page.skipped]
        return found, problems

    def search_submitted(
        self, categories: list[str], start: dt.datetime, end: dt.datetime
    ) -> Iterator[ApiEntry]:
        """Papers of `categories` submitted in [start, end), page by page."""
        query = "(" + " OR ".join(f"cat:{c}" for c in categories) + ")"
        query += f" AND submittedDate:[{_stamp(start)} TO {_stamp(end)}]"
        offset = 0
        seen: set[str] = set()
        while offset < MAX_RESULTS:
            params = {
                "search_query": query,
                "start": str(offset),
                "max_results": str(PAGE_SIZE),
                "sortBy": "submittedDate",
                "sortOrder": "ascending",
            }
            page = self._query(params, expect_results=False)
            for problem in page.skipped:
                log.warning("arXiv API: entry skipped: %s", problem)
            fresh = [e for e in page.entries if e.id not in seen]
            seen.update(e.id for e in fresh)
            yield from fresh
            offset += page.served
            # An empty page ends it; so does a page of papers already seen (the API
            # repeating itself) and, when it can be read, totalResults.
            if not page.served or (page.entries and not fresh):
                return
            if page.total_results is not None and offset >= page.total_results:
                return
        log.warning("arXiv API: search stopped after %d results, the most it serves", offset)

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
    papers, skipped = [], []
    for entry in entries:
        try:
            papers.append(_parse_entry(entry))
        except ValueError as exc:  # one odd entry: the others are read, it is named
            skipped.append(f"{_named(entry)}: {exc}")
    # startIndex is not read: where the next page starts is counted from what came.
    return ApiPage(papers, _count(root.findtext("opensearch:totalResults", None, NS)), skipped)


def _count(text: str | None) -> int | None:
    """A count such as totalResults; None when it is absent or not a plain number."""
    if text is None or not _COUNT.fullmatch(text.strip()):
        if text is not None:
            log.debug("arXiv API: totalResults %r is not a count; ignored", text[:40])
        return None
    return int(text.strip())


def _parse_entry(entry: ET.Element) -> ApiEntry:
    """One entry; ValueError saying what is missing or malformed."""
    arxiv_id, version = _entry_id(entry)
    authors, affiliations = [], []
    for author in entry.findall("atom:author", NS):
        name = decode_tex(one_line(author.findtext("atom:name", "", NS)))
        if not name:
            raise ValueError("an <author> without a <name>")
        authors.append(name)
        for node in author.findall("arxiv:affiliation", NS):
            affiliation = one_line(node.text or "")
            if affiliation and affiliation not in affiliations:
                affiliations.append(affiliation)
    title = one_line(entry.findtext("atom:title", "", NS))
    if not title:
        raise ValueError("no <title>")
    summary = entry.findtext("atom:summary", None, NS)
    if summary is None:
        raise ValueError("no <summary>")
    primary = entry.find("arxiv:primary_category", NS)
    return ApiEntry(
        id=arxiv_id,
        version=version,
        title=title,
        authors=authors,
        affiliations=affiliations,
        # The API wraps abstracts at 80 columns; the line breaks carry no meaning.
        abstract=one_line(summary),
        categories=[_term(c, "category") for c in entry.findall("atom:category", NS)],
        primary_category=_term(primary, "arxiv:primary_category") if primary is not None else None,
        comments=_optional(entry, "arxiv:comment"),
        journal_ref=_optional(entry, "arxiv:journal_ref"),
        doi=_optional(entry, "arxiv:doi"),
        published=_published(entry),
    )


def _entry_id(entry: ET.Element) -> tuple[str, int]:
    """(arXiv id, version) from the entry's abstract URL, checked against ids.py."""
    text = one_line(entry.findtext("atom:id", "", NS))
    match = _ABS_URL.fullmatch(text)
    versioned = split_versioned(match["versioned"]) if match else None
    if not text:
        raise ValueError("no <id>")
    if versioned is None:
        raise ValueError("not an arXiv abstract URL with a versioned arXiv id")
    return versioned


def _named(entry: ET.Element) -> str:
    """The entry as a reader can find it: its versioned id, or what stands in <id>."""
    text = one_line(entry.findtext("atom:id", "", NS))
    match = _ABS_URL.fullmatch(text)
    if match and split_versioned(match["versioned"]):
        return match["versioned"]
    return f"entry <id> {text[:80]!r}" if text else "an entry"


def _term(node: ET.Element, tag: str) -> str:
    term = one_line(node.get("term") or "")
    if not term:
        raise ValueError(f"a <{tag}> without a term")
    return term


def _published(entry: ET.Element) -> dt.datetime:
    text = one_line(entry.findtext("atom:published", "", NS))
    if not text:
        raise ValueError("no <published>")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"<published> {text[:40]!r} is not a date and time") from None
    # arXiv writes UTC ("Z"); a stamp without a zone is read as UTC too.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _optional(entry: ET.Element, tag: str) -> str | None:
    return one_line(entry.findtext(tag, "", NS)) or None
