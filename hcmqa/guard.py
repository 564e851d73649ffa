"""Faithfulness guard: every number, date and proper name of an answer must be in its sources.

A small model reading passages sometimes copies the wrong span or invents a figure. Before an
answer is returned, :func:`unsupported_claims` lists the claims in it that none of the cited
passages contain:

- numbers (``1890``, ``9:47``, ``1,000``, ordinals such as ``19th``) and number words
  (``thirteen``), which match their digits or their words in a source;
- capitalised words that are not ordinary English words at the start of a sentence: names of
  people, places, organisations, months.

Matching ignores case and Vietnamese diacritics and respects word boundaries, so ``79`` is not
supported by ``1979``. The names of the topic's subject (aliases) are always allowed: every
passage is about them even when it does not repeat them.

:func:`unsupported_terms` is the same check for the other content words: a reply that copies
its sources uses their words, and one that says something they do not ("his father was a
*lawyer*", "he *returned* to Hanoi on 19 August") brings in words of its own.

:func:`repeated_phrase` finds a reply that says the same three words twice ("... helped the
cooks, but he also helped the cooks ...", "Lenin Lenin Lenin"): a small reader that loops or
pastes one phrase onto two subjects uses only its sources' words, yet reads as nonsense or
joins what they keep apart.

:func:`copied_share` measures how closely a reply follows one of the sentences it was given:
the share of its words that it says in that sentence's order. A reply that copies or trims a
sentence scores near 1; one that moves a phrase onto another subject or joins two sentences'
halves ("Ho Chi Minh's government was named supreme adviser", said of the former emperor) uses
its sources' words, names and numbers, yet scores lower. :func:`swapped_subject` finds the
subject put in another's place: "In October 1942 Ho Chi Minh sponsored the founding of ..."
from "In October 1942 they sponsored the founding of ...", said of his Chinese captors.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from hcmqa.text import fold, has_word

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10,
}
_DIGITS_TO_WORDS: dict[str, set[str]] = {}
for _word, _value in NUMBER_WORDS.items():
    _DIGITS_TO_WORDS.setdefault(str(_value), set()).add(_word)

# Capitalised words that are no claim: pronouns, articles, auxiliaries, question and linking
# words that open a sentence, and the titles and honorifics around names.
_COMMON = frozenset(
    """
    a an the he his him himself she her it its they their them we our you your i this that these those there
    here in on at to for from by with of and or but as after before during while when where who whom whose
    which what why how yes no not also then later finally first however although though because since until
    so thus still only both each every all some many most one his according was were is are be been had has
    have did does do could would should may might will shall can about around between among into over under
    upon through throughout near today now during instead other another such same even just very
    mr mrs ms dr president uncle chairman comrade general prime minister party
    """.split()
)
_NUMBER_RE = re.compile(r"\d+(?:[.,:]\d+)*")
_WORD_RE = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?:;]\s+|[\"“(\[]\s*)$")


@dataclass(frozen=True)
class Claim:
    kind: str  # "number" or "name"
    text: str


def _norm_number(token: str) -> str:
    token = token.rstrip(".,:")
    return token.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", token) else token


@functools.lru_cache(maxsize=4096)
def _source_numbers(hay: str) -> frozenset[str]:
    return frozenset(_norm_number(n) for n in _NUMBER_RE.findall(hay))


_CITATION_RE = re.compile(r"\[\d+\]")


def claims(answer: str) -> list[Claim]:
    """Numbers, number words and proper-name words stated in ``answer``, in order.

    Citation markers (``[2]``) are not claims.
    """
    answer = _CITATION_RE.sub(" ", answer)
    found: list[Claim] = []
    for match in _NUMBER_RE.finditer(answer):
        found.append(Claim("number", _norm_number(match.group())))
    words = list(_WORD_RE.finditer(answer))
    for n, match in enumerate(words):
        word = match.group().strip("'’-")
        if not word:
            continue
        low = fold(word)
        if low in NUMBER_WORDS and low not in ("one", "first", "second"):
            found.append(Claim("number", low))
            continue
        if not word[0].isupper() or low in _COMMON or low.rstrip("s").rstrip("'’") in _COMMON:
            continue
        if _SENTENCE_START_RE.search(answer[: match.start()]):
            # An ordinary word opening a sentence is capitalised too: count it as a name only
            # when the next word is capitalised as well ("Ba Dinh", "Kim Lien").
            following = words[n + 1].group() if n + 1 < len(words) else ""
            if not following[:1].isupper() or answer[match.end() : words[n + 1].start()].strip():
                continue
        found.append(Claim("name", word))
    return found


def unsupported_claims(answer: str, sources: list[str], allowed: tuple[str, ...] = ()) -> list[Claim]:
    """The claims of ``answer`` that no source supports (empty list: the answer is faithful).

    ``allowed`` holds names that need no source (the subject's own names and aliases).
    """
    hay = fold(" ".join(sources))
    numbers = _source_numbers(hay)
    allowed_words = {w for name in allowed for w in fold(name).split()}
    missing: list[Claim] = []
    for claim in claims(answer):
        if claim.kind == "number":
            if claim.text in numbers or claim.text.isdigit() and any(has_word(hay, w) for w in _DIGITS_TO_WORDS.get(claim.text, ())):
                continue
            if claim.text in NUMBER_WORDS and (has_word(hay, claim.text) or str(NUMBER_WORDS[claim.text]) in numbers):
                continue
            missing.append(claim)
        else:
            word = fold(claim.text).replace("’", "'")
            base = word[:-2] if word.endswith("'s") else word
            if base in allowed_words or has_word(hay, base):
                continue
            missing.append(claim)
    return missing


def unsupported_terms(answer: str, sources: list[str], question: str = "", allowed: tuple[str, ...] = ()) -> list[str]:
    """Content words of ``answer`` (stemmed, stop words left out) that no source and not the question uses.

    ``question`` is what the visitor asked: a reply may repeat its words. ``allowed`` holds the
    subject's names, as for :func:`unsupported_claims`.
    """
    from hcmqa.terms import tokenize

    known = set(tokenize(" ".join([*sources, question, *allowed])))
    return [t for t in dict.fromkeys(tokenize(_CITATION_RE.sub(" ", answer))) if t not in known]


REPEAT_WORDS = 3  # a phrase this many words long said twice is a repetition
_PHRASE_WORD_RE = re.compile(r"\w+(?:['’]\w+)?")


def repeated_phrase(answer: str, allowed: tuple[str, ...] = ()) -> str:
    """The first ``REPEAT_WORDS``-word phrase that ``answer`` says twice, or "" when none.

    Words are compared in lower case but with their diacritics, so a name followed by its
    Vietnamese spelling in brackets ("Nguyen Sinh Sac (Nguyễn Sinh Sắc)") is no repetition;
    neither is a phrase made only of ``allowed`` words (the subject's names), which a reply
    may well say twice.
    """
    names = {w.lower() for name in allowed for w in _PHRASE_WORD_RE.findall(name)}
    words = [w.lower() for w in _PHRASE_WORD_RE.findall(_CITATION_RE.sub(" ", answer))]
    seen: set[tuple[str, ...]] = set()
    for i in range(len(words) - REPEAT_WORDS + 1):
        phrase = tuple(words[i : i + REPEAT_WORDS])
        if phrase in seen and not set(phrase) <= names:
            return " ".join(phrase)
        seen.add(phrase)
    return ""


MIN_COPIED_SHARE = 0.9  # a kept reply says at least this share of its words in one given sentence's order


SUBJECT_PRONOUNS = ("he", "him", "his", "himself")  # the bundled topic's; a topic profile gives its own
_PRONOUNS = frozenset("he him his himself she her hers herself it its itself they them their theirs themselves".split())


def _copy_words(text: str, drop: set[str]) -> list[str]:
    words = []
    for w in _PHRASE_WORD_RE.findall(fold(_CITATION_RE.sub(" ", text))):
        w = re.sub(r"['’]s$", "", w)
        if w not in drop:
            words.append(w)
    return words


def _lcs(a: list[str], b: list[str]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        prev = 0
        for j, y in enumerate(b, start=1):
            prev, row[j] = row[j], (prev + 1 if x == y else max(row[j], row[j - 1]))
    return row[-1]


def copied_share(answer: str, sentences: list[str], question: str = "", allowed: tuple[str, ...] = (), pronouns: tuple[str, ...] = SUBJECT_PRONOUNS) -> float:
    """The largest share of ``answer``'s words said in the order of one of ``sentences`` (0-1).

    The reply may put the sentence's two parts the other way round ("He left Saigon on 5 June
    1911" from "On 5 June 1911 he left Saigon"): its words are also read from each word to the
    end and then from the start.

    Personal pronouns are left out on both sides: a reply may say "it" for what its sentence
    names. So are the subject's names (``allowed``) where the sentence speaks of the subject (by
    name, or by one of the subject's ``pronouns``: "he", "his"): a reply may name him where his
    sentence says "he". Where it does not, the names count as the reply's own words: "Ho Chi
    Minh was elected First Secretary in 1960" from "Le Duan was elected First Secretary in
    1960" copies every other word. The
    question's words that the sentence does not use are left out too: a reply may repeat what
    the visitor asked. Words are compared folded (no case, no diacritics), with a possessive
    "'s" dropped. A reply with no content word (stemmed, stop words aside) that the question
    and the subject's names do not already use says nothing ("The name Ho Chi Minh was born in
    1890.") and scores 0.
    """
    from hcmqa.terms import tokenize

    if not set(tokenize(_CITATION_RE.sub(" ", answer))) - set(tokenize(" ".join([question, *allowed]))):
        return 0.0
    names = {w for name in allowed for w in _copy_words(name, set())}
    asked = set(_copy_words(question, names | _PRONOUNS))
    best = 0.0
    for sentence in sentences:
        words = _copy_words(sentence, set())
        free = _PRONOUNS | (names if set(words) & (names | set(pronouns)) else set())
        source = [w for w in words if w not in free]
        kept = [w for w in _copy_words(answer, free) if w not in asked or w in source]
        if not kept:
            continue
        best = max(best, max(_lcs(kept[k:] + kept[:k], source) for k in range(len(kept))) / len(kept))
    return best


def restates(answer: str, sentence: str, question: str = "", allowed: tuple[str, ...] = (), pronouns: tuple[str, ...] = SUBJECT_PRONOUNS) -> bool:
    """Whether ``answer`` says all that ``sentence`` says, so that quoting it after the reply says it twice.

    The reply copies the sentence (``copied_share`` at least ``MIN_COPIED_SHARE``) and leaves out
    none of its content words or numbers (stemmed, compared folded): "He died in Hanoi in 1969."
    restates "He died in Hanoi in 1969, aged 79." only if it keeps "aged 79" as well.
    """
    from hcmqa.terms import tokenize

    if copied_share(answer, [sentence], question, allowed, pronouns) < MIN_COPIED_SHARE:
        return False
    return set(tokenize(fold(_CITATION_RE.sub(" ", sentence)))) <= set(tokenize(fold(_CITATION_RE.sub(" ", answer))))


_DOER_PRONOUNS = frozenset("he she they we it".split())


def swapped_subject(answer: str, sentences: list[str], allowed: tuple[str, ...] = (), pronouns: tuple[str, ...] = SUBJECT_PRONOUNS) -> str:
    """The source phrase whose doer ``answer`` replaced by the subject, or "" when none.

    Where the reply names the subject (``allowed``) and goes on with two words ("Ho Chi Minh
    sponsored the ..."), those two words are looked up in ``sentences``. When they occur
    there, and every time after someone else ("they", or "she" where the subject's
    ``pronouns`` are "he", or a capitalised word that is not one of his names) rather than
    after his name or his pronoun, the reply gave him another's deed. A possessive ("Ho Chi Minh's father") or a longer name ("the Ho Chi Minh
    Mausoleum") is not the subject doing anything, and is left alone.
    """
    names = {fold(w) for name in allowed for w in _PHRASE_WORD_RE.findall(name)}
    mine = names | set(pronouns)
    others = _DOER_PRONOUNS - mine
    words = _PHRASE_WORD_RE.findall(_CITATION_RE.sub(" ", answer))
    folded = [fold(w) for w in words]
    split = [([w for w in _PHRASE_WORD_RE.findall(s)], [fold(w) for w in _PHRASE_WORD_RE.findall(s)]) for s in sentences]
    i = 0
    while i < len(words):
        if folded[i] not in names:
            i += 1
            continue
        j = i
        while j < len(words) and folded[j] in names:
            j += 1
        i = j
        if j + 1 >= len(words) or re.search(r"['’]s$", folded[j - 1]) or words[j][:1].isupper():
            continue
        pair = (folded[j], folded[j + 1])
        doers = [
            (raw[k - 1], low[k - 1])
            for raw, low in split
            for k in range(1, len(low) - 1)
            if (low[k], low[k + 1]) == pair
        ]
        if doers and all(before not in mine and (before in others or word[:1].isupper()) for word, before in doers):
            return f"{doers[0][0]} {words[j]} {words[j + 1]}"
    return ""
