"""Every HTTP request of the digest, bounded; and the one retrying GET for arXiv.

- `read_bounded` sends one request on an `httpx.AsyncClient` and reads the whole
  answer within a total deadline (connect, headers and every byte of the body) and
  a size cap. httpx's own timeouts bound each read, not the request: a body sent a
  byte a second, or one that never ends, would never time out.
- `ArxivHttp` is the sync side (arXiv's RSS and API) on top of it.
- `get_with_retries` GETs from arXiv: timeouts, 429 and 5xx are retried, nothing
  else. The wait doubles each attempt and honours `Retry-After`; `sleep` is a
  parameter so tests run the real loop without waiting.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Self, TypeVar

import httpx

from generator.errors import FetchError

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
T = TypeVar("T")

MiB = 1024 * 1024
# The largest answer arXiv gave us: the combined feed of cs.AI+cs.CL+cs.CV+cs.LG of
# 2026-06-16 (the fixtures' busiest day, 1,456 items) is 3.1 MB. A feed lists at most
# 2,000 items and an API answer at most 2,000 entries, so about 6 MB is the most a
# real answer can be; 32 MiB leaves five times that for forks with many categories.
MAX_ARXIV_BYTES = 32 * MiB


class TooSlow(Exception):
    """No complete answer within the deadline."""

    def __init__(self, deadline: float) -> None:
        super().__init__(f"no complete answer within {deadline:g} s")


class TooLarge(Exception):
    """An answer longer than the cap (counted after decompression)."""

    def __init__(self, limit: int) -> None:
        size = f"{limit / MiB:g} MiB" if limit >= MiB else f"{limit:,} bytes"
        super().__init__(f"an answer over {size}")


async def read_bounded(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    deadline: float,
    max_bytes: int,
    **request: Any,
) -> httpx.Response:
    """The response with its whole body, or TooSlow / TooLarge (or httpx's
    TransportError). Leaving early closes the connection, so the server sees it."""
    try:
        async with asyncio.timeout(deadline):
            # timeout=None: this deadline is the one clock, for every phase at once.
            async with client.stream(method, url, timeout=None, **request) as response:
                body = await _read_body(response, max_bytes)
    except TimeoutError as exc:
        raise TooSlow(deadline) from exc
    return _with_body(response, body)


async def _read_body(response: httpx.Response, max_bytes: int) -> bytes:
    body = bytearray()
    # Decoded bytes: a small gzip that unpacks to gigabytes is as large as it unpacks to.
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise TooLarge(max_bytes)
    return bytes(body)


def _with_body(streamed: httpx.Response, body: bytes) -> httpx.Response:
    # `body` is decoded already: the copy must not claim the encoding it had on the wire.
    wire_only = {"content-encoding", "content-length", "transfer-encoding"}
    headers = [(k, v) for k, v in streamed.headers.multi_items() if k.lower() not in wire_only]
    return httpx.Response(
        streamed.status_code, headers=headers, content=body, request=streamed.request
    )


class ArxivHttp:
    """Sync GETs for arXiv, each bounded by `read_bounded`, on one kept connection.

    A sync httpx request cannot be stopped from outside while it reads; an asyncio
    task can be cancelled at any await. So the requests run on an AsyncClient inside
    an event loop of its own (an `asyncio.Runner` kept as long as this object, which
    keeps the connection too): still one request at a time on one connection, as
    arXiv asks, and the callers stay plain sync code. A watchdog thread that shuts
    the socket down would need httpx's private socket; this needs nothing private.
    """

    def __init__(
        self,
        *,
        deadline: float,
        headers: Mapping[str, str] | None = None,
        max_bytes: int = MAX_ARXIV_BYTES,
    ) -> None:
        self.deadline = deadline
        self.max_bytes = max_bytes
        # Its own loop, never set as the thread's: asyncio.run() elsewhere is unaffected.
        self._runner = asyncio.Runner(loop_factory=asyncio.new_event_loop)
        self._client = httpx.AsyncClient(
            headers=headers, follow_redirects=True, limits=httpx.Limits(max_connections=1)
        )

    def get(self, url: str, *, params: Mapping[str, str] | None = None) -> httpx.Response:
        bounded = read_bounded(
            self._client,
            "GET",
            url,
            params=params,
            deadline=self.deadline,
            max_bytes=self.max_bytes,
        )
        return self._runner.run(bounded)

    def close(self) -> None:
        self._runner.run(self._client.aclose())
        self._runner.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
    client: ArxivHttp,
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
        except TooLarge as exc:
            # Not retried: arXiv's answers are a few MB at most (see MAX_ARXIV_BYTES),
            # so one over the cap is no passing fault, and asking again would only make
            # arXiv send it again.
            raise FetchError(f"{what} sent {exc} for {url}") from exc
        except (TooSlow, httpx.TransportError, Retryable) as exc:
            problem = str(exc) or type(exc).__name__
        if attempt + 1 < policy.attempts:
            wait = policy.wait(attempt, retry_after)
            log.warning("%s: %s; retrying in %.0f s", what, problem, wait)
            sleep(wait)
    raise FetchError(f"{what} could not be read after {policy.attempts} attempts: {problem}")
