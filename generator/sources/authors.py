"""`dc:creator` strings into author names and affiliations.

arXiv gives one comma-separated string with TeX accents left raw
(`{\\L}ukasz D\\k{e}bowski`) and, sometimes, affiliations in parentheses that
may themselves contain commas (`Renmin Cheng (The Hong Kong University of
Science,Technology)`).
"""

from __future__ import annotations

import re
import unicodedata

from generator.text import one_line

# Accent commands and the Unicode combining mark each stands for.
_COMBINING = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a", "b": "\u0331", "d": "\u0323",
}  # fmt: skip
# Letters that are commands of their own.
_SPECIAL = {
    "l": "ł", "L": "Ł", "o": "ø", "O": "Ø", "ss": "ß", "i": "ı", "j": "ȷ",
    "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
}  # fmt: skip

_SPECIAL_RE = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|[lLoOij])(?![A-Za-z])\s*")
# \'e  \'{e}  \v{r}  \" O  \k{e}  \'{\i}  -- the base letter may itself be \i or \j.
_ACCENT_RE = re.compile(
    r"""\\(['`^"~=.]|[uvHckrbd](?=[\s{]))\s*(?:\{\s*([A-Za-z]|\\[ij])\s*\}|([A-Za-z]))"""
)
_BRACES_RE = re.compile(r"[{}]")


def decode_tex(text: str) -> str:
    """Decode the TeX accents arXiv leaves in names; other text is left as it is."""
    if "\\" not in text:
        return text

    def accent(match: re.Match[str]) -> str:
        base = match.group(2) or match.group(3)
        base = {"\\i": "i", "\\j": "j"}.get(base, base)
        return unicodedata.normalize("NFC", base + _COMBINING[match.group(1)])

    decoded = _ACCENT_RE.sub(accent, text)
    decoded = _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group(1)], decoded)
    return _BRACES_RE.sub("", decoded) if "\\" not in decoded else decoded


def split_creators(creators: str) -> list[str]:
    """Split at commas (and a final "and") outside parentheses and braces."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in creators:
        if char in "({":
            depth += 1
        elif char in ")}":
            depth = max(0, depth - 1)
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    cleaned = (re.sub(r"^and\s+", "", one_line(part)) for part in parts)
    return [part for part in cleaned if part]


_AFFILIATION_RE = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<affiliation>.+)\)$")


def parse_creators(creators: str) -> tuple[list[str], list[str]]:
    """Return (author names, distinct affiliations in order of first mention)."""
    names: list[str] = []
    affiliations: list[str] = []
    for part in split_creators(creators):
        match = _AFFILIATION_RE.match(part)
        if match:
            names.append(decode_tex(match["name"].strip()))
            for affiliation in _split_affiliations(decode_tex(match["affiliation"])):
                if affiliation not in affiliations:
                    affiliations.append(affiliation)
        else:
            names.append(decode_tex(part))
    return names, affiliations


def _split_affiliations(text: str) -> list[str]:
    # "Imagine - U1163, HeKA | U1346" names two places; commas alone are ambiguous
    # ("University of Science,Technology"), so only ";" and " | " split.
    return [one_line(a) for a in re.split(r";|\s\|\s", text) if one_line(a)]
