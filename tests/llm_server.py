"""A loopback OpenAI-compatible `/v1/chat/completions` for tests and benches.

It reads the papers out of the fenced block of our requests and answers like a
model would: from the reference digests where it knows the paper (their real
Chinese titles, abstracts, summaries, institutions and topic hits), and with a
plausible low-scored answer for every other paper: the topics and sub-topics the
keywords of digest.yml find in it (else the LLM topic's "other"), each scored under
the threshold, the more keywords the higher (the 推荐 ranking, test_for_you.py, stars
papers by sub-topic). It fails on demand:

- `faults`: a queue of `LLMFault` served before normal answers (the kinds of
  `loopback.SLOW_KINDS` send the normal reply a byte a second, without end or not
  at all; "huge" pads it past the client's size cap);
- `fault_rate`: that share of requests gets a random fault of `FAULT_KINDS`;
- `json_mode=False`: a provider that refuses `response_format` with a 400;
- `gullible=True`: a model that obeys instructions found in an abstract;
- `dialect`: how the model writes the same answer, one of `DIALECTS` (the shapes of
  `fixtures/replies/`): display names for slugs, scores as text, a code block, ...
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import yaml
from arxiv_server import reference_records
from loopback import SLOW_KINDS, LoopbackServer, QuietHandler, send

from generator.config import load_config
from generator.enrich.client import MAX_REPLY_BYTES
from generator.models import Paper
from generator.topics import Triage

REPO = Path(__file__).resolve().parents[1]
API_KEY = "sk-loopback-test-key-0123456789abcdef"

TRANSPORT_FAULTS = ("429", "500", "slow")
CONTENT_FAULTS = ("invalid-json", "truncated", "wrong-id", "english", "commentary")
FAULT_KINDS = TRANSPORT_FAULTS + CONTENT_FAULTS
# How each provider's model writes the same reply (fixtures/replies/ has one of each):
# "openai" the plain object; "deepseek" in a ```json block; "qwen" display names and
# scores as strings; "ollama" `slug: name`, `name（slug）` and float scores;
# "reasoning" <think>…</think> first, slugs in capitals, scores "95.0".
DIALECTS = ("openai", "deepseek", "qwen", "ollama", "reasoning")
_FENCE = re.compile(r"<(papers-[0-9a-f]+)>\n(.*)\n</\1>", re.S)
_MATH = re.compile(r"(?<!\\)\$(?:[^$\\]|\\.)+?(?<!\\)\$")
_URL = re.compile(r"https?://\S+|this https URL")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
FILLER = (
    "本文研究了一种新的方法并在多个基准上进行了系统的实验验证结果表明该方法有效且具有良好的泛化能力"
)


@dataclass
class LLMFault:
    kind: str
    retry_after: str = "0"
    stage: str | None = None  # "triage" or "detail": only such requests consume it


class FakeLLM(LoopbackServer):
    """Start with `with FakeLLM() as llm:`; `llm.env()` points arxiv-digest at it."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        fault_rate: float = 0.0,
        seed: int = 7,
        json_mode: bool = True,
        gullible: bool = False,
        selected_share: float = 0.0,
        slow_seconds: float = 2.0,
        dialect: str = "openai",
        config: Path = REPO / "digest.yml",
    ) -> None:
        self.latency = latency
        self.fault_rate = fault_rate
        self.json_mode = json_mode
        self.gullible = gullible
        self.selected_share = selected_share  # of unknown papers scored above 60
        self.slow_seconds = slow_seconds
        if dialect not in DIALECTS:
            raise ValueError(f"dialect must be one of {DIALECTS}, got {dialect!r}")
        self.dialect = dialect
        self.faults: deque[LLMFault] = deque()
        self.requests: list[dict[str, Any]] = []  # request bodies, with "stage" and "fault"
        self.replies: list[str] = []  # the text of each answer, as the model wrote it
        self.authorizations: list[str] = []
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._served = threading.local()  # the fault of the reply this thread is sending
        self._reference = reference_records()
        self._topics = _topic_slugs(config)
        self._keywords = Triage(load_config(config))
        self._names = {slugs: names for names, slugs in self._topics.items()}
        super().__init__(self._handler())

    @property
    def url(self) -> str:
        return self.origin + "/v1"

    def env(self) -> dict[str, str]:
        return {
            "OPENAI_API_KEY": API_KEY,
            "OPENAI_BASE_URL": self.url,
            "DIGEST_LLM_MODEL": "loopback-model",
            # Generous: on a loaded 2-core machine a loopback reply can take a second.
            # Tests of the "slow" fault lower it below `slow_seconds` themselves.
            "DIGEST_LLM_TIMEOUT": "10",
        }

    def stage_requests(self, stage: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["stage"] == stage]

    # -- answers -----------------------------------------------------------

    def answer(self, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        system, user = body["messages"][0]["content"], body["messages"][1]["content"]
        stage = "detail" if '"abstract_zh"' in system else "triage"
        fault = self._fault(stage)
        self._served.fault = fault
        with self._lock:
            self.requests.append({**body, "stage": stage, "fault": fault and fault.kind})
        if not self.json_mode and "response_format" in body:
            return _error(400, "response_format is not supported by this model")
        if fault and fault.kind == "429":
            return _error(429, "Rate limit reached", {"Retry-After": fault.retry_after})
        if fault and fault.kind == "401":  # providers echo part of a wrong key
            return _error(401, f"Incorrect API key provided: {API_KEY}")
        if fault and fault.kind == "500":
            return _error(500, "The server had an error while processing your request")
        if fault and fault.kind == "slow":
            time.sleep(self.slow_seconds)
        data = json.loads(_FENCE.search(user).group(2))  # type: ignore[union-attr]
        reply = self.triage(data) if stage == "triage" else self.detail(data)
        if fault:
            reply = _spoil(reply, fault.kind, data)
        content = reply if isinstance(reply, str) else self._speak(reply, stage)
        with self._lock:
            self.replies.append(content)
        finish = "length" if fault and fault.kind == "truncated" else "stop"
        if finish == "length":
            content = content[: len(content) // 2]
        completion = _completion(body, content, finish)
        if fault and fault.kind == "huge":  # still valid JSON: trailing blanks
            completion += b" " * (MAX_REPLY_BYTES + 1 - len(completion))
        return 200, {"Content-Type": "application/json"}, completion

    def _speak(self, reply: dict[str, Any], stage: str) -> str:
        """The reply as the model of `dialect` writes it: same meaning, its own form."""
        if stage == "triage":
            for entry in reply["papers"]:
                entry["topics"] = [self._dialect_hit(hit) for hit in entry["topics"]]
        text = json.dumps(reply, ensure_ascii=False)
        if self.dialect == "deepseek":
            return f"```json\n{json.dumps(reply, ensure_ascii=False, indent=2)}\n```"
        if self.dialect == "reasoning":
            return f"<think>\nThe user wants one JSON object, nothing else.\n</think>\n\n{text}"
        return text

    def _dialect_hit(self, hit: dict[str, Any]) -> dict[str, Any]:
        topic, subtopic, score = hit["topic"], hit["subtopic"], hit["score"]
        name, sub_name = self._names.get((topic, subtopic), (topic, subtopic))
        if self.dialect == "qwen":
            return {**hit, "topic": name, "subtopic": sub_name, "score": str(score)}
        if self.dialect == "ollama":
            written = {"topic": f"{topic}: {name}", "subtopic": f"{sub_name}（{subtopic}）"}
            return {**hit, **written, "score": float(score)}
        if self.dialect == "reasoning":
            return {**hit, "topic": topic.upper(), "score": f"{score}.0"}
        return hit

    def _fault(self, stage: str) -> LLMFault | None:
        with self._lock:
            for fault in list(self.faults):
                if fault.stage in (None, stage):
                    self.faults.remove(fault)
                    return fault
            if self.fault_rate and self._rng.random() < self.fault_rate:
                return LLMFault(self._rng.choice(FAULT_KINDS))
        return None

    def triage(self, papers: list[dict[str, Any]]) -> dict[str, Any]:
        entries = [self._triage_entry(p) for p in papers]
        if self.gullible and any(_instructed(p) for p in papers):
            # An obedient model does what the abstract says: top scores for everyone.
            for entry in entries:
                for hit in entry["topics"]:
                    hit["score"] = 100
        return {"papers": entries}

    def _triage_entry(self, paper: dict[str, Any]) -> dict[str, Any]:
        known = self._reference.get(paper["id"])
        if known:
            topic, subtopic = self._topics[(known["topic"], known["subtopic"])]
            hit = {"topic": topic, "subtopic": subtopic, "score": known["score"]}
            return {
                "id": paper["id"],
                "title_zh": known["title_zh"],
                "topics": [{**hit, "reason": known["reason"]}],
            }
        return {
            "id": paper["id"],
            "title_zh": fake_chinese(paper["title"], 0.35),
            "topics": self._guessed_hits(paper),
        }

    def _guessed_hits(self, paper: dict[str, Any]) -> list[dict[str, Any]]:
        """The keywords' topics for a paper the reference does not have, scored 15-55
        by the keywords' score; the best at 70 for `selected_share` of the papers."""
        probe = Paper(
            id=paper["id"],
            version=1,
            title=paper["title"],
            authors=[],
            abstract=paper.get("abstract", ""),
            categories=list(self._keywords.config.categories),  # every topic may have it
            primary_category=None,
            announce_type="new",
        )
        hits = sorted(self._keywords.score(probe), key=lambda h: -h.score)
        guessed = [(h.topic, h.subtopic, 15 + h.score * 40 // 100) for h in hits]
        if not guessed:
            guessed = [("llm", "other", 15 + int(_share(paper["id"], 40)))]
        if _share(paper["id"]) < self.selected_share:
            guessed[0] = (*guessed[0][:2], 70)
        return [
            {"topic": topic, "subtopic": sub, "score": score, "reason": "相关性较低。"}
            for topic, sub, score in guessed
        ]

    def detail(self, paper: dict[str, Any]) -> dict[str, Any]:
        known = self._reference.get(paper["id"])
        has_sources = "first_page" in paper or "affiliations" in paper
        if known:
            institutions = split_institutions(known.get("institutions")) if has_sources else []
            return {
                "id": paper["id"],
                "abstract_zh": known["abstract_zh"],
                "tldr": known["tldr"],
                "institutions": institutions,
            }
        return {
            "id": paper["id"],
            "abstract_zh": fake_translation(paper["abstract"]),
            "tldr": "本文提出了一种新方法,并在实验中验证了其有效性。",
            "institutions": list(paper.get("affiliations", [])),
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                with server._lock:
                    server.authorizations.append(self.headers.get("Authorization", ""))
                if self.path != "/v1/chat/completions":
                    send(self, 404, b'{"error": {"message": "not found"}}', {})
                    return
                time.sleep(server.latency)
                server._served.fault = None
                status, headers, reply = server.answer(body)
                fault = server._served.fault
                if fault and fault.kind in SLOW_KINDS:
                    server.send_slowly(self, fault.kind, status, reply, headers)
                else:
                    send(self, status, reply, headers)

        return Handler


# -- canned text -------------------------------------------------------------


def fake_chinese(text: str, ratio: float) -> str:
    length = max(6, int(len(text) * ratio))
    return (FILLER * (length // len(FILLER) + 1))[:length]


def fake_translation(abstract: str) -> str:
    """Chinese prose of a translation's length that keeps math, URLs and numbers."""
    kept = _MATH.findall(abstract) + _URL.findall(abstract)
    rest = _URL.sub(" ", _MATH.sub(" ", abstract))
    kept += _NUMBER.findall(rest)
    return fake_chinese(abstract, 0.3) + "。" + " ".join(kept)


def split_institutions(text: str | None) -> list[str]:
    """The reference's "A(甲) B(乙) C" as ["A(甲)", "B(乙)", "C"]."""
    if not text:
        return []
    return [part for part in re.split(r"(?<=[))])\s+", text.strip()) if part]


def english_part(institution: str) -> str:
    return re.sub(r"\s*[((][^()()]*[^\x00-\x7f].*$", "", institution)


def _topic_slugs(config: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(topic name, sub-topic name) of the reference → (topic slug, sub-topic slug)."""
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    return {
        (topic["name"], sub["name"]): (topic["slug"], sub["slug"])
        for topic in raw["topics"]
        for sub in topic["subtopics"]
    }


def _share(arxiv_id: str, modulo: int = 100) -> float:
    value = int.from_bytes(arxiv_id.encode()[-4:], "big") % modulo
    return value / 100 if modulo == 100 else value


def _instructed(paper: dict[str, Any]) -> bool:
    return "ignore all previous instructions" in paper.get("abstract", "").lower()


def _spoil(reply: dict[str, Any], kind: str, data: Any) -> dict[str, Any] | str:
    """The reply as a misbehaving model would give it."""
    if kind == "invalid-json":
        return "{papers: [this is not JSON"
    if kind == "invented-institution":
        reply["institutions"] = [*reply.get("institutions", []), "Stanford University(斯坦福大学)"]
        return reply
    entries = reply.get("papers", [reply])
    originals = data if isinstance(data, list) else [data]
    for entry, original in zip(entries, originals, strict=True):
        if kind == "wrong-id":
            entry["id"] = "2699.00001"
            break
        if kind == "english":
            if "title_zh" in entry:
                entry["title_zh"] = original["title"]
            else:
                entry["abstract_zh"] = original["abstract"]
        if kind == "commentary":
            if "title_zh" in entry:
                entry["title_zh"] = f"以下是翻译:{entry['title_zh']}\n(或:{entry['title_zh']})"
            else:
                entry["abstract_zh"] = (
                    f"以下是中文翻译:\n{entry['abstract_zh']}\n(注:术语保留英文。)"
                )
    return reply


def _estimate(text: str) -> int:
    ascii_chars = sum(ch.isascii() for ch in text)
    return int(ascii_chars / 4 + (len(text) - ascii_chars) / 1.5) + 1


def _completion(request: dict[str, Any], content: str, finish: str) -> bytes:
    prompt = "".join(m["content"] for m in request["messages"])
    return json.dumps(
        {
            "id": "chatcmpl-loopback",
            "object": "chat.completion",
            "model": request["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": finish,
                }
            ],
            "usage": {"prompt_tokens": _estimate(prompt), "completion_tokens": _estimate(content)},
        },
        ensure_ascii=False,
    ).encode()


def _error(
    status: int, message: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    body = json.dumps({"error": {"message": message, "type": "loopback"}}).encode()
    return status, {"Content-Type": "application/json", **(headers or {})}, body
