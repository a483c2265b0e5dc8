"""Translation checks, calibrated on real translations from existing digests."""

from __future__ import annotations

import json

import pytest
from conftest import REFERENCE

from generator.enrich.checks import Target, check_abstract, check_summary, check_title

ZH = Target("zh")


def reference(name: str) -> list[dict]:
    return [json.loads(line) for line in (REFERENCE / name).read_text("utf-8").splitlines()]


DIGEST = reference("digest-llm-2026-06-19.jsonl") + reference("digest-llm-safety-2026-06-18.jsonl")
RSS_TRANSLATED = [r for r in reference("rss-translated-2025-06-09.jsonl") if r.get("abstract_zh")]
DEEPSEEK = DIGEST[0]


@pytest.mark.parametrize("record", DIGEST, ids=lambda r: r["id"])
def test_every_reference_translation_passes(record: dict) -> None:
    assert check_title(record["title"], record["title_zh"], ZH) == []
    assert check_abstract(record["abstract"], record["abstract_zh"], ZH) == []
    assert check_summary(record["abstract"], record["tldr"], ZH) == []


def test_the_other_digests_translations_pass_except_its_two_real_defects() -> None:
    rejected = {
        r["id"]: check_abstract(r["abstract"], r["abstract_zh"], ZH)
        for r in RSS_TRANSLATED
        if check_abstract(r["abstract"], r["abstract_zh"], ZH)
    }
    # 2506.05416's "translation" stops after the first of three paragraphs;
    # 2506.05640's drops the link to the code.
    assert sorted(rejected) == ["2506.05416", "2506.05640"]
    assert "do not summarise" in rejected["2506.05416"][0]
    assert (
        "lost URLs: https://github.com/solidlabnetwork/fedshield-llm" in rejected["2506.05640"][0]
    )
    assert len(RSS_TRANSLATED) == 121


@pytest.mark.parametrize(
    ("title_zh", "problem"),
    [
        ("以下是翻译:DeepSeek-V4: 迈向高效百万令牌上下文智能", "starts with commentary"),
        ("标题:DeepSeek-V4: 迈向高效百万令牌上下文智能", "starts with commentary"),
        (
            "DeepSeek-V4: 迈向高效百万令牌上下文智能\nDeepSeek-V4:走向高效的百万词元上下文",
            "one line",
        ),
        ("DeepSeek-V4: 迈向高效百万令牌上下文智能(或:DeepSeek-V4:高效百万词元)", "alternatives"),
        ("DeepSeek-V4: Towards Highly Efficient Million-Token Context Intelligence", "not in"),
        ('"title_zh": "DeepSeek-V4: 迈向高效百万令牌上下文智能"', "reply format"),
        ("抱歉,我无法翻译这个标题。", "the model talking"),
    ],
)
def test_bad_titles_are_rejected(title_zh: str, problem: str) -> None:
    problems = check_title(DEEPSEEK["title"], title_zh, ZH)
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(
    ("spoil", "problem"),
    [
        (lambda zh: "以下是中文翻译:\n" + zh, "starts with commentary"),
        (lambda zh: zh + "\n(注:部分术语保留英文。)", "contains a note"),
        (lambda zh: "摘要:" + zh, "label or arXiv's prefix"),
        (lambda zh: "arXiv:2606.19348v1 公告类型:新 摘要:" + zh, "label or arXiv's prefix"),
        (lambda zh: zh[:80], "do not summarise"),  # a headline is not an abstract
        (lambda zh: zh.replace("https URL", "项目主页"), "lost URLs"),
        (
            lambda zh: (
                zh.replace("1.6T", "").replace("49B", "").replace("284B", "").replace("13B", "")
            ),
            "lost numbers",
        ),
        (lambda zh: DEEPSEEK["abstract"], "not in Simplified Chinese"),
    ],
)
def test_bad_abstracts_are_rejected(spoil, problem: str) -> None:  # type: ignore[no-untyped-def]
    problems = check_abstract(DEEPSEEK["abstract"], spoil(DEEPSEEK["abstract_zh"]), ZH)
    assert any(problem in p for p in problems), problems


def test_latex_must_survive() -> None:
    source = "We bound $O(n \\log n)$ and $\\epsilon$-DP with $\\mathcal{L}_2$ loss in $k$ steps."
    good = (
        "我们在$k$步内以$\\mathcal{L}_2$损失给出$O(n \\log n)$界"
        "与$\\epsilon$-DP保证的分析研究结果。"
    )
    assert check_abstract(source, good, ZH) == []
    stripped = "我们在若干步内以二范数损失给出对数线性界与差分隐私保证的分析研究结果与证明。"
    assert any("lost LaTeX" in p for p in check_abstract(source, stripped, ZH))


def test_a_quoted_refusal_or_note_in_the_paper_is_content() -> None:
    source = 'The model replies "I\'m sorry, I cannot help" (Note: refusals vary) in 40% of cases.'
    translation = '模型在40%的情况下回复"抱歉,我无法帮助"(注:拒绝方式各不相同)。'
    assert check_abstract(source, translation, ZH) == []


def test_summaries_must_be_one_target_language_sentence() -> None:
    assert check_summary("x", "提出一种方法。", ZH) == [
        "tldr must be one sentence of 8-300 characters, got 7"
    ]
    assert "tldr is not in" in check_summary("x", "We propose a method for long context.", ZH)[0]
    assert check_summary("x", "N/A", ZH) != []


def test_latin_script_targets_skip_the_script_check() -> None:
    french = Target("fr")
    assert french.share("Une traduction") is None
    assert check_title("A title of a paper", "Un titre d'article", french) == []
