"""The search index: a Pagefind bundle per quarter, and the cache that spares a build
from indexing quarters whose papers did not change."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest

from generator.errors import SiteError
from generator.site import SearchIndex, bundles
from generator.site.layout import document_path, period_label, period_of, quarter


def document(title: str) -> str:
    return (
        '<!doctype html><html lang="zh"><head><meta charset="utf-8"></head><body>'
        f'<main data-pagefind-body><h1 data-pagefind-meta="title">{title}</h1></main>'
        "</body></html>"
    )


def index_search(
    output: Path, documents: dict[str, str], language: str, cache: Path | None = None
) -> None:
    """The bundles of `documents` and their manifest into `output`, as a build does."""
    with SearchIndex(language, cache) as index:
        index.add(documents)
        index.write_into(output)


DOCUMENTS = {
    "2026/06/19/2606.00001.html": document("Quokka alignment"),
    "2026/04/01/2604.00002.html": document("Wombat reasoning"),
    "2025/12/31/2512.00003.html": document("Numbat agents"),
}


@pytest.mark.parametrize(
    ("date", "period", "label"),
    [
        (dt.date(2026, 1, 2), "2026-q1", "2026 年 1–3 月"),
        (dt.date(2026, 6, 30), "2026-q2", "2026 年 4–6 月"),
        (dt.date(2025, 7, 1), "2025-q3", "2025 年 7–9 月"),
        (dt.date(2025, 12, 31), "2025-q4", "2025 年 10–12 月"),
    ],
)
def test_a_document_goes_in_its_quarter(date: dt.date, period: str, label: str) -> None:
    path = document_path(date, "2606.12345")
    assert path == f"{date:%Y/%m/%d}/2606.12345.html"
    assert period_of(path) == quarter(date) == period
    assert period_label(period) == label


def test_one_bundle_per_quarter_listed_newest_first(tmp_path: Path) -> None:
    index_search(tmp_path / "pagefind", DOCUMENTS, "zh")
    periods = json.loads((tmp_path / "pagefind" / "periods.json").read_text())
    assert [p["id"] for p in periods] == ["2026-q2", "2025-q4"]
    assert periods[1] == {
        "id": "2025-q4",
        "label": "2025 年 10–12 月",
        "bundle": "2025-q4/pagefind.js",  # what the browser imports, from the manifest's URL
    }
    for period in periods:
        assert (tmp_path / "pagefind" / period["bundle"]).is_file()
    for period, count in [("2026-q2", 2), ("2025-q4", 1)]:
        bundle = tmp_path / "pagefind" / period
        assert (bundle / "pagefind.js").is_file()
        assert len(list((bundle / "fragment").iterdir())) == count


def test_the_cache_indexes_only_quarters_whose_documents_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    indexed: list[int] = []  # documents in each Pagefind run
    real_index = bundles._index

    def counting(source: TemporaryDirectory[str], bundle: Path, language: str) -> None:
        indexed.append(len(list(Path(source.name).rglob("*.html"))))
        real_index(source, bundle, language)

    monkeypatch.setattr(bundles, "_index", counting)
    cache = tmp_path / "cache"
    index_search(tmp_path / "first", DOCUMENTS, "zh", cache)
    assert sorted(indexed) == [1, 2]

    index_search(tmp_path / "again", DOCUMENTS, "zh", cache)
    assert sorted(indexed) == [1, 2]  # nothing indexed: both quarters came from the cache
    first = sorted(p.relative_to(tmp_path / "first") for p in (tmp_path / "first").rglob("*"))
    again = sorted(p.relative_to(tmp_path / "again") for p in (tmp_path / "again").rglob("*"))
    assert first == again

    changed = {**DOCUMENTS, "2026/06/19/2606.00001.html": document("Quokka jailbreaks")}
    index_search(tmp_path / "third", changed, "zh", cache)
    assert sorted(indexed) == [1, 2, 2]  # only 2026 Q2 again
    assert sorted(p.name.split("-")[1] for p in cache.iterdir()) == ["q2", "q4"]  # old Q2 gone

    # What the cache gave is what indexing gives: the same files, byte for byte.
    index_search(tmp_path / "fresh", changed, "zh")
    for path in (tmp_path / "fresh").rglob("*"):
        if path.is_file():
            twin = tmp_path / "third" / path.relative_to(tmp_path / "fresh")
            assert twin.read_bytes() == path.read_bytes(), path


def test_a_bundle_interrupted_while_indexing_is_not_used(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    index_search(tmp_path / "first", DOCUMENTS, "zh", cache)
    bundle = next(cache.glob("2026-q2-*"))
    bundle.rename(bundle.with_name(bundle.name + ".partial"))  # as a killed build leaves it
    (bundle.with_name(bundle.name + ".partial") / "pagefind.js").unlink()
    index_search(tmp_path / "second", DOCUMENTS, "zh", cache)
    assert (tmp_path / "second" / "2026-q2" / "pagefind.js").is_file()
    assert not bundle.with_name(bundle.name + ".partial").exists()


def test_a_quarter_added_in_two_parts_is_refused(tmp_path: Path) -> None:
    first, second = dict(list(DOCUMENTS.items())[:1]), dict(list(DOCUMENTS.items())[1:])
    with SearchIndex("zh") as index:
        index.add(first)
        with pytest.raises(SiteError, match="2026-q2 were added twice"):
            index.add(second)  # its other 2026 Q2 paper would replace the first's bundle
