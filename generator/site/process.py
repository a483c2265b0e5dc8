"""The site step's subprocesses (MkDocs, Pagefind): what a failure's report shows, and
how many may run at once."""

from __future__ import annotations

import os
import subprocess


def tail(result: subprocess.CompletedProcess[str]) -> str:
    """The last lines a failed command printed: enough to see why."""
    return "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])


def cores() -> int:
    """The cores this process may run on (a container's share, not the machine's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
