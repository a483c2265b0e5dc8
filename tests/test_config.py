from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from generator.config import load_config
from generator.errors import ConfigError


def test_shipped_digest_has_the_reference_topics_and_categories() -> None:
    config = load_config(REPO / "digest.yml")
    assert config.categories == ["cs.CL", "cs.AI", "cs.LG", "cs.CV", "cs.CY", "cs.CR"]
    llm = config.topic("llm")
    assert (llm.group, llm.name) == ("AI 大模型", "语言大模型 / LLM")
    assert llm.description == "大语言模型、预训练、指令微调、后训练和语言模型应用。"
    assert [s.name for s in llm.subtopics] == [
        "预训练",
        "长上下文",
        "后训练",
        "其他LLM",
        "领域大模型",
    ]
    safety = config.topic("llm-safety")
    assert safety.description == "大模型对齐、安全、越狱、红队、提示注入和可信评测。"
    assert {"提示注入", "偏好对齐", "越狱攻击", "安全评测", "红队"} <= {
        s.name for s in safety.subtopics
    }
    assert len(config.topics) >= 4
    assert all(s.keywords for t in config.topics for s in t.subtopics)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "digest.yml"
    path.write_text(text, encoding="utf-8")
    return path


VALID_TOPIC = """
  - group: G
    name: T
    slug: t
    subtopics:
      - {name: S, slug: s, keywords: [x]}
"""


def test_every_problem_is_reported_at_once_with_its_path(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "categores: [cs.CL]\n"
        "selection: {threshold: 150}\n"
        "topics:" + VALID_TOPIC + "  - group: G\n    name: U\n    slug: Bad Slug\n"
        "    subtopic: []\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    problems = caught.value.problems
    assert "digest.yml: categores: unknown key; did you mean 'categories'?" in problems
    assert "digest.yml: categories: required, but missing" in problems
    assert (
        "digest.yml: selection.threshold: expected less than or equal to 100, got 150" in problems
    )
    assert any(
        p.startswith("digest.yml: topics[1].slug: expected a string matching")
        and p.endswith("got 'Bad Slug'")
        for p in problems
    )
    assert "digest.yml: topics[1].subtopic: unknown key; did you mean 'subtopics'?" in problems
    assert len(problems) == 6  # … and topics[1].subtopics missing


def test_duplicate_slugs_are_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "categories: [cs.CL]\ntopics:" + VALID_TOPIC + VALID_TOPIC)
    with pytest.raises(ConfigError, match=r"^digest\.yml: topics: duplicate topic slug: t$"):
        load_config(path)


def test_a_topic_cannot_draw_from_categories_the_digest_does_not_read(tmp_path: Path) -> None:
    path = write(
        tmp_path, "categories: [cs.CL]\ntopics:" + VALID_TOPIC + "    categories: [cs.CV]\n"
    )
    with pytest.raises(
        ConfigError,
        match=r"^digest.yml: topic 't' draws from \['cs.CV'\], which are not in categories$",
    ):
        load_config(path)


def test_broken_yaml_and_missing_file_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(write(tmp_path, "topics: [\n"))
