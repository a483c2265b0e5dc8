"""digest.yml: the one typed model of what a digest covers and how it is made.

`load_config` reports every problem at once, each as
`digest.yml: topics[2].slug: expected …, got …`, and unknown keys with a
did-you-mean, so a forker fixes their file in one pass.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from generator.errors import ConfigError

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=60)]
Category = Annotated[str, Field(pattern=r"^[a-z-]+(?:\.[A-Za-z-]+)?$")]
NonEmpty = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Subtopic(_Strict):
    name: NonEmpty
    slug: Slug
    description: str = ""
    keywords: Annotated[list[NonEmpty], Field(min_length=1)]
    # Papers clearly about the topic that match no sub-topic land here (e.g. 其他LLM).
    fallback: bool = False


class Topic(_Strict):
    group: NonEmpty
    name: NonEmpty
    slug: Slug
    description: str = ""
    # Categories this topic draws from; default: all of the digest's categories.
    categories: list[Category] | None = None
    # Terms that say "this paper is about the topic at all"; the sub-topic
    # keywords then say which part of it. Empty: sub-topic keywords alone decide.
    keywords: list[NonEmpty] = []
    # Terms that veto the topic (e.g. "protein language model" for an NLP topic).
    exclude: list[NonEmpty] = []
    subtopics: Annotated[list[Subtopic], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_subtopic_slugs(self) -> Topic:
        _require_unique([s.slug for s in self.subtopics], "sub-topic slug")
        if sum(s.fallback for s in self.subtopics) > 1:
            raise ValueError("at most one sub-topic can be the fallback")
        return self


class Site(_Strict):
    title: NonEmpty = "arXiv 每日速递"
    description: str = ""
    # Target language of translations and of the site's own words (BCP 47).
    language: NonEmpty = "zh"


class Selection(_Strict):
    # A paper is shown on a topic page when its score for the topic reaches this.
    threshold: Annotated[int, Field(ge=0, le=100)] = 60
    # How many days the across-days topic page lists.
    topic_page_days: Annotated[int, Field(ge=1, le=365)] = 10


class LLM(_Strict):
    model: NonEmpty = "gpt-4o-mini"
    concurrency: Annotated[int, Field(ge=1, le=64)] = 8
    requests_per_minute: Annotated[int, Field(ge=1)] = 300
    timeout_seconds: Annotated[float, Field(gt=0)] = 120.0
    triage_batch_size: Annotated[int, Field(ge=1, le=100)] = 25
    # Ask for `response_format: json_object`; a provider that refuses it is
    # asked again without it anyway, so this only saves that first refusal.
    json_mode: bool = True
    # null leaves the provider's default (some reasoning models accept no other).
    temperature: Annotated[float, Field(ge=0, le=2)] | None = 0.2
    # Stop spending for the day once this many tokens (in + out) were used.
    daily_token_budget: Annotated[int, Field(ge=0)] | None = 2_000_000
    # USD per million tokens, only for the cost estimate printed after a run.
    price_input_per_million: Annotated[float, Field(ge=0)] = 0.15
    price_output_per_million: Annotated[float, Field(ge=0)] = 0.60


class Config(_Strict):
    site: Site = Site()
    categories: Annotated[list[Category], Field(min_length=1)]
    topics: Annotated[list[Topic], Field(min_length=1)]
    selection: Selection = Selection()
    llm: LLM = LLM()

    @field_validator("categories")
    @classmethod
    def _unique_categories(cls, categories: list[str]) -> list[str]:
        _require_unique(categories, "category")
        return categories

    @field_validator("topics")
    @classmethod
    def _unique_topics(cls, topics: list[Topic]) -> list[Topic]:
        _require_unique([t.slug for t in topics], "topic slug")
        return topics

    @model_validator(mode="after")
    def _topics_within_categories(self) -> Config:
        for topic in self.topics:
            unknown = sorted(set(topic.categories or []) - set(self.categories))
            if unknown:
                raise ValueError(
                    f"topic {topic.slug!r} draws from {unknown}, which are not in categories"
                )
        return self

    def topic(self, slug: str) -> Topic:
        return next(t for t in self.topics if t.slug == slug)

    def topic_categories(self, topic: Topic) -> list[str]:
        return topic.categories or self.categories

    def offers(self, topic: Topic, categories: list[str]) -> bool:
        """Whether a paper listed in `categories` can be in `topic` at all."""
        return not set(categories).isdisjoint(self.topic_categories(topic))


def _require_unique(values: list[str], what: str) -> None:
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        raise ValueError(f"duplicate {what}: {', '.join(duplicates)}")


def load_config(path: Path) -> Config:
    """Read and validate digest.yml; raise ConfigError listing every problem."""
    name = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError([f"{name}: not found at {path}"]) from exc
    except yaml.YAMLError as exc:
        raise ConfigError([f"{name}: not valid YAML: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise ConfigError([f"{name}: expected a mapping at the top level, got {raw!r}"])
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError([_describe(name, err) for err in exc.errors()]) from exc


def _describe(filename: str, error: ErrorDetails) -> str:
    path = _format_path(error["loc"])
    where = f"{filename}: {path}" if path else filename
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown key{_did_you_mean(error['loc'])}"
    if error["type"] == "missing":
        return f"{where}: required, but missing"
    if error["type"] == "value_error":  # our own checks say what is wrong in full
        return f"{where}: {error['msg'].removeprefix('Value error, ')}"
    return f"{where}: expected {_expected(error['msg'])}, got {error['input']!r}"


def _format_path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _did_you_mean(loc: tuple[int | str, ...]) -> str:
    """Suggest the closest field of the model the unknown key sits in."""
    model: type[BaseModel] = Config
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[str(part)].annotation
        inner = _model_in(annotation)
        if inner is None:
            return ""
        model = inner
    close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _expected(message: str) -> str:
    """Turn pydantic's sentence into the 'expected …' half of our message."""
    for prefix, replacement in (
        ("Value error, ", ""),
        ("Input should be ", ""),
        ("String should match pattern ", "a string matching "),
        ("String should have ", "a string with "),
        ("List should have ", "a list with "),
    ):
        if message.startswith(prefix):
            return replacement + message.removeprefix(prefix)
    return message[:1].lower() + message[1:]
