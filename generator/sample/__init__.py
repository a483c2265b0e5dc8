"""`arxiv-digest run --sample`: the real pipeline on a recorded arXiv day, offline.

Everything but arXiv is real: the same fetch, API completion, triage, store, render
and MkDocs build as `run`, with arXiv played back on loopback from the announcement
the package carries (`arxiv.RecordedArxiv`). With OPENAI_API_KEY set the LLM step
runs against the configured provider as usual.

The sample is a project of its own, `arxiv-digest-sample/` inside the project
folder, made from the project's digest.yml, mkdocs.yml and overrides/ (copied
again on each run, so edits to them show). It never touches the project's data/
or content/, and a folder of that name that the sample did not make is refused.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
from collections.abc import Mapping
from pathlib import Path

import generator
from generator import pipeline
from generator.errors import DigestError
from generator.sample.arxiv import RECORDED_CATEGORIES, RECORDED_DAY, RecordedArxiv
from generator.settings import Settings, one_at_a_time

log = logging.getLogger(__name__)

SAMPLE_FOLDER = "arxiv-digest-sample"
MARK = "SAMPLE.txt"  # in the sample folder: made by `run --sample`, safe to rewrite
PROJECT_FILES = ("digest.yml", "mkdocs.yml", "overrides")
MARK_TEXT = (
    f"Made by `arxiv-digest run --sample`: arXiv's announcement of {RECORDED_DAY}, recorded,\n"
    "run through the whole pipeline. Delete this folder whenever you like; the next\n"
    "`run --sample` makes it again. Your own digest lives in the project folder above.\n"
)


def run_sample(root: Path, environ: Mapping[str, str], *, build: bool = True) -> Path:
    """Build the sample project under `root`; returns its folder."""
    folder = prepare(root)
    settings = Settings.load(folder, environ)
    refuse_unrecorded(settings.config.categories)
    with RecordedArxiv() as arxiv:
        settings = dataclasses.replace(
            settings,
            rss_url=f"{arxiv.url}/rss/",
            api_url=f"{arxiv.url}/api/query",
            html_url=f"{arxiv.url}/html/",
            api_interval=0.0,  # loopback: arXiv's pace is for arXiv
            crawl_fallback=0.0,
        )
        log.info("Sample: arXiv's announcement of %s, played back on %s", RECORDED_DAY, arxiv.url)
        with one_at_a_time(settings):
            pipeline.run(settings, build=build)
    return folder


def prepare(root: Path) -> Path:
    """The sample folder with a fresh copy of the project's files (or the package's)."""
    source = project_files(root)
    folder = root / SAMPLE_FOLDER
    if folder.exists() and not (folder / MARK).is_file():
        raise DigestError(
            f"{folder} exists and was not made by `run --sample`: refused, nothing written "
            "(move it away to make the sample)"
        )
    folder.mkdir(exist_ok=True)
    (folder / MARK).write_text(MARK_TEXT, encoding="utf-8")
    for name in PROJECT_FILES:
        target = folder / name
        if (source / name).is_dir():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source / name, target)
        else:
            shutil.copyfile(source / name, target)
    return folder


def project_files(root: Path) -> Path:
    """Where digest.yml, mkdocs.yml and overrides/ are: the project folder, else the
    checkout this package was installed from (`pip install -e .`)."""
    for place in (root, Path(generator.__file__).resolve().parent.parent):
        if all((place / name).exists() for name in PROJECT_FILES):
            return place
    raise DigestError(
        f"no digest.yml, mkdocs.yml and overrides/ in {root}: run `arxiv-digest run --sample` "
        "in the project's folder (a clone of the repository)"
    )


def refuse_unrecorded(categories: list[str]) -> None:
    recorded = [c for c in categories if c in RECORDED_CATEGORIES]
    if not recorded:
        raise DigestError(
            f"the sample holds arXiv's {RECORDED_DAY} announcement of "
            f"{', '.join(RECORDED_CATEGORIES)}; digest.yml lists none of them "
            f"({', '.join(categories)}): add one to see the sample"
        )
    missing = [c for c in categories if c not in RECORDED_CATEGORIES]
    if missing:
        log.warning("Sample: no recording of %s; those categories stay empty.", ", ".join(missing))
