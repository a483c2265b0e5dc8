"""One OpenAI-compatible `/chat/completions` client: bounded, paced, retried.

OpenAI, DeepSeek, Qwen (DashScope's compatible mode), vLLM and Ollama all speak
this protocol; the README lists their settings.
- At most `concurrency` requests in flight; request starts are spaced so that
  no more than `requests_per_minute` begin in any minute.
- Each attempt has a total deadline (`timeout`: connect, headers and the whole
  reply) and a size cap, see `read_bounded`.
- Timeouts, connection errors, 429 and 5xx are retried with a doubling wait that
  honours `Retry-After`; other errors (a wrong key, an unknown model) are not.
- JSON mode (`response_format`) is asked for; a provider that refuses it with a
  400 is asked again without it, and not asked again during the run.
- The API key is sent in a header and scrubbed from every message we make.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from generator.config import LLM
from generator.enrich.usage import Usage
from generator.environment import Environment
from generator.errors import LLMUnavailable
from generator.sources.http import (
    RETRY_STATUS,
    MiB,
    RetryPolicy,
    TooLarge,
    TooSlow,
    read_bounded,
)

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# The longest reply we ask for: a triage of 100 papers (llm.triage_batch_size's
# maximum) at max_tokens 32,400. The loopback provider's replies for 2026-06-16 take 0.8
# to 1.1 bytes per max_token (1.5 with every non-ASCII character \u-escaped); even
# 12 bytes a token, Chinese escaped twice over, is 0.4 MB. 4 MiB is ten times that.
MAX_REPLY_BYTES = 4 * MiB
_KEY_LIKE = re.compile(r"\b(sk|key|token)-[A-Za-z0-9_\-*.]{6,}", re.I)

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class LLMSettings:
    """Which provider and model, and how hard to push it (environment over digest.yml)."""

    base_url: str
    api_key: str = field(repr=False)
    model: str = LLM().model
    concurrency: int = LLM().concurrency
    requests_per_minute: int = LLM().requests_per_minute
    timeout: float = LLM().timeout_seconds
    json_mode: bool = True
    temperature: float | None = LLM().temperature
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @classmethod
    def from_environment(cls, config: LLM, environment: Environment) -> LLMSettings | None:
        """None when no key is set: the digest then runs without an LLM."""
        if environment.openai_api_key is None:
            return None
        timeout = environment.llm_timeout
        return cls(
            base_url=(environment.openai_base_url or DEFAULT_BASE_URL).rstrip("/"),
            api_key=environment.openai_api_key,
            model=environment.llm_model or config.model,
            concurrency=config.concurrency,
            requests_per_minute=config.requests_per_minute,
            timeout=config.timeout_seconds if timeout is None else timeout,
            json_mode=config.json_mode,
            temperature=config.temperature,
            retry=environment.retry_policy(),
        )


class _Transient(Exception):
    """A fault worth another attempt after the backoff."""

    def __init__(self, problem: str, retry_after: str | None = None) -> None:
        super().__init__(problem)
        self.retry_after = retry_after


class _AskAgainAtOnce(Exception):
    """The provider refused JSON mode: the same request without it, no wait."""


@dataclass(frozen=True)
class Completion:
    text: str
    truncated: bool  # the provider stopped at the output limit


class Pacer:
    """Spaces the starts of requests `interval` seconds apart, across tasks."""

    def __init__(self, interval: float, sleep: Sleep = asyncio.sleep) -> None:
        self.interval = interval
        self._sleep = sleep
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            await self._sleep(start - now)


class ChatClient:
    def __init__(
        self,
        settings: LLMSettings,
        http: httpx.AsyncClient,
        usage: Usage,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.usage = usage
        self._http = http
        self._sleep = sleep
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._pacer = Pacer(60.0 / settings.requests_per_minute, sleep)
        self._json_mode = settings.json_mode

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int) -> Completion:
        """The reply's text; LLMUnavailable once the retries are spent."""
        policy = self.settings.retry
        problem = ""
        async with self._slots:
            for attempt in range(policy.attempts):
                await self._pacer.wait()
                try:
                    return self._read(await self._post(messages, max_tokens), messages)
                except _AskAgainAtOnce:
                    continue
                except _Transient as exc:
                    problem, retry_after = str(exc), exc.retry_after
                except (TooSlow, TooLarge) as exc:
                    # A reply over the cap is a model that ran on; the next answer
                    # differs, so it is retried like a slow one.
                    problem, retry_after = str(exc), None
                except httpx.TransportError as exc:
                    problem, retry_after = f"cannot connect ({type(exc).__name__})", None
                if attempt + 1 < policy.attempts:
                    wait = policy.wait(attempt, retry_after)
                    log.info("LLM: %s; retrying in %.1f s", problem, wait)
                    await self._sleep(wait)
        raise LLMUnavailable(f"the LLM provider failed {policy.attempts} times: {problem}")

    def _read(self, response: httpx.Response, messages: list[dict[str, str]]) -> Completion:
        """The completion, or why not: _Transient (retry), LLMUnavailable (give up)."""
        if response.status_code in RETRY_STATUS:
            raise _Transient(f"HTTP {response.status_code}", response.headers.get("Retry-After"))
        if self._json_mode and _refuses_json_mode(response):
            log.warning("the provider does not take response_format; asking without")
            self._json_mode = False
            raise _AskAgainAtOnce
        if response.is_error:
            raise LLMUnavailable(self.scrub(_describe_error(response)))
        try:
            return self._completion(response, messages)
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise _Transient("the answer is not a chat completion") from exc

    async def _post(self, messages: list[dict[str, str]], max_tokens: int) -> httpx.Response:
        body: dict[str, Any] = {
            "model": self.settings.model,
            "messages": messages,
            "max_tokens": max_tokens,
        }
        if self.settings.temperature is not None:
            body["temperature"] = self.settings.temperature
        if self._json_mode:
            body["response_format"] = {"type": "json_object"}
        self.usage.requests += 1
        return await read_bounded(
            self._http,
            "POST",
            f"{self.settings.base_url}/chat/completions",
            json=body,
            headers={"Authorization": f"Bearer {self.settings.api_key}"},
            deadline=self.settings.timeout,
            max_bytes=MAX_REPLY_BYTES,
        )

    def _completion(self, response: httpx.Response, messages: list[dict[str, str]]) -> Completion:
        data = response.json()
        choice = data["choices"][0]
        text = choice["message"]["content"]
        if not isinstance(text, str):
            raise TypeError("content is not text")
        counted = data.get("usage") or {}
        if isinstance(counted.get("prompt_tokens"), int):
            self.usage.tokens_in += counted["prompt_tokens"]
            self.usage.tokens_out += int(counted.get("completion_tokens") or 0)
        else:  # Some local servers do not count: estimate, and say so.
            self.usage.estimated = True
            self.usage.tokens_in += estimate_tokens(json.dumps(messages, ensure_ascii=False))
            self.usage.tokens_out += estimate_tokens(text)
        return Completion(text, truncated=choice.get("finish_reason") == "length")

    def scrub(self, message: str) -> str:
        return _KEY_LIKE.sub("[key hidden]", message.replace(self.settings.api_key, "[key hidden]"))


def estimate_tokens(text: str) -> int:
    """About 4 characters of English or 1.5 of Chinese make a token."""
    ascii_chars = sum(ch.isascii() for ch in text)
    return int(ascii_chars / 4 + (len(text) - ascii_chars) / 1.5) + 1


def _refuses_json_mode(response: httpx.Response) -> bool:
    text = response.text.lower()
    return response.status_code in (400, 422) and (
        "response_format" in text or "json_object" in text
    )


def _describe_error(response: httpx.Response) -> str:
    detail = response.text[:300]
    try:
        error = response.json().get("error")
        detail = error.get("message", detail) if isinstance(error, dict) else str(error or detail)
    except (ValueError, AttributeError):
        pass
    return f"the LLM provider refused the request: HTTP {response.status_code}: {detail[:300]}"
