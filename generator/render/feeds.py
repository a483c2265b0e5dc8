"""Atom feeds: one per topic and one for everything, of the latest days; a weekly one
per topic, an entry a finished week with its best papers; and the OPML list of them all.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from generator.config import Topic
from generator.models import Day, Paper
from generator.periods import Period
from generator.render import urls
from generator.render.context import Context
from generator.render.period_pages import Best, best_count, period_best
from generator.text import strip_controls

ATOM = "http://www.w3.org/2005/Atom"
FEED_DAYS = 5  # a reader polling daily never misses a day; the file stays small
FEED_WEEKS = 4  # the weekly feeds' finished weeks: a month, for a reader polling rarely
FRIDAY = 4
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
    render_weekly_feeds(ctx)
    render_opml(ctx)
    # Material reads every <link rel="alternate"> as a language version of the site and
    # fetches sitemap.xml beside it; an empty one there spares each reader a 404.
    for folder in (urls.FEEDS, urls.WEEKLY_FEEDS):
        ctx.content.add(f"{folder}sitemap.xml", EMPTY_SITEMAP)


def _feed(ctx: Context, slug: str | None, name: str, entries: Sequence[Entry]) -> str:
    days = ctx.days[-FEED_DAYS:]
    feed_path = urls.feed_url(slug)
    home = urls.topic_url(slug) if slug else urls.HOME_URL
    root = _feed_root(ctx, feed_path, name, home, days[-1].date if days else None)
    for entry in reversed(entries):
        _entry(root, entry, feed_path, ctx.site_url)
    return _xml(root)


def _feed_root(
    ctx: Context, feed_path: str, name: str, home: str, updated: dt.date | None
) -> ET.Element:
    """A feed's own elements, for its entries to follow; `home` is the page it is of."""
    site_url = ctx.site_url
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    name_of = feed_path.removeprefix("feeds/").removesuffix(".xml")  # "llm", "weekly/llm"
    _text(root, "id", urls.absolute(site_url, feed_path) or f"urn:arxiv-digest:feed:{name_of}")
    _text(root, "title", f"{ctx.config.site.title} · {name}")
    _text(root, "updated", _stamp(updated) if updated else "1970-01-01T00:00:00Z")
    _link(root, _address(site_url, feed_path, home), "alternate")
    self_link = urls.absolute(site_url, feed_path)
    if self_link:
        _link(root, self_link, "self")
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    _text(author, "name", ctx.config.site.title)
    return root


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def feed_weeks(dates: Sequence[dt.date]) -> list[Period]:
    """The weeks the weekly feeds hold: the newest FEED_WEEKS finished ones, oldest
    first. A week is finished once a later day is on the site, or once it has its
    Friday (arXiv announces Monday to Friday), so its entry comes once, whole."""
    weeks = sorted({Period.week_of(date) for date in dates})
    if weeks and dates[-1].weekday() < FRIDAY:
        weeks.pop()  # the week under way
    return weeks[-FEED_WEEKS:]


def weekly_feed_dates(dates: Sequence[dt.date]) -> list[dt.date]:
    """The days the weekly feeds are made from: a build holds them whole (publish.py)."""
    weeks = feed_weeks(dates)
    return [date for date in dates if any(date in week for week in weeks)]


def render_weekly_feeds(ctx: Context) -> None:
    weeks = [(week, [d for d in ctx.days if d.date in week]) for week in feed_weeks(ctx.dates)]
    weeks = [(week, days) for week, days in weeks if days]
    updated = weeks[-1][1][-1].date if weeks else None
    for topic in ctx.config.topics:
        path = urls.weekly_feed_url(topic.slug)
        home = urls.topic_url(topic.slug)
        root = _feed_root(ctx, path, f"{topic.name} · 每周", home, updated)
        for week, days in reversed(weeks):
            _week_entry(ctx, root, path, topic, week, days)
        ctx.content.add(path, _xml(root))


def _week_entry(
    ctx: Context, root: ET.Element, feed_path: str, topic: Topic, week: Period, days: list[Day]
) -> None:
    """A week's entry: its best papers, as its page lists them, in an HTML list (which
    the feed holds escaped, as any text), each linked to its card."""
    best = period_best(ctx, days, topic)
    page = urls.period_url(week, topic.slug)
    entry = ET.SubElement(root, f"{{{ATOM}}}entry")
    own_id = urls.absolute(ctx.site_url, page) or f"urn:arxiv-digest:week:{week.name}:{topic.slug}"
    _text(entry, "id", own_id)
    _text(entry, "title", f"{topic.name} · {week.label} · {len(best)} 篇")
    _text(entry, "updated", _stamp(days[-1].date))
    _link(entry, _address(ctx.site_url, feed_path, page), "alternate")
    shown = best[: best_count(ctx.config, week)]
    rows = [_week_row(ctx.site_url, feed_path, topic, b) for b in shown]
    said = f"{days[0].date} 至 {days[-1].date},共 {len(best)} 篇,按评分列出前 {len(shown)} 篇。"
    html = Markup("<p>{}</p><ol>{}</ol>").format(said, Markup("").join(rows))
    ET.SubElement(entry, f"{{{ATOM}}}content", type="html").text = strip_controls(str(html))


def _week_row(site_url: str | None, feed_path: str, topic: Topic, best: Best) -> Markup:
    paper = best.paper
    card = _address(site_url, feed_path, urls.topic_day_url(best.date, topic.slug))
    title = paper.title_zh or paper.title
    tldr = Markup("<br>{}").format(paper.tldr) if paper.tldr else ""
    return Markup('<li>{} <a href="{}#{}">{}</a>{}</li>').format(
        best.score, card, paper.id, title, tldr
    )


def render_opml(ctx: Context) -> None:
    """feeds/index.opml (OPML 2.0): every feed of the site, the daily ones and the
    weekly ones each in a folder, for a feed reader to take them all at once."""
    topics = ctx.config.topics
    daily = [("全部专题", urls.feed_url(None), urls.HOME_URL)]
    daily += [(t.name, urls.feed_url(t.slug), urls.topic_url(t.slug)) for t in topics]
    weekly = [(t.name, urls.weekly_feed_url(t.slug), urls.topic_url(t.slug)) for t in topics]
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = strip_controls(f"{ctx.config.site.title} · 全部订阅")
    body = ET.SubElement(root, "body")
    for folder, feeds in (("每日", daily), ("每周", weekly)):
        outline = ET.SubElement(body, "outline", text=folder, title=folder)
        for name, feed, page in feeds:
            ET.SubElement(
                outline,
                "outline",
                type="rss",  # OPML 2.0's type for any feed, Atom too
                text=strip_controls(f"{name} · {folder}"),
                xmlUrl=_address(ctx.site_url, urls.OPML_URL, feed),
                htmlUrl=_address(ctx.site_url, urls.OPML_URL, page),
            )
    ctx.content.add(urls.OPML_URL, _xml(root))


def _entry(root: ET.Element, listed: Entry, feed_path: str, site_url: str | None) -> None:
    paper = listed.paper
    entry = ET.SubElement(root, f"{{{ATOM}}}entry")
    _text(entry, "id", f"https://arxiv.org/abs/{paper.versioned_id}")
    title = paper.title + (f" | {paper.title_zh}" if paper.title_zh else "")
    _text(entry, "title", title)
    _text(entry, "updated", _stamp(listed.date))
    page = urls.topic_day_url(listed.date, listed.topic_slug)
    _link(entry, f"{_address(site_url, feed_path, page)}#{paper.id}", "alternate")
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


def _address(site_url: str | None, from_path: str, to_path: str) -> str:
    """Where a feed's link leads: absolute with the site's address, as feed readers
    want; else relative to the feed."""
    return urls.absolute(site_url, to_path) or urls.relative(from_path, to_path)


def _stamp(date: dt.date) -> str:
    return (
        dt.datetime.combine(date, dt.time(0, 0), tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")
    )
