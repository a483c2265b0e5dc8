"""digest/rank.js, the 推荐 ranking, on its own: run under Node (the same ES module the
browser loads; tests/setup installs nodejs), its terms, keywords and order. Its use on
the real site, in Chromium, is tests/test_for_you.py."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest
from conftest import REPO

RANK_JS = REPO / "overrides/assets/javascripts/digest/rank.js"


def node(body: str, *, segmenter: bool = True) -> Any:
    """What `body` (a module's statements, `R` the rank module) prints as JSON."""
    if not shutil.which("node"):
        pytest.fail("node is missing: bash tests/setup installs nodejs")
    script = ("" if segmenter else "delete Intl.Segmenter;\n") + (
        f"const R = await import({json.dumps(RANK_JS.as_uri())});\n{body}"
    )
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_english_words_meet_whatever_their_ending_and_hyphens() -> None:
    found = node(
        "console.log(JSON.stringify(['models', 'modeling', 'modeled', 'scale', 'scaling',"
        " 'studies', 'planning', 'pretraining'].map(R.stem)))"
    )
    assert found == ["model", "model", "model", "scal", "scal", "study", "plan", "pretrain"]
    terms = node("console.log(JSON.stringify(R.terms('Pre-Training of the GPT-4 Models, 2026')))")
    assert terms == [
        ["pre", "pre"],
        ["train", "training"],
        ["pretrain", "pre-training"],
        ["gpt", "gpt"],
        ["gpt4", "gpt-4"],
        ["model", "models"],
    ]  # stop words and bare numbers left out, each term with the word it came from


def test_chinese_is_cut_into_words_and_without_a_segmenter_into_pairs() -> None:
    body = "console.log(JSON.stringify(R.terms('提出大语言模型的强化学习方法').map(([t]) => t)))"
    assert node(body) == ["语言", "模型", "强化", "学习"]  # 提出 and 方法 are stop words
    pairs = ["出大", "大语", "语言", "言模", "模型", "型的", "的强", "强化", "化学", "学习", "习方"]
    assert node(body, segmenter=False) == pairs  # every two characters side by side


@pytest.mark.parametrize(
    ("text", "positive", "negative"),
    [
        ("+RLHF −medical", ["RLHF"], ["medical"]),
        ('RLHF -medical "reward model"', ["RLHF", "reward model"], ["medical"]),
        ("＋强化学习 －医学 “奖励 模型”", ["强化学习", "奖励 模型"], ["医学"]),
        ("pre-training e-commerce", ["pre-training", "e-commerce"], []),
        ('- + "" − the', [], []),  # signs alone, an empty phrase, a stop word: nothing
    ],
)
def test_keywords_take_plus_minus_and_quotes_in_either_width(
    text: str, positive: list[str], negative: list[str]
) -> None:
    keywords = node(f"console.log(JSON.stringify(R.parseKeywords({json.dumps(text)})))")
    assert [k["text"] for k in keywords["positive"]] == positive
    assert [k["text"] for k in keywords["negative"]] == negative


PAPERS = {
    "2606.00001": {
        "title": "Scaling Laws for Pre-trained Mixture-of-Experts",
        "topics": {"llm/pretraining": 90},
    },
    "2606.00002": {
        "title": "RLHF with Noisy Preferences",
        "tldr": "奖励模型的偏好噪声",
        "topics": {"llm/post-training": 85},
    },
    "2606.00003": {"title": "Medical Report Generation with RLHF", "topics": {"llm/domain": 80}},
    "2606.00004": {
        "title": "Mixture-of-Experts Routing at Scale",
        "authors": ["Ada Lovelace"],
        "topics": {"llm/pretraining": 40},
    },
    "2606.00005": {"title": "Segmenting Cells in Microscopy", "topics": {"multimodal/x": 70}},
    "2606.00006": {"title": "A Tokenizer for Pretraining Data", "topics": {"llm/pretraining": 75}},
}
STARRED = [
    {"title": "Sparse Mixture-of-Experts Scaling", "topics": {"llm/pretraining": 50}},
    {"title": "Efficient Pretraining of Experts", "authors": ["Ada Lovelace"]},
]
RANKED = f"""
const papers = {json.dumps(PAPERS)};
const starred = {json.dumps(STARRED)};
const index = R.makeIndex(papers);
const order = (favorites, keywords, exclude) => {{
  const profile = R.makeProfile(index, favorites, R.parseKeywords(keywords));
  const ranked = R.rank(index, profile, new Set(exclude || []));
  return {{ids: ranked.map((r) => r.id), hidden: ranked.hidden, first: ranked[0] || null}};
}};
"""


def test_papers_near_the_favorites_come_first_and_what_shares_nothing_is_left_out() -> None:
    result = node(RANKED + "console.log(JSON.stringify(order(starred, '')))")
    # Sub-topic and words in common: the pretraining papers, the nearest first.
    assert result["ids"] == ["2606.00001", "2606.00004", "2606.00006"]
    first = result["first"]
    assert first["topic"] == "llm/pretraining"
    assert first["words"] == ["experts", "pre-trained", "scaling"]  # as the title has them


def test_keywords_lift_leave_out_and_favorites_are_not_ranked() -> None:
    both = node(
        RANKED + "console.log(JSON.stringify([order(starred, '+RLHF'), order(starred, "
        "'+RLHF −medical'), order([], '奖励模型'), order([], ''), order(starred, '', "
        "['2606.00004'])]))"
    )
    lifted, left_out, chinese, nothing, excluded = both
    assert sorted(lifted["ids"][:2]) == ["2606.00002", "2606.00003"]  # each holds RLHF
    assert lifted["first"]["keywords"] == ["RLHF"]
    assert left_out["ids"][0] == "2606.00002" and "2606.00003" not in left_out["ids"]
    assert left_out["hidden"] == 1
    assert left_out["ids"] == [i for i in lifted["ids"] if i != "2606.00003"]  # the rest as it was
    assert chinese["ids"] == ["2606.00002"]  # Chinese as written, in its summary
    assert nothing["ids"] == []  # no favorites, no keywords: nothing to rank by
    assert "2606.00004" not in excluded["ids"]


def test_the_order_is_the_same_every_time_ties_by_id() -> None:
    ids = node(
        "const e = {title: 'Same words here', topics: {'llm/other': 50}};\n"
        "const index = R.makeIndex({'2606.00009': e, '2606.00002': e, '2606.00005': e});\n"
        "const p = R.makeProfile(index, [e], R.parseKeywords(''));\n"
        "console.log(JSON.stringify(R.rank(index, p).map((r) => r.id)))"
    )
    assert ids == ["2606.00002", "2606.00005", "2606.00009"]
