"""The MkDocs build: content/ → site/, with the search bundles put in last. The only
module that runs MkDocs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml
from yaml_env_tag import construct_env_tag

from generator.errors import SiteError
from generator.files import link_tree
from generator.site.bundles import SearchIndex
from generator.site.held import RECORD, HeldFolders
from generator.site.layout import FOLDER
from generator.site.months import REUSED_ENV, CachedMonth
from generator.site.process import cores, tail
from generator.site.sitemap import write_sitemap

SECOND_SITE = ".cache/site-second"  # the second MkDocs' site (_mkdocs_builds)
_SHARED = 4  # dated folders to build before a second MkDocs takes half of them


def build_site(
    root: Path,
    *,
    strict: bool = True,
    index: SearchIndex | None = None,
    reused: Sequence[CachedMonth] = (),
    held: HeldFolders | None = None,
) -> Path:
    """Run `mkdocs build` in `root`, leaving out the `reused` months (and their weeks),
    whose built pages the cache holds and which are put in after; then the search bundles of `index`
    (already under way, see publish.py) in site/pagefind/ and the sitemap of every
    page. With `held` (publish.py), the folders site/ already holds from the same cache
    entries are kept across MkDocs' --clean (held.py). Return the site folder."""
    cached = {f: month.site(f) for month in reused for f in month.folders}  # months.py
    bundles = {f"{FOLDER}/{q}": b for q, b in (index.cached_bundles() if index else {}).items()}
    if held is not None:
        held.set_aside({**cached, **bundles})
    else:  # site/ is all made again: the record of the last build no longer holds
        (root / RECORD).unlink(missing_ok=True)
    _mkdocs_builds(root, strict, list(cached))
    site = root / "site"
    put = held.put if held is not None else lambda folder, source: link_tree(source, site / folder)
    for folder, source in cached.items():
        put(folder, source)
    if index is not None:
        index.write_into(site / FOLDER, lambda quarter, bundle: put(f"{FOLDER}/{quarter}", bundle))
    write_sitemap(site, site_url(root))
    return site


def _mkdocs_builds(root: Path, strict: bool, cached: list[str]) -> None:
    """MkDocs over content/ into site/, leaving out the `cached` folders. With dated
    folders enough to share, and two cores, a second MkDocs builds every other one of
    them beside the first into a site of its own, whose folders are then moved into
    site/: a build was a third of a full build's time, on one core (bench/README.md).
    Each builds the pages outside dated folders too (a few, and the theme's assets),
    so that every page is made with the same files, navigation and all."""
    if not (root / "mkdocs.yml").is_file():
        raise SiteError(f"no mkdocs.yml in {root}")
    to_build = [folder for folder in _dated_folders(root / "content") if folder not in cached]
    shared = len(to_build) >= _SHARED and cores() >= 2
    first, second = (to_build[0::2], to_build[1::2]) if shared else (to_build, [])
    shutil.rmtree(root / SECOND_SITE, ignore_errors=True)
    builds = [_start_mkdocs(root, strict, [*cached, *second], None)]
    if second:
        builds.append(_start_mkdocs(root, strict, [*cached, *first], root / SECOND_SITE))
    # Each to its end, then judged: a failed first must not leave the second running.
    results = [_finished(build) for build in builds]
    for result in results:
        if result.returncode != 0:
            raise SiteError(f"mkdocs build failed:\n{tail(result)}")
    for folder in second:
        built, target = root / SECOND_SITE / folder, root / "site" / folder
        if built.is_dir():  # else content/ holds the folder, emptied, and no page
            # The first built it too when it runs no plugins (mkdocs_cards.py): replaced.
            shutil.rmtree(target, ignore_errors=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(built, target)  # a rename, or a copy if .cache/ is mounted apart
    shutil.rmtree(root / SECOND_SITE, ignore_errors=True)


def _finished(build: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    stdout, stderr = build.communicate()  # before returncode: it is set at the end
    return subprocess.CompletedProcess(build.args, build.returncode, stdout, stderr)


def _dated_folders(content: Path) -> list[str]:
    """content/'s month and week folders, YYYY/MM and YYYY/Www (site/months.py)."""
    return [
        f"{year.name}/{folder.name}"
        for year in sorted(content.glob("[0-9][0-9][0-9][0-9]"))
        for folder in sorted(year.iterdir())
        if folder.is_dir()
    ]


def _start_mkdocs(
    root: Path, strict: bool, left_out: list[str], site_dir: Path | None
) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "mkdocs", "build", "--clean", "--quiet"]
    if strict:
        command.append("--strict")
    if site_dir is not None:
        command += ["--site-dir", str(site_dir)]
    # Material 9.7+ prints a notice about MkDocs 2.0 on every build; we know.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", REUSED_ENV: " ".join(left_out)}
    return subprocess.Popen(
        command, cwd=root, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


class _IgnoreTags(yaml.SafeLoader):
    """mkdocs.yml may hold `!!python/name:` tags; we only need plain keys, and `!ENV`
    resolved by the same code MkDocs uses."""


_IgnoreTags.add_constructor("!ENV", construct_env_tag)
_IgnoreTags.add_multi_constructor("", lambda loader, suffix, node: None)
_IgnoreTags.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def site_url(root: Path) -> str | None:
    """`site_url` from mkdocs.yml, for the absolute links Atom feeds want."""
    try:
        raw = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_IgnoreTags)
    except (OSError, yaml.YAMLError):
        return None
    value = raw.get("site_url") if isinstance(raw, dict) else None
    return str(value) if value else None
