from __future__ import annotations

import re
import time
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
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, "categories: [cs.CL]\ntopics: [\n"))
    assert str(caught.value) == (
        "digest.yml: not valid YAML: line 3, column 1: while parsing a flow node;"
        " expected the node content, but found '<stream end>'"
    )


def problem(path: Path) -> str:
    """The one line load_config reports for a file it refuses."""
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert len(caught.value.problems) == 1, caught.value.problems
    return caught.value.problems[0]


def nested(levels: int, first: str, link: str) -> str:
    """A "billion laughs": each anchor repeats the one before it nine times."""
    lines = [first]
    for level in range(1, levels):
        lines.append(link.format(this=level, prev=level - 1))
    return "\n".join(lines) + "\n"


NINE_LOLS = ", ".join(["lol"] * 9)
NINE_KEYS = ", ".join(f"k{i}: lol" for i in range(9))
BOMBS = {
    "nested lists": nested(
        9, f"b0: &b0 [{NINE_LOLS}]", "b{this}: &b{this} [" + ", ".join(["*b{prev}"] * 9) + "]"
    ),
    "nested mappings": nested(
        9,
        f"b0: &b0 {{{NINE_KEYS}}}",
        "b{this}: &b{this} {{" + ", ".join(f"k{i}: *b{{prev}}" for i in range(9)) + "}}",
    ),
    "merge keys": nested(
        9,
        f"b0: &b0 {{{NINE_KEYS}}}",
        "b{this}: &b{this} {{<<: [" + ", ".join(["*b{prev}"] * 9) + "]}}",
    ),
    "under a real key": "categories: [cs.CL]\ntopics: []\n"
    + nested(
        9, f"selection: {{threshold: &b0 [{NINE_LOLS}]}}", "x{this}: &b{this} [*b{prev}, *b{prev}]"
    ).replace("x", "b", 1)
    + "llm: {model: [*b8, *b8, *b8, *b8, *b8, *b8, *b8, *b8, *b8]}\n",
}


@pytest.mark.parametrize("shape", BOMBS)
def test_an_alias_bomb_fails_fast_in_one_short_line(tmp_path: Path, shape: str) -> None:
    path = write(tmp_path, BOMBS[shape])
    assert path.stat().st_size < 1000
    started = time.monotonic()
    message = problem(path)
    assert time.monotonic() - started < 2
    assert len(message) < 300
    assert re.fullmatch(
        r"digest\.yml: line \d+: aliases repeat more than 1,000 values; write them out"
        r" \(a YAML alias bomb\?\)",
        message,
    )


def test_a_value_that_contains_itself_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "categories: &c [cs.CL, *c]\ntopics: []\n")
    assert problem(path) == (
        "digest.yml: line 1: alias *c inside its own anchor (a value that contains itself)"
    )


def test_aliases_and_merge_keys_that_share_a_little_still_work(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "categories: [cs.CL]\ntopics:\n  - group: G\n    name: T\n    slug: t\n"
        "    keywords: &kw [transformer, attention]\n    subtopics:\n"
        "      - &s {name: S, slug: s, keywords: *kw}\n"
        "      - {<<: *s, slug: s2, name: S2}\n",
    )
    topic = load_config(path).topic("t")
    assert [(s.slug, s.name, s.keywords) for s in topic.subtopics] == [
        ("s", "S", ["transformer", "attention"]),
        ("s2", "S2", ["transformer", "attention"]),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "categories: [cs.CL]\ntopics:" + VALID_TOPIC + "topics:\n  - {}\n",
            "duplicate key 'topics' at lines 2 and 8",
        ),
        (
            "categories: [cs.CL]\nselection:\n  threshold: 50\n  topic_page_days: 3\n"
            "  threshold: 70\ntopics:" + VALID_TOPIC,
            "duplicate key 'threshold' at lines 3 and 5",
        ),
        (
            "categories: [cs.CL]\ntopics:" + VALID_TOPIC + "    slug: u\n",
            "duplicate key 'slug' at lines 5 and 8",
        ),
        (
            "categories: [cs.CL]\ntopics:" + VALID_TOPIC.replace("keywords: [x]", "slug: x"),
            "duplicate key 'slug' at lines 7 and 7",
        ),
    ],
    ids=["top level", "nested", "in a list item", "in a flow mapping"],
)
def test_a_key_given_twice_is_an_error_naming_both_lines(
    tmp_path: Path, text: str, expected: str
) -> None:
    message = problem(write(tmp_path, text))
    assert message == f"digest.yml: {expected} (the second would silently replace the first)"


LONG = "x" * 100_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "categories: [cs.CL]\ntopics:" + VALID_TOPIC.replace("slug: t", f"slug: {LONG}"),
            "digest.yml: topics[0].slug: expected a string with at most 60 characters,"
            f" got '{'x' * 58}…",
        ),
        (
            f"categories: [cs.CL]\ntopics:{VALID_TOPIC}? {LONG}\n: 1\n",  # a long key is explicit
            f"digest.yml: {'x' * 59}…: unknown key",
        ),
        (
            f"categories: [cs.CL]\ntopics:{VALID_TOPIC}selection: {{threshold: [{LONG}]}}\n",
            f"digest.yml: selection.threshold: expected a valid integer, got ['{'x' * 57}…",
        ),
        (f"'{LONG}'\n", f"digest.yml: expected a mapping at the top level, got '{'x' * 58}…"),
        (
            f"categories: [cs.{LONG}, cs.{LONG}]\ntopics:{VALID_TOPIC}",
            f"digest.yml: categories: duplicate category: cs.{'x' * 56}…",
        ),
    ],
    ids=["value", "unknown key", "nested value", "top level", "own check"],
)
def test_messages_quote_only_a_short_excerpt(tmp_path: Path, text: str, expected: str) -> None:
    assert problem(write(tmp_path, text)) == expected


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("selection: {threshold: true}", "selection.threshold: expected a valid integer, got True"),
        ("selection: {threshold: '60'}", "selection.threshold: expected a valid integer, got '60'"),
        ("selection: {threshold: 60.0}", "selection.threshold: expected a valid integer, got 60.0"),
        ("llm: {concurrency: yes}", "llm.concurrency: expected a valid integer, got True"),
        ("llm: {temperature: false}", "llm.temperature: expected a valid number, got False"),
        ("llm: {timeout_seconds: '90'}", "llm.timeout_seconds: expected a valid number, got '90'"),
        ("llm: {json_mode: 1}", "llm.json_mode: expected a valid boolean, got 1"),
        ("llm: {model: 4}", "llm.model: expected a valid string, got 4"),
        (
            "selection: {best_of_week: '30'}",
            "selection.best_of_week: expected a valid integer, got '30'",
        ),
        (
            "selection: {best_of_week: 0}",
            "selection.best_of_week: expected greater than or equal to 1, got 0",
        ),
        (
            "selection: {best_of_month: 501}",
            "selection.best_of_month: expected less than or equal to 500, got 501",
        ),
    ],
)
def test_values_are_taken_as_written_not_coerced(
    tmp_path: Path, setting: str, expected: str
) -> None:
    path = write(tmp_path, f"categories: [cs.CL]\ntopics:{VALID_TOPIC}{setting}\n")
    assert problem(path) == f"digest.yml: {expected}"


def test_whole_numbers_are_still_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"categories: [cs.CL]\ntopics:{VALID_TOPIC}llm: {{timeout_seconds: 90, temperature: 0}}\n",
    )
    llm = load_config(path).llm
    assert (llm.timeout_seconds, llm.temperature) == (90.0, 0.0)


@pytest.mark.parametrize("key", ["full_pages_months", "whole_day_rows_months"])
def test_the_full_pages_setting_is_read_by_its_first_name_too(tmp_path: Path, key: str) -> None:
    path = write(tmp_path, f"categories: [cs.CL]\nsite: {{{key}: 7}}\ntopics:{VALID_TOPIC}")
    assert load_config(path).site.full_pages_months == 7
    bad = write(tmp_path, f"categories: [cs.CL]\nsite: {{{key}: -1}}\ntopics:{VALID_TOPIC}")
    assert key in problem(bad) and "greater than or equal to 0" in problem(bad)


@pytest.mark.parametrize("keyword", ["++", "-", "  ", "", "_", "…"])
def test_a_keyword_needs_a_letter_or_a_digit(tmp_path: Path, keyword: str) -> None:
    path = write(
        tmp_path, "categories: [cs.CL]\ntopics:" + VALID_TOPIC.replace("[x]", f"[x, {keyword!r}]")
    )
    assert problem(path) == (
        "digest.yml: topics[0].subtopics[0].keywords[1]:"
        f" expected a keyword with a letter or digit, got {keyword!r}"
    )


def test_a_utf8_bom_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "digest.yml"
    path.write_bytes(b"\xef\xbb\xbfcategories: [cs.CL]\ntopics:" + VALID_TOPIC.encode())
    assert load_config(path).categories == ["cs.CL"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            "categories: [cs.CL]\ntopics:\n  - group: Café\n".encode("latin-1"),
            "digest.yml: not UTF-8: byte 0xe9 at offset 42 (line 3); save the file as UTF-8",
        ),
        (
            b"categories: [cs.CL]\ntopics: [a\x00]\n",
            "digest.yml: not valid YAML: line 2, column 11: character #x0000 is not allowed",
        ),
        (
            b"\xff\xfec\x00a\x00",  # UTF-16, as some Windows editors save
            "digest.yml: not UTF-8: byte 0xff at offset 0 (line 1); save the file as UTF-8",
        ),
    ],
    ids=["latin-1", "nul byte", "utf-16"],
)
def test_bytes_that_are_not_utf8_text_give_one_line(
    tmp_path: Path, data: bytes, expected: str
) -> None:
    path = tmp_path / "digest.yml"
    path.write_bytes(data)
    assert problem(path) == expected


def test_a_folder_or_a_link_to_nothing_gives_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "digest.yml"
    folder.mkdir()
    assert problem(folder) == f"digest.yml: {folder} is a folder, not a file"
    dangling = tmp_path / "other" / "digest.yml"
    dangling.parent.mkdir()
    dangling.symlink_to(tmp_path / "gone.yml")
    assert problem(dangling) == f"digest.yml: {dangling} links to a file that does not exist"


@pytest.mark.parametrize(
    ("slug", "said"),
    [
        ("all", "topic slug 'all' is reserved: "),
        # A month's topic page /2026/06/18/ would be day 18's overview.
        ("18", "topic slug '18': a slug needs a letter, as a month's topic pages"),
        ("2026", "topic slug '2026': a slug needs a letter"),
    ],
)
def test_a_topic_cannot_take_a_slug_the_site_uses_itself(
    tmp_path: Path, slug: str, said: str
) -> None:
    path = write(
        tmp_path,
        "categories: [cs.CL]\ntopics:" + VALID_TOPIC.replace("slug: t\n", f"slug: '{slug}'\n", 1),
    )
    with pytest.raises(ConfigError, match=rf"^digest\.yml: topics: {re.escape(said)}"):
        load_config(path)


def test_delivery_names_known_topics_and_a_sensible_number_of_papers(tmp_path: Path) -> None:
    base = "categories: [cs.CL]\ntopics:" + VALID_TOPIC
    assert load_config(write(tmp_path, base)).delivery.papers_per_topic == 5
    chosen = load_config(write(tmp_path, base + "delivery: {topics: [t], papers_per_topic: 3}\n"))
    assert chosen.delivery.topics == ["t"] and chosen.delivery.papers_per_topic == 3
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, base + "delivery: {topics: [t, llm], papers_per_topic: 0}\n"))
    assert caught.value.problems == [
        "digest.yml: delivery.papers_per_topic: expected greater than or equal to 1, got 0"
    ]
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, base + "delivery: {topics: [t, llm]}\n"))
    assert caught.value.problems == ["digest.yml: delivery.topics: ['llm'] are not topic slugs"]
