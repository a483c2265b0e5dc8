"""One retrying GET for arXiv: timeouts, 429 and 5xx are retried, nothing else.

The wait doubles each attempt and honours `Retry-After`; `sleep` is a
parameter so tests run the real loop without waiting.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import httpx

from generator.errors import FetchError

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    backoff_seconds: float = 5.0  # first wait; doubles after each failed attempt
    max_wait_seconds: float = 120.0

    def wait(self, attempt: int, retry_after: str | None) -> float:
        waited: float = self.backoff_seconds * 2**attempt
        # Retry-After in seconds is honoured; an HTTP-date keeps our own backoff.
        if retry_after is not None and retry_after.strip().isdigit():
            waited = max(waited, float(retry_after))
        return min(waited, self.max_wait_seconds)


class Retryable(Exception):
    """A response that is a transient fault although its status said 200."""


def get_with_retries(
    client: httpx.Client,
    url: str,
    *,
    params: Mapping[str, str] | None = None,
    policy: RetryPolicy,
    parse: Callable[[httpx.Response], T],
    sleep: Callable[[float], None] = time.sleep,
    what: str = "arXiv",
) -> T:
    """GET `url` and `parse` the response; `parse` raises Retryable for a 200
    that is really a transient fault (blank body, an HTML error page, ...)."""
    problem = ""
    for attempt in range(policy.attempts):
        retry_after = None
        try:
            response = client.get(url, params=params)
            if response.status_code in RETRY_STATUS:
                retry_after = response.headers.get("Retry-After")
                raise Retryable(f"HTTP {response.status_code}")
            if response.is_error:
                raise FetchError(f"{what} answered HTTP {response.status_code} for {url}")
            return parse(response)
        except (httpx.TimeoutException, httpx.TransportError, Retryable) as exc:
            problem = str(exc) or type(exc).__name__
        if attempt + 1 < policy.attempts:
            wait = policy.wait(attempt, retry_after)
            log.warning("%s: %s; retrying in %.0f s", what, problem, wait)
            sleep(wait)
    raise FetchError(f"{what} could not be read after {policy.attempts} attempts: {problem}")
