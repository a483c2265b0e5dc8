"""The head of a paper's arXiv HTML version, where its institutions are printed.

arXiv renders most new papers to HTML with LaTeXML; the title and author block
(`ltx_authors`: names, affiliations, e-mails) is what the detail call is shown
to name institutions from. A paper without an HTML version (404), or one whose
page is too large or forbidden by robots.txt, simply has none; a fault (a timeout,
5xx) is logged, the paper keeps what arXiv's metadata said, and a later run asks
again. Requests keep the pace of arXiv's robots.txt (`crawl.Crawl`), one at a time.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import httpx

from generator.enrich.crawl import Crawl, Rules
from generator.sources.http import RETRY_STATUS, MiB, TooLarge, TooSlow, read_bounded

log = logging.getLogger(__name__)

DEFAULT_HTML_URL = "https://arxiv.org/html/"
FIRST_PAGE_CHARS = 3000
# No arXiv HTML page is recorded in the fixtures to measure. LaTeXML pages are mostly
# well under a few MB (figures are separate files); long papers full of formulas
# (MathML) are the largest. 32 MiB keeps those; a page over it is skipped, not cut:
# the paper keeps the institutions arXiv's metadata gave.
MAX_PAGE_BYTES = 32 * MiB
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr", "source", "col"})
_SKIP = frozenset({"script", "style", "nav", "noscript", "svg", "math", "button"})
_BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "span"})


@dataclass(frozen=True)
class FirstPage:
    """A paper's first page: its text, or None; `later` when it was not read this run
    (the run's pages were spent, or a fault) and a later run should read it."""

    text: str | None = None
    later: bool = False


NO_PAGE = FirstPage()  # no HTML version, too large, or robots.txt forbids it
LATER = FirstPage(later=True)


class FirstPages:
    """Reads first pages one at a time (callers take turns) at the pace of `crawl`."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        crawl: Crawl,
        *,
        attempts: int = 2,
        max_bytes: int = MAX_PAGE_BYTES,
    ) -> None:
        self._http = http
        self.crawl = crawl
        self._attempts = attempts
        self._max_bytes = max_bytes

    def url(self, arxiv_id: str, version: int) -> str:
        return f"{self.crawl.html_url}{arxiv_id}v{version}"

    async def rules(self) -> Rules:
        return await self.crawl.read_rules(self._http)

    async def read(self, arxiv_id: str, version: int) -> FirstPage:
        url = self.url(arxiv_id, version)
        if not (await self.rules()).allows(url):
            return NO_PAGE
        problem = ""
        for _ in range(self._attempts):
            await self.crawl.wait_turn()
            try:
                response = await read_bounded(
                    self._http, "GET", url, deadline=self.crawl.deadline, max_bytes=self._max_bytes
                )
            except TooLarge as exc:
                self._warn(arxiv_id, version, str(exc))
                return NO_PAGE  # the same page again would be as large
            except TooSlow as exc:
                problem = str(exc)
            except httpx.TransportError as exc:
                problem = type(exc).__name__
            else:
                if response.status_code == 404:
                    return NO_PAGE  # no HTML version of this paper
                if not response.is_error:
                    return FirstPage(first_page_text(response.text))
                problem = f"HTTP {response.status_code}"
                if response.status_code not in RETRY_STATUS:
                    break
            finally:
                self.crawl.finished_request()
        self._warn(arxiv_id, version, problem)
        return LATER

    def _warn(self, arxiv_id: str, version: int, problem: str) -> None:
        log.warning(
            "HTML of %sv%s not read (%s); institutions from arXiv only", arxiv_id, version, problem
        )


def first_page_text(html: str, limit: int = FIRST_PAGE_CHARS) -> str | None:
    """The title and author block's text; without LaTeXML's markup, the text
    before the abstract. None when the page has no such text."""
    reader = _HeadReader()
    reader.feed(html)
    reader.close()
    text = reader.authors_text() or reader.text_before_abstract()
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    text = re.sub(r"\s*\n\s*", "\n", text).strip()
    return text[:limit] or None


class _HeadReader(HTMLParser):
    """Collects the text of the title and author block, and all text before the abstract."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._open: list[tuple[str, bool]] = []  # (tag, is the title or the author block)
        self._head: list[str] = []
        self._before_abstract: list[str] = []
        self._abstract_seen = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag in _BREAKS:
            self._emit("\n")
        if tag in _VOID:
            return
        if "ltx_abstract" in classes or attributes.get("id") == "abstract":
            self._abstract_seen = True
        head = "ltx_authors" in classes or "ltx_title_document" in classes
        self._open.append((tag, head))

    def handle_endtag(self, tag: str) -> None:
        # Pop to the matching open tag: LaTeXML output is well formed, other pages may not be.
        if any(open_tag == tag for open_tag, _ in self._open):
            while self._open and self._open.pop()[0] != tag:
                pass
        if tag in _BREAKS:
            self._emit("\n")

    def handle_data(self, data: str) -> None:
        if not any(tag in _SKIP for tag, _ in self._open):
            self._emit(data)

    def _emit(self, text: str) -> None:
        if any(head for _, head in self._open):
            self._head.append(text)
        if not self._abstract_seen:
            self._before_abstract.append(text)

    def authors_text(self) -> str:
        return "".join(self._head)

    def text_before_abstract(self) -> str:
        return "".join(self._before_abstract).split("Abstract", 1)[0]
