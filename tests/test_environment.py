"""The environment variables: validated at once, each bad one named in a line of its own,
through the CLI's error path (exit 1, no traceback unless --debug), before anything runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO

from generator.cli import main
from generator.environment import Environment
from generator.settings import Settings

SECONDS_AT_LEAST_0 = "expected a number of seconds ≥ 0"
SECONDS_ABOVE_0 = "expected a number of seconds > 0"
URL = "expected an http:// or https:// URL"
BAD = [
    ("ARXIV_API_DELAY", "abc", SECONDS_AT_LEAST_0),
    ("ARXIV_API_DELAY", "-1", SECONDS_AT_LEAST_0),
    ("ARXIV_API_DELAY", "3s", SECONDS_AT_LEAST_0),
    ("ARXIV_API_DELAY", "nan", SECONDS_AT_LEAST_0),
    ("DIGEST_RETRY_BACKOFF", "-0.5", SECONDS_AT_LEAST_0),
    ("DIGEST_RETRY_BACKOFF", "inf", SECONDS_AT_LEAST_0),
    ("DIGEST_HTTP_TIMEOUT", "0", SECONDS_ABOVE_0),
    ("DIGEST_HTTP_TIMEOUT", "1e999", SECONDS_ABOVE_0),
    ("DIGEST_LLM_TIMEOUT", "-3", SECONDS_ABOVE_0),
    ("DIGEST_LLM_TIMEOUT", "two minutes", SECONDS_ABOVE_0),
    ("ARXIV_RSS_URL", "rss.arxiv.org/rss/", URL),
    ("ARXIV_API_URL", "ftp://export.arxiv.org/api/query", URL),
    ("ARXIV_HTML_URL", "https://", URL),
    ("OPENAI_BASE_URL", "http://[::1/v1", URL),
    ("OPENAI_BASE_URL", "http://localhost:99999/v1", URL),
    ("OPENAI_BASE_URL", "http://api host/v1", URL),
    ("DIGEST_DELIVERY_TIMEOUT", "0", SECONDS_ABOVE_0),
    ("DIGEST_TELEGRAM_API_URL", "api.telegram.org", URL),
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("digest.yml", "mkdocs.yml"):
        shutil.copy(REPO / name, tmp_path / name)
    return tmp_path


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def fails(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    """Run the CLI, expecting exit 1 and no change to the project; return stderr's lines."""
    before = snapshot(project)
    assert main(["--root", str(project), *args]) == 1
    assert snapshot(project) == before
    assert sorted(p.name for p in project.iterdir()) == ["digest.yml", "mkdocs.yml"]
    return capsys.readouterr().err.splitlines()


@pytest.mark.parametrize(("name", "value", "expected"), BAD)
def test_a_bad_value_is_one_line_naming_the_variable(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str,
    expected: str,
) -> None:
    monkeypatch.setenv(name, value)
    lines = fails(project, capsys, "build")
    assert lines == [f"arxiv-digest: error: {name}: {expected}, got {value!r}"]


def test_every_bad_variable_is_reported_at_once(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in (
        ("ARXIV_API_DELAY", "abc"),
        ("DIGEST_HTTP_TIMEOUT", "0"),
        ("OPENAI_BASE_URL", "api.deepseek.com"),
        ("ARXIV_RSS_URL", "rss.arxiv.org/" + "x" * 500),
    ):
        monkeypatch.setenv(name, value)
    assert fails(project, capsys, "run") == [
        f"arxiv-digest: error: ARXIV_RSS_URL: {URL}, got 'rss.arxiv.org/{'x' * 44}…",
        f"ARXIV_API_DELAY: {SECONDS_AT_LEAST_0}, got 'abc'",
        f"DIGEST_HTTP_TIMEOUT: {SECONDS_ABOVE_0}, got '0'",
        f"OPENAI_BASE_URL: {URL}, got 'api.deepseek.com'",
    ]


@pytest.mark.parametrize("key", ["sk-abc def", "sk-abc\ndef", "sk-“quoted”", "sk-abc\tdef"])
def test_a_bad_key_is_named_but_never_shown_even_with_debug(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", key)
    before = snapshot(project)
    assert main(["--root", str(project), "--debug", "enrich"]) == 1
    assert snapshot(project) == before
    err = capsys.readouterr().err
    assert "Traceback" in err
    assert err.splitlines()[-1] == (
        "arxiv-digest: error: OPENAI_API_KEY:"
        " expected printable ASCII without spaces (the value is not shown)"
    )
    for part in key.split():
        assert part.strip("“”") not in err.replace("OPENAI_API_KEY", "")


def test_debug_adds_the_traceback(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARXIV_API_DELAY", "abc")
    lines = fails(project, capsys, "--debug", "build")
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[-1] == f"arxiv-digest: error: ARXIV_API_DELAY: {SECONDS_AT_LEAST_0}, got 'abc'"


def test_empty_means_unset_and_values_are_read_once(tmp_path: Path) -> None:
    unset = Settings.from_environment(
        tmp_path,
        {name: "" for name in ("ARXIV_API_DELAY", "DIGEST_HTTP_TIMEOUT", "ARXIV_RSS_URL")}
        | {"DIGEST_RETRY_BACKOFF": "  ", "OPENAI_API_KEY": ""},
    )
    assert (unset.api_interval, unset.timeout, unset.retry.backoff_seconds) == (3.0, 60.0, 5.0)
    assert unset.rss_url == "https://rss.arxiv.org/rss/"
    assert unset.environment.openai_api_key is None
    given = Settings.from_environment(
        tmp_path,
        {
            "ARXIV_API_DELAY": "0",
            "DIGEST_RETRY_BACKOFF": " 0.25 ",
            "DIGEST_HTTP_TIMEOUT": "1.5",
            "ARXIV_API_URL": "http://127.0.0.1:8080/api/query",
        },
    )
    assert (given.api_interval, given.retry.backoff_seconds, given.timeout) == (0.0, 0.25, 1.5)
    assert given.api_url == "http://127.0.0.1:8080/api/query"
    assert given.environment == Environment.read(
        {
            "DIGEST_RETRY_BACKOFF": "0.25",
            "ARXIV_API_DELAY": "0",
            "DIGEST_HTTP_TIMEOUT": "1.5",
            "ARXIV_API_URL": "http://127.0.0.1:8080/api/query",
        }
    )


def test_the_key_stays_out_of_the_settings_repr(tmp_path: Path) -> None:
    settings = Settings.from_environment(tmp_path, {"OPENAI_API_KEY": "sk-never-shown-123"})
    assert settings.environment.openai_api_key == "sk-never-shown-123"
    assert "never-shown" not in repr(settings) + repr(settings.environment)


def test_the_delivery_secrets_stay_out_of_the_settings_repr(tmp_path: Path) -> None:
    secrets = {
        "DIGEST_SMTP_PASSWORD": "pw-never-shown-1",
        "DIGEST_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/never-shown-2",
        "DIGEST_FEISHU_SECRET": "never-shown-3",
        "DIGEST_DINGTALK_SECRET": "never-shown-4",
        "DIGEST_TELEGRAM_BOT_TOKEN": "123:never-shown-5",
        "DIGEST_SMTP_TO": "never-shown-6@example.org",
    }
    environ = {
        **secrets,
        "DIGEST_SMTP_HOST": "smtp.example.org",
        "DIGEST_SMTP_USER": "me@example.org",
        "DIGEST_FEISHU_WEBHOOK_URL": "https://open.feishu.cn/open-apis/bot/v2/hook/x",
        "DIGEST_DINGTALK_WEBHOOK_URL": "https://oapi.dingtalk.com/robot/send?access_token=x",
        "DIGEST_TELEGRAM_CHAT_ID": "-100123",
    }
    settings = Settings.from_environment(tmp_path, environ)
    assert settings.environment.smtp_to == ("never-shown-6@example.org",)
    assert "never-shown" not in repr(settings) + repr(settings.environment)


def test_a_variable_without_its_partner_is_named_with_the_one_it_needs(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGEST_SMTP_HOST", "smtp.example.org")
    monkeypatch.setenv("DIGEST_DINGTALK_SECRET", "SECsigning")
    assert fails(project, capsys, "deliver") == [
        "arxiv-digest: error: DIGEST_SMTP_HOST: set, but DIGEST_SMTP_TO is not",
        "DIGEST_DINGTALK_SECRET: set, but DIGEST_DINGTALK_WEBHOOK_URL is not",
        "DIGEST_SMTP_FROM: required: the sender's address (DIGEST_SMTP_USER is not one)",
    ]
