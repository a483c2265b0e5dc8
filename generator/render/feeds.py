"""Atom feeds: one per topic and one for everything, of the latest days."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from generator.models import Day
from generator.render import urls
from generator.text import strip_controls

if TYPE_CHECKING:
    from generator.render.pages import Selected, SiteRenderer

ATOM = "http://www.w3.org/2005/Atom"
FEED_DAYS = 5  # a reader polling daily never misses a day; the file stays small
AUTHORS_IN_FEED = 10
EMPTY_SITEMAP = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>\n'
)


def render_feeds(renderer: SiteRenderer, site_url: str | None) -> dict[str, str]:
    days = renderer.days[-FEED_DAYS:]
    feeds = {}
    for topic in renderer.config.topics:
        entries = [(day, s, topic.slug) for day in days for s in renderer.selected(day, topic)]
        feeds[urls.feed_url(topic.slug)] = _feed(
            renderer, topic.slug, topic.name, entries, days, site_url
        )
    everything = []
    for day in days:
        seen: set[str] = set()
        for topic in renderer.config.topics:
            for chosen in renderer.selected(day, topic):
                if chosen.paper.id not in seen:
                    seen.add(chosen.paper.id)
                    everything.append((day, chosen, topic.slug))
    feeds[urls.feed_url(None)] = _feed(renderer, None, "全部专题", everything, days, site_url)
    # Material reads every <link rel="alternate"> as a language version of the site and
    # fetches sitemap.xml beside it; an empty one there spares each reader a 404.
    feeds["feeds/sitemap.xml"] = EMPTY_SITEMAP
    return feeds


def _feed(
    renderer: SiteRenderer,
    slug: str | None,
    name: str,
    entries: list[tuple[Day, Selected, str]],
    days: list[Day],
    site_url: str | None,
) -> str:
    feed_path = urls.feed_url(slug)
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    _text(root, "id", _absolute(site_url, feed_path) or f"urn:arxiv-digest:feed:{slug or 'all'}")
    _text(root, "title", f"{renderer.config.site.title} · {name}")
    _text(root, "updated", _stamp(days[-1].date) if days else "1970-01-01T00:00:00Z")
    home = urls.topic_url(slug) if slug else urls.HOME_URL
    _link(root, _absolute(site_url, home) or urls.relative(feed_path, home), "alternate")
    self_link = _absolute(site_url, feed_path)
    if self_link:
        _link(root, self_link, "self")
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    _text(author, "name", renderer.config.site.title)
    for day, chosen, topic_slug in reversed(entries):
        _entry(root, day, chosen, topic_slug, feed_path, site_url)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _entry(
    root: ET.Element,
    day: Day,
    chosen: Selected,
    topic_slug: str,
    feed_path: str,
    site_url: str | None,
) -> None:
    paper = chosen.paper
    entry = ET.SubElement(root, f"{{{ATOM}}}entry")
    _text(entry, "id", f"https://arxiv.org/abs/{paper.versioned_id}")
    title = paper.title + (f" | {paper.title_zh}" if paper.title_zh else "")
    _text(entry, "title", title)
    _text(entry, "updated", _stamp(day.date))
    page = urls.topic_day_url(day.date, topic_slug)
    href = _absolute(site_url, page) or urls.relative(feed_path, page)
    _link(entry, f"{href}#{paper.id}", "alternate")
    _link(entry, f"https://arxiv.org/abs/{paper.id}", "related")
    for name in paper.authors[:AUTHORS_IN_FEED] or ["arXiv"]:
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        _text(author, "name", name)
    for category in paper.categories:
        ET.SubElement(entry, f"{{{ATOM}}}category", term=category)
    summary = paper.tldr or paper.abstract_zh or paper.abstract
    _text(entry, "summary", summary)


def _text(parent: ET.Element, tag: str, value: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{tag}").text = strip_controls(value)


def _link(parent: ET.Element, href: str, rel: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", rel=rel, href=href)


def _absolute(site_url: str | None, path: str) -> str | None:
    return site_url.rstrip("/") + "/" + path if site_url else None


def _stamp(date: dt.date) -> str:
    return (
        dt.datetime.combine(date, dt.time(0, 0), tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")
    )
