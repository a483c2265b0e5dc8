"""The site step's subprocesses (MkDocs, Pagefind): what a failure's report shows."""

from __future__ import annotations

import subprocess


def tail(result: subprocess.CompletedProcess[str]) -> str:
    """The last lines a failed command printed: enough to see why."""
    return "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
