"""Day pages: each day's overview (the latest one also as the home page) and each
topic's page of the day, the one that shows the papers' cards."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from generator.card_data import day_entry, day_files
from generator.config import Config, Topic
from generator.models import BUDGET_LEFT, NO_LLM, Day, Paper
from generator.periods import Period
from generator.render import urls
from generator.render.bibtex import citation
from generator.render.cards import ANNOUNCE_LABELS, BriefView, CardView
from generator.render.context import Context
from generator.render.feeds import feed_links
from generator.render.selections import UNSORTED, Selected, by_subtopic
from generator.render.views import (
    Group,
    Link,
    Neighbour,
    PageLink,
    PaperLine,
    day_link,
    grouped,
    paper_lines,
    period_links,
)
from generator.selection import lacks_details
from generator.split import ONE_SITE, Across, Edges

BEST_ON_OVERVIEW = 5
Neighbours = tuple[Neighbour | None, Neighbour | None]  # the days before and after


def full_pages(config: Config, date: dt.date, dates: Sequence[dt.date]) -> bool:
    """Whether the pages of `date` carry everything as HTML: its month is one of the
    newest `site.full_pages_months` of `dates`. An older day's whole-day page leaves its
    rows to the browser (render/whole_day.py), and its topic pages show each card as a
    brief, the whole card waiting in the day file (render_day_file)."""
    newest = dates[-1] if dates else date
    months_back = (newest.year - date.year) * 12 + newest.month - date.month
    return months_back < config.site.full_pages_months


@dataclass(frozen=True)
class SubtopicCount:
    """A sub-topic's count on the overview; `href` leads to its section, if it has papers."""

    name: str
    count: int
    href: str | None


@dataclass(frozen=True)
class TopicOfDay:
    """A topic on a day's overview: its count, its sub-topics' and its best papers."""

    name: str
    href: str
    count: int
    subtopics: list[SubtopicCount]
    best: list[PaperLine]
    date: str
    periods: list[PageLink]  # the topic's best of the day's week and month


@dataclass(frozen=True)
class DayPage:  # templates/day.md
    site_title: str | None  # the home page's heading names the site before the date
    date: str
    total: int
    counts: dict[str, int]  # by announce type
    llm_notice: str | None
    groups: list[Group[TopicOfDay]]
    prev: Link | None
    next: Link | None
    archive_href: str
    unplaced: list[Paper]
    whole_day_href: str  # every paper of the day (render/whole_day.py)


@dataclass(frozen=True)
class CardSection:
    """A sub-topic's section of a topic's page of the day: a card for each paper whose
    home the topic is, a brief for each whose card is on another topic's page."""

    name: str
    slug: str
    cards: list[CardView | BriefView]


@dataclass(frozen=True)
class TopicDayPage:  # templates/topic_day.md
    topic: Topic
    date: str
    total: int
    categories: list[str]
    sections: list[CardSection]
    cards_href: str  # the day file its cards' abstracts and citations wait in
    llm_notice: str | None
    prev: Link | None
    next: Link | None
    overview_href: str
    topic_href: str
    feed_href: str
    whole_day_href: str
    week_href: str  # the topic's best of the day's week


def render_days(ctx: Context, days: Sequence[Day]) -> None:
    """These days' overviews and topic pages."""
    for day in days:
        neighbours = neighbours_of(ctx.dates, day.date, ctx.edges)
        render_overview(ctx, day, neighbours, urls.day_url(day.date))
        render_day_file(ctx, day)
        for topic in ctx.config.topics:
            render_topic_day(ctx, day, topic, neighbours)


def render_home(ctx: Context) -> None:
    """The newest day's overview, as the home page."""
    if ctx.days:
        newest = ctx.days[-1]
        # On the older site of a split archive, also the newer site's first day.
        neighbours = neighbours_of(ctx.dates, newest.date, ctx.edges)
        render_overview(ctx, newest, neighbours, urls.HOME_URL)
    else:
        body = "# 暂无内容\n\n还没有任何一天的论文。运行 `arxiv-digest run` 开始。\n"
        ctx.content.add_page(urls.HOME_URL, "暂无内容", body)


def neighbours_of(dates: Sequence[dt.date], date: dt.date, edges: Edges = ONE_SITE) -> Neighbours:
    """The days before and after `date` among `dates` (sorted), if any: past this site's
    first or last day, the other site's day next to it (a split archive's edges)."""
    index = bisect.bisect_left(dates, date)
    before = Neighbour(dates[index - 1]) if index else _across(edges.older)
    after = Neighbour(dates[index + 1]) if index + 1 < len(dates) else _across(edges.newer)
    return before, after


def _across(site: Across | None) -> Neighbour | None:
    return Neighbour(site.date, site.url) if site and site.date else None


def render_overview(ctx: Context, day: Day, neighbours: Neighbours, url: str) -> None:
    """The day's overview at `url`: the day's own, or the home page ("")."""
    counts = day.counts()
    home = url == urls.HOME_URL
    page = DayPage(
        site_title=ctx.config.site.title if home else None,
        date=day.date.isoformat(),
        total=counts.total,
        counts={t: counts.announce.get(t, 0) for t in ANNOUNCE_LABELS},
        llm_notice=llm_notice(day, ctx.config.selection.threshold),
        groups=grouped(ctx.config.topics, lambda topic: _topic_of_day(ctx, day, topic, url)),
        prev=day_link(url, neighbours[0]),
        next=day_link(url, neighbours[1]),
        archive_href=urls.relative(url, urls.ARCHIVE_URL),
        unplaced=failed_and_unlisted(ctx, day),
        whole_day_href=urls.relative(url, urls.whole_day_url(day.date)),
    )
    title = ctx.config.site.title if home else f"{day.date} 概览"
    description = f"arXiv {day.date}: {counts.total} 篇"
    ctx.content.add_page(url, title, ctx.render("day.md", page), description=description)


def _topic_of_day(ctx: Context, day: Day, topic: Topic, from_url: str) -> TopicOfDay:
    chosen = ctx.selected(day, topic)
    topic_url = urls.topic_day_url(day.date, topic.slug)
    href = urls.relative(from_url, topic_url)
    return TopicOfDay(
        name=topic.name,
        href=href,
        count=len(chosen),
        subtopics=[
            SubtopicCount(
                section.name,
                len(section.chosen),
                f"{href}#{section.slug}" if section.chosen else None,
            )
            for section in by_subtopic(topic, chosen)
            if section.chosen or section.slug != UNSORTED
        ],
        best=paper_lines(from_url, topic_url, chosen[:BEST_ON_OVERVIEW]),
        date=day.date.isoformat(),
        periods=period_links(from_url, _periods_of(day.date), topic.slug),
    )


def _periods_of(date: dt.date) -> list[Period]:
    return [Period.week_of(date), Period.month_of(date)]


def failed_and_unlisted(ctx: Context, day: Day) -> list[Paper]:
    """Papers the LLM step failed on that no topic page lists: without this list
    they would be nowhere on the site until `enrich` succeeds."""
    listed = {s.paper.id for topic in ctx.config.topics for s in ctx.selected(day, topic)}
    return [p for p in day.papers if p.llm.status == "failed" and p.id not in listed]


def render_topic_day(ctx: Context, day: Day, topic: Topic, neighbours: Neighbours) -> None:
    """The topic's page of the day: its papers' cards, by sub-topic."""
    url = urls.topic_day_url(day.date, topic.slug)
    chosen = ctx.selected(day, topic)
    page = TopicDayPage(
        topic=topic,
        date=day.date.isoformat(),
        total=len(chosen),
        categories=ctx.config.topic_categories(topic),
        sections=_card_sections(ctx, day, topic, chosen),
        cards_href=urls.relative(url, urls.cards_url(day.date)),
        llm_notice=llm_notice(day, ctx.config.selection.threshold),
        prev=day_link(url, neighbours[0], topic.slug),
        next=day_link(url, neighbours[1], topic.slug),
        overview_href=urls.relative(url, urls.day_url(day.date)),
        topic_href=urls.relative(url, urls.topic_url(topic.slug)),
        feed_href=urls.relative(url, urls.feed_url(topic.slug)),
        whole_day_href=urls.relative(url, urls.whole_day_url(day.date)),
        week_href=urls.relative(url, urls.period_url(Period.week_of(day.date), topic.slug)),
    )
    ctx.content.add_page(
        url,
        f"{topic.name} · {day.date}",
        ctx.render("topic_day.md", page),
        description=f"{day.date} arXiv {topic.name}: {len(chosen)} 篇",
        **feed_links(topic),
    )


def _card_sections(
    ctx: Context, day: Day, topic: Topic, chosen: list[Selected]
) -> list[CardSection]:
    """The sections that have papers, each with its papers' cards and briefs."""
    url = urls.topic_day_url(day.date, topic.slug)
    homes = ctx.selected.homes(day, ctx.config.topics)
    names = {t.slug: t.name for t in ctx.config.topics}

    full = full_pages(ctx.config, day.date, ctx.dates)

    def view(s: Selected) -> CardView | BriefView:
        home = homes[s.paper.id].slug
        if home != topic.slug:
            href = urls.relative(url, urls.topic_day_url(day.date, home)) + "#" + s.paper.id
            return BriefView(s.paper, s.hit, day.date, names[home], href)
        if full:
            return CardView(s.paper, s.hit, day.date, topic)
        return BriefView(s.paper, s.hit, day.date)  # its card waits whole in the day file

    return [
        CardSection(section.name, section.slug, [view(s) for s in section.chosen])
        for section in by_subtopic(topic, chosen)
        if section.chosen
    ]


def render_day_file(ctx: Context, day: Day) -> None:
    """cards/ beside the day's pages: the abstracts and citation data of every paper a
    topic page of the day lists, once however many topics list it, a file a part
    (card_data.py); on an older day (full_pages), each paper's whole card too, as its
    home page would show it. Left on the pages, the abstracts alone made a realistic
    day's topic pages 1.5 MiB, and each paper listed on 1.5 of them; gzipped here, a
    card is a fifth of its bytes on a page."""
    homes = ctx.selected.homes(day, ctx.config.topics)
    whole = not full_pages(ctx.config, day.date, ctx.dates)
    entries = {}
    for topic in ctx.config.topics:
        for s in ctx.selected(day, topic):
            if homes[s.paper.id].slug != topic.slug:
                continue
            card = (
                ctx.card_in_day_file(CardView(s.paper, s.hit, day.date, topic)) if whole else None
            )
            entries[s.paper.id] = day_entry(s.paper, citation(s.paper, day.date.year), card)
    if not entries:
        return
    for part, data in day_files(entries.items()).items():
        ctx.content.add_gzipped(urls.source_path(urls.cards_url(day.date, part)), data)


def llm_notice(day: Day, threshold: int) -> str | None:
    """Say plainly when translations are missing, and why, instead of hiding it.

    Only the papers a page lists are read with their reasons (Store.read_listed); the
    counts cover them all."""
    counts = day.counts()
    untranslated = counts.total - counts.llm.get("done", 0)
    skipped = {p.llm.reason for p in day.papers if p.llm.status == "skipped"}
    if untranslated == counts.total and skipped == {NO_LLM} and not counts.llm.get("failed"):
        return "本日未翻译(未配置 LLM),显示英文原文与关键词专题"
    why = []
    if counts.llm.get("failed"):
        why.append(f"{counts.llm['failed']} 篇翻译失败,下次运行重试")
    if BUDGET_LEFT in skipped:
        why.append("今日翻译额度已用完")
    lacking = sum(lacks_details(p, threshold) for p in day.papers)
    if lacking:
        why.append(f"{lacking} 篇摘要待补全")
    if not untranslated and not lacking:
        return None
    text = f"{untranslated} 篇尚未翻译,显示英文原文" if untranslated else "部分论文显示英文摘要"
    return text + (f"({';'.join(why)})" if why else "")
