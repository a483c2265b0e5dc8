"""The MkDocs build: content/ → site/, with the search bundles put in last. The only
module that runs MkDocs."""

from __future__ import annotations

import os
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
from generator.site.process import tail
from generator.site.sitemap import write_sitemap


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
    command = [sys.executable, "-m", "mkdocs", "build", "--clean", "--quiet"]
    if strict:
        command.append("--strict")
    result = _mkdocs(root, command, " ".join(cached))
    if result.returncode != 0:
        raise SiteError(f"mkdocs build failed:\n{tail(result)}")
    site = root / "site"
    put = held.put if held is not None else lambda folder, source: link_tree(source, site / folder)
    for folder, source in cached.items():
        put(folder, source)
    if index is not None:
        index.write_into(site / FOLDER, lambda quarter, bundle: put(f"{FOLDER}/{quarter}", bundle))
    write_sitemap(site, site_url(root))
    return site


def _mkdocs(root: Path, command: list[str], reused: str) -> subprocess.CompletedProcess[str]:
    if not (root / "mkdocs.yml").is_file():
        raise SiteError(f"no mkdocs.yml in {root}")
    # Material 9.7+ prints a notice about MkDocs 2.0 on every build; we know.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", REUSED_ENV: reused}
    return subprocess.run(command, cwd=root, env=env, text=True, capture_output=True, check=False)


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
