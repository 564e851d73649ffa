"""Text normalisation shared by the gate, the QA validation and the metrics."""

from __future__ import annotations

import re
import string
import unicodedata

_SPACE_RE = re.compile(r"\s+")
# Vietnamese letters that Unicode decomposition does not reduce to ASCII.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ß": "ss"})


def strip_diacritics(text: str) -> str:
    """Remove accents so that ``Nghệ An`` and ``Nghe An`` compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Case-, accent- and whitespace-insensitive form of ``text`` for matching."""
    return _SPACE_RE.sub(" ", strip_diacritics(text).casefold()).strip()


def question_key(question: str) -> str:
    """Key under which two questions count as duplicates (case, accents, punctuation, spacing)."""
    folded = fold(question)
    return _SPACE_RE.sub(" ", folded.translate(str.maketrans("", "", string.punctuation))).strip()


def contains_fact(answer: str, fact: str) -> bool:
    """Whether ``fact`` occurs in ``answer``, ignoring case, diacritics and spacing.

    Matching respects word boundaries at the fact's alphanumeric ends, so ``1890`` does not
    match inside ``18901`` and ``Hue`` does not match inside ``Huene``.
    """
    needle = fold(fact)
    if not needle:
        return False
    hay = fold(answer)
    left = r"(?<![0-9a-z])" if needle[0].isalnum() else ""
    right = r"(?![0-9a-z])" if needle[-1].isalnum() else ""
    return re.search(left + re.escape(needle) + right, hay) is not None


def split_key_facts(value: str | None) -> list[str]:
    """Parse a ``|``-separated key-facts cell into a list of non-empty strings."""
    if not value:
        return []
    return [part.strip() for part in value.split("|") if part.strip()]
