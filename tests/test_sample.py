"""`arxiv-digest run --sample`: the whole pipeline on the recorded day the package
carries, served from loopback, into a folder of its own; never into the archive."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import httpx
import pytest
from conftest import FIXTURES, FakeLLM

from generator.cli import main
from generator.sample import MARK, SAMPLE_FOLDER
from generator.sample.arxiv import RECORDED_CATEGORIES, RECORDED_DAY, RecordedArxiv

# Nothing listens here: a run that asked the configured arXiv would fail.
UNREACHABLE = {
    "ARXIV_RSS_URL": "http://127.0.0.1:9/rss/",
    "ARXIV_API_URL": "http://127.0.0.1:9/api/query",
    "ARXIV_HTML_URL": "http://127.0.0.1:9/html/",
}


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def stored_sample(folder: Path) -> list[dict]:
    path = folder / "data" / RECORDED_DAY[:4] / f"{RECORDED_DAY}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in UNREACHABLE.items():
        monkeypatch.setenv(name, value)


def test_the_recording_is_arxivs_feed_byte_for_byte() -> None:
    from generator.sample.arxiv import recorded_feed

    for category in RECORDED_CATEGORIES:
        recorded = FIXTURES / "rss" / f"fetched-{RECORDED_DAY}-{category}.xml"
        assert recorded_feed(category) == recorded.read_bytes(), category


def test_sample_builds_a_site_and_leaves_the_archive_alone(
    project: Path,
    offline: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The project holds a real archive: the sample must not touch a byte of it.
    day = project / "data" / "2026" / "2026-06-18.jsonl"
    day.parent.mkdir(parents=True)
    day.write_text('{"not": "read by the sample"}\n', encoding="utf-8")
    (project / "content").mkdir()
    (project / "content" / "index.md").write_text("# my digest\n", encoding="utf-8")
    before = {name: tree_digest(project / name) for name in ("data", "content", "overrides")}
    monkeypatch.chdir(project)

    assert main(["run", "--sample"]) == 0

    after = {name: tree_digest(project / name) for name in ("data", "content", "overrides")}
    assert after == before
    assert not (project / "site").exists()
    sample = project / SAMPLE_FOLDER
    papers = stored_sample(sample)
    assert len(papers) == 697  # every paper of the four recorded feeds, once
    assert {p["announce_type"] for p in papers} == {"new", "cross", "replace", "replace-cross"}
    assert all(p["api"]["status"] == "done" for p in papers)  # the loopback API answered
    llm_page = (sample / "site" / "2026" / "06" / "19" / "llm" / "index.html").read_text("utf-8")
    assert llm_page.count('<article class="paper') > 50
    assert (sample / "site" / "pagefind" / "periods.json").is_file()
    said = capsys.readouterr().out
    assert f"arxiv-digest --root {SAMPLE_FOLDER} serve" in said


def test_sample_with_a_key_runs_the_llm_step(
    project: Path, offline: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeLLM() as llm:
        for name, value in llm.env().items():
            monkeypatch.setenv(name, value)
        assert main(["--root", str(project), "run", "--sample", "--no-build"]) == 0
    assert {r["stage"] for r in llm.requests} >= {"triage", "detail"}
    papers = stored_sample(project / SAMPLE_FOLDER)
    translated = [p for p in papers if p.get("title_zh")]
    assert len(translated) == len(papers)
    day_page = project / SAMPLE_FOLDER / "content" / "2026" / "06" / "19" / "llm.md"
    assert any(p["title_zh"] in day_page.read_text("utf-8") for p in translated)


def test_a_folder_the_sample_did_not_make_is_refused(
    project: Path, offline: None, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = project / SAMPLE_FOLDER
    (mine / "data").mkdir(parents=True)
    (mine / "data" / "notes.txt").write_text("mine\n", encoding="utf-8")

    assert main(["--root", str(project), "run", "--sample"]) == 1

    error = capsys.readouterr().err.strip()
    assert "not made by `run --sample`" in error and "\n" not in error
    assert sorted(p.name for p in mine.rglob("*")) == ["data", "notes.txt"]


def test_sample_outside_a_checkout_takes_the_installed_projects_files(
    tmp_path: Path, offline: None
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for _ in range(2):  # made, then made again over itself
        assert main(["--root", str(elsewhere), "run", "--sample", "--no-build"]) == 0
    sample = elsewhere / SAMPLE_FOLDER
    assert (sample / MARK).is_file()
    assert (sample / "digest.yml").is_file() and (sample / "overrides" / "main.html").is_file()
    assert len(stored_sample(sample)) == 697
    assert sorted(p.name for p in elsewhere.iterdir()) == [SAMPLE_FOLDER]


def test_sample_follows_edits_to_the_projects_topics(project: Path, offline: None) -> None:
    assert main(["--root", str(project), "run", "--sample", "--no-build"]) == 0
    config = project / "digest.yml"
    config.write_text(
        config.read_text("utf-8").replace("threshold: 60", "threshold: 99"), encoding="utf-8"
    )
    shutil.rmtree(project / SAMPLE_FOLDER / "content")
    assert main(["--root", str(project), "run", "--sample", "--no-build"]) == 0
    assert "threshold: 99" in (project / SAMPLE_FOLDER / "digest.yml").read_text("utf-8")


def test_sample_of_categories_it_has_no_recording_of_says_so(
    project: Path, offline: None, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "digest.yml").write_text(
        "categories: [math.AG]\n"
        "topics:\n"
        "  - {group: 数学, name: 代数几何, slug: ag, categories: [math.AG], keywords: [scheme],\n"
        "     subtopics: [{name: 概形, slug: schemes, keywords: [scheme]}]}\n",
        encoding="utf-8",
    )

    assert main(["--root", str(project), "run", "--sample"]) == 1

    error = capsys.readouterr().err.strip()
    assert "digest.yml lists none of them" in error and "\n" not in error
    assert not (project / SAMPLE_FOLDER / "data").exists()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/rss/cs.CL+cs.AI", 200),
        ("/rss/math.AG", 404),
        ("/api/query?id_list=2606.00001", 200),
        ("/robots.txt", 200),
        ("/html/2606.00001v1", 404),
        ("/anything/else", 404),
    ],
)
def test_the_recorded_arxiv_answers_as_arxiv_does(path: str, status: int) -> None:
    with RecordedArxiv() as arxiv:
        assert httpx.get(arxiv.url + path).status_code == status
