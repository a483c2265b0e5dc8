"""Atom feeds: one per topic and one for everything, of the latest days."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from generator.config import Topic
from generator.models import Paper
from generator.render import urls
from generator.render.context import Context
from generator.text import strip_controls

ATOM = "http://www.w3.org/2005/Atom"
FEED_DAYS = 5  # a reader polling daily never misses a day; the file stays small
AUTHORS_IN_FEED = 10
EMPTY_SITEMAP = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>\n'
)


@dataclass(frozen=True)
class Entry:
    """A paper listed on a day, linked to its card on topic `topic_slug`'s page."""

    date: dt.date
    paper: Paper
    topic_slug: str


def feed_links(topic: Topic) -> dict[str, str]:
    """A topic page's front matter that overrides/main.html turns into
    <link rel="alternate">."""
    return {"feed": urls.feed_url(topic.slug), "feed_title": f"{topic.name} (Atom)"}


def render_feeds(ctx: Context) -> None:
    days = ctx.days[-FEED_DAYS:]
    for topic in ctx.config.topics:
        entries = [
            Entry(day.date, s.paper, topic.slug) for day in days for s in ctx.selected(day, topic)
        ]
        ctx.content.add(urls.feed_url(topic.slug), _feed(ctx, topic.slug, topic.name, entries))
    everything = []
    for day in days:
        seen: set[str] = set()
        for topic in ctx.config.topics:
            for chosen in ctx.selected(day, topic):
                if chosen.paper.id not in seen:
                    seen.add(chosen.paper.id)
                    everything.append(Entry(day.date, chosen.paper, topic.slug))
    ctx.content.add(urls.feed_url(None), _feed(ctx, None, "全部专题", everything))
    # Material reads every <link rel="alternate"> as a language version of the site and
    # fetches sitemap.xml beside it; an empty one there spares each reader a 404.
    ctx.content.add("feeds/sitemap.xml", EMPTY_SITEMAP)


def _feed(ctx: Context, slug: str | None, name: str, entries: Sequence[Entry]) -> str:
    site_url = ctx.site_url
    days = ctx.days[-FEED_DAYS:]
    feed_path = urls.feed_url(slug)
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    _text(
        root, "id", urls.absolute(site_url, feed_path) or f"urn:arxiv-digest:feed:{slug or 'all'}"
    )
    _text(root, "title", f"{ctx.config.site.title} · {name}")
    _text(root, "updated", _stamp(days[-1].date) if days else "1970-01-01T00:00:00Z")
    home = urls.topic_url(slug) if slug else urls.HOME_URL
    _link(root, urls.absolute(site_url, home) or urls.relative(feed_path, home), "alternate")
    self_link = urls.absolute(site_url, feed_path)
    if self_link:
        _link(root, self_link, "self")
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    _text(author, "name", ctx.config.site.title)
    for entry in reversed(entries):
        _entry(root, entry, feed_path, site_url)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _entry(root: ET.Element, listed: Entry, feed_path: str, site_url: str | None) -> None:
    paper = listed.paper
    entry = ET.SubElement(root, f"{{{ATOM}}}entry")
    _text(entry, "id", f"https://arxiv.org/abs/{paper.versioned_id}")
    title = paper.title + (f" | {paper.title_zh}" if paper.title_zh else "")
    _text(entry, "title", title)
    _text(entry, "updated", _stamp(listed.date))
    page = urls.topic_day_url(listed.date, listed.topic_slug)
    href = urls.absolute(site_url, page) or urls.relative(feed_path, page)
    _link(entry, f"{href}#{paper.id}", "alternate")
    _link(entry, urls.arxiv_abs(paper.id), "related")
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


def _stamp(date: dt.date) -> str:
    return (
        dt.datetime.combine(date, dt.time(0, 0), tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")
    )
