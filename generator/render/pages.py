"""Markdown pages for every stored day, topic, the archive and the home page."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frontmatter
import jinja2
from markupsafe import Markup

from generator import card_data
from generator.config import Config, Topic
from generator.errors import RenderError
from generator.files import inside, write_atomic
from generator.models import BUDGET_LEFT, NO_LLM, Day, Paper, TopicHit
from generator.render import feeds, urls
from generator.render.bibtex import citation
from generator.selection import lacks_details, listed_under

ANNOUNCE_LABELS = {
    "new": "新提交",
    "cross": "交叉列表",
    "replace": "版本更新",
    "replace-cross": "替换交叉",
}
AUTHOR_LIMIT = 12  # authors shown before "… 等 N 人"
BEST_ON_OVERVIEW = 5
BEST_ON_TOPIC_PAGE = 20
WEEKDAY_NAMES = ["一", "二", "三", "四", "五", "六", "日"]
# Folders render owns completely: a file there that this render did not write is stale.
GENERATED_DIRS = re.compile(r"^(\d{4}/|topics/|feeds/)")
CARD_TEMPLATE = "partials/paper-card.html"  # in the theme's overrides/, beside Material's partials

# < > & are left to Jinja's HTML escaping: Markdown passes entities through.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$])")


def md_escape(text: str) -> str:
    """Text for a Markdown heading: every character Markdown could act on is escaped."""
    return _MD_SPECIAL.sub(r"\\\1", text)


@dataclass
class Selected:
    """A paper selected into one topic on one day, with its hit there."""

    paper: Paper
    hit: TopicHit


def select(day: Day, topic: Topic, threshold: int) -> list[Selected]:
    """The day's papers for the topic, scoring at least `threshold`, best score first."""
    chosen = [
        Selected(p, hit)
        for p in day.papers
        if (hit := p.hit(topic.slug)) is not None and listed_under(hit, threshold)
    ]
    return sorted(chosen, key=lambda s: (-s.hit.score, s.paper.id))


UNSORTED = "_unsorted"  # the section of hits whose sub-topic digest.yml no longer has
UNSORTED_NAME = "其他"


def by_subtopic(topic: Topic, chosen: list[Selected]) -> list[tuple[str, str, list[Selected]]]:
    """(name, anchor, papers) of each sub-topic in digest.yml's order, and last those
    whose stored sub-topic it no longer has (renamed or removed): a page shows every
    paper it counts, until `arxiv-digest retriage` sorts them again."""
    known = {sub.slug for sub in topic.subtopics}
    sections = [
        (sub.name, sub.slug, [s for s in chosen if s.hit.subtopic == sub.slug])
        for sub in topic.subtopics
    ]
    sections.append((UNSORTED_NAME, UNSORTED, [s for s in chosen if s.hit.subtopic not in known]))
    return sections


class Selections:
    """`select` at one threshold, made once per day and topic: day pages, topic pages,
    feeds and search documents (render/search.py) all ask for the same ones."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self._made: dict[tuple[dt.date, str], list[Selected]] = {}

    def __call__(self, day: Day, topic: Topic) -> list[Selected]:
        key = (day.date, topic.slug)
        if key not in self._made:
            self._made[key] = select(day, topic, self.threshold)
        return self._made[key]


class SiteRenderer:
    def __init__(
        self,
        config: Config,
        days: list[Day],
        site_url: str | None,
        *,
        overrides: Path,
        selections: Selections | None = None,
    ) -> None:
        """`selections`: those already made for these days (a build makes the search
        documents' first), else made here."""
        self.config = config
        self.days = sorted(days, key=lambda d: d.date)
        self.site_url = site_url
        if selections is None:
            selections = Selections(config.selection.threshold)
        self.selected = selections
        if not (overrides / CARD_TEMPLATE).is_file():
            raise RenderError(f"the paper card is missing: {overrides / CARD_TEMPLATE}")
        self.env = jinja2.Environment(
            # Page templates ship with the package; the card is part of the theme.
            loader=jinja2.ChoiceLoader(
                [
                    jinja2.PackageLoader("generator.render", "templates"),
                    jinja2.FileSystemLoader(overrides),
                ]
            ),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined,
        )
        self.env.filters["md"] = md_escape
        card_data.register(self.env)
        self._card = self.env.get_template(CARD_TEMPLATE)
        self.pages: dict[str, str] = {}  # path under content/ → text, without `emit`
        self.paths: set[str] = set()  # every page made
        self._emit: Callable[[str, str], object] = self.pages.__setitem__

    # -- pages -------------------------------------------------------------

    def render(self, emit: Callable[[str, str], object] | None = None) -> dict[str, str]:
        """Every page: `emit(path, text)` takes each one as it is made (an archive's pages
        are too big to hold at once); without it they are returned."""
        if emit is not None:
            self._emit = emit
        for index, day in enumerate(self.days):
            neighbours = (
                self.days[index - 1].date if index else None,
                self.days[index + 1].date if index + 1 < len(self.days) else None,
            )
            self.add_day(day, neighbours, urls.day_url(day.date))
            for topic in self.config.topics:
                self.add_topic_day(day, topic, neighbours)
        if self.days:
            latest = self.days[-1]
            self.add_day(latest, (self.days[-2].date if len(self.days) > 1 else None, None), "")
        else:
            self.add_page(
                "",
                "暂无内容",
                "# 暂无内容\n\n还没有任何一天的论文。运行 `arxiv-digest run` 开始。\n",
            )
        for topic in self.config.topics:
            self.add_topic(topic)
        self.add_topics_index()
        self.add_archive()
        self.add_favorites()
        for path, text in feeds.render_feeds(self, self.site_url).items():
            self._add(path, text)
        return self.pages

    def add_page(
        self, url: str, title: str, body: str, *, path: str | None = None, **meta: Any
    ) -> None:
        post = frontmatter.Post(body, title=title, **meta)
        self._add(path or urls.source_path(url), frontmatter.dumps(post, sort_keys=False) + "\n")

    def _add(self, path: str, text: str) -> None:
        if path in self.paths:
            raise RenderError(f"two pages would be written to content/{path}")
        self.paths.add(path)
        self._emit(path, text)

    def card(
        self,
        paper: Paper,
        hit: TopicHit | None,
        date: dt.date,
        topic: Topic,
        *,
        english_later: bool = False,
    ) -> Markup:
        html = self._card.render(
            paper=paper,
            hit=hit,
            date=date.isoformat(),
            announce_labels=ANNOUNCE_LABELS,
            subtopic_names={s.slug: s.name for s in topic.subtopics},
            author_limit=AUTHOR_LIMIT,
            language=self.config.site.language,
            budget_left=BUDGET_LEFT,
            cite=citation(paper, date.year),
            english_later=english_later,
        )
        # Belt and braces: a blank line would end the raw HTML block in Markdown.
        return Markup(re.sub(r"\n\s*\n", "\n", html).strip())

    def add_topic_day(
        self, day: Day, topic: Topic, neighbours: tuple[dt.date | None, dt.date | None]
    ) -> None:
        url = urls.topic_day_url(day.date, topic.slug)
        chosen = self.selected(day, topic)
        abstracts_href = self.add_english_abstracts(day, topic, chosen)
        sections = []
        for name, slug, in_section in by_subtopic(topic, chosen):
            if in_section:
                sections.append(
                    {
                        "name": name,
                        "slug": slug,
                        "papers": [s.paper for s in in_section],
                        "hits": [s.hit for s in in_section],
                    }
                )
        body = self.env.get_template("topic_day.md").render(
            topic=topic,
            date=day.date.isoformat(),
            total=len(chosen),
            categories=self.config.topic_categories(topic),
            sections=sections,
            card=lambda paper, hit: self.card(
                paper, hit, day.date, topic, english_later=abstracts_href is not None
            ),
            abstracts_href=abstracts_href,
            llm_notice=llm_notice(day, self.config.selection.threshold),
            prev=self._link(url, neighbours[0], topic.slug),
            next=self._link(url, neighbours[1], topic.slug),
            overview_href=urls.relative(url, urls.day_url(day.date)),
            topic_href=urls.relative(url, urls.topic_url(topic.slug)),
            feed_href=urls.relative(url, urls.feed_url(topic.slug)),
        )
        self.add_page(
            url,
            f"{topic.name} · {day.date}",
            body,
            description=f"{day.date} arXiv {topic.name}: {len(chosen)} 篇",
            **self._feed_meta(topic),
        )

    def add_english_abstracts(self, day: Day, topic: Topic, chosen: list[Selected]) -> str | None:
        """abstracts.json beside the topic's page: the English abstract of every paper the
        page also shows in Chinese (the card leaves those out), by id. Left in the HTML,
        the two abstracts would make a 100-paper page about 500 KB; the reader of Chinese
        rarely opens the English one. Returns its href from the page, if it has one."""
        later = {s.paper.id: s.paper.abstract for s in chosen if s.paper.abstract_zh}
        if not later:
            return None
        url = urls.abstracts_url(day.date, topic.slug)
        text = json.dumps(later, ensure_ascii=False, separators=(",", ":"))
        self._add(urls.source_path(url), text + "\n")
        return urls.relative(urls.topic_day_url(day.date, topic.slug), url)

    def _link(self, from_url: str, date: dt.date | None, slug: str | None) -> dict[str, str] | None:
        if date is None:
            return None
        target = urls.topic_day_url(date, slug) if slug else urls.day_url(date)
        return {"date": date.isoformat(), "href": urls.relative(from_url, target)}

    def add_day(
        self, day: Day, neighbours: tuple[dt.date | None, dt.date | None], url: str
    ) -> None:
        counts = day.counts()
        groups: dict[str, list[dict[str, Any]]] = {}
        for topic in self.config.topics:
            chosen = self.selected(day, topic)
            topic_url = urls.topic_day_url(day.date, topic.slug)
            groups.setdefault(topic.group, []).append(
                {
                    "name": topic.name,
                    "href": urls.relative(url, topic_url),
                    "count": len(chosen),
                    "subtopics": [
                        {"name": name, "count": len(papers)}
                        for name, slug, papers in by_subtopic(topic, chosen)
                        if papers or slug != UNSORTED
                    ],
                    "best": [self._best(url, topic_url, s) for s in chosen[:BEST_ON_OVERVIEW]],
                    "date": day.date.isoformat(),
                }
            )
        heading = f"{self.config.site.title} · {day.date}" if url == "" else f"{day.date}"
        body = self.env.get_template("day.md").render(
            heading=heading,
            total=counts.total,
            counts={t: counts.announce.get(t, 0) for t in ANNOUNCE_LABELS},
            llm_notice=llm_notice(day, self.config.selection.threshold),
            groups=[{"name": name, "topics": topics} for name, topics in groups.items()],
            prev=self._link(url, neighbours[0], None),
            next=self._link(url, neighbours[1], None),
            archive_href=urls.relative(url, urls.ARCHIVE_URL),
            unplaced=self.failed_and_unlisted(day),
        )
        title = self.config.site.title if url == "" else f"{day.date} 概览"
        self.add_page(url, title, body, description=f"arXiv {day.date}: {counts.total} 篇")

    def failed_and_unlisted(self, day: Day) -> list[Paper]:
        """Papers the LLM step failed on that no topic page lists: without this list
        they would be nowhere on the site until `enrich` succeeds."""
        listed = {s.paper.id for topic in self.config.topics for s in self.selected(day, topic)}
        return [p for p in day.papers if p.llm.status == "failed" and p.id not in listed]

    def _best(self, from_url: str, topic_url: str, chosen: Selected) -> dict[str, Any]:
        return {
            "title": chosen.paper.title,
            "title_zh": chosen.paper.title_zh,
            "score": chosen.hit.score,
            "href": urls.relative(from_url, topic_url) + "#" + chosen.paper.id,
            "id": chosen.paper.id,
        }

    def add_topic(self, topic: Topic) -> None:
        url = urls.topic_url(topic.slug)
        recent = self.days[-self.config.selection.topic_page_days :]
        days = []
        for day in reversed(recent):
            chosen = self.selected(day, topic)
            topic_url = urls.topic_day_url(day.date, topic.slug)
            days.append(
                {
                    "date": day.date.isoformat(),
                    "count": len(chosen),
                    "href": urls.relative(url, topic_url),
                    "best": [self._best(url, topic_url, s) for s in chosen[:BEST_ON_TOPIC_PAGE]],
                }
            )
        body = self.env.get_template("topic.md").render(
            topic=topic, days=days, feed_href=urls.relative(url, urls.feed_url(topic.slug))
        )
        self.add_page(
            url, topic.name, body, description=topic.description, **self._feed_meta(topic)
        )

    def _feed_meta(self, topic: Topic) -> dict[str, str]:
        """Front matter that overrides/main.html turns into <link rel="alternate">."""
        return {"feed": urls.feed_url(topic.slug), "feed_title": f"{topic.name} (Atom)"}

    def add_topics_index(self) -> None:
        url = "topics/"
        groups: dict[str, list[dict[str, Any]]] = {}
        for topic in self.config.topics:
            groups.setdefault(topic.group, []).append(
                {
                    "name": topic.name,
                    "description": topic.description,
                    "href": urls.relative(url, urls.topic_url(topic.slug)),
                    "subtopics": [{"name": s.name} for s in topic.subtopics],
                }
            )
        body = self.env.get_template("topics_index.md").render(
            groups=[{"name": name, "topics": topics} for name, topics in groups.items()]
        )
        # topics/index.md, not topics.md: topics/<slug>.md live in that folder.
        self.add_page(url, "专题", body, path="topics/index.md")

    def add_favorites(self) -> None:
        body = self.env.get_template("favorites.md").render()
        self.add_page("favorites/", "收藏", body)

    def add_archive(self) -> None:
        url = urls.ARCHIVE_URL
        counts = {day.date: day.counts().total for day in self.days}
        months = sorted({(d.year, d.month) for d in counts}, reverse=True)
        body = self.env.get_template("archive.md").render(
            total_days=len(counts),
            total_papers=sum(counts.values()),
            weekday_names=WEEKDAY_NAMES,
            months=[self._month(url, year, month, counts) for year, month in months],
        )
        self.add_page(url, "归档", body)

    def _month(self, url: str, year: int, month: int, counts: dict[dt.date, int]) -> dict[str, Any]:
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells: list[dict[str, Any] | None] = []
            for date in week:
                if date.month != month:
                    cells.append(None)
                elif date in counts:
                    href = urls.relative(url, urls.day_url(date))
                    cells.append({"day": date.day, "count": counts[date], "href": href})
                else:
                    cells.append({"day": date.day, "href": None})
            weeks.append(cells)
        return {"key": f"{year}-{month:02d}", "label": f"{year} 年 {month} 月", "weeks": weeks}


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


@dataclass
class Rendered:
    written: int  # files under content/ that changed
    removed: int  # stale generated files deleted


def render_site(
    config: Config,
    days: list[Day],
    content_dir: Path,
    site_url: str | None = None,
    *,
    overrides: Path | None = None,
) -> Rendered:
    """Write every page under content/.

    `overrides` is the theme folder holding the paper card; by default the project's,
    beside content/.
    """
    overrides = overrides or content_dir.parent / "overrides"
    return write_content(SiteRenderer(config, days, site_url, overrides=overrides), content_dir)


def write_content(renderer: SiteRenderer, content_dir: Path) -> Rendered:
    """The renderer's pages into content/, each written as it is made (unchanged files
    are left alone), and stale generated files removed."""
    written = 0

    def write(path: str, text: str) -> None:
        nonlocal written
        written += write_atomic(inside(content_dir, path), text, durable=False)

    renderer.render(write)
    removed = 0
    for path in sorted(content_dir.rglob("*")):
        relative = path.relative_to(content_dir).as_posix()
        if path.is_file() and GENERATED_DIRS.match(relative) and relative not in renderer.paths:
            path.unlink()
            removed += 1
    return Rendered(written, removed)
