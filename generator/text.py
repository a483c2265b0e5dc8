"""Cleaning of text that comes from arXiv before it becomes a record, and what a word is."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, and the two XML non-characters:
# none of them has a place in a title or abstract, and several make XML invalid.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"[ \t]*\n\s*")

# Keyword triage matches these, and digest.yml's keywords must hold one. Words and
# numbers apart: "Qwen3.5" is qwen 3 5, so the keyword "Qwen" finds it.
WORDS = re.compile(r"[^\W\d_]+|\d+")


def strip_controls(text: str) -> str:
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def one_line(text: str) -> str:
    """Titles, names: all whitespace runs (newlines too) become one space."""
    return _SPACES.sub(" ", strip_controls(text)).strip()


def paragraphs(text: str) -> str:
    """Abstracts: keep line breaks, but never blank lines or trailing spaces."""
    lines = _BLANK_LINES.sub("\n", strip_controls(text).strip())
    return "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in lines.split("\n"))
