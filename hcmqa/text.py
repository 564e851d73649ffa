"""Text normalisation shared by the gate, the QA validation and the metrics."""

from __future__ import annotations

import csv
import functools
import re
import string
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

_SPACE_RE = re.compile(r"\s+")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds NUL, CR, LF or another control character (never valid in a name or URL)."""
    return _CONTROL_RE.search(text) is not None
# Vietnamese letters that Unicode decomposition does not reduce to ASCII.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ß": "ss"})


# a word under this Zipf frequency (occurrences per billion words, log10) in wordfreq's English
# lists is one English text almost never uses ("hcm" 2.3, "cat" 4.8)
RARE_ZIPF = 3.0


@functools.cache
def is_rare_word(word: str) -> bool:
    """Whether English text almost never uses ``word`` (wordfreq's Zipf frequency under ``RARE_ZIPF``)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") < RARE_ZIPF


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


# --- key-fact matching ---------------------------------------------------------------------
#
# A key fact matches when it occurs in the answer after both sides are brought to one canonical
# form: folded (case, accents, spacing), apostrophes dropped ("Lenin's" -> "lenins", "Yan'an"
# -> "yanan"), hyphens between letters read as spaces, number words and ordinals written as digits ("thirteen" ->
# "13", "twenty-one" -> "21", "seventeenth" -> "17th"), digit groups joined ("15,000" ->
# "15000"), clock times written h:mm ("9.47" -> "9:47") and dates day-first ("May 19, 1890" ->
# "19 may 1890"). A fact ending in a letter also matches its plural ("kitchen" in "kitchens").
# Alternative names ("Canton" for "Guangzhou") come from an alias table kept as
# data beside the QA set (resources/qa/aliases.csv), never from special cases here.

_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
          "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_UNIT_ORDINALS = ("zeroth first second third fourth fifth sixth seventh eighth ninth tenth "
                  "eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth "
                  "eighteenth nineteenth").split()
_TEN_ORDINALS = "twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth".split()
_MONTHS = "january february march april may june july august september october november december".split()


def _ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _number_words() -> dict[str, str]:
    words: dict[str, str] = {}
    for n, w in enumerate(_UNITS):
        words[w] = str(n)
    for n, w in enumerate(_UNIT_ORDINALS):
        words[w] = f"{n}{_ordinal_suffix(n)}"
    for i, (tens, tens_ord) in enumerate(zip(_TENS, _TEN_ORDINALS)):
        base = 20 + 10 * i
        words[tens], words[tens_ord] = str(base), f"{base}{_ordinal_suffix(base)}"
        for u in range(1, 10):
            words[f"{tens} {_UNITS[u]}"] = str(base + u)
            words[f"{tens} {_UNIT_ORDINALS[u]}"] = f"{base + u}{_ordinal_suffix(base + u)}"
    return words


_NUMBER_WORDS = _number_words()
_NUMBER_RE = re.compile(
    r"(?<![0-9a-z])(" + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True)) + r")(?![0-9a-z])"
)
_SCALE_RE = re.compile(r"(?<![0-9a-z])(?:(a|\d{1,2}) )?(hundred|thousand)(?![0-9a-z])")
_QUOTES = str.maketrans({"'": None, "\u2018": None, "\u2019": None, "\u02bc": None, "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
_LETTER_HYPHEN_RE = re.compile(r"(?<=[a-z])-(?=[a-z])")
_DIGIT_GROUP_RE = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_CLOCK_RE = re.compile(r"(?<![0-9.])(\d{1,2})[.h](\d{2})(?![0-9])")
_MONTH = "(" + "|".join(_MONTHS) + ")"
_MONTH_FIRST_RE = re.compile(_MONTH + r" (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?(?![0-9a-z])")
_DAY_FIRST_RE = re.compile(r"(?<![0-9])(\d{1,2})(?:st|nd|rd|th)? (?:of )?" + _MONTH + r"(?![a-z])")


def _scale(match: re.Match) -> str:
    n = 1 if match.group(1) in (None, "a") else int(match.group(1))
    return str(n * (100 if match.group(2) == "hundred" else 1000))


def _month_first(match: re.Match) -> str:
    year = f" {match.group(3)}" if match.group(3) else ""
    return f"{match.group(2)} {match.group(1)}{year}"


@functools.lru_cache(maxsize=16384)
def canonical_text(text: str) -> str:
    """The form in which key facts and answers are compared (see the notes above)."""
    text = fold(text.translate(_QUOTES))
    text = _LETTER_HYPHEN_RE.sub(" ", text)
    text = _DIGIT_GROUP_RE.sub("", text)
    text = _CLOCK_RE.sub(r"\1:\2", text)
    text = _NUMBER_RE.sub(lambda m: _NUMBER_WORDS[m.group(1)], text)
    text = _SCALE_RE.sub(_scale, text)
    text = _MONTH_FIRST_RE.sub(_month_first, text)
    text = _DAY_FIRST_RE.sub(r"\1 \2", text)
    return _SPACE_RE.sub(" ", text).strip()


@dataclass(frozen=True, eq=False)
class AliasTable:
    """Alternative names a key fact also accepts: ``term`` (canonical) -> accepted alternatives.

    One-way on purpose: a key naming a city by its present name may be met by its old name,
    but a key giving the old name (for a time when the city bore it) is not met by the present
    one. Symmetric pairs are two rows.
    """

    accepts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""

    @functools.cached_property
    def _term_patterns(self) -> list[tuple[str, re.Pattern, tuple[str, ...]]]:
        return [(t, re.compile(r"(?<![0-9a-z])" + re.escape(t) + r"(?![0-9a-z])"), alts) for t, alts in self.accepts.items()]

    def variants(self, needle: str) -> tuple[str, ...]:
        """``needle`` plus every form with one or more of its terms replaced by an alternative."""
        forms = [needle]
        for term, pattern, alternatives in self._term_patterns:
            if term not in needle and not any(term in f for f in forms):
                continue
            extra = [pattern.sub(alt, form) for form in forms if pattern.search(form) for alt in alternatives]
            forms.extend(extra)
            if len(forms) > 64:  # a runaway table; the forms found so far are enough
                break
        return tuple(dict.fromkeys(forms))


ALIASES_CSV = Path(__file__).resolve().parent / "resources" / "qa" / "aliases.csv"


def load_aliases(path: Path = ALIASES_CSV) -> AliasTable:
    """Read an alias CSV with columns ``term``, ``also_accepted`` (``|``-separated) and ``note``.

    Raises ``ValueError`` naming the file and row of every malformed line.
    """
    problems, accepts = [], {}
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"term", "also_accepted"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}:1: missing column(s) {', '.join(sorted(missing))}")
        for row in reader:
            line = reader.line_num
            term = canonical_text(row.get("term") or "")
            alternatives = tuple(canonical_text(a) for a in split_key_facts(row.get("also_accepted")))
            if not term or not alternatives:
                problems.append(f"{path}:{line}: needs a term and at least one alternative")
            elif term in accepts:
                problems.append(f"{path}:{line}: term {row['term']!r} is listed twice; put its alternatives on one row")
            else:
                accepts[term] = alternatives
    if problems:
        raise ValueError("\n".join(problems))
    return AliasTable(accepts, str(path))


@functools.lru_cache(maxsize=1)
def bundled_aliases() -> AliasTable:
    """The alias table shipped with the QA set (empty when the file is absent)."""
    return load_aliases(ALIASES_CSV) if ALIASES_CSV.is_file() else AliasTable()


@functools.lru_cache(maxsize=16384)
def fact_forms(fact: str, aliases: AliasTable) -> tuple[tuple[str, re.Pattern], ...]:
    """``(literal, pattern)`` per accepted form of ``fact``, to search a :func:`canonical_text`.

    The literal is a plain substring every match contains: testing it first (``in``) skips the
    regular expression for the many texts that cannot match.
    """
    needle = canonical_text(fact)
    if not needle:
        return ()
    forms = []
    for form in aliases.variants(needle):
        # The left word boundary is checked by hand (see find_fact): a pattern that starts with
        # a look-behind cannot use the regex engine's fast scan for its literal prefix.
        right = r"(?:e?s)?(?![0-9a-z])" if form[-1].isalpha() else (r"(?![0-9a-z])" if form[-1].isdigit() else "")
        forms.append((form, re.compile(re.escape(form) + right)))
    return tuple(forms)


_WORD_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz")


def find_fact(hay: str, fact: str, aliases: AliasTable | None = None) -> list[int]:
    """Offsets in ``hay`` (already a :func:`canonical_text`) where ``fact`` matches."""
    starts = []
    for literal, pattern in fact_forms(fact, bundled_aliases() if aliases is None else aliases):
        if literal not in hay:
            continue
        bounded = literal[0] in _WORD_CHARS
        starts.extend(m.start() for m in pattern.finditer(hay) if not (bounded and m.start() and hay[m.start() - 1] in _WORD_CHARS))
    return starts


def has_word(hay: str, word: str) -> bool:
    """Whether ``word`` occurs in the folded text ``hay`` as a whole word (or whole phrase)."""
    return re.search(r"(?<![0-9a-z])" + re.escape(word) + r"(?![0-9a-z])", hay) is not None


def contains_fact(answer: str, fact: str, *, aliases: AliasTable | None = None) -> bool:
    """Whether ``fact`` occurs in ``answer`` in canonical form (see the notes above).

    Matching respects word boundaries at the fact's alphanumeric ends, so ``1890`` does not
    match inside ``18901`` and ``Hue`` does not match inside ``Huene``. ``aliases`` defaults to
    the bundled table; pass ``AliasTable()`` to match without alternative names.
    """
    forms = fact_forms(fact, bundled_aliases() if aliases is None else aliases)
    if not forms:
        return False
    hay = canonical_text(answer)
    for literal, pattern in forms:
        if literal not in hay:
            continue
        if literal[0] not in _WORD_CHARS:
            if pattern.search(hay):
                return True
            continue
        for m in pattern.finditer(hay):
            if not m.start() or hay[m.start() - 1] not in _WORD_CHARS:
                return True
    return False


def split_key_facts(value: str | None) -> list[str]:
    """Parse a ``|``-separated key-facts cell into a list of non-empty strings."""
    if not value:
        return []
    return [part.strip() for part in value.split("|") if part.strip()]
