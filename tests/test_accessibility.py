"""axe-core's rules, all of them, in every kind of page of the fixture site: no violation
of impact serious or critical, in light and dark, at desktop and phone width.

axe-core comes from npm (tests/setup installs it into .ci/node); it runs inside the page
as the reader's browser renders it, so contrast is measured on the real colours of each
scheme and target sizes on the real layout. Each case's violations, all impacts, are
written to test-output/axe/ (or $DIGEST_TEST_OUTPUT/axe/) to read after a run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_site import Tab, open_tab
from conftest import REPO
from playwright.sync_api import Browser, expect

AXE = REPO / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"
OUTPUT = Path(os.environ.get("DIGEST_TEST_OUTPUT", REPO / "test-output")) / "axe"
FAILING = ("serious", "critical")

# Every kind of page a reader meets, by the path of one example; a new kind is one line.
PAGES = {
    "home": "",
    "day": "2026/06/19/",
    "topic-day": "2026/06/19/llm/",
    "topic-history": "topics/llm/",
    "topics": "topics/",
    "archive": "archive/",
    "favorites": "favorites/",
    "search": "",
    "whole-day": "2026/06/19/all/",
    "for-you": "for-you/",  # ranked by a favorite and a keyword
    "for-you-empty": "for-you/",  # nothing to rank by: how to start
    "week": "2026/W25/llm/",
    "month": "2026/06/llm/",
}
SCHEMES = {"light": "default", "dark": "slate"}  # prefers-color-scheme → Material's scheme
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
STARRED_FROM = "2026/06/19/llm/"


def star_a_paper(tab: Tab) -> None:
    """The favorites page lists something: the first paper of a topic page, starred."""
    tab.goto(STARRED_FROM)
    star = tab.page.locator("article.paper .paper-star").first
    if star.get_attribute("aria-pressed") != "true":
        star.click()
        expect(star).to_have_attribute("aria-pressed", "true")


def give_nothing(tab: Tab) -> None:
    """No favorites, no keywords: 推荐 says how to start."""
    tab.goto(STARRED_FROM)
    tab.page.evaluate(
        "localStorage.removeItem('digest.favorites'); localStorage.removeItem('digest.foryou')"
    )


def wait_for_ranking(tab: Tab) -> None:
    status = tab.page.locator(".for-you-status")
    if tab.page.locator(".for-you-empty").is_hidden():
        expect(status).to_contain_text("依据")
        expect(tab.page.locator(".for-you-item").first).to_be_visible()
    else:
        expect(tab.page.locator(".for-you-settings")).to_be_visible()


def star_and_keep_a_keyword(tab: Tab) -> None:
    star_a_paper(tab)
    tab.page.evaluate(
        "localStorage.setItem('digest.foryou', JSON.stringify({keywords: '+RLHF -medical'}))"
    )


def open_search_with_results(tab: Tab) -> None:
    tab.page.keyboard.press("/")
    tab.page.locator(".digest-search__input").fill("jailbreak")
    expect(tab.page.locator(".digest-result").first).to_be_visible()


def open_a_row(tab: Tab) -> None:
    """A listed paper's row, opened to its card in place. The rows are all laid out for
    the check: Chromium leaves the style of rows that content-visibility skips as it
    was before Material set the colour scheme, and axe would read the light scheme's
    colours there. They are restyled, correctly, when scrolled to (checked below)."""
    tab.page.add_style_tag(content="ol.paper-rows > li { content-visibility: visible !important; }")
    tab.page.locator('ol.paper-rows a[href*="#"]').first.click()
    expect(tab.page.locator("ol.paper-rows article.paper").first).to_be_visible()


BEFORE: dict[str, Callable[[Tab], None]] = {
    "favorites": star_a_paper,
    "for-you": star_and_keep_a_keyword,
    "for-you-empty": give_nothing,
}
AFTER: dict[str, Callable[[Tab], None]] = {
    "search": open_search_with_results,
    "whole-day": open_a_row,
}
# What a page does after it loads, waited for by every check: 推荐 ranks in the browser.
READY: dict[str, Callable[[Tab], None]] = {
    "for-you": wait_for_ranking,
    "for-you-empty": wait_for_ranking,
}

# All of axe's rules, the experimental ones too (disabled unless asked for by name), but
# those of WCAG's level AAA, which WCAG itself does not ask of whole sites: they would
# have 7:1 contrast of Material's own grey text.
RUN_AXE = """async () => {
  const rules = axe.getRules()
    .filter((rule) => !rule.tags.includes("wcag2aaa"))
    .map((rule) => rule.ruleId);
  const results = await axe.run(document, {
    runOnly: { type: "rule", values: rules }, resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({
      target: n.target.join(" "), impact: n.impact, html: n.html.slice(0, 160),
      data: (n.any.concat(n.all, n.none).find((c) => c.data) || {}).data || null,
      summary: n.failureSummary,
    })),
  }));
}"""


@pytest.fixture(scope="module")
def tabs(browser: Browser, site_url: str) -> Iterator[Callable[[str, str], Tab]]:
    """One tab per scheme and viewport, opened on first use and kept for the module."""
    opened: dict[tuple[str, str], Tab] = {}

    def tab_for(scheme: str, viewport: str) -> Tab:
        if (scheme, viewport) not in opened:
            context = browser.new_context(
                base_url=site_url,
                viewport=VIEWPORTS[viewport],  # type: ignore[arg-type]
                color_scheme=scheme,  # type: ignore[arg-type]
            )
            opened[scheme, viewport] = open_tab(context)
        return opened[scheme, viewport]

    yield tab_for
    for tab in opened.values():
        tab.page.context.close()


def test_rows_skipped_by_content_visibility_take_the_dark_scheme_when_scrolled_to(
    tabs: Callable[[str, str], Tab],
) -> None:
    """What open_a_row assumes: a row far down the whole-day page, once scrolled to, has
    the colours of the scheme the page is in, as the first row has."""
    tab = tabs("dark", "phone")
    tab.goto(PAGES["whole-day"])
    rows = tab.page.locator("ol.paper-rows > li code")
    colour = "e => getComputedStyle(e).color"
    first = rows.first.evaluate(colour)
    last = rows.last
    last.scroll_into_view_if_needed()
    expect(last).to_be_in_viewport()
    tab.page.wait_for_function(
        "([e, c]) => getComputedStyle(e).color === c", arg=[last.element_handle(), first]
    )
    tab.clean()


def axe_violations(tab: Tab) -> list[dict[str, Any]]:
    tab.page.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = tab.page.evaluate(RUN_AXE)
    return violations


def describe(node: dict[str, Any]) -> str:
    """One line per element: where it is and, for contrast, the colours and the ratio."""
    data = node["data"] if isinstance(node["data"], dict) else {}
    if "contrastRatio" in data:
        detail = (
            # color-contrast's data; link-in-text-block's names the link's and the text's
            f"{data['contrastRatio']}:1 (needs "
            f"{data.get('expectedContrastRatio') or data.get('requiredContrastRatio')}) "
            f"{data.get('fgColor') or data.get('nodeColor')} on "
            f"{data.get('bgColor') or data.get('parentColor')}, "
            f"{data.get('fontSize', '')} {data.get('fontWeight', '')}"
        )
    else:
        detail = (node["summary"] or "").replace("\n", " ")[:200]
    return f"    {node['target']}: {detail}"


def summary(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        lines.append(
            f"{violation['rule']} ({violation['impact']}, {len(nodes)}): {violation['help']}"
        )
        lines.extend(describe(node) for node in nodes[:12])
        if len(nodes) > 12:
            lines.append(f"    … and {len(nodes) - 12} more")
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("kind", PAGES)
def test_axe_finds_no_serious_violation(
    tabs: Callable[[str, str], Tab], kind: str, scheme: str, viewport: str
) -> None:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run bash tests/setup (it installs axe-core)")
    tab = tabs(scheme, viewport)
    if kind in BEFORE:
        BEFORE[kind](tab)
    tab.goto(PAGES[kind])
    if kind in READY:
        READY[kind](tab)
    expect(tab.page.locator("body")).to_have_attribute("data-md-color-scheme", SCHEMES[scheme])
    if kind in AFTER:
        AFTER[kind](tab)
    violations = axe_violations(tab)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    case = f"{kind}-{scheme}-{viewport}"
    (OUTPUT / f"{case}.json").write_text(json.dumps(violations, indent=1, ensure_ascii=False))
    failing = [v for v in violations if v["impact"] in FAILING]
    assert failing == [], f"axe on {case} ({PAGES[kind] or 'home'}):\n{summary(failing)}"
    tab.clean()


# -- target size and focus, beyond axe -----------------------------------------------
# axe's target-size passes a small target with room around it, and it cannot see focus.
# The digest's own controls: Material's are its to keep; links inside sentences are
# exempt in WCAG 2.5.8 and not listed.
CONTROLS = (
    ".paper-meta a", ".paper-meta button", ".more-authors summary",
    ".paper details.abstract > summary", ".paper-links a", ".paper-links button",
    ".topic-subs a", ".favorites button", ".favorites-list a", "table.calendar a",
    ".period-index a", ".md-header__button", ".digest-lang .md-select__link",
    ".for-you-settings :is(input, select, button)", ".for-you-title", ".for-you-star",
)  # fmt: skip
MEASURE = """(selectors) => selectors.flatMap((selector) =>
  [...document.querySelectorAll(selector)].flatMap((el) => {
    const box = el.getBoundingClientRect();
    if (!box.width || getComputedStyle(el).visibility === "hidden") return [];
    return [{ selector, text: el.textContent.trim().slice(0, 24),
              width: Math.round(box.width * 10) / 10, height: Math.round(box.height * 10) / 10 }];
  }))"""


def open_language_menu(tab: Tab) -> None:
    """Material shows the menu while something in it has focus."""
    tab.page.locator(".digest-lang .md-header__button").focus()
    expect(tab.page.locator(".digest-lang .md-select__link").first).to_be_visible()


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("kind", PAGES)
def test_every_control_is_at_least_24_px_square(
    tabs: Callable[[str, str], Tab], kind: str, viewport: str
) -> None:
    tab = tabs("light", viewport)
    if kind in BEFORE:
        BEFORE[kind](tab)
    tab.goto(PAGES[kind])
    if kind in READY:
        READY[kind](tab)
    if viewport == "desktop":  # on a phone Material hides the menu behind the drawer
        open_language_menu(tab)
    controls = tab.page.evaluate(MEASURE, list(CONTROLS))
    assert len(controls) > 2, controls
    small = [c for c in controls if c["width"] < 24 or c["height"] < 24]
    assert small == [], f"{len(small)} controls under 24×24 px on {kind} ({viewport}): {small[:8]}"
    tab.clean()


def looks(tab: Tab, selector: str) -> bytes:
    box = tab.page.locator(selector).first.bounding_box()
    assert box, f"{selector} is not shown"
    clip = {
        "x": box["x"] - 6,
        "y": box["y"] - 6,
        "width": box["width"] + 12,
        "height": box["height"] + 12,
    }
    tab.page.wait_for_timeout(300)  # Material's colour transitions take .25 s
    return tab.page.screenshot(clip=clip)  # type: ignore[arg-type]


FOCUSED = {
    "topic-day": (
        ".paper-anchor", ".paper-id", ".paper-star", ".more-authors summary",
        ".paper details.abstract > summary", ".paper-links a", ".paper-bibtex",
        ".digest-search-open",
    ),
    "archive": ("table.calendar td.has-digest a",),
    "favorites": (".favorites button", ".favorites-list a"),
    "for-you": (
        ".for-you-settings input", ".for-you-settings select", ".for-you-settings button",
        ".for-you-title", ".for-you-star",
    ),
}  # fmt: skip


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("kind", FOCUSED)
def test_keyboard_focus_is_visible_on_every_control(
    tabs: Callable[[str, str], Tab], kind: str, scheme: str
) -> None:
    tab = tabs(scheme, "desktop")
    if kind in BEFORE:
        BEFORE[kind](tab)
    tab.goto(PAGES[kind])
    if kind in READY:
        READY[kind](tab)
    tab.page.mouse.move(0, 0)
    tab.page.keyboard.press("Shift")  # the reader uses the keyboard: :focus-visible applies
    unseen = []
    for selector in FOCUSED[kind]:
        control = tab.page.locator(selector).first
        control.scroll_into_view_if_needed()
        control.evaluate("(el) => el.blur()")
        before = looks(tab, selector)
        control.focus()
        if looks(tab, selector) == before:
            unseen.append(selector)
    assert unseen == [], f"focus does not show on {kind} ({scheme}): {unseen}"
    tab.clean()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_keyboard_focus_is_visible_in_the_language_menu(
    tabs: Callable[[str, str], Tab], scheme: str
) -> None:
    tab = tabs(scheme, "desktop")
    tab.goto(PAGES["home"])
    tab.page.mouse.move(0, 0)
    tab.page.keyboard.press("Shift")
    open_language_menu(tab)
    unseen = []
    for mode in ("zh", "en", "both"):
        selector = f'.digest-lang button[data-digest-lang="{mode}"]'
        before = looks(tab, selector)
        tab.page.locator(selector).focus()
        if looks(tab, selector) == before:
            unseen.append(mode)
        open_language_menu(tab)  # focus back on the menu's button: the item unfocused
    assert unseen == [], f"focus does not show on the language menu's items: {unseen}"
    tab.clean()
