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
from email.utils import getaddresses
from pathlib import Path
from typing import Annotated, Literal
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


def _secret_url(text: str) -> str:
    # A webhook's address is its password: a message must not quote it.
    try:
        _url(text)
    except ValueError:
        raise ValueError("expected an http:// or https:// URL (the value is not shown)") from None
    return text


def _host(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]", text):
        raise ValueError(f"expected a host name such as smtp.example.org, got {excerpt(text)}")
    return text


def _port(text: str) -> int:
    if not re.fullmatch(r"\d{1,5}", text) or not 0 < int(text) < 65536:
        raise ValueError(f"expected a port number 1-65535, got {excerpt(text)}")
    return int(text)


def _security(text: str) -> str:
    if text.lower() not in ("starttls", "ssl"):
        raise ValueError(f"expected starttls or ssl, got {excerpt(text)}")
    return text.lower()


def _addresses(text: str) -> tuple[str, ...]:
    """`a@example.org, Bo <b@example.org>` as its addresses; who gets the mail is not
    shown in a message (a public repository's logs are public)."""
    pairs = getaddresses([text.replace(";", ",")])
    found = tuple(address for _, address in pairs if address)
    if not found or any(not re.fullmatch(r"[^@\s<>,]+@[^@\s<>,]+\.[^@\s<>,]+", a) for a in found):
        raise ValueError("expected e-mail addresses separated by commas (the value is not shown)")
    return found


def _address(text: str) -> str:
    if len(_addresses(text)) != 1:
        raise ValueError("expected one e-mail address (the value is not shown)")
    return text


def _file(text: str) -> Path:
    if not Path(text).is_file():
        raise ValueError(f"expected a file, and there is none at {excerpt(text)}")
    return Path(text)


def _bot_token(text: str) -> str:
    if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", text):
        raise ValueError(
            "expected a bot token 123456:ABC… from @BotFather (the value is not shown)"
        )
    return text


def _chat_id(text: str) -> str:
    if not re.fullmatch(r"-?\d+|@[A-Za-z][A-Za-z0-9_]{3,}", text):
        raise ValueError("expected a chat id (-100…) or a @channel name (the value is not shown)")
    return text


Url = Annotated[str, AfterValidator(_url)]
Pause = Annotated[float, _seconds(zero_allowed=True)]
Timeout = Annotated[float, _seconds(zero_allowed=False)]
Key = Annotated[str, AfterValidator(_key)]
SecretUrl = Annotated[str, AfterValidator(_secret_url)]
Host = Annotated[str, AfterValidator(_host)]
Port = Annotated[int, BeforeValidator(_port)]
Security = Annotated[Literal["starttls", "ssl"], BeforeValidator(_security)]
Addresses = Annotated[tuple[str, ...], BeforeValidator(_addresses)]
Address = Annotated[str, AfterValidator(_address)]
File = Annotated[Path, BeforeValidator(_file)]
BotToken = Annotated[str, AfterValidator(_bot_token)]
ChatId = Annotated[str, AfterValidator(_chat_id)]

# Variables that mean nothing without another: each is named when its partner is missing.
_NEEDS = {
    "DIGEST_SMTP_HOST": ("DIGEST_SMTP_TO",),
    "DIGEST_SMTP_TO": ("DIGEST_SMTP_HOST",),
    "DIGEST_SMTP_USER": ("DIGEST_SMTP_PASSWORD", "DIGEST_SMTP_HOST"),
    "DIGEST_SMTP_PASSWORD": ("DIGEST_SMTP_USER",),
    "DIGEST_SMTP_PORT": ("DIGEST_SMTP_HOST",),
    "DIGEST_SMTP_SECURITY": ("DIGEST_SMTP_HOST",),
    "DIGEST_SMTP_FROM": ("DIGEST_SMTP_HOST",),
    "DIGEST_SMTP_CA_FILE": ("DIGEST_SMTP_HOST",),
    "DIGEST_FEISHU_SECRET": ("DIGEST_FEISHU_WEBHOOK_URL",),
    "DIGEST_DINGTALK_SECRET": ("DIGEST_DINGTALK_WEBHOOK_URL",),
    "DIGEST_TELEGRAM_BOT_TOKEN": ("DIGEST_TELEGRAM_CHAT_ID",),
    "DIGEST_TELEGRAM_CHAT_ID": ("DIGEST_TELEGRAM_BOT_TOKEN",),
}


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
    # Delivery (generator/deliver/): each channel is on when its variables are set.
    smtp_host: Host | None = Field(None, alias="DIGEST_SMTP_HOST")
    smtp_port: Port | None = Field(None, alias="DIGEST_SMTP_PORT")  # None: 587, or 465 for ssl
    smtp_security: Security = Field("starttls", alias="DIGEST_SMTP_SECURITY")
    smtp_user: str | None = Field(None, alias="DIGEST_SMTP_USER", repr=False)
    smtp_password: str | None = Field(None, alias="DIGEST_SMTP_PASSWORD", repr=False)
    smtp_from: Address | None = Field(None, alias="DIGEST_SMTP_FROM")
    smtp_to: Addresses | None = Field(None, alias="DIGEST_SMTP_TO", repr=False)
    smtp_ca_file: File | None = Field(None, alias="DIGEST_SMTP_CA_FILE")
    slack_webhook_url: SecretUrl | None = Field(None, alias="DIGEST_SLACK_WEBHOOK_URL", repr=False)
    feishu_webhook_url: SecretUrl | None = Field(
        None, alias="DIGEST_FEISHU_WEBHOOK_URL", repr=False
    )
    feishu_secret: str | None = Field(None, alias="DIGEST_FEISHU_SECRET", repr=False)
    dingtalk_webhook_url: SecretUrl | None = Field(
        None, alias="DIGEST_DINGTALK_WEBHOOK_URL", repr=False
    )
    dingtalk_secret: str | None = Field(None, alias="DIGEST_DINGTALK_SECRET", repr=False)
    telegram_bot_token: BotToken | None = Field(None, alias="DIGEST_TELEGRAM_BOT_TOKEN", repr=False)
    telegram_chat_id: ChatId | None = Field(None, alias="DIGEST_TELEGRAM_CHAT_ID", repr=False)
    telegram_api_url: Url | None = Field(None, alias="DIGEST_TELEGRAM_API_URL")
    delivery_timeout: Timeout = Field(30.0, alias="DIGEST_DELIVERY_TIMEOUT")
    # Set by GitHub Actions: where a step writes the run's summary (Markdown).
    step_summary: Path | None = Field(None, alias="GITHUB_STEP_SUMMARY")

    def retry_policy(self) -> RetryPolicy:
        """How arXiv and the LLM are retried: the first wait, doubling."""
        return RetryPolicy(backoff_seconds=self.retry_backoff)

    @classmethod
    def read(cls, environ: Mapping[str, str]) -> Environment:
        """Validate the variables we know; raise ConfigError listing every problem."""
        names = [field.alias for field in cls.model_fields.values() if field.alias]
        given = {name: value for name in names if (value := environ.get(name, "").strip())}
        problems = _missing_partners(given)
        try:
            environment = cls.model_validate(given)
        except ValidationError as exc:
            problems = [_describe(err["loc"], err["msg"]) for err in exc.errors()] + problems
            raise ConfigError(problems) from exc
        if problems:
            raise ConfigError(problems)
        return environment


def _missing_partners(given: Mapping[str, str]) -> list[str]:
    problems = [
        f"{name}: set, but {partner} is not"
        for name, partners in _NEEDS.items()
        if name in given
        for partner in partners
        if partner not in given
    ]
    user = given.get("DIGEST_SMTP_USER", "")
    if "DIGEST_SMTP_HOST" in given and "DIGEST_SMTP_FROM" not in given and "@" not in user:
        problems.append(
            "DIGEST_SMTP_FROM: required: the sender's address (DIGEST_SMTP_USER is not one)"
        )
    return problems


def _describe(loc: tuple[int | str, ...], message: str) -> str:
    return f"{loc[0]}: {message.removeprefix('Value error, ')}"
