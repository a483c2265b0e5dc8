"""The fixture site: two real days (2026-06-18 and -19) run end to end through the
loopback arXiv and LLM, plus one hostile paper, rendered and built with search.

Browser tests read it; `python tests/fixture_site.py DIR` builds one to look at.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from arxiv_server import FixtureArxiv
from llm_server import FakeLLM

from generator.cli import main
from generator.models import Day, Paper, StepState, TopicHit
from generator.store import Store

REPO = Path(__file__).resolve().parents[1]
DAYS = ("2026-06-18", "2026-06-19")
OLDER_DAY = dt.date(2025, 12, 31)  # a day of another year: search keeps a bundle per year
OLDER_ID = "2512.00001"
HOSTILE_ID = "2606.99999"
HOSTILE_TITLE = 'Robust <img src=x onerror=alert(1)> attention <script>alert("t")</script>'
HOSTILE_ABSTRACT = (
    'We study <script>alert("a")</script> and <img src=x onerror=alert(2)> in prompts; '
    "a </textarea><b>bold</b> & ampersand, $x^2$ math."
)


def copy_project(root: Path, site_url: str | None = None) -> Path:
    """A project like a fork's: the repository's digest.yml, mkdocs.yml and overrides/.
    Loopback servers answer at once, so requests are not paced as for a provider."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("digest.yml", "mkdocs.yml"):
        shutil.copy(REPO / name, root / name)
    if site_url:  # Material's instant navigation only follows links under site_url
        mkdocs = root / "mkdocs.yml"
        text = mkdocs.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^site_url: .*$", f"site_url: {site_url}", text)
        mkdocs.write_text(text, encoding="utf-8")
    shutil.copytree(REPO / "overrides", root / "overrides", dirs_exist_ok=True)
    config = root / "digest.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "requests_per_minute: 300", "requests_per_minute: 60000"
        ),
        encoding="utf-8",
    )
    return root


def run_days(root: Path, *downloads: str, env: dict[str, str] | None = None) -> Path:
    """`root` after `arxiv-digest run --no-build` on each download date, in order, with
    `env` added (e.g. a loopback LLM's)."""
    for download in downloads:
        with FixtureArxiv(download=download) as arxiv, environment({**arxiv.env(), **(env or {})}):
            assert main(["--root", str(root), "run", "--no-build"]) == 0
    return root


@contextmanager
def arxiv_today(
    monkeypatch: Any, timeout: str, download: str = "2026-06-19"
) -> Iterator[FixtureArxiv]:
    """The loopback arXiv serving `download`, the environment pointed at it with an
    arXiv deadline of `timeout` seconds."""
    with FixtureArxiv(download=download) as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("DIGEST_HTTP_TIMEOUT", timeout)
        yield server


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def translated_llm_paper(arxiv_id: str, score: int, reason: str, **fields: Any) -> Paper:
    """A paper of cs.CL, translated, listed under the LLM topic's "other" section."""
    paper = Paper(
        id=arxiv_id,
        version=1,
        categories=["cs.CL"],
        primary_category="cs.CL",
        announce_type="new",
        **fields,
    )
    paper.topics = [TopicHit("llm", "other", score, reason)]
    paper.api = StepState("done")
    paper.llm = StepState("done")
    return paper


def hostile_paper() -> Paper:
    return translated_llm_paper(
        HOSTILE_ID,
        99,
        "<b>理由</b> & 测试",
        title=HOSTILE_TITLE,
        authors=["Eve <b>Mallory</b>", "Bob & Alice"],
        abstract=HOSTILE_ABSTRACT,
        title_zh='稳健注意力 <img src=x onerror=alert(3)> <script>alert("z")</script>',
        abstract_zh='我们研究 <script>alert("b")</script> 与 <img src=x onerror=alert(4)>。',
        tldr="一个带有 <script> 标签的标题。",
    )


def older_paper() -> Paper:
    return translated_llm_paper(
        OLDER_ID,
        80,
        "测试",
        title="Quokka: A Benchmark of Jailbreak Prompts from an Earlier Year",
        authors=["Ada Older"],
        abstract="An older paper, only in the 2025 search bundle.",
        title_zh="短尾矮袋鼠:往年的越狱提示基准",
        abstract_zh="一篇较早的论文,只在 2025 年的搜索索引里。",
        tldr="往年的越狱提示基准。",
    )


def build_fixture_site(root: Path, site_url: str | None = None) -> Path:
    """A project in `root` with the two fixture days published; returns site/."""
    copy_project(root, site_url)
    with FakeLLM() as llm:
        for day in DAYS:
            with FixtureArxiv(download=day) as arxiv, environment({**arxiv.env(), **llm.env()}):
                if main(["--root", str(root), "run", "--no-build"]) != 0:
                    raise RuntimeError(f"the fixture run of {day} failed")
    store = Store(root / "data")
    last = store.read_day(dt.date.fromisoformat(DAYS[-1]))
    hostile = hostile_paper()
    # Also under a second topic, scoring lower there: its brief (test_briefs.py).
    hostile.topics.append(TopicHit("agents", "tool-use", 70, "<i>第二</i> & 专题"))
    last.papers = sorted([*last.papers, hostile], key=lambda p: p.id)
    store.write_day(last)
    store.write_day(Day(OLDER_DAY, [older_paper()]))
    if main(["--root", str(root), "build"]) != 0:
        raise RuntimeError("the fixture build failed")
    return root / "site"


if __name__ == "__main__":
    print(build_fixture_site(Path(sys.argv[1]).resolve()))
