"""`arxiv-digest serve`: the addresses --dev-addr takes, and site/ served as GitHub Pages
serves it (a folder without index.html is a 404, not a listing)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import REPO

from generator.cli import main
from generator.errors import DigestError
from generator.preview import parse_address, site_server


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("127.0.0.1:8001", ("127.0.0.1", 8001)),
        ("localhost:8001", ("localhost", 8001)),
        ("[::1]:8001", ("::1", 8001)),
        ("0.0.0.0:80", ("0.0.0.0", 80)),
        ("localhost", ("localhost", 8000)),
        ("[::1]", ("::1", 8000)),
        (":8001", ("127.0.0.1", 8001)),
    ],
)
def test_dev_addr_takes_what_mkdocs_takes_and_either_half(
    text: str, address: tuple[str, int]
) -> None:
    assert parse_address(text) == address


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("8001", "; a port alone is :8001"),
        ("localhost:", ""),
        ("localhost:http", ""),
        ("example.org:8000", ""),
        ("127.0.0.1:65536", ""),
        ("127.0.0.1:0", ""),
        ("1.2.3:80", ""),
        ("[::1:8000", ""),
        ("", ""),
    ],
)
def test_any_other_dev_addr_is_one_line_before_building(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, hint: str
) -> None:
    for name in ("digest.yml", "mkdocs.yml"):
        shutil.copy(REPO / name, tmp_path / name)
    assert main(["--root", str(tmp_path), "serve", "--dev-addr", text]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "arxiv-digest: error: --dev-addr: expected IP:PORT, localhost:PORT, [IPv6]:PORT,"
        f" a host alone or :PORT, got {text!r}{hint}"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["digest.yml", "mkdocs.yml"]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "site" / "pagefind").mkdir(parents=True)
    (tmp_path / "site" / "2026").mkdir()
    (tmp_path / "site" / "index.html").write_text("<p>latest day</p>")
    (tmp_path / "site" / "2026" / "index.html").write_text("<p>a year</p>")
    (tmp_path / "site" / "pagefind" / "pagefind.js").write_text("// search")
    with site_server(tmp_path, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()
        thread.join()


def test_a_folder_without_index_html_is_a_404_not_a_listing(site: str) -> None:
    assert httpx.get(f"{site}/").text == "<p>latest day</p>"
    assert httpx.get(f"{site}/2026/").text == "<p>a year</p>"
    assert httpx.get(f"{site}/pagefind/pagefind.js").text == "// search"
    listing = httpx.get(f"{site}/pagefind/")
    assert listing.status_code == 404
    assert "pagefind.js" not in listing.text
    assert httpx.get(f"{site}/pagefind", follow_redirects=True).status_code == 404
    assert httpx.get(f"{site}/missing/").status_code == 404


def test_an_address_in_use_is_one_line(tmp_path: Path) -> None:
    with site_server(tmp_path, "127.0.0.1", 0) as taken:
        port = taken.server_address[1]
        with pytest.raises(DigestError, match=rf"^cannot serve on http://127\.0\.0\.1:{port}/: "):
            site_server(tmp_path, "127.0.0.1", port)
