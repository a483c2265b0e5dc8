"""Replies are read strictly: structure, ids, scores, topics, institutions."""

from __future__ import annotations

import json
import re
import reprlib
from pathlib import Path

import pytest

from generator.config import Config, load_config
from generator.enrich.checks import Target
from generator.enrich.replies import parse_object, read_detail, read_triage, topic_names
from generator.errors import ReplyRejected
from generator.models import Paper, TopicHit

CONFIG = load_config(Path(__file__).resolve().parents[1] / "digest.yml")


def paper(arxiv_id: str, categories: list[str] | None = None) -> Paper:
    return Paper(
        id=arxiv_id,
        version=1,
        title="Scaling Laws for Sparse Mixture-of-Experts Language Models",
        authors=["A. Author"],
        abstract="We study scaling laws of MoE language models with 8 experts. " * 3,
        categories=categories or ["cs.CL"],
        primary_category="cs.CL",
        announce_type="new",
    )


PAPERS = {"2606.00001": paper("2606.00001"), "2606.00002": paper("2606.00002", ["cs.CV"])}
GOOD_HIT = {"topic": "llm", "subtopic": "pretraining", "score": 88, "reason": "研究MoE扩展规律。"}
TITLE = "稀疏混合专家语言模型的扩展规律"


def triage_reply(*entries: dict) -> str:
    return json.dumps({"papers": list(entries)}, ensure_ascii=False)


def entry(arxiv_id: str, **changes: object) -> dict:
    return {"id": arxiv_id, "title_zh": TITLE, "topics": [dict(GOOD_HIT)], **changes}


def test_a_good_reply_is_read_and_ineligible_topics_dropped() -> None:
    reading = read_triage(triage_reply(entry("2606.00001"), entry("2606.00002")), PAPERS, CONFIG)
    assert reading.rejected == {}
    assert reading.accepted["2606.00001"].title_zh == TITLE
    assert reading.accepted["2606.00001"].topics[0].score == 88
    # llm draws from cs.CL, cs.AI, cs.LG: a cs.CV paper cannot be in it.
    assert reading.accepted["2606.00002"].topics == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"papers": [{"id": "2606.00001", "title_zh": "稀疏', "not valid JSON"),
        ("Here are the results: {}", "not valid JSON"),
        ("[1, 2]", "one JSON object"),
        ('{"results": []}', '"papers"'),
        (triage_reply(entry("2606.00001"), entry("2606.00001")), "appears twice"),
        (triage_reply(entry("2606.00001"), entry("2606.99999")), "not asked for: 2606.99999"),
        (triage_reply({"title_zh": TITLE}), '"id" string'),
    ],
)
def test_unusable_replies_are_rejected_whole(text: str, problem: str) -> None:
    with pytest.raises(ReplyRejected, match=problem):
        read_triage(text, PAPERS, CONFIG)


def test_a_cut_off_reply_says_so() -> None:
    with pytest.raises(ReplyRejected, match="cut off"):
        read_triage('{"papers": [', PAPERS, CONFIG, truncated=True)


@pytest.mark.parametrize(
    ("hit", "problem"),
    [
        ({**GOOD_HIT, "score": 101}, "integer 0-100"),
        ({**GOOD_HIT, "score": -1}, "integer 0-100"),
        ({**GOOD_HIT, "score": True}, "integer 0-100"),
        ({**GOOD_HIT, "topic": "quantum"}, "unknown topic 'quantum'"),
        ({**GOOD_HIT, "subtopic": "agents"}, "unknown sub-topic 'agents'"),
        ({**GOOD_HIT, "reason": ""}, '"reason"'),
    ],
)
def test_a_bad_hit_rejects_only_its_paper(hit: dict, problem: str) -> None:
    text = triage_reply(entry("2606.00001", topics=[hit]), entry("2606.00002"))
    reading = read_triage(text, PAPERS, CONFIG)
    assert list(reading.accepted) == ["2606.00002"]
    assert problem in reading.rejected["2606.00001"]


# -- tolerant about form, strict about meaning ----------------------------------------


def hit_read(hit: dict, config: Config = CONFIG) -> TopicHit:
    """The one hit of a one-paper reply, through read_triage; ReplyRejected if refused."""
    reading = read_triage(
        triage_reply(entry("2606.00001", topics=[hit])),
        {"2606.00001": PAPERS["2606.00001"]},
        config,
    )
    if reading.rejected:
        raise ReplyRejected(reading.rejected["2606.00001"])
    return reading.accepted["2606.00001"].topics[0]


@pytest.mark.parametrize(
    ("topic", "subtopic"),
    [
        ("llm", "pretraining"),  # what the prompt asks for
        ("语言大模型 / LLM", "预训练"),  # the display names (Qwen, small local models)
        ("LLM", "Pretraining"),  # another case
        ("llm: 语言大模型 / LLM", "pretraining: 预训练"),  # the prompt's own `slug: name`
        ("llm：语言大模型／LLM", "pretraining：预训练"),  # full-width colon and slash
        ("语言大模型 / LLM (llm)", "预训练 (pretraining)"),  # `name (slug)`
        ("语言大模型/LLM(llm)", "预训练（pretraining）"),  # no spaces; full-width parentheses
        ("llm / 语言大模型 / LLM", "pretraining / 预训练"),  # `slug / name`
        ("llm | 语言大模型 / LLM", "预训练 | pretraining"),  # `|`; either order
        ("\u3000语言大模型\u3000/\u3000LLM ", " 预 训 练 "),  # full-width and stray spaces
        ("llm", "pre_training"),  # hyphens and underscores aside
        ("llm", "Pre-Training"),
    ],
)
def test_a_topic_named_by_slug_or_display_name_is_read_as_its_slug(
    topic: str, subtopic: str
) -> None:
    assert hit_read({**GOOD_HIT, "topic": topic, "subtopic": subtopic}) == TopicHit(
        "llm", "pretraining", 88, "研究MoE扩展规律。"
    )


@pytest.mark.parametrize("score", [95, 95.0, "95", " 95 ", "95.0", "\u3000９５\u3000", "\n95\n"])
def test_a_score_that_is_an_integer_is_read_as_one(score: object) -> None:
    hit = hit_read({**GOOD_HIT, "score": score})
    assert hit.score == 95 and type(hit.score) is int


@pytest.mark.parametrize(
    ("hit", "problem"),
    [
        ({"topic": "quantum"}, "unknown topic 'quantum'"),
        ({"topic": "语言大模型"}, "unknown topic '语言大模型'"),  # half a name
        ({"topic": "llm: 多模态大模型"}, "unknown topic"),  # one topic's slug, another's name
        ({"topic": "llm: 语言大模型 / LLM — 大语言模型、预训练"}, "unknown topic"),  # + description
        ({"topic": "llm.pretraining"}, "unknown topic"),
        ({"topic": "l l m x"}, "unknown topic"),
        ({"topic": ""}, "unknown topic ''"),
        ({"topic": None}, "unknown topic None"),
        ({"topic": 1}, "unknown topic 1"),
        ({"topic": ["llm"]}, "unknown topic ['llm']"),
        ({"subtopic": "tool-use"}, "unknown sub-topic 'tool-use' of topic 'llm'"),  # of agents
        ({"subtopic": "工具使用"}, "unknown sub-topic '工具使用' of topic 'llm'"),
        ({"subtopic": "语言大模型 / LLM"}, "unknown sub-topic"),  # the topic, not a sub-topic
        ({"subtopic": None}, "unknown sub-topic None"),
        ({"score": "95.5"}, "integer 0-100, got '95.5'"),
        ({"score": 95.5}, "integer 0-100, got 95.5"),
        ({"score": "high"}, "integer 0-100, got 'high'"),
        ({"score": True}, "integer 0-100, got True"),
        ({"score": "true"}, "integer 0-100"),
        ({"score": 101}, "integer 0-100, got 101"),
        ({"score": "101"}, "integer 0-100, got '101'"),
        ({"score": -1}, "integer 0-100"),
        ({"score": "-1"}, "integer 0-100"),
        ({"score": "+95"}, "integer 0-100"),
        ({"score": "95%"}, "integer 0-100"),
        ({"score": "9 5"}, "integer 0-100"),
        ({"score": "1e2"}, "integer 0-100"),
        ({"score": "95."}, "integer 0-100"),
        ({"score": "٩٥"}, "integer 0-100"),  # Arabic-Indic digits: not ours to guess
        ({"score": "9" * 5000}, "integer 0-100"),
        ({"score": float("nan")}, "integer 0-100"),
        ({"score": 1e300}, "integer 0-100"),
        ({"score": ""}, "integer 0-100"),
        ({"score": None}, "integer 0-100"),
        ({"score": [95]}, "integer 0-100"),
    ],
    ids=reprlib.repr,
)
def test_a_hit_that_names_no_one_topic_or_no_integer_is_rejected(hit: dict, problem: str) -> None:
    with pytest.raises(ReplyRejected, match=re.escape(problem)):
        hit_read({**GOOD_HIT, **hit})


def test_a_name_that_fits_two_topics_names_neither_but_a_slug_still_wins() -> None:
    # A forker names their multimodal topic "LLM Safety": it reads like the slug llm-safety.
    topics = [
        t.model_copy(update={"name": "LLM Safety"}) if t.slug == "multimodal" else t
        for t in CONFIG.topics
    ]
    config = CONFIG.model_copy(update={"topics": topics})
    with pytest.raises(
        ReplyRejected, match="topic 'LLM safety' could be 'llm-safety' or 'multimodal'"
    ):
        hit_read({**GOOD_HIT, "topic": "LLM safety", "subtopic": "understanding"}, config)
    hit = {**GOOD_HIT, "topic": "llm-safety", "subtopic": "jailbreak"}
    assert hit_read(hit, config).topic == "llm-safety"
    assert hit_read(
        {**hit, "topic": "multimodal: LLM Safety", "subtopic": "reasoning"}, config
    ) == (TopicHit("multimodal", "reasoning", 88, "研究MoE扩展规律。"))


def test_two_spellings_of_one_topic_are_one_topic_listed_twice() -> None:
    text = triage_reply(
        entry("2606.00001", topics=[GOOD_HIT, {**GOOD_HIT, "topic": "语言大模型 / LLM"}])
    )
    reading = read_triage(text, {"2606.00001": PAPERS["2606.00001"]}, CONFIG)
    assert reading.rejected == {"2606.00001": "2606.00001: topic 'llm' is listed twice"}


def test_the_names_are_read_once_per_config() -> None:
    assert topic_names(CONFIG) is topic_names(CONFIG)
    assert topic_names(CONFIG.model_copy()) is not topic_names(CONFIG)


def test_a_missing_paper_is_rejected_alone() -> None:
    reading = read_triage(triage_reply(entry("2606.00002")), PAPERS, CONFIG)
    assert reading.rejected == {"2606.00001": "2606.00001: missing from the reply"}


def test_code_blocks_and_thinking_around_the_object_are_tolerated() -> None:
    wrapped = '<think>The user wants JSON.</think>\n```json\n{"papers": []}\n```'
    assert parse_object(wrapped) == {"papers": []}
    assert parse_object(' {"a": 1.0} ') == {"a": 1.0}


ABSTRACT = "We study scaling laws of MoE language models with 8 experts. " * 3
DETAIL = {
    "id": "2606.00001",
    "abstract_zh": "我们研究了具有8个专家的MoE语言模型的扩展规律。" * 3,
    "tldr": "研究MoE语言模型的扩展规律。",
}
SOURCES = "Scaling Laws\nAnn Author\nTsinghua University, Beijing\nDept. of CS, ETH Zürich"


def test_detail_institutions_must_be_in_the_sources() -> None:
    reply = {
        **DETAIL,
        "institutions": [
            "Tsinghua University(清华大学)",
            "ETH Zürich",
            "Stanford University (斯坦福大学)",  # not on the page: made up
            "Tsinghua University(清华大学)",
        ],
    }
    detailed = read_detail(json.dumps(reply), PAPERS["2606.00001"], Target("zh"), SOURCES)
    assert detailed.institutions == ["Tsinghua University(清华大学)", "ETH Zürich"]


def test_without_sources_no_institutions_are_taken() -> None:
    reply = {**DETAIL, "institutions": ["Tsinghua University"]}
    detailed = read_detail(json.dumps(reply), PAPERS["2606.00001"], Target("zh"), None)
    assert detailed.institutions is None


def test_a_detail_reply_for_another_paper_is_rejected() -> None:
    reply = {**DETAIL, "id": "2606.00002"}
    with pytest.raises(ReplyRejected, match=r"for '2606\.00002', not 2606\.00001"):
        read_detail(json.dumps(reply), PAPERS["2606.00001"], Target("zh"), None)


def test_a_detail_reply_in_english_is_rejected() -> None:
    reply = {**DETAIL, "abstract_zh": ABSTRACT}
    with pytest.raises(ReplyRejected, match="abstract_zh is not in Simplified Chinese"):
        read_detail(json.dumps(reply), PAPERS["2606.00001"], Target("zh"), None)


def test_accepted_text_is_stored_clean_like_arxivs_own() -> None:
    """Control characters would make the Atom feeds invalid XML."""
    hit = {**GOOD_HIT, "reason": "研究MoE\x0b扩展规律。 "}
    reading = read_triage(
        triage_reply(entry("2606.00001", title_zh=f" {TITLE}\x07", topics=[hit])),
        {"2606.00001": PAPERS["2606.00001"]},
        CONFIG,
    )
    triaged = reading.accepted["2606.00001"]
    assert (triaged.title_zh, triaged.topics[0].reason) == (TITLE, "研究MoE扩展规律。")
    reply = {
        **DETAIL,
        "abstract_zh": DETAIL["abstract_zh"] + "\n\n  第二段\x1b。",
        "tldr": "研究MoE语言模型的\x00扩展规律。",
        "institutions": ["Tsinghua   University\x0c"],
    }
    detailed = read_detail(json.dumps(reply), PAPERS["2606.00001"], Target("zh"), SOURCES)
    assert detailed.abstract_zh == DETAIL["abstract_zh"] + "\n第二段。"
    assert detailed.tldr == "研究MoE语言模型的扩展规律。"
    assert detailed.institutions == ["Tsinghua University"]
