"""digest.yml: the one typed model of what a digest covers and how it is made.

`load_config` reports every problem at once, each as
`digest.yml: topics[2].slug: expected …, got …`, and unknown keys with a
did-you-mean, so a forker fixes their file in one pass. Values are taken as
written (`threshold: true` or `"60"` is not a number), a key given twice is an
error, not a silent overwrite, and a message quotes at most a short excerpt of
the file, so even a hostile digest.yml fails in one short line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import reprlib
import stat
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from generator.errors import ConfigError
from generator.text import WORDS

EXCERPT = 60  # characters of a value quoted in a message


def excerpt(value: object, limit: int = EXCERPT) -> str:
    """`repr(value)`, cut to `limit` characters with "…", never built in full."""
    return cut(_SHORT_REPR.repr(value), limit)


def cut(text: str, limit: int = EXCERPT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _ShortRepr(reprlib.Repr):
    def repr_str(self, x: str, level: int) -> str:
        return repr(x[: self.maxstring])  # cut at the end, not in the middle


_SHORT_REPR = _ShortRepr()
_SHORT_REPR.maxstring = _SHORT_REPR.maxother = EXCERPT + 1


def _has_a_word(keyword: str) -> str:
    if not WORDS.search(keyword):  # triage would find nothing to match it with
        raise ValueError(f"expected a keyword with a letter or digit, got {excerpt(keyword)}")
    return keyword


# A topic's slug names its pages and feed (render/urls.py); these names are taken.
RESERVED_TOPIC_SLUGS = {"all": "the day's page of every paper and the feed of all topics use it"}
Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=60)]
Category = Annotated[str, Field(pattern=r"^[a-z-]+(?:\.[A-Za-z-]+)?$")]
NonEmpty = Annotated[str, Field(min_length=1)]
Keyword = Annotated[str, AfterValidator(_has_a_word)]


def _site_address(url: str) -> str:
    """A site's root address as links are made from it: http(s), a host, a final "/"."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    if scheme not in ("http", "https") or not host or any(c.isspace() for c in url):
        raise ValueError(f"expected an http:// or https:// address, got {excerpt(url)}")
    if "?" in url or "#" in url:
        raise ValueError(f"expected a site's address without ? or #, got {excerpt(url)}")
    return url.rstrip("/") + "/"


def _iso_date(value: object) -> dt.date:
    # YAML reads 2026-01-01 as a date, "2026-01-01" as text: both mean the day.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"expected a date YYYY-MM-DD, got {excerpt(value)}")


def _starts_a_quarter(date: dt.date) -> dt.date:
    if date.day != 1 or date.month not in (1, 4, 7, 10):
        raise ValueError(
            "expected the first day of a quarter (YYYY-01-01, -04-01, -07-01 or -10-01:"
            f" search keeps a quarter in one bundle, on one site), got {date.isoformat()}"
        )
    return date


SiteAddress = Annotated[str, AfterValidator(_site_address)]
QuarterStart = Annotated[dt.date, BeforeValidator(_iso_date), AfterValidator(_starts_a_quarter)]


class _Strict(BaseModel):
    # strict: YAML already types its values; coercing true to 1 or "60" to 60 hides a typo.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Subtopic(_Strict):
    name: NonEmpty
    slug: Slug
    description: str = ""
    keywords: Annotated[list[Keyword], Field(min_length=1)]
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
    keywords: list[Keyword] = []
    # Terms that veto the topic (e.g. "protein language model" for an NLP topic).
    exclude: list[Keyword] = []
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
    # The newest months whose day pages carry everything as HTML, readable without
    # JavaScript. An older day's whole-day rows are built in the browser from its ranking
    # file, and its topic pages hold each card's brief (titles, authors, score, summary,
    # links) while the whole card waits in the day file: about 270 + 200 KiB of site a
    # day less (bench/site_bytes.py). Its first name, before the cards joined the rule,
    # is read too.
    full_pages_months: Annotated[
        int,
        Field(ge=0, validation_alias=AliasChoices("full_pages_months", "whole_day_rows_months")),
    ] = 3


class Selection(_Strict):
    # A paper is shown on a topic page when its score for the topic reaches this.
    threshold: Annotated[int, Field(ge=0, le=100)] = 60
    # How many days the across-days topic page lists.
    topic_page_days: Annotated[int, Field(ge=1, le=365)] = 10
    # How many of a week's and a month's best papers a topic's week and month pages
    # list (/2026/W25/llm/, /2026/06/llm/), a compact row each; the weekly feed too.
    best_of_week: Annotated[int, Field(ge=1, le=500)] = 30
    best_of_month: Annotated[int, Field(ge=1, le=500)] = 50


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
    # arXiv HTML first pages (read for institutions) one run may read, best-scored
    # papers first, at robots.txt's Crawl-delay (15 s: 40 pages take 10 minutes). The
    # others keep arXiv's affiliations until a later run or `arxiv-digest enrich`.
    first_pages_per_run: Annotated[int, Field(ge=0)] = 40
    # Stop spending for the day once this many tokens (in + out) were used.
    daily_token_budget: Annotated[int, Field(ge=0)] | None = 2_000_000
    # USD per million tokens, only for the cost estimate printed after a run.
    price_input_per_million: Annotated[float, Field(ge=0)] = 0.15
    price_output_per_million: Annotated[float, Field(ge=0)] = 0.60


class Archive(_Strict):
    """Past one site (GitHub Pages publishes at most 1 GB): the days before
    `split_before` are published as a second site at `older_site` (`arxiv-digest build
    --older`, generator/split.py), whose search the site's own search box reaches."""

    older_site: SiteAddress
    split_before: QuarterStart


class Delivery(_Strict):
    """What `arxiv-digest deliver` sends by mail and to chats (generator/deliver/)."""

    # Each topic's best papers by score, of those its page lists that day.
    papers_per_topic: Annotated[int, Field(ge=1, le=20)] = 5
    # The topics sent, by slug, in digest.yml's order; null: every topic.
    topics: list[Slug] | None = None


class Config(_Strict):
    site: Site = Site()
    categories: Annotated[list[Category], Field(min_length=1)]
    topics: Annotated[list[Topic], Field(min_length=1)]
    selection: Selection = Selection()
    llm: LLM = LLM()
    archive: Archive | None = None  # None: one site holds every day
    delivery: Delivery = Delivery()

    @field_validator("categories")
    @classmethod
    def _unique_categories(cls, categories: list[str]) -> list[str]:
        _require_unique(categories, "category")
        return categories

    @field_validator("topics")
    @classmethod
    def _unique_topics(cls, topics: list[Topic]) -> list[Topic]:
        _require_unique([t.slug for t in topics], "topic slug")
        for topic in topics:
            if topic.slug in RESERVED_TOPIC_SLUGS:
                raise ValueError(
                    f"topic slug {topic.slug!r} is reserved: {RESERVED_TOPIC_SLUGS[topic.slug]}"
                )
            if topic.slug.isdigit():
                raise ValueError(
                    f"topic slug {topic.slug!r}: a slug needs a letter, as a month's topic"
                    " pages (/2026/06/<slug>/) sit beside its days (/2026/06/19/)"
                )
        return topics

    @model_validator(mode="after")
    def _delivered_topics_exist(self) -> Config:
        unknown = sorted(set(self.delivery.topics or []) - {t.slug for t in self.topics})
        if unknown:
            raise ValueError(f"delivery.topics: {excerpt(unknown)} are not topic slugs")
        return self

    @model_validator(mode="after")
    def _topics_within_categories(self) -> Config:
        for topic in self.topics:
            unknown = sorted(set(topic.categories or []) - set(self.categories))
            if unknown:
                raise ValueError(
                    f"topic {topic.slug!r} draws from {excerpt(unknown)},"
                    " which are not in categories"
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
        raise ValueError(f"duplicate {what}: {', '.join(cut(d) for d in duplicates)}")


def load_config(path: Path) -> Config:
    """Read and validate digest.yml; raise ConfigError listing every problem."""
    name = path.name
    raw = _parse_yaml(name, _read_text(path))
    if not isinstance(raw, dict):
        raise ConfigError([f"{name}: expected a mapping at the top level, got {excerpt(raw)}"])
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError([_describe(name, err) for err in exc.errors()]) from exc


MAX_BYTES = 1 << 20  # the shipped digest.yml is 15 kB


def _read_text(path: Path) -> str:
    name = path.name
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a folder; a FIFO would block
            kind = "a folder, not a file" if path.is_dir() else "not a regular file"
            raise ConfigError([f"{name}: {path} is {kind}"])
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except FileNotFoundError as exc:
        if path.is_symlink():
            raise ConfigError([f"{name}: {path} links to a file that does not exist"]) from exc
        raise ConfigError([f"{name}: not found at {path}"]) from exc
    except OSError as exc:
        raise ConfigError([f"{name}: cannot be read: {exc.strerror or exc}"]) from exc
    if len(data) > MAX_BYTES:
        raise ConfigError([f"{name}: larger than {MAX_BYTES >> 20} MB; is it the right file?"])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            [
                f"{name}: not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}"
                f" (line {line}); save the file as UTF-8"
            ]
        ) from exc


def _parse_yaml(name: str, text: str) -> object:
    loader = None
    try:
        loader = _DigestLoader(text)  # checks every character at once
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        raise ConfigError([f"{name}: {_yaml_problem(exc)}"]) from exc
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise ConfigError(
            [
                f"{name}: not valid YAML: line {line}, column {column}:"
                f" character #x{exc.character:04x} is not allowed"
            ]
        ) from exc
    except yaml.YAMLError as exc:
        raise ConfigError([f"{name}: not valid YAML: {cut(str(exc), 120)}"]) from exc
    finally:
        if loader is not None:
            loader.dispose()


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    """One line: where, then PyYAML's context and problem without the quoted lines."""
    if isinstance(exc, _Refused):
        return str(exc.problem)
    mark = exc.problem_mark or exc.context_mark
    where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
    what = "; ".join(cut(str(p), 120) for p in (exc.context, exc.problem) if p)
    return f"not valid YAML:{where} {what}"


class _Refused(yaml.MarkedYAMLError):
    """YAML that parses, but that digest.yml does not take (our message in full)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem=problem)


def _line(mark: Any) -> int:
    return int(mark.line) + 1 if mark is not None else 0


ALIAS_BUDGET = 1_000  # nodes that aliases may repeat in all: shared lists fit, a bomb not


class _DigestLoader(yaml.SafeLoader):
    """Safe YAML that refuses duplicate keys and more alias expansion than a config needs.

    PyYAML keeps the last of two equal keys, silently; and a few hundred bytes of
    nested aliases ("billion laughs") stand for billions of values, which
    validation and error messages would walk. Both are caught while composing,
    before a value exists."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._repeated = 0  # nodes repeated by aliases so far
        self._sizes: dict[int, int] = {}  # id(node) → its node count, aliases expanded
        self._open: set[str] = set()  # anchors whose node is being composed

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            self._count_alias(event)
            return super().compose_node(parent, index)
        anchor = getattr(event, "anchor", None)
        if anchor is None or not isinstance(event, yaml.CollectionStartEvent):
            return super().compose_node(parent, index)
        self._open.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._open.discard(anchor)

    def _count_alias(self, event: yaml.AliasEvent) -> None:
        anchor = event.anchor
        if anchor in self._open:
            raise _Refused(
                f"line {_line(event.start_mark)}: alias *{cut(str(anchor))}"
                " inside its own anchor (a value that contains itself)"
            )
        if anchor not in self.anchors:
            return  # PyYAML reports the undefined alias
        self._repeated += self._size(self.anchors[anchor])
        if self._repeated > ALIAS_BUDGET:
            raise _Refused(
                f"line {_line(event.start_mark)}: aliases repeat more than"
                f" {ALIAS_BUDGET:,} values; write them out (a YAML alias bomb?)"
            )

    def _size(self, node: yaml.Node) -> int:
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        if isinstance(node, yaml.SequenceNode):
            size = 1 + sum(self._size(item) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            size = 1 + sum(self._size(k) + self._size(v) for k, v in node.value)
        else:
            size = 1
        self._sizes[id(node)] = size
        return size

    def compose_mapping_node(self, anchor: Any) -> yaml.MappingNode:
        node: yaml.MappingNode = super().compose_mapping_node(anchor)
        seen: dict[tuple[str, str], yaml.Node] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE:
                continue
            first = seen.setdefault((key.tag, key.value), key)
            if first is not key:
                raise _Refused(
                    f"duplicate key {excerpt(key.value)} at lines"
                    f" {_line(first.start_mark)} and {_line(key.start_mark)}"
                    " (the second would silently replace the first)"
                )
        return node


_MERGE = "tag:yaml.org,2002:merge"


def _describe(filename: str, error: ErrorDetails) -> str:
    path = _format_path(error["loc"])
    where = f"{filename}: {path}" if path else filename
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown key{_did_you_mean(error['loc'])}"
    if error["type"] == "missing":
        return f"{where}: required, but missing"
    if error["type"] == "value_error":  # our own checks say what is wrong in full
        return f"{where}: {error['msg'].removeprefix('Value error, ')}"
    return f"{where}: expected {_expected(error['msg'])}, got {excerpt(error['input'])}"


def _format_path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        key = cut(str(part))  # an unknown key may be a long one
        text += f"[{part}]" if isinstance(part, int) else (f".{key}" if text else key)
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
    close = difflib.get_close_matches(cut(str(loc[-1])), list(model.model_fields), n=1)
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
