"""Links in text from arXiv: the URLs of a comment or an abstract, and a paper's code.

The text is a stranger's, so it is escaped piece by piece and only what is plainly an
http(s) URL becomes a link; nothing else (javascript:, data:, mailto:) ever does.
overrides/assets/javascripts/digest/links.js does the same in the browser for the
English abstracts that abstracts.js loads later: change the two together
(tests/test_links.py compares them).

What counts as a URL:
- `http://` or `https://` (any case) and a host name with a dot (so neither
  `https://localhost` nor the `https://user` of `https://user@host` is one), or
  `www.` and a host name,
  linked as https (nearly every host serves it; a guess at http would be the
  insecure one).
- It runs over ASCII only, up to a space or a character a URL cannot hold (`<>"`
  `` ` `` `{}|\\^`): a quote or a tag cannot ride along into the link, TeX's
  `\\url{…}` leaves its brace outside, and Chinese text needs no space after a
  URL, since its full-width punctuation (,。)) ends it.
- Punctuation that ends a sentence (`.,;:!?'*`) is not its last character, nor is a
  closing bracket without its opening one in the URL: "(see https://x.org/a)." links
  https://x.org/a, and https://en.wikipedia.org/wiki/Set_(mathematics) stays whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from markupsafe import Markup, escape

REL = "nofollow noopener"  # strangers' links: no ranking credit, no window.opener
# A host name's labels, then anything a URL may hold; the end is trimmed below.
_URL = re.compile(
    # Not inside a word ("Code:https://" is fine); a www. not inside an address either.
    r"(?:(?<![A-Za-z0-9])[Hh][Tt][Tt][Pp][Ss]?://|(?<![A-Za-z0-9@./:_-])[Ww][Ww][Ww]\.)"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
    r"(?::[0-9]{1,5})?"
    r"(?:[/?#][!#$%&'()*+,\-./0-9:;=?@A-Z\[\]_a-z~]*)?"
)
_TRAILING = ".,;:!?'*"
_BRACKETS = {")": "(", "]": "["}

# Where code lives: a URL on one of these hosts (or a self-hosted GitLab), with a path.
CODE_HOSTS = frozenset(
    {"github.com", "gitlab.com", "huggingface.co", "hf.co", "bitbucket.org", "codeberg.org"}
)
# A project page named as code: "Code: URL", "our code is available at URL", "代码见 URL";
# the name and the URL in one sentence, a few words apart.
_NAMED_AS_CODE = re.compile(
    r"(?i)(?:\b(?:source\s+)?(?:code|codes|codebase|implementation|software)\b|代码|源码)"
    r"[^.。;;\n]{0,60}$"
)
# Longer than the longest name plus the 60 characters: a word cut at its start cannot match.
_CODE_WINDOW = 100


def _trimmed(url: str) -> str:
    """`url` without the sentence's punctuation and unmatched closing brackets."""
    while url:
        last = url[-1]
        unmatched = last in _BRACKETS and url.count(last) > url.count(_BRACKETS[last])
        if last not in _TRAILING and not unmatched:
            break
        url = url[:-1]
    return url


def _href(url: str) -> str:
    """Where `url` (as written, its scheme or `www.` checked by _URL) leads."""
    return url if url[:4].lower() == "http" else "https://" + url


# What every URL _URL finds holds: its "://", or the last two w's of its "www." and the
# dot. Most abstracts have none, and str's search is far quicker than the regex's.
_URL_SIGNS = ("://", "ww.", "wW.", "Ww.", "WW.")


def find_urls(text: str) -> Iterator[tuple[int, int, str]]:
    """Each URL of `text`: where it starts and ends, and its href."""
    if not any(sign in text for sign in _URL_SIGNS):
        return
    for match in _URL.finditer(text):
        url = _trimmed(match.group())
        yield match.start(), match.start() + len(url), _href(url)


def _anchor(href: str, text: str) -> Markup:
    return Markup('<a href="{}" rel="{}">{}</a>').format(href, REL, text)


def linkify(text: str | None) -> Markup:
    """`text` escaped for HTML, its http(s) URLs made links (the Jinja filter `linkify`)."""
    if not text:
        return Markup("")
    text = str(text)  # a Markup given in would otherwise pass unescaped
    pieces: list[Markup] = []
    done = 0
    for start, end, href in find_urls(text):
        pieces += [escape(text[done:start]), _anchor(href, text[start:end])]
        done = end
    pieces.append(escape(text[done:]))
    return Markup("").join(pieces)


def _is_code_host(href: str) -> bool:
    parts = urlsplit(href)
    host = (parts.hostname or "").removeprefix("www.")
    on_host = host in CODE_HOSTS or host.startswith("gitlab.")
    path = parts.path.strip("/")
    if not on_host or not path:
        return False  # a host's home page is no paper's code
    return not (host in ("huggingface.co", "hf.co") and path.startswith("papers"))


def code_url(*texts: str | None) -> str | None:
    """The first URL of `texts`, in order, that leads to code: on a code host, or
    named as code just before it. None when there is none."""
    for text in filter(None, texts):
        for start, _, href in find_urls(text):
            before = text[max(0, start - _CODE_WINDOW) : start]
            if _is_code_host(href) or _NAMED_AS_CODE.search(before):
                return href
    return None
