"""What the browser tests and the bench share: Debian's Chromium and how it is started,
and the built site served as GitHub Pages serves a fork's, under PREFIX."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from loopback import LoopbackServer
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

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
    """site/ under PREFIX; anything else is a 404, as on GitHub Pages. `headers` are
    sent with every answer (GitHub Pages sends `Access-Control-Allow-Origin: *`)."""

    def __init__(self, folder: Path, headers: dict[str, str] | None = None) -> None:
        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(folder), **kwargs)

            def end_headers(self) -> None:
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                super().end_headers()

            def translate_path(self, path: str) -> str:
                if not path.startswith(PREFIX):
                    return str(folder / "__outside_the_site__")
                return super().translate_path("/" + path[len(PREFIX) :])

            def log_message(self, format: str, *args: Any) -> None:
                pass

        super().__init__(Handler)


@dataclass
class Tab:
    """A page and what happened on it that no reader should see."""

    page: Page
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)

    def goto(self, path: str) -> None:
        self.page.goto(path)
        self.page.wait_for_load_state("networkidle")

    def clean(self) -> None:
        assert self.dialogs == [], f"a dialog opened: {self.dialogs}"
        assert self.errors == [], f"script errors: {self.errors}"
        assert self.failed == [], f"failed requests: {self.failed}"
        assert self.hosts <= {"127.0.0.1"}, f"requests left the site: {self.hosts}"


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium under Playwright, or the test fails saying how to install it."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (bash tests/setup does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_tab(context: BrowserContext) -> Tab:
    tab = Tab(context.new_page())
    tab.page.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    tab.page.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.page.on("requestfailed", lambda request: tab.failed.append(request.url))
    tab.page.on(
        "response",
        lambda response: (
            response.status >= 400 and tab.failed.append(f"{response.status} {response.url}")
        ),
    )
    tab.page.on("request", lambda request: tab.hosts.add(urlsplit(request.url).hostname or ""))
    return tab


def card(page: Page, arxiv_id: str) -> Any:
    return page.locator(f'article.paper[id="{arxiv_id}"]')


def set_language(page: Page, mode: str) -> None:
    page.locator(".digest-lang .md-header__button").click()
    page.locator(f'button[data-digest-lang="{mode}"]').click()
