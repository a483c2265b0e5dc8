"""The digest to chats, each in the format its service documents, split where the
service's limits say:

- Slack incoming webhook (and Slack-compatible ones: Mattermost, Rocket.Chat):
  `blocks` (a header, sections of mrkdwn up to 3,000 characters, at most 50 blocks
  a message) with the same text in `text`, which Slack shows in notifications and
  compatible services show instead of blocks. mrkdwn escapes &, < and >.
- Feishu / Lark custom bot: `msg_type: post` (rich text). Its `text` and `a` elements
  are shown as written (nothing in them is markup), a request body at most 20 KB;
  with a signing secret, `timestamp` and `sign` (HMAC-SHA256 keyed with
  "timestamp\\nsecret", base64) in the body.
- DingTalk custom robot: `msgtype: markdown`, at most 20 KB; untrusted text has its
  Markdown escaped; with a signing secret, `timestamp` (ms) and `sign`
  (HMAC-SHA256 of "timestamp\\nsecret" keyed with the secret, base64) in the query.
- Telegram Bot API `sendMessage` with `parse_mode: HTML` (only &, < and > escaped,
  and " in attributes), at most 4,096 characters a message.

Each request has one deadline for all of it (connect, send, answer: `read_bounded`).
Timeouts, connection faults, 429 (with Retry-After, or Telegram's `retry_after`) and
5xx are retried; anything else the service refuses is not.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx

from generator import __version__
from generator.config import cut
from generator.deliver.channels import (
    Channel,
    ChannelFailed,
    Pace,
    Transient,
    send_parts,
)
from generator.deliver.message import Digest, Item, TopicDigest, fitted, pack
from generator.sources.http import RETRY_STATUS, TooLarge, TooSlow, read_bounded

MAX_ANSWER = 1024 * 1024  # a webhook answers "ok" or a short JSON object
USER_AGENT = f"arxiv-digest/{__version__}"
DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org"

# -- posting -----------------------------------------------------------------------


def body_of(payload: dict[str, Any]) -> bytes:
    """What is sent, UTF-8 (DingTalk asks for it) and measured as sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


async def _bounded_post(url: str, body: bytes, deadline: float) -> httpx.Response:
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    async with httpx.AsyncClient(headers=headers) as client:
        return await read_bounded(
            client, "POST", url, content=body, deadline=deadline, max_bytes=MAX_ANSWER
        )


def post(url: str, payload: dict[str, Any], pace: Pace) -> httpx.Response:
    """One attempt: the answer, or Transient / ChannelFailed."""
    try:
        response = asyncio.run(_bounded_post(url, body_of(payload), pace.timeout))
    except TooSlow as exc:
        raise Transient(str(exc)) from exc
    except TooLarge as exc:
        raise ChannelFailed(f"the service sent {exc}") from exc
    except httpx.TransportError as exc:
        raise Transient(f"{type(exc).__name__}: {exc}".rstrip(": ")) from exc
    if response.status_code in RETRY_STATUS:
        raise Transient(_status(response), _retry_after(response))
    if response.is_error:
        raise ChannelFailed(_status(response))
    return response


def _retry_after(response: httpx.Response) -> str | None:
    """Retry-After, or Telegram's `parameters.retry_after` in its JSON answer."""
    header: str | None = response.headers.get("Retry-After")
    if header is not None:
        return header
    try:
        seconds = response.json()["parameters"]["retry_after"]
    except (ValueError, KeyError, TypeError):
        return None
    return str(seconds) if isinstance(seconds, int) else None


def _status(response: httpx.Response) -> str:
    said = " ".join(response.text.split())[:200]
    return f"HTTP {response.status_code}" + (f": {said}" if said else "")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise ChannelFailed(f"an answer that is not a JSON object: {_status(response)}")
    return answer


def _sent(channel: Channel, pace: Pace, attempts: list[Callable[[], None]]) -> str:
    send_parts(attempts, pace, channel.name)
    return "in 1 message" if len(attempts) == 1 else f"in {len(attempts)} messages"


def _heading(topic: TopicDigest) -> str:
    shown = len(topic.items)
    best = f",相关度最高的 {shown} 篇" if topic.listed > shown else ""
    return f"{topic.listed} 篇{best}"


# -- Slack -------------------------------------------------------------------------

SLACK_SECTION = 3000
SLACK_BLOCKS = 45  # of 50, with the header and the context block
SLACK_TEXT = 35_000  # of 40,000


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_link(url: str | None, text: str) -> str:
    return f"<{slack_escape(url)}|{slack_escape(text)}>" if url else slack_escape(text)


def slack_item(item: Item) -> str:
    lines = [f"*{item.score}* · *{_slack_link(item.card_url or item.arxiv_url, item.title)}*"]
    lines += [slack_escape(text) for text in (item.title_zh, item.summary) if text]
    lines.append(_slack_link(item.arxiv_url, f"arXiv:{item.arxiv_id}"))
    return "\n".join(lines)


def slack_sections(topic: TopicDigest) -> list[str]:
    heading = f"*{_slack_link(topic.page_url, topic.name)}* · {_heading(topic)}"
    pieces = [heading] + [fitted(i, slack_item, _fits_a_slack_section) for i in topic.items]
    groups = pack(pieces, lambda group: len("\n\n".join(group)) <= SLACK_SECTION)
    return ["\n\n".join(group) for group in groups]


def _fits_a_slack_section(text: str) -> bool:
    return len(text) <= SLACK_SECTION - 400  # with the topic's heading


def _fits_a_slack_message(sections: list[str]) -> bool:
    return len(sections) <= SLACK_BLOCKS and sum(map(len, sections)) <= SLACK_TEXT


def slack_payloads(digest: Digest) -> list[dict[str, Any]]:
    sections = [text for topic in digest.topics for text in slack_sections(topic)]
    messages = pack(sections, _fits_a_slack_message)
    payloads = []
    for number, group in enumerate(messages, 1):
        title = digest.title + (f" ({number}/{len(messages)})" if len(messages) > 1 else "")
        blocks: list[dict[str, Any]] = [_block("header", cut(title, 150), "plain_text")]
        if number == 1 and digest.day_url:
            link = _slack_link(digest.day_url, "当天全部论文")
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": link}]})
        blocks += [_block("section", text) for text in group]
        text = "\n\n".join([f"*{slack_escape(title)}*", *group])
        payloads.append(
            {"text": text, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}
        )
    return payloads


def _block(kind: str, text: str, text_type: str = "mrkdwn") -> dict[str, Any]:
    return {"type": kind, "text": {"type": text_type, "text": text}}


@dataclass(frozen=True)
class Slack(Channel):
    name = "slack"
    url: str = field(repr=False)

    def destination(self) -> str:
        return self.url

    def secrets(self) -> list[str]:
        return [self.url]

    def send(self, digest: Digest, pace: Pace) -> str:
        return _sent(self, pace, [partial(self._once, p, pace) for p in slack_payloads(digest)])

    def _once(self, payload: dict[str, Any], pace: Pace) -> None:
        post(self.url, payload, pace)  # Slack answers "ok"; it refuses with HTTP errors


# -- Feishu / Lark -----------------------------------------------------------------

FEISHU_BYTES = 18_000  # of 20 KB, for the signature and the JSON around the content
FEISHU_RATE_LIMITED = 11232  # "frequency limited": retried


def _text(text: str) -> dict[str, str]:
    return {"tag": "text", "text": text}


def _a(text: str, href: str | None) -> dict[str, str]:
    return {"tag": "a", "text": text, "href": href} if href else _text(text)


def feishu_rows(item: Item) -> list[list[dict[str, str]]]:
    rows = [[_text(f"{item.score} · "), _a(item.title, item.card_url or item.arxiv_url)]]
    rows += [[_text(text)] for text in (item.title_zh, item.summary) if text]
    rows.append([_a(f"arXiv:{item.arxiv_id}", item.arxiv_url), _text(" ")])
    return rows


def _feishu_post(title: str, rows: list[list[dict[str, str]]]) -> dict[str, Any]:
    return {"msg_type": "post", "content": {"post": {"zh_cn": {"title": title, "content": rows}}}}


def feishu_payloads(digest: Digest) -> list[dict[str, Any]]:
    pieces: list[list[list[dict[str, str]]]] = []
    if digest.day_url:
        pieces.append([[_a("当天全部论文", digest.day_url)]])
    for topic in digest.topics:
        pieces.append(
            [[_text("")], [_a(f"【{topic.name}】", topic.page_url), _text(_heading(topic))]]
        )
        pieces += [
            fitted(i, feishu_rows, lambda r: _feishu_size(r) <= FEISHU_BYTES // 2)
            for i in topic.items
        ]
    groups = pack(pieces, lambda g: _feishu_size([r for p in g for r in p]) <= FEISHU_BYTES)
    return [
        _feishu_post(_part_title(digest.title, n, len(groups)), [r for p in g for r in p])
        for n, g in enumerate(groups, 1)
    ]


def _feishu_size(rows: list[list[dict[str, str]]]) -> int:
    return len(body_of(_feishu_post("", rows)))


def feishu_signed(payload: dict[str, Any], secret: str, timestamp: int) -> dict[str, Any]:
    """The payload with Feishu's signature: HMAC-SHA256 with "timestamp\\nsecret" as the
    key over nothing, base64."""
    key = f"{timestamp}\n{secret}".encode()
    sign = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    return {**payload, "timestamp": str(timestamp), "sign": sign}


@dataclass(frozen=True)
class _SignedHook(Channel):
    """A webhook address with an optional signing secret (Feishu, DingTalk): both are
    secrets, scrubbed from every message, and the address is the destination."""

    url: str = field(repr=False)
    secret: str | None = field(default=None, repr=False)

    def destination(self) -> str:
        return self.url

    def secrets(self) -> list[str]:
        return [self.url, *([self.secret] if self.secret else [])]


@dataclass(frozen=True)
class Feishu(_SignedHook):
    name = "feishu"

    def send(self, digest: Digest, pace: Pace) -> str:
        return _sent(self, pace, [partial(self._once, p, pace) for p in feishu_payloads(digest)])

    def _once(self, payload: dict[str, Any], pace: Pace) -> None:
        if self.secret:
            payload = feishu_signed(payload, self.secret, int(pace.now().timestamp()))
        answer = _json(post(self.url, payload, pace))
        code = answer.get("code", answer.get("StatusCode", 0))  # newer, older answers
        message = cut(str(answer.get("msg", answer.get("StatusMessage", ""))), 200)
        if code == FEISHU_RATE_LIMITED:
            raise Transient(f"Feishu: {message} (code {code})")
        if code != 0:
            raise ChannelFailed(f"Feishu refused the message: {message} (code {code})")


# -- DingTalk ----------------------------------------------------------------------

DINGTALK_BYTES = 18_000  # of 20 KB
DINGTALK_TOO_FAST = 130101  # more than 20 messages a minute: retried
# And an & that starts an entity reference: Markdown shows "&lt;" as "<", not as written.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>!|~]|&(?=#?\w+;))")
# A backslash escapes punctuation only: an ordered list's "1." is escaped after its digits.
_MARKDOWN_LINE_START = re.compile(r"^(\s*\d*)([#>+=.)-])")


def markdown_escape(text: str) -> str:
    """Untrusted text as literal Markdown: no link, image, emphasis, HTML, entity or
    code of its own, and no heading, quote or list when it starts a line."""
    text = _MARKDOWN_INLINE.sub(r"\\\1", text)
    return _MARKDOWN_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _md_link(text: str, url: str | None) -> str:
    if not url:
        return markdown_escape(text)
    return f"[{markdown_escape(text)}]({url.replace('(', '%28').replace(')', '%29')})"


def dingtalk_item(item: Item) -> str:
    lines = [f"**{item.score}** · {_md_link(item.title, item.card_url or item.arxiv_url)}"]
    lines += [markdown_escape(text) for text in (item.title_zh, item.summary) if text]
    lines.append(_md_link(f"arXiv:{item.arxiv_id}", item.arxiv_url))
    return "\n\n".join(lines)


def _dingtalk(title: str, text: str) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def dingtalk_payloads(digest: Digest) -> list[dict[str, Any]]:
    pieces = []
    for topic in digest.topics:
        pieces.append(f"#### {_md_link(topic.name, topic.page_url)} · {_heading(topic)}")
        pieces += [
            fitted(i, dingtalk_item, lambda t: len(t.encode()) <= DINGTALK_BYTES // 2)
            for i in topic.items
        ]
    groups = pack(pieces, _fits_a_dingtalk_message)
    payloads = []
    for number, group in enumerate(groups, 1):
        title = _part_title(digest.title, number, len(groups))
        heading = f"### {_md_link(title, digest.day_url)}"
        payloads.append(_dingtalk(title, _joined(heading, group)))
    return payloads


def _fits_a_dingtalk_message(pieces: list[str]) -> bool:
    return len(body_of(_dingtalk("", _joined("", pieces)))) <= DINGTALK_BYTES


def _joined(heading: str, pieces: list[str]) -> str:
    return "\n\n".join([heading, *pieces] if heading else pieces)


def dingtalk_signed(url: str, secret: str, timestamp_ms: int) -> str:
    """The webhook's address with DingTalk's `timestamp` and `sign` added."""
    message = f"{timestamp_ms}\n{secret}".encode()
    sign = base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest())
    params = {"timestamp": str(timestamp_ms), "sign": sign.decode()}
    return str(httpx.URL(url).copy_merge_params(params))


@dataclass(frozen=True)
class DingTalk(_SignedHook):
    name = "dingtalk"

    def send(self, digest: Digest, pace: Pace) -> str:
        return _sent(self, pace, [partial(self._once, p, pace) for p in dingtalk_payloads(digest)])

    def _once(self, payload: dict[str, Any], pace: Pace) -> None:
        url = self.url
        if self.secret:
            url = dingtalk_signed(url, self.secret, int(pace.now().timestamp() * 1000))
        answer = _json(post(url, payload, pace))
        code = answer.get("errcode", 0)
        message = cut(str(answer.get("errmsg", "")), 200)
        if code == DINGTALK_TOO_FAST:
            raise Transient(f"DingTalk: {message} (errcode {code})")
        if code != 0:
            raise ChannelFailed(f"DingTalk refused the message: {message} (errcode {code})")


# -- Telegram ----------------------------------------------------------------------

TELEGRAM_CHARS = 4096


def telegram_escape(text: str) -> str:
    return html.escape(text, quote=False)


def _tg_link(url: str | None, text: str) -> str:
    if not url:
        return telegram_escape(text)
    return f'<a href="{html.escape(url, quote=True)}">{telegram_escape(text)}</a>'


def telegram_item(item: Item) -> str:
    lines = [
        f"<b>{item.score}</b> · <b>{_tg_link(item.card_url or item.arxiv_url, item.title)}</b>"
    ]
    if item.title_zh:
        lines.append(telegram_escape(item.title_zh))
    if item.summary:
        lines.append(f"<i>{telegram_escape(item.summary)}</i>")
    lines.append(_tg_link(item.arxiv_url, f"arXiv:{item.arxiv_id}"))
    return "\n".join(lines)


def utf16_length(text: str) -> int:
    """Telegram counts a message's length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def telegram_texts(digest: Digest) -> list[str]:
    room = TELEGRAM_CHARS - 200  # for the title line of each part
    pieces = []
    for topic in digest.topics:
        pieces.append(f"<b>{_tg_link(topic.page_url, topic.name)}</b> · {_heading(topic)}")
        pieces += [
            fitted(i, telegram_item, lambda t: utf16_length(t) <= room // 2) for i in topic.items
        ]
    groups = pack(pieces, lambda g: utf16_length("\n\n".join(g)) <= room)
    return [
        "\n\n".join(
            [f"<b>{_tg_link(digest.day_url, _part_title(digest.title, n, len(groups)))}</b>", *g]
        )
        for n, g in enumerate(groups, 1)
    ]


@dataclass(frozen=True)
class Telegram(Channel):
    name = "telegram"
    token: str = field(repr=False)
    chat_id: str = field(repr=False)
    api_url: str = DEFAULT_TELEGRAM_API_URL

    def destination(self) -> str:
        return f"{self.api_url}\0{self.token}\0{self.chat_id}"

    def secrets(self) -> list[str]:
        return [self.token, self.chat_id]

    def send(self, digest: Digest, pace: Pace) -> str:
        return _sent(self, pace, [partial(self._once, t, pace) for t in telegram_texts(digest)])

    def _once(self, text: str, pace: Pace) -> None:
        payload = {
            "chat_id": self.chat_id,
            "text": text,
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        url = f"{self.api_url.rstrip('/')}/bot{self.token}/sendMessage"
        try:
            answer = _json(post(url, payload, pace))
        except ChannelFailed as exc:
            raise ChannelFailed(f"Telegram refused the message: {exc}") from exc
        if answer.get("ok") is not True:
            raise ChannelFailed(f"Telegram: {cut(str(answer.get('description')), 200)}")


def _part_title(title: str, number: int, parts: int) -> str:
    return f"{title} ({number}/{parts})" if parts > 1 else title
