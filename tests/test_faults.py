"""Faults through the real pipeline: every run ends with a clear outcome, no stored
record is lost or changed, nothing wrong is published, and the next run repairs it.

Unit-level faults live beside their modules (test_sources_*, test_enrich_*,
test_store); here they go through `arxiv-digest run`, from a project that already
published 2026-06-18, and every test compares data/ and content/ byte for byte.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from arxiv_server import ODD_COUNTS, ODD_ENTRIES, Fault, alter_first_entry, combined_feed
from conftest import FakeLLM, FixtureArxiv
from fixture_site import arxiv_today, copy_project, environment, run_days

from generator.cli import main

CATEGORIES = ["cs.AI", "cs.CL", "cs.CV", "cs.LG"]
REFUSAL = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed error for query</title>'
    b"<pubDate>Fri, 19 Jun 2026 00:00:00 -0400</pubDate></channel></rss>"
)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of data/ and content/, by path."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for folder in ("data", "content")
        for path in sorted((root / folder).rglob("*"))
        if path.is_file()
    }


def published(root: Path) -> dict[str, bytes]:
    """What readers and the archive keep: records and pages (meta.json records what
    each run spent, and the reply cache grows in the order replies arrive)."""
    return {
        path: data
        for path, data in snapshot(root).items()
        if (path.endswith(".jsonl") and "/cache/" not in path) or path.startswith("content/")
    }


@pytest.fixture(scope="module")
def yesterday(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project that published 2026-06-18 without an LLM."""
    return run_days(copy_project(tmp_path_factory.mktemp("faults") / "project"), "2026-06-18")


@pytest.fixture
def project(yesterday: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(yesterday, tmp_path / "project"))


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> Iterator[FixtureArxiv]:
    # The loopback answers in 0.2 s; 3 s leaves slack for a loaded CI machine.
    with arxiv_today(monkeypatch, timeout="3") as server:
        yield server


def run(root: Path, *args: str) -> int:
    return main(["--root", str(root), "run", "--no-build", *args])


def always(fault: Fault) -> Callable[[FixtureArxiv, pytest.MonkeyPatch], None]:
    return lambda server, _: server.faults.extend(fault for _ in range(20))


def refused(_: FixtureArxiv, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARXIV_RSS_URL", "http://127.0.0.1:9/rss/")


HALF_A_FEED = combined_feed("2026-06-19", CATEGORIES)[:300_000]
RSS_FAULTS: dict[str, Callable[[FixtureArxiv, pytest.MonkeyPatch], None]] = {
    "connection refused": refused,
    "timeout": always(Fault(delay=4.0, path_prefix="/rss/")),
    "HTTP 503": always(Fault(503, b"Service Unavailable", path_prefix="/rss/")),
    "HTTP 429": always(Fault(429, b"Rate exceeded.", {"Retry-After": "0"}, path_prefix="/rss/")),
    "HTTP 400 feed error": always(Fault(400, REFUSAL, path_prefix="/rss/")),
    "blank body": always(Fault(200, b"", path_prefix="/rss/")),
    "HTML error page": always(
        Fault(200, b"<html><body><h1>Rate exceeded.</h1></body></html>", path_prefix="/rss/")
    ),
    "XML cut in the middle": always(Fault(200, HALF_A_FEED, path_prefix="/rss/")),
}


@pytest.mark.parametrize("inject", RSS_FAULTS.values(), ids=list(RSS_FAULTS))
def test_an_unreadable_feed_fails_in_one_line_loses_nothing_and_the_next_run_repairs(
    project: Path,
    today: FixtureArxiv,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    inject: Callable[[FixtureArxiv, pytest.MonkeyPatch], None],
) -> None:
    before = snapshot(project)
    with monkeypatch.context() as fault:
        inject(today, fault)
        assert run(project) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("arxiv-digest: error: arXiv RSS")
    assert snapshot(project) == before  # nothing lost, nothing half-published

    today.faults.clear()
    assert run(project) == 0
    assert (project / "data" / "2026" / "2026-06-19.jsonl").is_file()
    assert (project / "content" / "2026" / "06" / "19" / "llm.md").is_file()
    assert all(snapshot(project)[p] == data for p, data in before.items() if "06-18" in p)


def test_a_weekday_feed_without_items_succeeds_and_changes_nothing(project: Path) -> None:
    before = snapshot(project)
    with FixtureArxiv(download="2026-06-22") as arxiv, environment(arxiv.env()):
        assert run(project) == 0
    assert snapshot(project) == before


def test_the_same_day_fetched_again_changes_no_byte(project: Path) -> None:
    before = snapshot(project)
    with FixtureArxiv(download="2026-06-18") as arxiv, environment(arxiv.env()):
        assert run(project) == 0
    assert snapshot(project) == before


def test_a_weekend_feed_repeating_fridays_items_creates_no_new_day(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    with FixtureArxiv(download="2026-06-13") as arxiv, environment(arxiv.env()):
        assert run(root) == 0  # Saturday's download still serves Friday's feed
    assert [p.name for p in (root / "data" / "2026").glob("*.jsonl")] == ["2026-06-12.jsonl"]
    before = snapshot(root)
    for download in ("2026-06-13", "2026-06-14"):  # again on Saturday, then Sunday's empty feed
        with FixtureArxiv(download=download) as arxiv, environment(arxiv.env()):
            assert run(root) == 0
    assert snapshot(root) == before


ERROR_ENTRY = (
    b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>'
    b"<id>http://arxiv.org/api/errors#incorrect_id_format</id><title>Error</title>"
    b"<summary>incorrect id format</summary></entry></feed>"
)
EMPTY_PAGE = (
    b'<feed xmlns="http://www.w3.org/2005/Atom"><opensearch:totalResults '
    b'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0'
    b"</opensearch:totalResults></feed>"
)
API_FAULTS = {
    "429 then success": [Fault(429, b"Rate exceeded.", {"Retry-After": "0"})],
    "503 all run": [Fault(503, b"Service Unavailable")] * 60,
    "Atom Error entry": [Fault(200, ERROR_ENTRY)] * 60,
    "totalResults 0": [Fault(200, EMPTY_PAGE)] * 60,
}


@pytest.mark.parametrize("faults", API_FAULTS.values(), ids=list(API_FAULTS))
def test_api_faults_keep_every_record_and_the_next_run_completes_them(
    project: Path, today: FixtureArxiv, faults: list[Fault]
) -> None:
    today.faults.extend(Fault(f.status, f.body, f.headers, path_prefix="/api/") for f in faults)
    assert run(project) == 0
    day = [json.loads(line) for line in _day(project).splitlines()]
    assert len(day) == 697  # every paper kept, with or without the extras
    today.faults.clear()
    assert run(project) == 0
    day = [json.loads(line) for line in _day(project).splitlines()]
    assert all(r["api"]["status"] == "done" for r in day)


@pytest.mark.parametrize("change", ODD_ENTRIES.values(), ids=list(ODD_ENTRIES))
def test_an_api_entry_that_cannot_be_read_is_named_and_only_its_paper_lacks_the_extras(
    project: Path,
    today: FixtureArxiv,
    capsys: pytest.CaptureFixture[str],
    change: Callable[[str], str],
) -> None:
    altered: list[tuple[str, str]] = []
    today.faults.append(Fault(rewrite=alter_first_entry(change, altered), path_prefix="/api/"))
    assert run(project) == 0
    ((versioned, entry),) = altered
    victim = versioned.rsplit("v", 1)[0]
    skipped = [line for line in capsys.readouterr().err.splitlines() if "entry skipped" in line]
    assert len(skipped) == 1
    id_text = re.search(r"<id>(.*?)</id>", entry)
    assert (versioned in skipped[0]) == bool(id_text and versioned in id_text[1]), skipped
    day = {r["id"]: r for r in map(json.loads, _day(project).splitlines())}
    assert len(day) == 697  # every paper kept
    assert day[victim]["api"]["status"] == "failed"
    assert all(r["api"]["status"] == "done" for i, r in day.items() if i != victim)
    assert run(project) == 0  # the next run completes it
    assert json.loads(_record(project, victim))["api"]["status"] == "done"


@pytest.mark.parametrize("change", ODD_COUNTS.values(), ids=list(ODD_COUNTS))
def test_odd_api_counts_complete_every_record(
    project: Path, today: FixtureArxiv, change: Callable[[bytes], bytes]
) -> None:
    today.faults.extend(Fault(rewrite=change, path_prefix="/api/") for _ in range(20))
    assert run(project) == 0
    day = [json.loads(line) for line in _day(project).splitlines()]
    assert len(day) == 697 and all(r["api"]["status"] == "done" for r in day)


def _record(root: Path, arxiv_id: str) -> str:
    return next(line for line in _day(root).splitlines() if f'"id":"{arxiv_id}"' in line)


def _day(root: Path) -> str:
    return (root / "data" / "2026" / "2026-06-19.jsonl").read_text("utf-8")


def test_a_full_disk_while_storing_keeps_every_earlier_file_whole(
    project: Path, today: FixtureArxiv, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(project)
    real_replace = os.replace

    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as full:
        full.setattr("generator.files.os.replace", disk_full)
        assert run(project) == 1
    assert snapshot(project) == before  # nothing half-written, nothing lost
    assert os.replace is real_replace
    assert run(project) == 0  # space again: the day is stored
    assert len(_day(project).splitlines()) == 697


# -- records that cannot be read ----------------------------------------------------

YESTERDAY = Path("data") / "2026" / "2026-06-18.jsonl"


def _record_fault(change: Callable[[dict[str, Any]], object]) -> Callable[[bytes], bytes]:
    def corrupt(line: bytes) -> bytes:
        record = json.loads(line)
        changed = change(record)
        return json.dumps(record if changed is None else changed, ensure_ascii=False).encode()

    return corrupt


def _first_score(record: dict[str, Any], score: object) -> None:
    record["topics"][0]["score"] = score


BROKEN_RECORDS: dict[str, Callable[[bytes], bytes]] = {
    "score stored as a string": _record_fault(lambda r: _first_score(r, "95")),
    "score 250": _record_fault(lambda r: _first_score(r, 250)),
    "authors null": _record_fault(lambda r: r.update(authors=None)),
    "unknown announce type": _record_fault(lambda r: r.update(announce_type="withdrawn")),
    "id not an arXiv id": _record_fault(lambda r: r.update(id="../../overrides/main")),
    "step of unknown status": _record_fault(
        lambda r: r.update(llm={"status": "?", "reason": None})
    ),
    "an extra key": _record_fault(lambda r: r.update(note="added by hand")),
    "a missing key": _record_fault(lambda r: r.pop("doi")),
    "not an object": _record_fault(lambda r: [r]),
    "invalid UTF-8": lambda line: line.replace(b'"title":"', b'"title":"\xc3(', 1),
    "cut short": lambda line: line[: len(line) // 2],
}


def _listed(records: list[dict[str, Any]], threshold: int = 60) -> dict[str, set[str]]:
    """topic slug → ids its 2026-06-18 page lists."""
    pages: dict[str, set[str]] = {}
    for record in records:
        for hit in record["topics"]:
            if hit["score"] >= threshold:
                pages.setdefault(hit["topic"], set()).add(record["id"])
    return pages


def _cards(root: Path, topic: str) -> list[str]:
    page = root / "site" / "2026" / "06" / "18" / topic / "index.html"
    return re.findall(r' id="([^"]+)" data-date=', page.read_text("utf-8"))


@pytest.mark.parametrize("corrupt", BROKEN_RECORDS.values(), ids=list(BROKEN_RECORDS))
def test_a_stored_record_that_cannot_be_read_is_named_kept_and_the_rest_published(
    project: Path,
    today: FixtureArxiv,
    capsys: pytest.CaptureFixture[str],
    corrupt: Callable[[bytes], bytes],
) -> None:
    path = project / YESTERDAY
    lines = path.read_bytes().splitlines()
    records = [json.loads(line) for line in lines]
    number = next(n for n, r in enumerate(records, 1) if len(_listed([r])) >= 2)
    victim = records[number - 1]["id"]
    lines[number - 1] = corrupt(lines[number - 1])
    path.write_bytes(b"\n".join(lines) + b"\n")
    broken = path.read_bytes()
    place = f"2026-06-18.jsonl:{number}: not a valid record"

    assert main(["--root", str(project), "build"]) == 0
    err = capsys.readouterr().err
    assert place in err and "1 stored records could not be read" in err
    expected = _listed(records[: number - 1] + records[number:])
    assert set(_listed([records[number - 1]])) <= set(expected)
    for topic, ids in expected.items():  # every other card, each once; not the broken one
        assert sorted(_cards(project, topic)) == sorted(ids), topic
    overview = (project / "content" / "2026" / "06" / "18" / "index.md").read_text("utf-8")
    assert f"{len(records) - 1} 篇" in overview

    # Storing that day again would drop the line: refused in one line, the file untouched.
    with FixtureArxiv(download="2026-06-18") as arxiv, environment(arxiv.env()):
        assert run(project) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("arxiv-digest: error: ") and place in last
    assert last.endswith("fix or remove the line")
    assert path.read_bytes() == broken

    # A later day is not held up by it (published_versions reads the earlier days).
    assert run(project) == 0
    assert place in capsys.readouterr().err
    assert len(_day(project).splitlines()) == 697 and victim not in _day(project)
    assert path.read_bytes() == broken


def test_a_record_stored_twice_shows_one_card_and_counts_once(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / YESTERDAY
    lines = path.read_bytes().splitlines()
    records = [json.loads(line) for line in lines]
    number = next(n for n, r in enumerate(records, 1) if len(_listed([r])) >= 2)
    path.write_bytes(b"\n".join([*lines, lines[number - 1]]) + b"\n")

    assert main(["--root", str(project), "build"]) == 0
    err = capsys.readouterr().err
    assert f"2026-06-18.jsonl:{len(lines) + 1}: {records[number - 1]['id']} is also on line" in err
    for topic, ids in _listed(records).items():
        assert sorted(_cards(project, topic)) == sorted(ids), topic
    overview = (project / "content" / "2026" / "06" / "18" / "index.md").read_text("utf-8")
    assert f"{len(records)} 篇" in overview


# -- the process --------------------------------------------------------------------


def spawn(
    root: Path, env: dict[str, str], *args: str, debug: bool = False
) -> subprocess.Popen[str]:
    flags = ["--debug"] if debug else []
    return subprocess.Popen(
        [sys.executable, "-m", "generator", *flags, "--root", str(root), "run", *args],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_runs_at_once_take_turns_and_the_second_sends_nothing(project: Path) -> None:
    with FixtureArxiv(download="2026-06-19") as arxiv, FakeLLM(latency=0.2) as llm:
        env = {**arxiv.env(), **llm.env()}
        first = spawn(project, env, "--no-build")
        deadline = time.monotonic() + 60
        while not arxiv.requests:  # fetching: it holds the project by now
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.01)
        second = spawn(project, env, "--no-build")
        (_, first_err), (_, second_err) = (p.communicate(timeout=300) for p in (first, second))
    assert first.returncode == 0, first_err
    assert second.returncode == 0, second_err
    assert "waiting for it" in second_err
    assert "LLM:" in first_err and "LLM:" not in second_err  # found it all done
    assert re.search(r"2026-06-19: \d+ papers unchanged", second_err)


@pytest.fixture(scope="module")
def uninterrupted(yesterday: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2026-06-19 run with the LLM and the build, never interrupted."""
    root = Path(shutil.copytree(yesterday, tmp_path_factory.mktemp("whole") / "project"))
    with FixtureArxiv(download="2026-06-19") as arxiv, FakeLLM(latency=0.1) as llm:
        assert spawn(root, {**arxiv.env(), **llm.env()}).wait(timeout=600) == 0
    return root


# When to kill, by what the run has visibly reached: fetching, asking the LLM, having
# stored the day (rendering), building the site.
KILL_POINTS: dict[str, Callable[[Path, FixtureArxiv, FakeLLM], bool]] = {
    "fetch": lambda root, arxiv, llm: len(arxiv.requests) >= 1,
    "enrich": lambda root, arxiv, llm: len(llm.requests) >= 20,
    "render": lambda root, arxiv, llm: (root / "data" / "2026" / "2026-06-19.jsonl").exists(),
    "build": lambda root, arxiv, llm: (root / "site").exists(),
}


@pytest.mark.parametrize("point", KILL_POINTS.values(), ids=list(KILL_POINTS))
def test_a_run_killed_anywhere_then_rerun_ends_as_if_never_killed(
    project: Path, uninterrupted: Path, point: Callable[[Path, FixtureArxiv, FakeLLM], bool]
) -> None:
    with FixtureArxiv(download="2026-06-19") as arxiv, FakeLLM(latency=0.1) as llm:
        env = {**arxiv.env(), **llm.env()}
        killed = spawn(project, env)
        deadline = time.monotonic() + 120
        while not point(project, arxiv, llm) and killed.poll() is None:
            assert time.monotonic() < deadline, "the run never reached the kill point"
            time.sleep(0.01)
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=60)
        asked_before = Counter(_billed(llm))
        rerun = spawn(project, env)
        _, err = rerun.communicate(timeout=600)
        assert rerun.returncode == 0, err
        asked = Counter(_billed(llm))

    assert published(project) == published(uninterrupted)
    assert not list(project.rglob(".*.tmp")), "half-written files left behind"
    # A reply the killed run received was cached and is not paid for again; only
    # requests in flight at the kill (at most the concurrency, 8) can be asked twice.
    again = sum(count - 1 for count in asked.values() if count > 1)
    assert again <= 8, (again, sum(asked_before.values()))


def _billed(llm: FakeLLM) -> list[str]:
    """One key per request that cost tokens: the stage and the ids it asked about."""
    keys = []
    for request in llm.requests:
        ids = sorted(set(re.findall(r"\d{4}\.\d{4,5}", str(request.get("messages", "")))))
        keys.append(f"{request['stage']}:{','.join(ids)}")
    return keys


# -- secrets -------------------------------------------------------------------------


class EchoingLLM(FakeLLM):
    """A provider that puts the caller's key into every error it returns."""

    def answer(self, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.requests.append({**body, "stage": "any", "fault": "echo"})
        key = self.authorizations[-1].removeprefix("Bearer ")
        error = {"error": {"message": f"Invalid key {key} for {key[:12]}…", "key": key}}
        return 500, {"Content-Type": "application/json"}, json.dumps(error).encode()


def test_the_key_never_appears_even_when_the_provider_echoes_it_under_debug(
    project: Path,
) -> None:
    with FixtureArxiv(download="2026-06-19") as arxiv, EchoingLLM() as llm:
        env = {**arxiv.env(), **llm.env(), "DIGEST_RETRY_BACKOFF": "0.01"}
        debug = spawn(project, env, "--no-build", debug=True)
        out, err = debug.communicate(timeout=600)
        assert debug.returncode == 0, err  # the papers fail, the run does not
        assert llm.requests, "the provider was asked"
        # And a failing command under --debug prints its traceback without the key.
        env["ARXIV_RSS_URL"] = "http://127.0.0.1:9/rss/"
        broken = spawn(project, env, "--no-build", debug=True)
        broken_out, broken_err = broken.communicate(timeout=600)
    key = llm.env()["OPENAI_API_KEY"]
    assert broken.returncode == 1 and "Traceback" in broken_err
    assert "failed the LLM step" in err
    for text in (out, err, broken_out, broken_err):
        assert key not in text and key[-16:] not in text
    for path in project.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path


def test_a_running_preview_does_not_hold_the_project(project: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"127.0.0.1:{port}"
    serve = subprocess.Popen(
        [sys.executable, "-m", "generator", "--root", str(project), "serve", "--dev-addr", address],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                page = httpx.get(f"http://{address}/", timeout=1)
                break
            except httpx.TransportError:
                assert serve.poll() is None and time.monotonic() < deadline, serve.stderr
                time.sleep(0.2)
        assert page.status_code == 200 and "2026-06-18" in page.text
        built = subprocess.run(
            [sys.executable, "-m", "generator", "--root", str(project), "build"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert built.returncode == 0, built.stderr
        assert "waiting for it" not in built.stderr
    finally:
        serve.kill()
        serve.wait()
