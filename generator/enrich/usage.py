"""What the LLM step spent, and the budget that stops it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.config import LLM

_SUMMED = ("requests", "tokens_in", "tokens_out", "cache_hits")


@dataclass
class Usage:
    requests: int = 0  # HTTP requests sent, retries included
    tokens_in: int = 0
    tokens_out: int = 0
    cache_hits: int = 0  # replies reused instead of paid for again
    failed: int = 0  # papers left failed
    estimated: bool = False  # the provider did not count tokens; we estimated

    @property
    def tokens(self) -> int:
        return self.tokens_in + self.tokens_out

    def cost(self, llm: LLM) -> float:
        return (
            self.tokens_in * llm.price_input_per_million
            + self.tokens_out * llm.price_output_per_million
        ) / 1_000_000

    def describe(self, llm: LLM) -> str:
        about = "about " if not self.estimated else "an estimated "
        return (
            f"LLM: {self.requests} requests, {self.tokens_in:,} tokens in / "
            f"{self.tokens_out:,} out, {self.cache_hits} cache hits, "
            f"{self.failed} papers failed, {about}${self.cost(llm):.4f}"
        )

    def added_to(self, earlier: dict[str, Any], llm: LLM, model: str) -> dict[str, Any]:
        """The day's running totals in its metadata, this run's figures added."""
        totals = {name: earlier.get(name, 0) + getattr(self, name) for name in _SUMMED}
        return {
            **totals,
            "failed": self.failed,  # a state, not a sum: papers failed now
            "cost_usd": round(earlier.get("cost_usd", 0.0) + self.cost(llm), 6),
            "estimated": bool(earlier.get("estimated")) or self.estimated,
            "model": model,
        }


class Budget:
    """Tokens one command may spend on one day; requests in flight count too."""

    def __init__(self, limit: int | None, usage: Usage) -> None:
        self.limit = limit
        self.usage = usage
        self._in_flight = 0

    def reserve(self, estimate: int) -> bool:
        if self.limit is not None and self.usage.tokens + self._in_flight + estimate > self.limit:
            return False
        self._in_flight += estimate
        return True

    def release(self, estimate: int) -> None:
        self._in_flight -= estimate
