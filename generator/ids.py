"""arXiv identifiers: the one grammar every id is checked against where it enters.

Ids come from untrusted text (RSS guids, API entries, LLM replies, the reply cache,
stored records) and become parts of paths and URLs, so nothing else is accepted:

- new style (April 2007 on): `YYMM.NNNN` to 2014, `YYMM.NNNNN` from 2015, e.g.
  `2606.19348`;
- old style (to March 2007): `archive[.SUBJECT]/YYMMNNN`, e.g. `hep-th/9901001`,
  `math.GT/0309136`.

A version suffix (`v2`) is split off by `split_versioned`; `arxiv_id` itself is the id
without it, as records store it.
"""

from __future__ import annotations

import re

_NEW = re.compile(r"(?P<yy>\d\d)(?P<mm>\d\d)\.(?P<number>\d{4,5})")
_OLD = re.compile(r"[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/(?P<yy>\d\d)(?P<mm>\d\d)\d{3}")
_VERSIONED = re.compile(r"(?P<id>.+?)v(?P<version>[1-9]\d{0,3})")


def is_arxiv_id(text: object) -> bool:
    """Whether `text` is an arXiv id without version, new or old style."""
    if not isinstance(text, str):
        return False
    new = _NEW.fullmatch(text)
    if new:
        yymm = int(new["yy"] + new["mm"])
        five_digits = len(new["number"]) == 5
        return 1 <= int(new["mm"]) <= 12 and yymm >= 704 and five_digits == (yymm >= 1501)
    old = _OLD.fullmatch(text)
    if old is None:
        return False
    # Old-style ids ran from August 1991 to March 2007.
    return 1 <= int(old["mm"]) <= 12 and (int(old["yy"]) >= 91 or old["yy"] <= "07")


def split_versioned(text: str) -> tuple[str, int] | None:
    """ "2606.19348v2" → ("2606.19348", 2); None when it is not a versioned arXiv id."""
    match = _VERSIONED.fullmatch(text)
    if match is None or not is_arxiv_id(match["id"]):
        return None
    return match["id"], int(match["version"])


def check_arxiv_id(text: object, where: str) -> str:
    """`text` when it is an arXiv id; ValueError naming `where` otherwise."""
    if not is_arxiv_id(text):
        shown = text[:60] if isinstance(text, str) else text
        raise ValueError(f"{where}: {shown!r} is not an arXiv identifier")
    return str(text)
