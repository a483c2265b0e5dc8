"""The LLM client against the loopback provider: retries, pace, JSON mode, secrets."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from llm_server import API_KEY, FakeLLM, LLMFault

from generator.enrich.client import ChatClient, Completion, LLMSettings
from generator.enrich.prompts import fence
from generator.enrich.usage import Usage
from generator.errors import LLMUnavailable
from generator.sources.http import RetryPolicy

PAPER = {"id": "2606.19348", "title": "A title", "abstract": "An abstract of the paper."}


def messages() -> list[dict[str, str]]:
    block, _ = fence([PAPER])
    return [{"role": "system", "content": "triage"}, {"role": "user", "content": block}]


def settings(server: FakeLLM, **changes: object) -> LLMSettings:
    values: dict = {
        "base_url": server.url,
        "api_key": API_KEY,
        "model": "loopback-model",
        "concurrency": 4,
        "requests_per_minute": 60000,
        "timeout": 1.0,
        "retry": RetryPolicy(attempts=4, backoff_seconds=0.01),
    }
    return LLMSettings(**{**values, **changes})


async def ask(config: LLMSettings, times: int = 1) -> tuple[list[Completion], Usage]:
    usage = Usage()
    async with httpx.AsyncClient() as http:
        client = ChatClient(config, http, usage)
        results = await asyncio.gather(
            *(client.complete(messages(), max_tokens=500) for _ in range(times))
        )
    return list(results), usage


def test_a_reply_and_its_token_counts() -> None:
    with FakeLLM() as server:
        [completion], usage = asyncio.run(ask(settings(server)))
    assert '"2606.19348"' in completion.text and not completion.truncated
    assert usage.requests == 1 and usage.tokens_in > 0 and usage.tokens_out > 0
    request = server.requests[0]
    assert request["response_format"] == {"type": "json_object"}
    assert request["model"] == "loopback-model" and request["max_tokens"] == 500
    assert server.authorizations == [f"Bearer {API_KEY}"]


def test_429_waits_as_long_as_retry_after_says() -> None:
    with FakeLLM() as server:
        server.faults.append(LLMFault("429", retry_after="1"))
        started = time.monotonic()
        [completion], usage = asyncio.run(ask(settings(server)))
        waited = time.monotonic() - started
    assert usage.requests == 2 and completion.text
    assert waited >= 1.0


@pytest.mark.parametrize("kind", ["500", "slow"])
def test_server_errors_and_timeouts_are_retried(kind: str) -> None:
    with FakeLLM(slow_seconds=1.5) as server:
        server.faults.extend([LLMFault(kind), LLMFault(kind)])
        [completion], usage = asyncio.run(ask(settings(server)))
    assert usage.requests == 3 and completion.text


def test_retries_are_bounded_and_the_reason_kept() -> None:
    with FakeLLM() as server:
        server.faults.extend(LLMFault("500") for _ in range(4))
        with pytest.raises(LLMUnavailable, match="failed 4 times: HTTP 500"):
            asyncio.run(ask(settings(server)))
        assert len(server.requests) == 4


def test_a_refused_key_is_not_retried_and_never_printed() -> None:
    with FakeLLM() as server:
        server.faults.append(LLMFault("401"))
        with pytest.raises(LLMUnavailable) as failure:
            asyncio.run(ask(settings(server)))
        assert len(server.requests) == 1
    message = str(failure.value)
    assert "HTTP 401" in message and API_KEY not in message and "0123456789" not in message
    assert API_KEY not in repr(settings(server))


def test_without_json_mode_the_provider_is_asked_again_plainly() -> None:
    with FakeLLM(json_mode=False) as server:
        completions, usage = asyncio.run(ask(settings(server, concurrency=1), times=3))
    assert all(c.text for c in completions)
    with_format = [r for r in server.requests if "response_format" in r]
    assert len(with_format) == 1  # asked once, then never again
    assert usage.requests == 4


def test_concurrency_is_bounded() -> None:
    with FakeLLM(latency=0.3) as server:
        started = time.monotonic()
        asyncio.run(ask(settings(server, concurrency=2), times=6))
        elapsed = time.monotonic() - started
    # six 0.3 s replies two at a time take three rounds, not one
    assert elapsed >= 0.85


def test_requests_per_minute_spaces_the_starts() -> None:
    with FakeLLM() as server:
        started = time.monotonic()
        asyncio.run(ask(settings(server, requests_per_minute=300), times=4))
        elapsed = time.monotonic() - started
    assert elapsed >= 0.55  # starts at 0, 0.2, 0.4, 0.6 s


def test_settings_come_from_the_environment_over_the_config() -> None:
    from generator.config import LLM
    from generator.environment import Environment

    assert LLMSettings.from_environment(LLM(), Environment.read({})) is None
    assert LLMSettings.from_environment(LLM(), Environment.read({"OPENAI_API_KEY": " "})) is None
    environment = Environment.read(
        {
            "OPENAI_API_KEY": " k ",
            "OPENAI_BASE_URL": "http://h/v1/",
            "DIGEST_LLM_MODEL": "qwen",
            "DIGEST_RETRY_BACKOFF": "0.5",
        }
    )
    configured = LLMSettings.from_environment(
        LLM(model="gpt-4o-mini", timeout_seconds=90), environment
    )
    assert configured is not None
    assert (configured.base_url, configured.api_key, configured.model, configured.timeout) == (
        "http://h/v1",
        "k",
        "qwen",
        90,
    )
    assert configured.retry.backoff_seconds == 0.5
    timed = Environment.read({"OPENAI_API_KEY": "k", "DIGEST_LLM_TIMEOUT": "7.5"})
    timed_settings = LLMSettings.from_environment(LLM(timeout_seconds=90), timed)
    assert timed_settings is not None and timed_settings.timeout == 7.5
