"""Retrieval terms: folded, stop-word-free, stemmed words, shared by BM25 and the answerability features."""

from __future__ import annotations

import functools
import re

from hcmqa.text import fold

WORD_RE = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    """a an the of in on at to for from by with and or but is was were be been being are am do does did
    what when where who whom whose which why how that this these those it its as into about than then
    there their them they he him his she her hers you your i me my we our us can could would should
    tell give please know any some many much more most did done after before during while until ever
    also just only very other such own same so too not no nor s t""".split()
)


@functools.lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem import PorterStemmer  # rule-based: needs no downloaded data

    return PorterStemmer()


def tokenize(text: str) -> list[str]:
    """Folded, stop-word-free, Porter-stemmed terms ("born" and "birth" still differ; "died"/"dies" meet)."""
    stem = _stemmer().stem
    return [stem(t) for t in WORD_RE.findall(fold(text)) if t not in STOPWORDS]


def content_words(text: str) -> list[str]:
    """The folded words of ``text`` that are not stopwords, unstemmed and in order (repeats kept)."""
    return [w for w in WORD_RE.findall(fold(text)) if w not in STOPWORDS]
