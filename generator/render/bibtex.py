"""A BibTeX entry for a paper, built from its record, in arXiv's own @misc style."""

from __future__ import annotations

import re
import unicodedata

from generator.models import Paper

# Characters that end a LaTeX run or start a comment when unescaped in a field.
_UNSAFE = re.compile(r"(?<!\\)([&%#])")
_STOP_WORDS = {"a", "an", "the", "on", "of", "for", "in", "to", "and", "with", "towards", "via"}


def bibtex(paper: Paper, year: int) -> str:
    """`@misc{…}` as arXiv exports it; `year` is the announcement's year."""
    fields = [
        ("title", paper.title),
        ("author", " and ".join(_author(name) for name in paper.authors)),
        ("year", str(_year_from_id(paper.id) or year)),
        ("eprint", paper.versioned_id),
        ("archivePrefix", "arXiv"),
        ("primaryClass", paper.primary_category or (paper.categories or [""])[0]),
        ("url", f"https://arxiv.org/abs/{paper.versioned_id}"),
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
    words = [_ascii(w).lower() for w in paper.title.split()]
    word = next((w for w in words if w and w not in _STOP_WORDS), "")
    key = f"{surname.lower()}{_year_from_id(paper.id) or year}{word}"
    return key if surname else f"arxiv{paper.id.replace('.', '').replace('/', '')}"


def _value(text: str) -> str:
    """A field value that BibTeX and LaTeX both accept: braces balanced, &%# escaped."""
    text = " ".join(text.split())
    if not _balanced(text):
        text = text.replace("{", "\\{").replace("}", "\\}")
        if not _balanced(text):  # a stray backslash before a brace: drop the braces
            text = text.replace("\\{", "(").replace("\\}", ")")
    return _UNSAFE.sub(r"\\\1", text)


def _author(name: str) -> str:
    # "and" inside a name would split it; braces keep a team name whole.
    return f"{{{name}}}" if re.search(r"\band\b", name, re.IGNORECASE) else name


def _balanced(text: str) -> bool:
    depth = 0
    for index, char in enumerate(text):
        if index and text[index - 1] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", folded)


def _year_from_id(arxiv_id: str) -> int | None:
    match = re.match(r"(\d{2})(\d{2})\.\d{4,5}$", arxiv_id)
    return 2000 + int(match.group(1)) if match else None
