"""Site: content/ → site/ with MkDocs (Material). The only module that runs MkDocs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from generator.errors import SiteError


def build_site(root: Path, *, strict: bool = True) -> Path:
    """Run `mkdocs build` in `root`; return the site folder."""
    command = [sys.executable, "-m", "mkdocs", "build", "--clean", "--quiet"]
    if strict:
        command.append("--strict")
    result = _mkdocs(root, command)
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
        raise SiteError(f"mkdocs build failed:\n{tail}")
    return root / "site"


def serve_site(root: Path, address: str) -> None:
    """Preview with live reload until interrupted."""
    _mkdocs(root, [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", address], capture=False)


def _mkdocs(
    root: Path, command: list[str], capture: bool = True
) -> subprocess.CompletedProcess[str]:
    if not (root / "mkdocs.yml").is_file():
        raise SiteError(f"no mkdocs.yml in {root}")
    # Material 9.7+ prints a notice about MkDocs 2.0 on every build; we know.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        command, cwd=root, env=env, text=True, capture_output=capture, check=False
    )


class _IgnoreTags(yaml.SafeLoader):
    """mkdocs.yml may hold `!!python/name:` tags; we only need plain keys."""


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
