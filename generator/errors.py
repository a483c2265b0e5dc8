"""The exceptions arxiv-digest raises on purpose.

    DigestError            anything the CLI reports as a one-line reason
    ├── ConfigError        digest.yml or the environment is invalid (all problems at once)
    ├── FetchError         arXiv could not be read (RSS or API)
    ├── EnrichError        the LLM step cannot run (e.g. `enrich` without a key)
    │   ├── LLMUnavailable the provider failed after the retries (per request)
    │   └── ReplyRejected  a reply failed the checks (per paper; becomes its reason)
    ├── StoreError         a record file is unreadable or could not be written
    ├── RenderError        content/ could not be written
    ├── SiteError          MkDocs failed to build the site
    └── DeliveryError      `deliver` cannot start (a channel's own failure is reported,
                           never raised out of the command)

Foreign exceptions (httpx, JSON, YAML, OS) are translated into these at the
boundary with `raise ... from exc`, so callers only ever catch `DigestError`.
"""

from __future__ import annotations


class DigestError(Exception):
    """Base class: the message is what the user reads."""


class ConfigError(DigestError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class FetchError(DigestError):
    pass


class EnrichError(DigestError):
    pass


class LLMUnavailable(EnrichError):
    pass


class ReplyRejected(EnrichError):
    pass


class StoreError(DigestError):
    pass


class RenderError(DigestError):
    pass


class SiteError(DigestError):
    pass


class DeliveryError(DigestError):
    pass
