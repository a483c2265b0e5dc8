"""Where the bytes of a published day go: the site of a realistic archive, its files
counted by kind, per day and per listed paper (issue 18, item 2).

python bench/site_bytes.py [--days 20]

Builds `--days` synthetic days at the realistic listed share (synthetic.py) with the
real `arxiv-digest build`, then sorts every file of site/ into a kind. File bytes are
what GitHub Pages counts against its 1 GB; gzipped bytes are what a reader downloads.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from measure import MB  # noqa: E402

# The first matching pattern names a file's kind (paths relative to site/).
KINDS = [
    ("search bundles", r"pagefind/"),
    ("topic pages of a day", r"\d{4}/\d\d/\d\d/(?!all/)[^/]+/index\.html$"),
    ("English abstracts", r"\d{4}/\d\d/\d\d/[^/]+/abstracts\.json(\.gz)?$"),
    ("day files (abstracts, citations)", r"\d{4}/\d\d/\d\d/.*\.(json|gz)$"),
    ("whole-day pages", r"\d{4}/\d\d/\d\d/all/index\.html$"),
    ("day overviews", r"\d{4}/\d\d/\d\d/index\.html$"),
    ("week and month pages", r"\d{4}/(W\d\d|\d\d)/[^/]+/index\.html$"),
    ("topic history pages", r"topics/"),
    ("feeds", r"feeds/"),
    ("assets (CSS, JS, fonts)", r"assets/"),
    ("fixed pages and the rest", r""),
]


def kind_of(relative: str) -> str:
    return next(name for name, pattern in KINDS if re.match(pattern, relative))


def byte_table(site: Path) -> dict[str, dict[str, int]]:
    """Files, bytes and gzipped bytes of site/ by kind."""
    table: dict[str, dict[str, int]] = defaultdict(lambda: {"files": 0, "bytes": 0, "gzip": 0})
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        row = table[kind_of(path.relative_to(site).as_posix())]
        data = path.read_bytes()
        row["files"] += 1
        row["bytes"] += len(data)
        # Pagefind's files and .gz files are compressed already: served as they are.
        compressed = path.suffix in {".gz", ".pf_fragment", ".pf_index", ".pf_meta", ".pagefind"}
        row["gzip"] += len(data) if compressed else len(gzip.compress(data, 6))
    return dict(table)


def print_byte_table(table: dict[str, dict[str, int]], days: int, listed: int) -> None:
    total = sum(row["bytes"] for row in table.values())
    print(
        f"\n{days} days, {listed:,} listed papers: {total / MB:,.1f} MiB of files, "
        f"{total / days / MB:.3f} MiB a day, {total / listed / 1024:.1f} KiB a listed paper"
    )
    print("\n| kind | files | MiB | KiB a day | B a listed paper | gzipped KiB a day | share |")
    print("|---|---|---|---|---|---|---|")
    for name, _ in KINDS:
        row = table.get(name)
        if not row:
            continue
        print(
            f"| {name} | {row['files']:,} | {row['bytes'] / MB:,.2f} | "
            f"{row['bytes'] / days / 1024:,.1f} | {row['bytes'] / listed:,.0f} | "
            f"{row['gzip'] / days / 1024:,.1f} | {row['bytes'] / total:.0%} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=20)
    args = parser.parse_args()
    import run
    from synthetic import Archive

    from generator.config import load_config

    with tempfile.TemporaryDirectory(prefix="digest-bytes-") as folder:
        scratch = Path(folder)
        data = scratch / "archive" / "data"
        records = run.write_archive(Archive(load_config(ROOT / "digest.yml")), data, args.days + 1)
        result: dict[str, Any] = run.measure_ours(data, args.days, scratch / "ours", search=False)
        print_byte_table(result["bytes_by_kind"], args.days, result["published_papers"])
        print(f"({records['selected']:,} selected of {records['papers']:,} records)")


if __name__ == "__main__":
    main()
