"""Is this text a faithful translation? Checks that catch what other digests publish.

Each check returns a list of problems in plain words (empty: fine); the words go
back to the model in a corrective message and, if it fails again, into the
record as the reason. Thresholds were calibrated on the real translations in
`tests/fixtures/reference/` (every one of them passes, see tests/test_enrich_checks.py):
a Chinese abstract is 0.12-0.41 of its source's length and at least 65 % Chinese
letters; titles keep many Latin names (down to 32 %).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

# Characters of a target language's own script; Latin-script languages have
# no script check (their translations cannot be told from English by letters).
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SCRIPTS = {
    "zh": f"[{_HAN}]",
    "ja": f"[{_HAN}\u3040-\u30ff]",
    "ko": "[\uac00-\ud7af\u1100-\u11ff]",
}
_NAMES = {
    "zh": "Simplified Chinese (简体中文)",
    "zh-tw": "Traditional Chinese (繁體中文)",
    "zh-hant": "Traditional Chinese (繁體中文)",
    "ja": "Japanese (日本語)",
    "ko": "Korean (한국어)",
    "en": "English",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
}
_LATIN = re.compile(r"[A-Za-z]")

# Math, URLs and arXiv's "this https URL" stand-in must come through untouched.
_MATH = re.compile(r"(?<!\\)\$(?:[^$\\]|\\.)+?(?<!\\)\$")
_URL = re.compile(r"https?://[^\s<>\"'()]+")
_URL_TAIL = ".,;:)}]"
_STANDIN = "this https URL"
_NUMBER = re.compile(r"\d+(?:\.\d+)?")

# The model talking instead of translating ("以下是翻译:", "Here is ...", a second
# title offered as an alternative, a translator's note).
_LEAD_IN = re.compile(
    r"^\s*(?:(?:以下是|下面是|这是|here\s+is|here's)[^\n::]{0,30}[::]"
    r"|(?:译文|翻译|中文翻译|中文标题|中文摘要|标题|题目|摘要|translation|title)\s*[::]"
    r"|(?:好的|当然|sure|certainly)[,,!!。:: ])",
    re.I,
)
_ALTERNATIVE = re.compile(r"[((]\s*或|或者译为|也可译|另译|备选|alternatively|\bor\b:", re.I)
_NOTE = re.compile(r"[((]?\s*(?:注|译注|译者注|备注|note)\s*[::]", re.I)
_REFUSAL = re.compile(
    r"作为(?:一个)?\s*AI|我无法|抱歉|as an AI|I cannot|I'm sorry|I am sorry", re.I
)
# arXiv's RSS prefix, in English or translated.
_PREFIX = re.compile(
    r"^\s*(?:arXiv:\s*\d|announce\s+type|公告类型|发布类型|宣布类型|摘要\s*[::]|abstract\s*[::])",
    re.I,
)
# Our own reply format or fence showing up inside a value.
_LEAK = re.compile(r"\"?(?:title_zh|abstract_zh|tldr|institutions)\"?\s*:|</?papers?-[0-9a-f]{6,}")


@dataclass(frozen=True)
class Target:
    """The language translations must be in."""

    code: str

    @property
    def name(self) -> str:
        return _NAMES.get(self.code.lower(), self.code)

    @cached_property
    def script(self) -> re.Pattern[str] | None:
        pattern = _SCRIPTS.get(self.code.lower().split("-")[0])
        return re.compile(pattern) if pattern else None

    def share(self, text: str) -> float | None:
        """Letters of the target script among all letters, math and URLs left out."""
        if self.script is None:
            return None
        prose = _URL.sub(" ", _MATH.sub(" ", text)).replace(_STANDIN, " ")
        own = len(self.script.findall(prose))
        latin = len(_LATIN.findall(prose))
        return own / (own + latin) if own + latin else 0.0

    @property
    def length_ratio(self) -> tuple[float, float]:
        """Bounds of translation length / source length, in characters."""
        if self.script is not None:  # CJK: one character carries a word or two
            return (0.15, 1.0)
        return (0.5, 2.0)


def check_title(source: str, text: str, target: Target) -> list[str]:
    problems = _common(text, "title_zh", source)
    if "\n" in text.strip():
        problems.append("title_zh must be one line: one title, no alternatives or notes")
    if _ALTERNATIVE.search(text):
        problems.append("title_zh offers alternatives; give exactly one translation")
    share = target.share(text)
    if share is not None and (share < 0.2 or len(target.script.findall(text)) < 2):  # type: ignore[union-attr]
        problems.append(f"title_zh is not in {target.name}")
    if len(text) > (0.8 if target.script else 2.0) * len(source) + 10:
        problems.append("title_zh is much longer than the title: translate the title only")
    return problems


def check_abstract(source: str, text: str, target: Target) -> list[str]:
    problems = _common(text, "abstract_zh", source)
    if _PREFIX.search(text):
        problems.append(
            "abstract_zh starts with a label or arXiv's prefix; translate the text only"
        )
    share = target.share(text)
    if share is not None and share < 0.5:
        problems.append(f"abstract_zh is not in {target.name}")
    low, high = target.length_ratio
    ratio = len(text) / max(1, len(source))
    if ratio < low:
        problems.append(
            f"abstract_zh has {len(text)} characters for a {len(source)}-character abstract: "
            "translate every sentence, do not summarise"
        )
    elif ratio > high:
        problems.append("abstract_zh is longer than a translation can be: translate, do not add")
    problems.extend(_lost_tokens(source, text))
    return problems


def check_summary(source: str, text: str, target: Target) -> list[str]:
    problems = _common(text, "tldr", source)
    if "\n" in text.strip():
        problems.append("tldr must be one sentence on one line")
    share = target.share(text)
    if share is not None and share < 0.4:
        problems.append(f"tldr is not in {target.name}")
    if not 8 <= len(text) <= 300:
        problems.append(f"tldr must be one sentence of 8-300 characters, got {len(text)}")
    return problems


def _common(text: str, field: str, source: str = "") -> list[str]:
    problems = []
    if not text.strip():
        return [f"{field} is empty"]
    if _LEAD_IN.search(text):
        problems.append(f"{field} starts with commentary; give the translation alone")
    # A safety paper may quote a refusal or carry a note itself: then it is content.
    if _NOTE.search(text) and not _NOTE.search(source):
        problems.append(f"{field} contains a note; give the translation alone")
    if _REFUSAL.search(text) and not _REFUSAL.search(source):
        problems.append(f"{field} is the model talking, not a translation")
    if _LEAK.search(text):
        problems.append(f"{field} contains the reply format or the data fence")
    return problems


def _lost_tokens(source: str, text: str) -> list[str]:
    """URLs must survive; math and numbers nearly all (a few get rephrased)."""
    problems = []
    # arXiv's RSS puts "this https URL" where the API has the URL; either is kept.
    urls = [u.rstrip(_URL_TAIL) for u in _URL.findall(source)]
    kept = sum(u in text for u in urls) + text.count("https URL")
    if kept < len(urls) + source.count(_STANDIN):
        lost = [u for u in urls if u not in text] or [_STANDIN]
        problems.append("abstract_zh lost URLs: " + ", ".join(lost[:3]))
    math = _MATH.findall(source)
    lost_math = [m for m in math if not _math_kept(m, text)]
    if len(lost_math) > max(1, len(math) // 4):
        problems.append("abstract_zh lost LaTeX: " + ", ".join(lost_math[:3]))
    numbers = set(_NUMBER.findall(_URL.sub(" ", source)))
    lost_numbers = sorted(n for n in numbers if n not in text)
    if len(lost_numbers) > max(2, len(numbers) // 5):
        problems.append("abstract_zh lost numbers: " + ", ".join(lost_numbers[:5]))
    return problems


def _math_kept(math: str, text: str) -> bool:
    """Verbatim (spacing aside), or, for math around numbers ($250,000\\times$), its numbers."""
    if re.sub(r"\s+", "", math.strip("$")) in re.sub(r"\s+", "", text):
        return True
    numbers = _NUMBER.findall(math)
    return bool(numbers) and all(n in text for n in numbers)
