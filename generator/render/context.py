"""What every kind of page is rendered with: the config, the days in order, their
selections, the templates and content/ to write into."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from generator import card_data
from generator.config import Config
from generator.errors import RenderError
from generator.models import Day, Paper
from generator.rank_data import RANK_PART
from generator.render import urls
from generator.render.cards import BRIEF_TEMPLATE, CARD_TEMPLATE, Cards, CardView
from generator.render.content import Content
from generator.render.selections import Selections
from generator.split import ONE_SITE, Edges

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

# < > & are left to Jinja's HTML escaping: Markdown passes entities through.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$])")


def md_escape(text: str) -> str:
    """Text for a Markdown heading: every character Markdown could act on is escaped."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def templates(overrides: Path) -> jinja2.Environment:
    """The page templates of the package and the card of the theme in `overrides`."""
    for template in (CARD_TEMPLATE, BRIEF_TEMPLATE):
        if not (overrides / template).is_file():
            raise RenderError(f"the paper card is missing: {overrides / template}")
    env = jinja2.Environment(
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
    env.filters["md"] = md_escape
    card_data.register(env)  # the card's marker and machine-readable data
    # Where any day's ranking file is, for the pages that rank (digest/daycards.js).
    env.globals["rank_files"] = urls.cards_pattern(RANK_PART)
    return env


AllPapers = Callable[[Day], Sequence[Paper]]


def papers_held(day: Day) -> Sequence[Paper]:
    """A day's papers when it was read whole (Store.read_day, or made in memory)."""
    return day.papers


@dataclass(frozen=True)
class Context:
    config: Config
    # The days the site-wide pages (home, topic histories, archive, feeds) are made
    # from, oldest first. A build holds only the recent ones whole: the others may
    # hold their counts alone (publish.py), which is all the archive calendar reads.
    days: Sequence[Day]
    dates: Sequence[dt.date]  # every day of the site, oldest first: days' neighbours
    selected: Selections
    content: Content
    site_url: str | None
    env: jinja2.Environment
    # Every paper of a day, for its whole-day page: a day read with only its listed
    # papers (Store.read_listed) is read whole again, one day at a time.
    all_papers: AllPapers = papers_held
    # Where this site's days end, in an archive split over two sites (generator/split.py).
    edges: Edges = ONE_SITE

    @classmethod
    def make(
        cls,
        config: Config,
        days: Sequence[Day],
        content: Content,
        site_url: str | None,
        *,
        overrides: Path,
        selections: Selections | None = None,
        all_papers: AllPapers = papers_held,
        dates: Sequence[dt.date] | None = None,
        edges: Edges = ONE_SITE,
    ) -> Context:
        env = templates(overrides)
        # Page templates show a card view as `{{ card | card }}`.
        env.filters["card"] = Cards(env, config.site.language).render
        selected = Selections(config.selection.threshold) if selections is None else selections
        ordered = sorted(days, key=lambda d: d.date)
        every_date = sorted(dates) if dates is not None else [day.date for day in ordered]
        return cls(config, ordered, every_date, selected, content, site_url, env, all_papers, edges)

    def card_in_day_file(self, view: CardView) -> str:
        """A card as an older day's file holds it (the templates' `card` filter, with
        slots for what its brief on the page shows: render/cards.py)."""
        return str(self.env.filters["card"](view, slots=True))

    def with_days(self, days: Sequence[Day]) -> Context:
        return dataclasses.replace(self, days=sorted(days, key=lambda d: d.date))

    def render(self, template: str, view: DataclassInstance | None = None) -> str:
        """The template, given the fields of `view` (a dataclass) by name."""
        names: dict[str, Any] = {}
        if view is not None:
            names = {f.name: getattr(view, f.name) for f in fields(view)}
        return self.env.get_template(template).render(**names)
