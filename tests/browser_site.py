"""What the browser tests and the bench share: Debian's Chromium and how it is started,
and the built site served as GitHub Pages serves a fork's, under PREFIX."""

from __future__ import annotations

from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

from loopback import LoopbackServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PREFIX = "/arxiv-digest/"


class StaticSite(LoopbackServer):
    """site/ under PREFIX; anything else is a 404, as on GitHub Pages."""

    def __init__(self, folder: Path) -> None:
        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(folder), **kwargs)

            def translate_path(self, path: str) -> str:
                if not path.startswith(PREFIX):
                    return str(folder / "__outside_the_site__")
                return super().translate_path("/" + path[len(PREFIX) :])

            def log_message(self, format: str, *args: Any) -> None:
                pass

        super().__init__(Handler)
