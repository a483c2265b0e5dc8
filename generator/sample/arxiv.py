"""arXiv played back on loopback from recorded announcements, for `run --sample`.

It answers the three things the pipeline asks arXiv, in arXiv's own formats:

- `GET /rss/cs.CL+cs.AI+…`: the combined feed rss.arxiv.org serves for those
  categories, made of the recorded per-category feeds (byte for byte as arXiv sent
  them): each paper once, its own-category listing preferred over a cross-list.
- `GET /api/query?id_list=…`: API entries made from those same items (title,
  authors, abstract, categories, the first category as primary); arXiv's comments
  and journal references are not in a feed, so the sample has none.
- `GET /robots.txt` without a delay, and `/html/…` as 404 (no HTML version): the
  first-page step falls back to arXiv's affiliations, as it does for such papers.
"""

from __future__ import annotations

import gzip
import html
import re
import threading
from collections.abc import Mapping
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Self
from urllib.parse import parse_qs, urlsplit

RECORDED_DAY = "2026-06-19"  # the announcement the package carries (a Friday, 697 papers)
RECORDED_CATEGORIES = ("cs.AI", "cs.CL", "cs.CV", "cs.LG")

_ITEM_RE = re.compile(rb"<item>.*?</item>\s*", re.S)
_GUID_RE = re.compile(rb"oai:arXiv\.org:([^<]+?)v(\d+)</guid>")
_TYPE_RE = re.compile(rb"<arxiv:announce_type>([^<]+)<")
# arXiv lists a paper in a combined feed once, under the strongest of its listings.
_PRECEDENCE = {b"new": 0, b"replace": 1, b"cross": 2, b"replace-cross": 3}
NO_DELAY = b"User-agent: *\nCrawl-delay: 0\n"


@cache
def recorded_feed(category: str) -> bytes:
    """One recorded category feed, as arXiv sent it."""
    name = f"rss-{RECORDED_DAY}-{category}.xml.gz"
    return gzip.decompress(resources.files(__package__).joinpath("recorded", name).read_bytes())


def combine_feeds(requested: list[str], feeds: Mapping[str, bytes]) -> bytes | None:
    """The combined feed arXiv serves for `requested` (`+` in the URL), made of the
    per-category `feeds` it has; None when it has none of them."""
    header = b""
    chosen: dict[bytes, bytes] = {}  # guid → item, in first-seen order
    for category in requested:
        raw = feeds.get(category)
        if raw is None:
            continue
        items = list(_ITEM_RE.finditer(raw))
        if not header:
            cut = items[0].start() if items else raw.index(b"</channel>")
            header = raw[:cut].replace(
                f"/rss/{category}".encode(), b"/rss/" + "+".join(requested).encode()
            )
        for match in items:
            item = match.group(0)
            guid, kind = _field(_GUID_RE, item), _field(_TYPE_RE, item)
            earlier = chosen.get(guid)
            if earlier is None or _PRECEDENCE[kind] < _PRECEDENCE[_field(_TYPE_RE, earlier)]:
                chosen[guid] = item
    if not header:
        return None
    return header + b"".join(chosen.values()) + b"    </channel>\n</rss>\n"


def feed_items(feed: bytes) -> dict[str, bytes]:
    """id → RSS item of a feed."""
    return {_field(_GUID_RE, m.group(0)).decode(): m.group(0) for m in _ITEM_RE.finditer(feed)}


def api_entry(item: bytes, published: str = f"{RECORDED_DAY}T00:00:00Z", extra: str = "") -> str:
    """The API's Atom entry for a paper, from its RSS item; `extra`: more XML inside."""
    text = item.decode()
    arxiv_id, version = (part.decode() for part in _GUID_RE.search(item).groups())  # type: ignore[union-attr]
    title = _text(r"<title>(.*?)</title>", text)
    summary = _text(r"Abstract:(.*?)</description>", text).strip()
    creators = html.unescape(_text(r"<dc:creator>(.*?)</dc:creator>", text))
    categories = re.findall(r"<category>(.*?)</category>", text)
    names = re.split(r",(?![^(]*\))", re.sub(r"\s*\([^)]*\)", "", creators))
    authors = "".join(
        f"<author><name>{html.escape(name.strip())}</name></author>"
        for name in names
        if name.strip()
    )
    terms = "".join(
        f'<category term="{c}" scheme="http://arxiv.org/schemas/atom"/>' for c in categories
    )
    return (
        f"<entry><id>http://arxiv.org/abs/{arxiv_id}v{version}</id>"
        f"<title>{title}</title><updated>{published}</updated>"
        f"<summary>{summary}</summary>{terms}<published>{published}</published>"
        f'{extra}<arxiv:primary_category term="{categories[0]}"/>{authors}</entry>'
    )


def atom_feed(entries: list[str], total: int | None = None, start: int = 0) -> bytes:
    """An API answer holding `entries` (`total`: the whole result's size, for paging)."""
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">'
        "<id>https://arxiv.org/api/loopback</id><title>arXiv Query: loopback</title>"
        f"<opensearch:totalResults>{len(entries) if total is None else total}"
        "</opensearch:totalResults>"
        f"<opensearch:startIndex>{start}</opensearch:startIndex>" + "".join(entries) + "</feed>"
    ).encode()


class RecordedArxiv:
    """`with RecordedArxiv() as arxiv:` serves the recorded day on 127.0.0.1."""

    def __init__(self) -> None:
        feeds = {c: recorded_feed(c) for c in RECORDED_CATEGORIES}
        self._feeds = feeds
        self._items = feed_items(combine_feeds(list(RECORDED_CATEGORIES), feeds) or b"")
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, path: str) -> tuple[int, bytes, str]:
        """Status, body and content type for a GET of `path`."""
        parts = urlsplit(path)
        if parts.path.startswith("/rss/"):
            feed = combine_feeds(parts.path.removeprefix("/rss/").split("+"), self._feeds)
            if feed is None:
                return 404, b"no recorded feed for these categories", "text/plain"
            return 200, feed, "application/rss+xml"
        if parts.path == "/api/query":
            wanted = parse_qs(parts.query).get("id_list", [""])[0].split(",")
            entries = [api_entry(self._items[i]) for i in wanted if i in self._items]
            return 200, atom_feed(entries), "application/atom+xml"
        if parts.path == "/robots.txt":
            return 200, NO_DELAY, "text/plain"
        return 404, b"not recorded", "text/plain"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        arxiv = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # the run says what it does
                pass

            def do_GET(self) -> None:
                status, body, kind = arxiv.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def _field(pattern: re.Pattern[bytes], item: bytes) -> bytes:
    match = pattern.search(item)
    if match is None:
        raise ValueError(f"a recorded item lacks {pattern.pattern!r}")
    return match.group(1)


def _text(pattern: str, text: str) -> str:
    match = re.search(pattern, text, re.S)
    return match.group(1) if match else ""
