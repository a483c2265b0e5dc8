"""`arxiv-digest deliver` through the real pipeline: a day run end to end through the
loopback arXiv and LLM (plus a hostile paper), then sent to a loopback SMTP server
(aiosmtpd, STARTTLS and SSL, with a login) and to loopback webhooks of each kind,
some of them failing or slow. Each message is read back the way its service reads
it and checked against that service's documented format and limits."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import shutil
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from chat_server import SLOW, ChatServer, MailServer
from fixture_site import copy_project, environment, hostile_paper, run_days
from llm_server import FakeLLM
from markdown_it import MarkdownIt

from generator.cli import main
from generator.config import load_config
from generator.deliver import mail, webhooks
from generator.deliver.message import Digest, Item, TopicDigest, build_digest, fitted
from generator.store import Store

DAY = dt.date(2026, 6, 19)
EARLIER = dt.date(2026, 6, 18)
SITE = "https://someone.github.io/arxiv-digest/"
TOP = "2606.19348"  # DeepSeek-V4, the best-scored paper of the LLM topic the LLM read
# Secrets as services hand them out; each must appear in no output, file or header.
SLACK_PATH = "T0001/B0002/SLACK-hook-SECRET-abcdefgh"
FEISHU_PATH = "FEISHU-hook-SECRET-0123-4567-89ab"
FEISHU_SIGNING = "feishu-SIGNING-secret-abcdef"
DINGTALK_TOKEN = "DINGTALK-access-TOKEN-secret-9876"
DINGTALK_SIGNING = "SECdingtalk-SIGNING-secret-5432"
TELEGRAM_TOKEN = "123456789:TELEGRAM-bot-TOKEN-secret_xyz"
CHAT_ID = "-1001234567890"
SECRETS = [SLACK_PATH, FEISHU_PATH, FEISHU_SIGNING, DINGTALK_TOKEN, DINGTALK_SIGNING]
SECRETS += [TELEGRAM_TOKEN, MailServer.PASSWORD]
# aiosmtpd warns that SSL mode does not require STARTTLS before AUTH: SSL is TLS from
# the first byte.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two days run through the loopback arXiv and LLM; the newer with a hostile paper
    (markup in every text, scored 99: the first of its topic everywhere)."""
    root = copy_project(tmp_path_factory.mktemp("deliver") / "project")
    with FakeLLM() as llm:
        run_days(root, EARLIER.isoformat(), DAY.isoformat(), env=llm.env())
    store = Store(root / "data")
    day = store.read_day(DAY)
    day.papers = sorted([*day.papers, hostile_paper()], key=lambda p: p.id)
    store.write_day(day)
    return root


@pytest.fixture
def project(archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    shutil.copytree(archive, root)
    monkeypatch.setenv("DIGEST_SITE_URL", SITE)
    monkeypatch.setenv("DIGEST_RETRY_BACKOFF", "0.01")
    monkeypatch.setenv("DIGEST_DELIVERY_TIMEOUT", "2")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    return root


@pytest.fixture
def chats() -> Iterator[ChatServer]:
    with ChatServer() as server:
        yield server


def chat_env(chats: ChatServer, *kinds: str) -> dict[str, str]:
    every = {
        "slack": {"DIGEST_SLACK_WEBHOOK_URL": chats.url("slack", SLACK_PATH)},
        "feishu": {
            "DIGEST_FEISHU_WEBHOOK_URL": chats.url("feishu", FEISHU_PATH),
            "DIGEST_FEISHU_SECRET": FEISHU_SIGNING,
        },
        "dingtalk": {
            "DIGEST_DINGTALK_WEBHOOK_URL": chats.url("dingtalk", DINGTALK_TOKEN),
            "DIGEST_DINGTALK_SECRET": DINGTALK_SIGNING,
        },
        "telegram": {
            "DIGEST_TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "DIGEST_TELEGRAM_CHAT_ID": CHAT_ID,
            "DIGEST_TELEGRAM_API_URL": chats.origin + "/telegram",
        },
    }
    return {name: value for kind in kinds for name, value in every[kind].items()}


def deliver(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    *args: str,
    debug: bool = False,
) -> tuple[int, str]:
    """`arxiv-digest deliver ARGS` with `env`: its exit status and everything it said."""
    with environment(env):
        status = main(["--root", str(project), *(["--debug"] if debug else []), "deliver", *args])
    said = capsys.readouterr()
    return status, said.out + said.err


def top_paper(project: Path) -> Any:
    return next(p for p in Store(project / "data").read_day(DAY).papers if p.id == TOP)


def delivered(project: Path, date: dt.date = DAY) -> dict[str, Any]:
    return Store(project / "data").deliveries(date)


# -- mail ------------------------------------------------------------------------------


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_mail_over_tls_with_a_login_holds_the_best_papers_in_html_and_plain_text(
    project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, security: str
) -> None:
    with MailServer(tmp_path, security) as smtp:
        status, said = deliver(project, capsys, smtp.env())
    assert status == 0, said
    assert "mail: 2026-06-19 sent" in said and "to 2 recipients" in said
    assert smtp.logins == [MailServer.USER]
    [(envelope, message)] = smtp.messages
    assert envelope.rcpt_tos == ["ada@example.org", "bo@example.net"]
    assert message["Subject"].startswith("arXiv 每日速递 · 2026-06-19 · ")
    assert message["To"] == "ada@example.org, bo@example.net"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["From"] == "arXiv 速递 <digest@example.org>"
    assert message["Message-ID"].endswith("@example.org>")
    plain = message.get_body(("plain",)).get_content()
    page = message.get_body(("html",)).get_content()
    paper = top_paper(project)
    card = f"{SITE}2026/06/19/llm/#{TOP}"
    for part in (plain, page):
        assert paper.title in part and paper.title_zh in part and paper.tldr in part
        assert card in part and f"https://arxiv.org/abs/{TOP}" in part
        assert "2606.99999" in part  # the hostile paper, scored 99
    assert f"[95] {paper.title}" in plain and ">95</span>" in page
    assert f'<a href="{card}" lang="en"><b>{paper.title}</b></a>' in page
    assert "<script>" not in page and "&lt;script&gt;" in page  # the hostile paper, as text
    assert "<img" not in page and "onerror" in page
    headers = "\n".join(f"{k}: {v}" for k, v in message.items())
    assert not any(secret in headers for secret in SECRETS)
    record = delivered(project)["mail"]
    assert record["papers"] >= 5 and len(record["to"]) == 12
    assert record["at"].endswith("Z")


def test_a_server_whose_certificate_is_not_trusted_gets_nothing(
    project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Without DIGEST_SMTP_CA_FILE the test CA is unknown: verification is never skipped.
    with MailServer(tmp_path, "starttls") as smtp:
        status, said = deliver(project, capsys, smtp.env(DIGEST_SMTP_CA_FILE=""))
    assert status == 0
    assert "mail: 2026-06-19 NOT sent: the server's certificate: unable to get local issuer" in said
    assert smtp.logins == [] and smtp.messages == []
    assert delivered(project) == {}


def test_a_login_refusal_that_quotes_the_password_shows_it_nowhere(
    project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with MailServer(tmp_path, "ssl", echo_refusal=True) as smtp:
        status, said = deliver(project, capsys, smtp.env(), debug=True)
    assert status == 0
    assert "mail: 2026-06-19 NOT sent: the server refused: 535 5.7.8 refused" in said
    assert_nowhere(SECRETS, said, project, tmp_path)
    encoded = base64.b64encode(MailServer.PASSWORD.encode()).decode()
    assert encoded not in said


# -- webhooks --------------------------------------------------------------------------


class Tags(HTMLParser):
    """The tags of a Telegram message, as its HTML parse mode reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)


def test_each_webhook_gets_its_services_documented_format(
    project: Path, capsys: pytest.CaptureFixture[str], chats: ChatServer
) -> None:
    status, said = deliver(project, capsys, chat_env(chats, *webhooks_kinds()))
    assert status == 0, said
    for kind in webhooks_kinds():
        assert f"{kind}: 2026-06-19 sent" in said
        [request] = chats.of(kind)
        assert request.headers["content-type"] == "application/json; charset=utf-8"
    paper = top_paper(project)
    card = f"{SITE}2026/06/19/llm/#{TOP}"
    check_slack(chats.of("slack")[0].json(), paper, card)
    check_feishu(chats.of("feishu")[0].json(), paper, card)
    check_dingtalk(chats.of("dingtalk")[0], paper, card)
    check_telegram(chats.of("telegram")[0], paper, card)
    assert sorted(delivered(project)) == ["dingtalk", "feishu", "slack", "telegram"]


def webhooks_kinds() -> tuple[str, ...]:
    return ("slack", "feishu", "dingtalk", "telegram")


def check_slack(body: dict[str, Any], paper: Any, card: str) -> None:
    assert set(body) == {"text", "blocks", "unfurl_links", "unfurl_media"}
    blocks = body["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "arXiv 每日速递 · 2026-06-19"},
    }
    assert blocks[1]["type"] == "context" and len(blocks) <= 50
    sections = [b["text"] for b in blocks[2:]]
    assert all(b["type"] == "section" for b in blocks[2:])
    assert all(s["type"] == "mrkdwn" and len(s["text"]) <= 3000 for s in sections)
    text = "\n".join(s["text"] for s in sections)
    assert f"*<{card}|{paper.title}>*" in text
    assert paper.title_zh in text and paper.tldr in text and f"*{95}* ·" in text
    assert f"<https://arxiv.org/abs/{TOP}|arXiv:{TOP}>" in text
    # mrkdwn: the hostile title's markup is text, its "&" escaped, no link of its own.
    assert "<script>" not in body["text"] and "&lt;script&gt;" in text
    assert paper.title in body["text"]  # the fallback, for notifications and look-alikes


def check_feishu(body: dict[str, Any], paper: Any, card: str) -> None:
    assert set(body) == {"msg_type", "content", "timestamp", "sign"}
    assert body["msg_type"] == "post"
    post = body["content"]["post"]["zh_cn"]
    assert post["title"] == "arXiv 每日速递 · 2026-06-19"
    elements = [e for row in post["content"] for e in row]
    assert {e["tag"] for e in elements} <= {"text", "a"}
    assert {"tag": "a", "text": paper.title, "href": card} in elements
    assert {"tag": "text", "text": paper.title_zh} in elements
    assert {"tag": "text", "text": paper.tldr} in elements
    # Feishu's documented signature: base64(HMAC-SHA256(key "timestamp\nsecret", "")).
    key = f"{body['timestamp']}\n{FEISHU_SIGNING}".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["sign"] == expected
    assert abs(int(body["timestamp"]) - time.time()) < 60
    assert len(json.dumps(body, ensure_ascii=False).encode()) <= 20 * 1024


def check_dingtalk(request: Any, paper: Any, card: str) -> None:
    body = request.json()
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    text = body["markdown"]["text"]
    assert body["markdown"]["title"] == "arXiv 每日速递 · 2026-06-19"
    assert f"**95** · [{paper.title}]({card})" in text
    assert paper.title_zh in text and paper.tldr in text
    assert "\\<script\\>" in text and "<script>" not in text  # Markdown escaped
    assert request.query["access_token"] == [DINGTALK_TOKEN]
    [stamp], [sign] = request.query["timestamp"], request.query["sign"]
    message = f"{stamp}\n{DINGTALK_SIGNING}".encode()
    expected = hmac.new(DINGTALK_SIGNING.encode(), message, hashlib.sha256).digest()
    assert sign == base64.b64encode(expected).decode()
    assert abs(int(stamp) / 1000 - time.time()) < 60
    assert len(request.body) <= 20 * 1024


def check_telegram(request: Any, paper: Any, card: str) -> None:
    assert request.path == f"/telegram/bot{TELEGRAM_TOKEN}/sendMessage"
    body = request.json()
    assert body["chat_id"] == CHAT_ID and body["parse_mode"] == "HTML"
    assert body["link_preview_options"] == {"is_disabled": True}
    text = body["text"]
    assert len(text.encode("utf-16-le")) // 2 <= 4096
    assert f'<a href="{card}">{paper.title}</a>' in text
    assert paper.title_zh in text and f"<i>{paper.tldr}</i>" in text
    parser = Tags()
    parser.feed(text)
    assert parser.tags == {"a", "b", "i"}  # the hostile paper's <script>, <img> are text
    assert "&lt;script&gt;" in text


def test_a_second_run_sends_nothing_and_resend_sends_again(
    project: Path, capsys: pytest.CaptureFixture[str], chats: ChatServer
) -> None:
    env = chat_env(chats, "slack", "telegram")
    assert deliver(project, capsys, env)[0] == 0
    first = delivered(project)
    status, said = deliver(project, capsys, env)  # the 09:30 run, or a backfill
    assert status == 0
    assert len(chats.received) == 2
    assert f"slack: 2026-06-19 was sent at {first['slack']['at']}; --resend sends it again" in said
    assert delivered(project) == first
    status, said = deliver(project, capsys, env, "--resend", "--channel", "telegram")
    assert status == 0 and "telegram: 2026-06-19 sent" in said
    assert [r.kind for r in chats.received] == ["slack", "telegram", "telegram"]


def test_only_the_newest_day_is_sent_unless_another_is_named(
    project: Path, capsys: pytest.CaptureFixture[str], chats: ChatServer
) -> None:
    env = chat_env(chats, "telegram")
    assert deliver(project, capsys, env)[0] == 0
    assert delivered(project, EARLIER) == {} and "telegram" in delivered(project)
    assert "2026-06-19" in chats.received[0].json()["text"]
    status, said = deliver(project, capsys, env, "--date", "2026-06-18")
    assert status == 0 and "telegram: 2026-06-18 sent" in said
    assert "2026-06-18" in chats.received[1].json()["text"]
    status, said = deliver(project, capsys, env, "--date", "2026-06-17")
    assert status == 1 and "arxiv-digest: error: 2026-06-17 is not stored in" in said


# -- faults ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "fault"),
    [
        ("slack", (500, b"internal_error")),
        ("feishu", (503, b"")),
        ("dingtalk", (200, b'{"errcode":130101,"errmsg":"send too fast"}')),
        ("telegram", (429, b'{"ok":false,"error_code":429,"parameters":{"retry_after":0}}')),
        ("telegram", SLOW),
    ],
    ids=["slack-500", "feishu-503", "dingtalk-too-fast", "telegram-429", "telegram-slow"],
)
def test_a_passing_fault_is_retried_and_the_day_sent(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    chats: ChatServer,
    kind: str,
    fault: tuple[int, bytes] | str,
) -> None:
    chats.fail(kind, fault)
    status, said = deliver(project, capsys, chat_env(chats, kind))
    assert status == 0, said
    assert len(chats.of(kind)) == 2
    assert f"{kind}: 2026-06-19 sent" in said and "retrying in" in said
    assert kind in delivered(project)


def test_a_channel_that_keeps_failing_is_reported_and_the_others_still_go(
    project: Path, capsys: pytest.CaptureFixture[str], chats: ChatServer, tmp_path: Path
) -> None:
    chats.fail("slack", *[(500, b"internal_error")] * 3)
    chats.fail("feishu", *[SLOW] * 3)
    env = {**chat_env(chats, "slack", "feishu", "telegram"), "DIGEST_DELIVERY_TIMEOUT": "0.5"}
    started = time.monotonic()
    status, said = deliver(project, capsys, env)
    assert time.monotonic() - started < 30  # three deadlines of 0.5 s, not a hang
    assert status == 0  # a chat that is down does not fail the run that published the day
    assert len(chats.of("slack")) == 3 and len(chats.of("feishu")) == 3
    assert (
        "slack: 2026-06-19 NOT sent: failed after 3 attempts: HTTP 500: internal_error; "
        "the next `deliver` of the day tries again" in said
    )
    assert (
        "feishu: 2026-06-19 NOT sent: failed after 3 attempts: no complete answer within 0.5 s"
        in said
    )
    assert "telegram: 2026-06-19 sent" in said
    assert list(delivered(project)) == ["telegram"]
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "### Mail and chat: 2026-06-19" in summary
    assert "| slack | **not sent**: failed after 3 attempts: HTTP 500: internal_error |" in summary
    assert "| telegram | sent: " in summary
    # The next run of the day: the failed channels only.
    status, said = deliver(project, capsys, env)
    assert status == 0 and "slack: 2026-06-19 sent" in said and "feishu: 2026-06-19 sent" in said
    assert len(chats.of("telegram")) == 1
    assert sorted(delivered(project)) == ["feishu", "slack", "telegram"]


@pytest.mark.parametrize(
    ("kind", "refusal", "reason"),
    [
        ("slack", (404, b"no_service"), "HTTP 404: no_service"),
        (
            "feishu",
            (200, b'{"code":19021,"msg":"sign match fail"}'),
            "sign match fail (code 19021)",
        ),
        ("dingtalk", (200, b'{"errcode":310000,"errmsg":"keywords not in content"}'), "310000"),
        (
            "telegram",
            (400, b'{"ok":false,"description":"Bad Request: chat not found"}'),
            "chat not found",
        ),
    ],
)
def test_a_refusal_is_not_retried(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    chats: ChatServer,
    kind: str,
    refusal: tuple[int, bytes],
    reason: str,
) -> None:
    chats.fail(kind, refusal)
    status, said = deliver(project, capsys, chat_env(chats, kind))
    assert status == 0
    assert len(chats.of(kind)) == 1
    assert f"{kind}: 2026-06-19 NOT sent: " in said and reason in said
    assert delivered(project) == {}


def test_secrets_appear_in_no_output_file_or_summary_even_when_servers_quote_them(
    project: Path, capsys: pytest.CaptureFixture[str], chats: ChatServer, tmp_path: Path
) -> None:
    env = chat_env(chats, *webhooks_kinds())
    for kind in webhooks_kinds():  # each answers with the address it was sent to
        address = env.get(f"DIGEST_{kind.upper()}_WEBHOOK_URL", TELEGRAM_TOKEN)
        chats.fail(kind, *[(500, f"bad request to {address}".encode())] * 3)
    with MailServer(tmp_path, "starttls", echo_refusal=True) as smtp:
        status, said = deliver(project, capsys, {**env, **smtp.env()}, debug=True)
    assert status == 0
    assert said.count("NOT sent") == 5
    assert "HTTP Request: POST" in said  # httpx's own log lines, scrubbed
    assert_nowhere(SECRETS, said, project, tmp_path)


def assert_nowhere(secrets: list[str], said: str, *folders: Path) -> None:
    for secret in secrets:
        assert secret not in said
        for folder in folders:
            for path in folder.rglob("*"):
                if path.is_file():
                    assert secret.encode() not in path.read_bytes(), path


# -- settings --------------------------------------------------------------------------


def test_without_a_channel_nothing_is_sent_and_that_is_no_failure(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, said = deliver(project, capsys, {})
    assert status == 0
    assert "No mail or chat channel is configured: nothing to send" in said


def test_a_channel_named_but_not_configured_is_a_one_line_error(
    project: Path, capsys: pytest.CaptureFixture[str], chats: ChatServer
) -> None:
    status, said = deliver(project, capsys, chat_env(chats, "slack"), "--channel", "mail")
    assert status == 1
    assert "arxiv-digest: error: --channel mail: not configured (set DIGEST_SMTP_HOST" in said
    assert chats.received == []


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        (
            {"DIGEST_SMTP_PORT": "abc"},
            "DIGEST_SMTP_PORT: expected a port number 1-65535, got 'abc'",
        ),
        (
            {"DIGEST_SMTP_SECURITY": "tls"},
            "DIGEST_SMTP_SECURITY: expected starttls or ssl, got 'tls'",
        ),
        ({"DIGEST_SMTP_TO": "ada at example"}, "DIGEST_SMTP_TO: expected e-mail addresses"),
        (
            {"DIGEST_SLACK_WEBHOOK_URL": f"hooks.slack.com/{SLACK_PATH}"},
            "DIGEST_SLACK_WEBHOOK_URL: expected an http:// or https:// URL (the value is not",
        ),
        (
            {"DIGEST_TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN},
            "DIGEST_TELEGRAM_BOT_TOKEN: set, but DIGEST_TELEGRAM_CHAT_ID is not",
        ),
        (
            {"DIGEST_SMTP_USER": "apikey", "DIGEST_SMTP_PASSWORD": MailServer.PASSWORD},
            "DIGEST_SMTP_FROM: required",
        ),
    ],
)
def test_a_bad_variable_is_named_in_one_line_before_anything_is_sent(
    project: Path, capsys: pytest.CaptureFixture[str], env: dict[str, str], problem: str
) -> None:
    base = {"DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_SMTP_TO": "ada@example.org"}
    if "DIGEST_SLACK_WEBHOOK_URL" in env or "DIGEST_TELEGRAM_BOT_TOKEN" in env:
        base = {}
    status, said = deliver(project, capsys, {**base, **env})
    assert status == 1
    assert problem in said
    assert_nowhere(SECRETS, said)


# -- size limits -----------------------------------------------------------------------


def test_a_long_digest_is_split_within_each_services_limits(project: Path) -> None:
    config = project / "digest.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("papers_per_topic: 5", "papers_per_topic: 20"),
        encoding="utf-8",
    )
    digest = build_digest(Store(project / "data"), load_config(config), DAY, SITE)
    ids = [item.arxiv_id for topic in digest.topics for item in topic.items]
    assert len(ids) >= 20
    texts = webhooks.telegram_texts(digest)
    assert len(texts) > 1 and all(webhooks.utf16_length(t) <= 4096 for t in texts)
    assert texts[1].startswith(f'<b><a href="{SITE}2026/06/19/">arXiv 每日速递 · 2026-06-19 (2/')
    assert sum(t.count("arXiv:") for t in texts) == len(ids)
    for payload in webhooks.slack_payloads(digest):
        assert len(payload["blocks"]) <= 50 and len(payload["text"]) <= 40_000
        assert all(
            len(b["text"]["text"]) <= 3000 for b in payload["blocks"] if b["type"] == "section"
        )
    for payload in [*webhooks.feishu_payloads(digest), *webhooks.dingtalk_payloads(digest)]:
        assert len(webhooks.body_of(payload)) <= 20 * 1024


def test_an_item_too_large_for_a_message_is_shortened_until_it_fits() -> None:
    # "&" escapes to five characters: a title of them is five times its length.
    hostile = Item(
        "2606.00001", "&" * 300, "<" * 200, ">" * 400, 80, None, "https://arxiv.org/abs/x"
    )
    text = fitted(hostile, webhooks.telegram_item, lambda t: webhooks.utf16_length(t) <= 2000)
    assert webhooks.utf16_length(text) <= 2000 and "&amp;" in text
    section = fitted(hostile, webhooks.slack_item, lambda t: len(t) <= 2600)
    assert len(section) <= 2600


# -- untrusted text, in every shape ----------------------------------------------------

# Text that means something to one of the formats: HTML and its entity references,
# Markdown's inline syntax and what starts a block, Slack's links and mentions.
SHAPES = [
    '<b>bold</b> & "quoted" \'s <img src=x onerror=alert(1)>',
    "&lt;script&gt; &amp; &#60; &#x3c; &copy; Q&A",
    "[click](https://evil.example) ![i](https://evil.example/i.png)",
    '<https://evil.example|click> <!channel> <at user_id="all"></at>',
    "`code` *em* **strong** _em_ ~~strike~~ back\\slash\\",
    "# not a heading",
    "1. not a list",
    "2) nor this",
    "1.58-bit weights",
    "> not a quote",
    "- not an item",
    "+ nor this",
    "=====",
    "| a | b |",
]
CARD = "https://site.example/2026/06/19/llm/#2606.00001"
ARXIV = "https://arxiv.org/abs/2606.00001"


class Reader(HTMLParser):
    """An HTML fragment's text, a string a block, and the tags and links in it."""

    BLOCKS = ("p", "li", "h1", "h2", "br")

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks, self.tags, self.links = [""], set[str](), set[str]()
        self.feed(fragment)
        self.close()
        self.blocks = [b.strip("\n") for b in self.blocks if b.strip()]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.links.update(value or "" for name, value in attrs if name == "href")
        if tag in self.BLOCKS:
            self.blocks.append("")

    def handle_data(self, data: str) -> None:
        self.blocks[-1] += data


def untrusted(text: str) -> Item:
    return Item("2606.00001", text, text, text, 80, CARD, ARXIV)


@pytest.mark.parametrize("text", SHAPES)
def test_untrusted_text_reads_back_as_itself_in_each_format(text: str) -> None:
    """Title, Chinese title and summary, read the way each service reads its format:
    the text itself, with no tag, link or block of its own."""
    item = untrusted(text)
    shown = [f"80 · {text}", text, text, "arXiv:2606.00001"]
    telegram = Reader(webhooks.telegram_item(item).replace("\n", "<br>"))
    assert telegram.blocks == shown
    assert telegram.tags <= {"a", "b", "i", "br"} and telegram.links == {CARD, ARXIV}
    # DingTalk's Markdown, read by a CommonMark parser.
    dingtalk = Reader(MarkdownIt("commonmark").render(webhooks.dingtalk_item(item)))
    assert dingtalk.blocks == shown
    assert dingtalk.tags <= {"p", "strong", "a"} and dingtalk.links == {CARD, ARXIV}
    # Slack's mrkdwn: <link|text> and three entities; its *, _, ~ and ` have no escape.
    slack = webhooks.slack_item(item)
    links = re.findall(r"<([^<>|]*)\|([^<>]*)>", slack)
    assert [url for url, _ in links] == [CARD, ARXIV]
    bare = re.sub(r"<[^<>|]*\|([^<>]*)>", r"\1", slack)
    assert "<" not in bare and ">" not in bare
    unescaped = bare.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert unescaped.split("\n") == [f"*80* · *{text}*", text, text, "arXiv:2606.00001"]
    # Feishu's text and a elements are shown as written.
    feishu = ["".join(e["text"] for e in row) for row in webhooks.feishu_rows(item)]
    assert feishu == [f"80 · {text}", text, text, "arXiv:2606.00001 "]


@pytest.mark.parametrize("text", SHAPES)
def test_untrusted_text_reads_back_as_itself_in_the_mail(text: str) -> None:
    topic = TopicDigest("语言大模型", 1, None, (untrusted(text),))
    page = Reader(mail.html(Digest(DAY, "arXiv 每日速递 · 2026-06-19", None, (topic,))))
    assert page.tags <= {"html", "head", "meta", "title", "body", "h1", "h2", "small", "ol"} | {
        "li",
        "span",
        "a",
        "b",
        "br",
    }
    assert page.links == {CARD, ARXIV}
    assert sum(text in block for block in page.blocks) >= 3  # title, Chinese title, summary
