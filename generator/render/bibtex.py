"""A BibTeX entry for a paper, built from its record, in arXiv's own @misc style."""

from __future__ import annotations

import re
import unicodedata

from generator.models import Paper

# Characters that end a LaTeX run or start a comment when unescaped in a field.
_UNSAFE = re.compile(r"(?<!\\)([&%#])")
_BRACE_NAMES = {"{": "\\textbraceleft{}", "}": "\\textbraceright{}"}
_AND = re.compile(r"\band\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+")
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")
_NEW_STYLE_ID = re.compile(r"(\d{2})(\d{2})\.\d{4,5}$")
_BRACE = re.compile(r"\\?([{}])")
_STOP_WORDS = {"a", "an", "the", "on", "of", "for", "from", "in", "to", "and", "with", "towards"}


def bibtex(paper: Paper, year: int) -> str:
    """`@misc{…}` as arXiv exports it; `year` is the announcement's year."""
    fields = [
        ("title", paper.title),
        ("author", " and ".join(_author(name) for name in paper.authors)),
        ("year", str(_year_from_id(paper.id) or year)),
        ("eprint", paper.id),  # a citation names the paper; arXiv serves its latest version
        ("archivePrefix", "arXiv"),
        ("primaryClass", paper.primary_category or (paper.categories or [""])[0]),
        ("url", f"https://arxiv.org/abs/{paper.id}"),
    ]
    if paper.doi:
        fields.append(("doi", paper.doi))
    if paper.journal_ref:
        fields.append(("note", paper.journal_ref))
    body = ",\n".join(f"  {name} = {{{_value(value)}}}" for name, value in fields if value)
    return f"@misc{{{citation_key(paper, year)},\n{body}\n}}"


def citation_key(paper: Paper, year: int) -> str:
    """`surname2026word`, ASCII only, as arXiv and Google Scholar make them."""
    surname = _ascii(paper.authors[0].split()[-1]) if paper.authors else ""
    words = _WORD.findall(_fold(paper.title).lower())
    word = next((w for w in words if w not in _STOP_WORDS), "")
    key = f"{surname.lower()}{_year_from_id(paper.id) or year}{word}"
    return key if surname else f"arxiv{paper.id.replace('.', '').replace('/', '')}"


def _value(text: str) -> str:
    """A field value that BibTeX and LaTeX both accept: braces balanced, &%# escaped."""
    text = " ".join(text.split())
    if not _balanced(text):
        # BibTeX counts every brace, escaped or not; LaTeX's names for them have none.
        text = _BRACE.sub(lambda m: _BRACE_NAMES[m.group(1)], text)
    return _UNSAFE.sub(r"\\\1", text)


def _author(name: str) -> str:
    # "and" inside a name would split it; braces keep a team name whole.
    return f"{{{name}}}" if _AND.search(name) else name


def _balanced(text: str) -> bool:
    if "{" not in text and "}" not in text:  # nearly every title and name: skip the walk
        return True
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _ascii(text: str) -> str:
    return _NOT_ALNUM.sub("", _fold(text))


def _year_from_id(arxiv_id: str) -> int | None:
    match = _NEW_STYLE_ID.match(arxiv_id)
    return 2000 + int(match.group(1)) if match else None
