"""Replies in the shapes real providers give: display names for slugs, scores as
text, code blocks, thinking first. Read through the real client and checks, and
through a whole day, they give the records a plain JSON reply gives."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from arxiv_server import FixtureArxiv, combined_feed
from fixture_site import copy_project
from llm_server import DIALECTS, FakeLLM

from generator.cli import main
from generator.config import load_config
from generator.enrich.client import ChatClient, Completion, LLMSettings
from generator.enrich.replies import read_triage
from generator.enrich.usage import Usage
from generator.errors import ReplyRejected
from generator.models import TopicHit
from generator.sources.rss import parse_feed

REPO = Path(__file__).resolve().parents[1]
SHAPES = REPO / "tests" / "fixtures" / "replies"
CONFIG = load_config(REPO / "digest.yml")
DATE = "2026-06-19"
DEEPSEEK, PLAIN = "2606.19348", "2606.19344"
PAPERS = {
    p.id: p
    for p in parse_feed(combined_feed(DATE, ["cs.AI", "cs.CL", "cs.CV", "cs.LG"])).papers
    if p.id in (DEEPSEEK, PLAIN)
}
# What every file of fixtures/replies/ says, whatever its form.
MEANT = {
    DEEPSEEK: [TopicHit("llm", "pretraining", 95, "百万token上下文MoE模型,架构优化")],
    PLAIN: [
        TopicHit("llm", "other", 40, "研究LLM中隐藏偏见的可视化方法。"),
        TopicHit("llm-safety", "safety-evaluation", 72, "提出揭示模型偏见的评测与可视化手段。"),
    ],
}


def shape(name: str) -> bytes:
    return (SHAPES / f"{name}.json").read_bytes()


def complete(body: bytes) -> Completion:
    """`body` as the provider's answer to a request, read by the real ChatClient."""

    def provider(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    async def ask() -> Completion:
        async with httpx.AsyncClient(transport=httpx.MockTransport(provider)) as http:
            settings = LLMSettings(base_url="http://provider.test/v1", api_key="sk-test")
            client = ChatClient(settings, http, Usage())
            return await client.complete([{"role": "user", "content": "…"}], max_tokens=2000)

    return asyncio.run(ask())


def spoiled(name: str, old: str, new: str) -> bytes:
    """The provider's body with one thing in its reply text written otherwise."""
    body = json.loads(shape(name))
    content = body["choices"][0]["message"]["content"]
    assert old in content, f"{old!r} is not in {name}"
    body["choices"][0]["message"]["content"] = content.replace(old, new, 1)
    return json.dumps(body, ensure_ascii=False).encode()


@pytest.mark.parametrize("name", sorted(p.stem for p in SHAPES.glob("*.json")))
def test_each_providers_reply_shape_is_read_as_slugs_and_integers(name: str) -> None:
    completion = complete(shape(name))
    reading = read_triage(completion.text, PAPERS, CONFIG, truncated=completion.truncated)
    assert reading.rejected == {}
    assert {i: t.topics for i, t in reading.accepted.items()} == MEANT
    assert all(type(hit.score) is int for hits in MEANT.values() for hit in hits)


def test_the_shapes_cover_the_forms_we_accept() -> None:
    """Guards the fixtures: each still shows the form it is there for."""
    text = {p.stem: complete(p.read_bytes()).text for p in SHAPES.glob("*.json")}
    assert text["openai-json-mode"].startswith('{"papers"')
    assert text["deepseek-code-block"].startswith("```json\n")
    assert '"topic": "语言大模型 / LLM"' in text["qwen-names-and-string-scores"]
    assert '"score": " 40 "' in text["qwen-names-and-string-scores"]
    assert '"topic": "llm: 语言大模型 / LLM"' in text["ollama-slug-and-name"]
    assert '"subtopic": "安全评测（safety-evaluation）"' in text["ollama-slug-and-name"]
    assert text["reasoning-think-first"].startswith("<think>\n")
    assert '"score": "95.0"' in text["reasoning-think-first"]


@pytest.mark.parametrize(
    ("body", "paper", "problem"),
    [
        (
            spoiled("qwen-names-and-string-scores", '"95"', '"95.5"'),
            DEEPSEEK,
            "score of topic 'llm' must be an integer 0-100, got '95.5'",
        ),
        (
            spoiled("qwen-names-and-string-scores", '"95"', '"high"'),
            DEEPSEEK,
            "got 'high'",
        ),
        (spoiled("ollama-slug-and-name", "95.0", "true"), DEEPSEEK, "got True"),
        (spoiled("openai-json-mode", ":95,", ":250,"), DEEPSEEK, "got 250"),
        (
            spoiled("qwen-names-and-string-scores", '"语言大模型 / LLM"', '"语言大模型"'),
            DEEPSEEK,
            "unknown topic '语言大模型'",
        ),
        (
            spoiled("ollama-slug-and-name", "llm: 语言大模型 / LLM", "llm: 多模态大模型"),
            DEEPSEEK,
            "unknown topic 'llm: 多模态大模型'",
        ),
        (
            spoiled("ollama-slug-and-name", "预训练 (pretraining)", "工具使用 (tool-use)"),
            DEEPSEEK,
            "unknown sub-topic '工具使用 (tool-use)' of topic 'llm'",
        ),
        (
            spoiled(
                "reasoning-think-first", '"title_zh": "DeepSeek', '"title_zh": "以下是翻译:DeepSeek'
            ),
            DEEPSEEK,
            "commentary",
        ),
    ],
    ids=[
        "qwen: 95.5",
        "qwen: high",
        "ollama: a bool",
        "openai: 250",
        "qwen: half a name",
        "ollama: slug and another's name",
        "ollama: another topic's sub-topic",
        "reasoning: commentary in the title",
    ],
)
def test_a_provider_shape_that_says_something_else_rejects_its_paper(
    body: bytes, paper: str, problem: str
) -> None:
    completion = complete(body)
    reading = read_triage(completion.text, PAPERS, CONFIG)
    assert list(reading.accepted) == [p for p in PAPERS if p != paper]
    assert problem in reading.rejected[paper]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (spoiled("openai-json-mode", DEEPSEEK, "2606.99999"), "not asked for: 2606.99999"),
        (spoiled("qwen-names-and-string-scores", DEEPSEEK, f"arXiv:{DEEPSEEK}"), "not asked for"),
        (spoiled("reasoning-think-first", "\n</think>\n\n", "\n</think>\nHere it is: "), "JSON"),
        (spoiled("deepseek-code-block", "\n```", "\n```\nHope this helps!"), "JSON"),
    ],
    ids=[
        "openai: a wrong id",
        "qwen: an id with a prefix",
        "reasoning: a preamble",
        "deepseek: a note",
    ],
)
def test_a_provider_shape_with_wrong_ids_or_commentary_is_rejected_whole(
    body: bytes, problem: str
) -> None:
    with pytest.raises(ReplyRejected, match=problem):
        read_triage(complete(body).text, PAPERS, CONFIG)


# -- a whole day in a provider's dialect ------------------------------------------


def run_day(project: Path, dialect: str) -> tuple[FakeLLM, bytes]:
    """`run --no-build` for 2026-06-19 against loopback arXiv and an LLM of `dialect`."""
    with (
        FixtureArxiv(download=DATE) as arxiv,
        FakeLLM(dialect=dialect) as llm,
        pytest.MonkeyPatch.context() as env,
    ):
        for name, value in {**arxiv.env(), **llm.env()}.items():
            env.setenv(name, value)
        assert main(["--root", str(project), "run", "--no-build"]) == 0
    return llm, (project / "data" / DATE[:4] / f"{DATE}.jsonl").read_bytes()


@pytest.fixture(scope="module")
def plain_day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[bytes]:
    """The day's records as a provider answering in plain JSON with slugs leaves them."""
    _, stored = run_day(copy_project(tmp_path_factory.mktemp("plain") / "project"), "openai")
    yield stored


SPOKEN = {
    "deepseek": "```json\n{",
    "qwen": '"topic": "语言大模型 / LLM", "subtopic": "预训练", "score": "95"',
    "ollama": (
        '"topic": "llm: 语言大模型 / LLM", "subtopic": "预训练（pretraining）", "score": 95.0'
    ),
    "reasoning": '"topic": "LLM", "subtopic": "pretraining", "score": "95.0"',
}


@pytest.mark.parametrize("dialect", [d for d in DIALECTS if d != "openai"])
def test_a_day_answered_in_a_providers_dialect_is_stored_as_with_slugs(
    project: Path, plain_day: bytes, dialect: str
) -> None:
    llm, stored = run_day(project, dialect)
    assert any(SPOKEN[dialect] in reply for reply in llm.replies)  # it did speak that way
    records = [json.loads(line) for line in stored.decode().splitlines()]
    assert len(records) == 697
    assert [r["id"] for r in records if r["llm"]["status"] != "done"] == []
    meta = json.loads((project / "data" / DATE[:4] / f"{DATE}.meta.json").read_text())
    assert meta["llm"]["failed"] == 0
    slugs = {t.slug: {s.slug for s in t.subtopics} for t in CONFIG.topics}
    hits = [hit for record in records for hit in record["topics"]]
    assert hits and all(hit["subtopic"] in slugs[hit["topic"]] for hit in hits)
    assert all(type(hit["score"]) is int for hit in hits)
    assert stored == plain_day  # byte for byte what slugs and integers give
