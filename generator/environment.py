"""The environment variables arxiv-digest reads, validated into one typed model.

Like digest.yml's, every problem is reported at once, one line each, naming the
variable and what it expects:
`ARXIV_API_DELAY: expected a number of seconds ≥ 0, got 'abc'`.
An empty variable is unset. The API key's value is never shown, not even in a
traceback (`hide_input_in_errors`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from generator.config import excerpt
from generator.errors import ConfigError
from generator.sources.http import RetryPolicy


def _url(text: str) -> str:
    try:
        parts = urlsplit(text)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        valid = valid and not re.search(r"\s", text) and (parts.port is None or parts.port > 0)
    except ValueError:  # an unclosed [IPv6 or a port out of range
        valid = False
    if not valid:
        raise ValueError(f"expected an http:// or https:// URL, got {excerpt(text)}")
    return text


def _seconds(*, zero_allowed: bool) -> BeforeValidator:
    bound = "≥ 0" if zero_allowed else "> 0"

    def parse(text: str | float) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0 or (value == 0 and not zero_allowed):
            raise ValueError(f"expected a number of seconds {bound}, got {excerpt(text)}")
        return value

    return BeforeValidator(parse)


def _key(text: str) -> str:
    # It travels in an HTTP header: a space, a newline or a curly quote pasted with
    # it would fail there, later, with a less helpful message.
    if not re.fullmatch(r"[\x21-\x7e]+", text):
        raise ValueError("expected printable ASCII without spaces (the value is not shown)")
    return text


Url = Annotated[str, AfterValidator(_url)]
Pause = Annotated[float, _seconds(zero_allowed=True)]
Timeout = Annotated[float, _seconds(zero_allowed=False)]
Key = Annotated[str, AfterValidator(_key)]


class Environment(BaseModel):
    """What the environment says; None where a variable is unset (the reader's default)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, hide_input_in_errors=True)

    rss_url: Url | None = Field(None, alias="ARXIV_RSS_URL")
    api_url: Url | None = Field(None, alias="ARXIV_API_URL")
    html_url: Url | None = Field(None, alias="ARXIV_HTML_URL")
    api_delay: Pause = Field(3.0, alias="ARXIV_API_DELAY")  # arXiv's rule: 3 s
    retry_backoff: Pause = Field(5.0, alias="DIGEST_RETRY_BACKOFF")
    http_timeout: Timeout = Field(60.0, alias="DIGEST_HTTP_TIMEOUT")
    llm_timeout: Timeout | None = Field(None, alias="DIGEST_LLM_TIMEOUT")
    openai_base_url: Url | None = Field(None, alias="OPENAI_BASE_URL")
    openai_api_key: Key | None = Field(None, alias="OPENAI_API_KEY", repr=False)
    llm_model: str | None = Field(None, alias="DIGEST_LLM_MODEL")

    def retry_policy(self) -> RetryPolicy:
        """How arXiv and the LLM are retried: the first wait, doubling."""
        return RetryPolicy(backoff_seconds=self.retry_backoff)

    @classmethod
    def read(cls, environ: Mapping[str, str]) -> Environment:
        """Validate the variables we know; raise ConfigError listing every problem."""
        names = [field.alias for field in cls.model_fields.values() if field.alias]
        given = {name: value for name in names if (value := environ.get(name, "").strip())}
        try:
            return cls.model_validate(given)
        except ValidationError as exc:
            raise ConfigError([_describe(err["loc"], err["msg"]) for err in exc.errors()]) from exc


def _describe(loc: tuple[int | str, ...], message: str) -> str:
    return f"{loc[0]}: {message.removeprefix('Value error, ')}"
