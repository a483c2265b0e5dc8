"""The same records built the naive way, as the fork-to-use digests do: one Markdown
page per day with Markdown cards, every day in the nav, Material's built-in search."""

from __future__ import annotations

import gzip
import html
import sys
from pathlib import Path
from typing import Any

import yaml
from measure import MB, folder_bytes, timed

from generator.config import Config
from generator.models import Day, Paper
from generator.render.context import md_escape
from generator.render.selections import select
from generator.store import Store


def measure(config: Config, data: Path, days: int, folder: Path) -> dict[str, Any]:
    store = Store(data)
    dates = store.days()[-days:]
    content = folder / "docs"
    nav = []
    published = 0
    for date in dates:
        day = store.read_listed(date, config.selection.threshold)
        text, count = day_page(config, day)
        page = f"{date:%Y/%m}/{date.isoformat()}.md"
        (content / page).parent.mkdir(parents=True, exist_ok=True)
        (content / page).write_text(text, encoding="utf-8")
        nav.append({date.isoformat(): page})
        published += count
    (content / "index.md").write_text("# arXiv 每日速递\n", encoding="utf-8")
    mkdocs = {
        "site_name": "arXiv digest (naive)",
        "docs_dir": "docs",
        "theme": {"name": "material", "language": "zh"},
        "plugins": ["search"],
        "nav": [{"首页": "index.md"}, {"每日": nav[::-1]}],
    }
    (folder / "mkdocs.yml").write_text(yaml.safe_dump(mkdocs, allow_unicode=True))
    print(f"naive: building {days} day pages with MkDocs (Material, built-in search)...")
    seconds, peak, _ = timed([sys.executable, "-m", "mkdocs", "build", "--quiet"], folder)
    site = folder / "site"
    index = (site / "search" / "search_index.json").read_bytes()
    workers = b"".join(p.read_bytes() for p in (site / "assets/javascripts/workers").glob("*.js"))
    size = folder_bytes(site)
    print(f"naive: {seconds:.0f} s, {size / MB:,.0f} MB")
    return {
        "days": days,
        "build_seconds": round(seconds, 1),
        "peak_memory_mb": round(peak),
        "site_bytes": size,
        "published_papers": published,
        "bytes_per_paper": round(size / published),
        "search_index_bytes": len(index),
        # Material fetches the whole index (and its worker) on the first page load;
        # counted gzipped, as GitHub Pages serves it.
        "first_search_bytes": len(gzip.compress(index, 6)) + len(gzip.compress(workers, 6)),
    }


def day_page(config: Config, day: Day) -> tuple[str, int]:
    """A day as one Markdown page: a section per topic, a Markdown card per paper."""
    lines = [f"# {day.date.isoformat()}", ""]
    count = 0
    for topic in config.topics:
        lines += [f"## {_md(topic.name)}", ""]
        for chosen in select(day, topic, config.selection.threshold):
            lines += card(chosen.paper, chosen.hit.score)
            count += 1
    return "\n".join(lines) + "\n", count


def card(paper: Paper, score: int) -> list[str]:
    return [
        f"### {_md(paper.title)}",
        "",
        f"**{_md(paper.title_zh or '')}**",
        "",
        f"- 作者: {_md(', '.join(paper.authors))}",
        f"- 相关度: {score} · [arXiv:{paper.id}](https://arxiv.org/abs/{paper.id})",
        f"- AI 总结: {_md(paper.tldr or '')}",
        "",
        f"> {_md(paper.abstract_zh or '')}",
        "",
        f"> {_md(paper.abstract)}",
        "",
    ]


def _md(text: str) -> str:
    """Text from arXiv for Markdown: md_escape leaves < > & to Jinja, which is not here."""
    return md_escape(html.escape(text, quote=False))
