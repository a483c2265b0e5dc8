"""URLs in arXiv's text become links, and nothing else does: render/links.py on its own,
in a rendered card, and digest/links.js in the browser agreeing with it."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest
from browser_site import Tab, card
from conftest import REPO
from fixture_site import HOSTILE_ID
from playwright.sync_api import expect

from generator.config import load_config
from generator.models import Paper
from generator.render.cards import Cards, CardView
from generator.render.context import templates
from generator.render.links import code_url, linkify

REL = 'rel="nofollow noopener"'
DEEPSEEK = "2606.19348"  # translated, its English abstract (in the day file) names Hugging Face
DEEPSEEK_CODE = "https://huggingface.co/collections/deepseek-ai/deepseek-v4"
LLM_PAGE = "2026/06/19/llm/"

# (text, the hrefs it links, in order): the shapes arXiv's comments and abstracts take.
SHAPES = [
    ("Code: https://github.com/a/b", ["https://github.com/a/b"]),
    (
        "Code:https://github.com/a/b, data:https://x.org/d",
        ["https://github.com/a/b", "https://x.org/d"],
    ),
    ("See https://x.org/a.", ["https://x.org/a"]),
    (
        "at https://x.org/a, https://y.org/b; and https://z.org/c:",
        ["https://x.org/a", "https://y.org/b", "https://z.org/c"],
    ),
    ("(https://github.com/OpenMOSS/FutureOmni) and", ["https://github.com/OpenMOSS/FutureOmni"]),
    ("(see https://huggingface.co/datasets/a/b).", ["https://huggingface.co/datasets/a/b"]),
    (
        "https://en.wikipedia.org/wiki/Set_(mathematics).",
        ["https://en.wikipedia.org/wiki/Set_(mathematics)"],
    ),
    ("[https://x.org/a]", ["https://x.org/a"]),
    ("\\url{https://github.com/IsFaqq/AAPA}.", ["https://github.com/IsFaqq/AAPA"]),
    ("\\href{https://github.com/a/b})", ["https://github.com/a/b"]),
    ("代码见https://github.com/a/b。谢谢", ["https://github.com/a/b"]),
    (
        "项目主页:https://a.github.io/x/,数据集(https://b.org/d)。",
        ["https://a.github.io/x/", "https://b.org/d"],
    ),
    ("“https://x.org/q?a=1&b=2”", ["https://x.org/q?a=1&b=2"]),
    ("'https://x.org/a'", ["https://x.org/a"]),
    ("HTTPS://X.ORG/A!", ["HTTPS://X.ORG/A"]),
    ("http://x.org:8080/a#b?", ["http://x.org:8080/a#b"]),
    (
        "www.codabench.org/competitions/14257/#/results-tab.",
        ["https://www.codabench.org/competitions/14257/#/results-tab"],
    ),
    # Any case of "www." (find_urls looks for its last two letters first), and of http.
    (
        "Site: WwW.X.org/a, wWw.y.org; WWW.z.org",
        ["https://WwW.X.org/a", "https://wWw.y.org", "https://WWW.z.org"],
    ),
    ("hTtPs://x.org/a", ["hTtPs://x.org/a"]),
    (
        "https://anonymous.4open.science/r/UPLOTS-6C36.",
        ["https://anonymous.4open.science/r/UPLOTS-6C36"],
    ),
    ('https://x.org/"><script>alert(1)</script>', ["https://x.org/"]),
    ("https://x.org/<img src=x onerror=alert(1)>", ["https://x.org/"]),
    ("https://x.org/a`b", ["https://x.org/a"]),
    ("https://x.org/'onmouseover='alert(1)", ["https://x.org/'onmouseover='alert(1)"]),
    # Nothing but http(s) with a host name that has a dot.
    ("javascript:alert(1) JavaScript://x.org/%0aalert(1)", []),
    ("data:text/html,<script>alert(1)</script>", []),
    ("ftp://x.org/a mailto:a@x.org file:///etc/passwd vbscript:x", []),
    ("https://localhost/a http:// https://.org https:///x.org", []),
    ("https://user@evil.org/ and a@www.x.org", []),
    ("xhttps://x.org/a and foo/www.x.org", []),
    ("www.example and www. alone", []),
    ("https://例子.测试/", []),
    ("", []),
    ("10 pages, 3 figures. Accepted at ACL 2026", []),
]


def hrefs(markup: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'<a href="([^"]*)" rel="nofollow noopener">', markup)]


@pytest.mark.parametrize(("text", "expected"), SHAPES)
def test_only_http_urls_become_links_and_the_text_reads_as_it_was(
    text: str, expected: list[str]
) -> None:
    markup = str(linkify(text))
    assert hrefs(markup) == expected
    # What is left between the tags is the text, escaped: nothing else became markup.
    assert markup.count("<") == 2 * len(expected)
    assert unescape(re.sub(r"<[^>]*>", "", markup)) == text


def test_a_link_is_escaped_and_its_text_is_the_url_as_written() -> None:
    markup = linkify('Code: https://x.org/a?b=1&c=2"><script>.')
    assert markup == (
        'Code: <a href="https://x.org/a?b=1&amp;c=2" rel="nofollow noopener">'
        "https://x.org/a?b=1&amp;c=2</a>&#34;&gt;&lt;script&gt;."
    )
    assert linkify("www.x.org") == (
        '<a href="https://www.x.org" rel="nofollow noopener">www.x.org</a>'
    )
    assert linkify(None) == ""


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("Code: https://proj.io/x.",), "https://proj.io/x"),
        (("Our code is available at https://lab.edu/tool/.",), "https://lab.edu/tool/"),
        (("代码见 https://lab.cn/tool。",), "https://lab.cn/tool"),
        (
            ("Project page: https://a.github.io/p. Code: https://github.com/a/p",),
            "https://github.com/a/p",
        ),
        (
            ("Data at https://zenodo.org/r/1 and https://gitlab.inria.fr/team/tool",),
            "https://gitlab.inria.fr/team/tool",
        ),
        (("https://GitHub.com/a/b https://gitlab.com/c/d",), "https://GitHub.com/a/b"),
        (("see https://www.bitbucket.org/a/b",), "https://www.bitbucket.org/a/b"),
        (("see https://codeberg.org/a/b",), "https://codeberg.org/a/b"),
        (("weights: https://hf.co/org/model",), "https://hf.co/org/model"),
        # The comments come first, then the abstract.
        (
            ("Code: https://github.com/c/first", "at https://github.com/a/second"),
            "https://github.com/c/first",
        ),
        ((None, "at https://github.com/a/b"), "https://github.com/a/b"),
        # Not code: a host's home page, a paper page, a page not named as code.
        (("https://github.com/ and https://huggingface.co/papers/2606.1",), None),
        (("Project page: https://a.github.io/p.",), None),
        (("We decode text. See https://a.org/p",), None),  # "decode" is no "code"
        (("Code is coming. The demo is at https://a.org/p",), None),  # another sentence
        (("javascript://github.com/a/b",), None),
        ((None, None), None),
    ],
)
def test_the_code_link_is_the_first_url_that_leads_to_code(
    texts: tuple[str | None, ...], expected: str | None
) -> None:
    assert code_url(*texts) == expected


def rendered_card(paper: Paper) -> str:
    config = load_config(REPO / "digest.yml")
    cards = Cards(templates(REPO / "overrides"), config.site.language)
    return str(cards.render(CardView(paper, None, dt.date(2026, 6, 19), config.topics[0])))


def a_paper(**fields: Any) -> Paper:
    """A plain new paper of cs.CL with `fields` set."""
    defaults: dict[str, Any] = {
        "id": "2606.00001",
        "version": 1,
        "title": "A paper",
        "authors": ["A. Author"],
        "abstract": "",
        "categories": ["cs.CL"],
        "primary_category": "cs.CL",
        "announce_type": "new",
    }
    return Paper(**(defaults | fields))


def test_a_card_links_its_comments_and_its_code_in_the_footer() -> None:
    paper = a_paper(
        abstract='We release it at https://github.com/a/b. See also https://x.org/"><b>x</b>',
        comments="12 pages. Project: https://a.github.io/p; javascript:alert(1)",
        abstract_zh="代码:https://github.com/a/b。",
    )
    html = rendered_card(paper)
    comments = re.search(r'<p class="paper-comments">.*?</p>', html)
    assert comments and hrefs(comments.group()) == ["https://a.github.io/p"]
    assert "javascript:alert(1)</p>" in comments.group()  # as text
    # The abstracts wait in the day file: links.js links them when they are filled in.
    assert "x.org" not in html and "代码:" not in html and "<b>x</b>" not in html
    footer = re.search(r'<footer class="paper-links">.*?</footer>', html)
    assert footer and re.search(
        r'>HTML</a> · <a class="paper-code" href="https://github.com/a/b" '
        r'rel="nofollow noopener"><i>代码</i><i lang="en">Code</i></a></footer>',
        footer.group(),
    )


def test_a_card_without_code_has_no_code_link() -> None:
    paper = a_paper(abstract="No links here, only arXiv:2606.00001 and 10.1/x.")
    html = rendered_card(paper)
    assert "paper-code" not in html and REL not in html


# -- in the browser ------------------------------------------------------------------

JS_LINKED = """async ([module, texts]) => {
  const { linkedText } = await import(module);
  return texts.map((text) => {
    const box = document.createElement("div");
    box.append(linkedText(text));
    return box.innerHTML;
  });
}"""
# Python's markup as the browser serialises it, so the two compare as markup.
AS_SERIALISED = """(markups) => markups.map((markup) => {
  const box = document.createElement("div");
  box.innerHTML = markup;
  return box.innerHTML;
})"""


def test_the_browser_links_text_exactly_as_the_build_does(tab: Tab, site_url: str) -> None:
    tab.goto(LLM_PAGE)
    texts = [text for text, _ in SHAPES]
    from_js = tab.page.evaluate(JS_LINKED, [site_url + "assets/javascripts/digest/links.js", texts])
    from_python = tab.page.evaluate(AS_SERIALISED, [str(linkify(t)) for t in texts])
    assert from_js == from_python
    tab.clean()


def test_an_english_abstract_loaded_later_has_its_links(tab: Tab) -> None:
    tab.goto(LLM_PAGE)
    paper = card(tab.page, DEEPSEEK)
    english = paper.locator(".abstract-en")
    assert english.get_attribute("data-later") is not None
    expect(paper.locator(".paper-code")).to_have_attribute("href", DEEPSEEK_CODE)
    english.locator("summary").click()
    link = english.locator(f'p a[href="{DEEPSEEK_CODE}"]')
    expect(link).to_have_text(DEEPSEEK_CODE)
    assert link.get_attribute("rel") == "nofollow noopener"
    assert english.locator("p a").count() == 1
    paper.locator(".abstract-zh summary").click()  # the Chinese one, from its own part
    expect(paper.locator(".abstract-zh p")).to_contain_text("DeepSeek-V4")
    # The hostile paper's abstract, loaded the same way, gained no element of its own.
    hostile = card(tab.page, HOSTILE_ID).locator(".abstract-en p")
    expect(hostile).to_contain_text('<script>alert("a")</script>')
    assert hostile.locator("a, script, img, b").count() == 0
    tab.clean()
