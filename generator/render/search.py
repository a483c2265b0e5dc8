"""What search finds: one small HTML document per listed paper, for Pagefind to index.

Pagefind downloads the fragment of every result it shows, and a fragment is a whole
indexed page: indexing the day pages would make a first query pull megabytes at
archive scale (DESIGN.md). So search gets its own tiny documents, one per paper per
day it is listed, holding what people search for (titles in both languages, the
summary, authors, the id, the topic and sub-topic names) and, as metadata, where the
paper's card is. The id is also a Pagefind filter: a query that is an arXiv id asks
for that filter value (digest/query.js), an exact match that the word index, which
splits "2606.19348" into pieces, cannot give. They are never published: `site` indexes
them and keeps only Pagefind's output.
"""

from __future__ import annotations

from collections.abc import Iterable

from jinja2 import Environment

from generator.config import Config
from generator.models import Day
from generator.render import urls
from generator.render.selections import Selections
from generator.site.layout import document_path

AUTHORS_SEARCHED = 10  # enough to find a paper by its known authors; long lists cost bytes

_DOCUMENT = Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="{{ language }}"><head><meta charset="utf-8"><title>{{ p.title }}</title></head>
<body><main data-pagefind-body>
<span data-pagefind-meta="date:{{ date }}"></span>
<span data-pagefind-meta="topic:{{ topic }}"></span>
<span data-pagefind-meta="link:{{ link }}"></span>
<span data-pagefind-filter="id:{{ p.id }}"></span>
<h1 data-pagefind-meta="title">{{ p.title }}</h1>
{% if p.title_zh %}<p data-pagefind-meta="title_zh">{{ p.title_zh }}</p>{% endif %}
{% if p.tldr %}<p>{{ p.tldr }}</p>{% endif %}
<p>{{ p.authors[:authors] | join(", ") }}</p>
<p>arXiv:{{ p.id }}</p>
<p>{{ sections | join(" · ") }}</p>
</main></body></html>
"""
)


def search_documents(
    config: Config, days: Iterable[Day], selected: Selections | None = None
) -> dict[str, str]:
    """Path (site/layout.py: "2026/06/19/<id>.html") → HTML, one per paper listed on a topic page.

    A paper listed under several topics is one result: it points to its card (its
    home, Selections.homes), and names all of them. `selected` keeps the selections for the pages.
    """
    if selected is None:
        selected = Selections(config.selection.threshold)
    documents = {}
    for day in days:
        # id → (-score, topic name, sub-topic name) of each topic listing it, best first once sorted
        listed: dict[str, list[tuple[int, str, str]]] = {}
        for topic in config.topics:
            subtopics = {sub.slug: sub.name for sub in topic.subtopics}
            for chosen in selected(day, topic):
                hits = listed.setdefault(chosen.paper.id, [])
                hits.append((-chosen.hit.score, topic.name, subtopics.get(chosen.hit.subtopic, "")))
        homes = selected.homes(day, config.topics)
        papers = {p.id: p for p in day.papers}
        for paper_id, hits in listed.items():
            hits.sort()
            documents[document_path(day.date, paper_id)] = _DOCUMENT.render(
                language=config.site.language,
                p=papers[paper_id],
                date=day.date.isoformat(),
                topic=" · ".join(name for _, name, _ in hits),
                sections=[f"{name} {subtopic}" for _, name, subtopic in hits],
                link=urls.topic_day_url(day.date, homes[paper_id].slug) + "#" + paper_id,
                authors=AUTHORS_SEARCHED,
            )
    return documents
