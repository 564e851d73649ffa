"""Does the retrieved evidence answer the question? A small calibrated model decides.

Retrieval always finds *something*: the passage closest to "How much did he weigh in 1943?"
is about 1943, not about his weight. A threshold on one similarity score cannot tell the
two apart well, and the reader's own "The passages do not say." turned out to be no better
than chance (bench/quality/RESULTS.md). This module looks at the question and its evidence
together, with features that need no extra model and mean the same on any corpus:

- how similar the best passage and the best sentence are to the question (the bi-encoder);
- how much of the question's content (IDF-weighted terms) the best sentences and passages
  hold, and the rarest term they lack; with a bi-encoder, a term they lack as written counts
  as far as their word closest to it in meaning is similar ("kids" against "children": a
  visitor's words are often not the sources');
- what the question asks about ("how many *pounds*", "which *cell*") and whether the
  evidence mentions it;
- words and names of the question that the corpus never uses at all ("blood type",
  "Brazil"): nothing in the sources can answer a question about them; and the names it
  asks about that the evidence lacks. The subject's own names, those he bore in part of his
  life included ("Nguyen Tat Thanh"), are none of these: passages call him "he". Nor is a
  capitalised word that the corpus itself writes in lower case ("Second World War",
  "President"): it is a common word the asker capitalised. A nationality is not missing
  where the evidence names its country, nor a country where it names the nationality
  ("Which Vietnamese province ..." against "Nghe An province in central Vietnam"), nor a
  country, or its nationality, where the evidence names one of its cities ("England" against
  "London"). A question written all in capitals or in title case has no names: its capitals
  mark none;
- a question asking for a kind of answer its best sentences do not give (``answer_missing``):
  "how many" or "how much" and no count (a year does not count); "when" or "in what year"
  and no date or year the question does not already name ("On what day in May 1958 ..."
  wants a day of the month); "who" or "the name of" and no name the question does not
  already use ("a team of Soviet and Vietnamese architects" names nobody); "where" or
  "which city" and no place;
- how far the best sentence stands above the fourth best: one sentence that stands out
  usually answers the question, while a near miss matches many sentences about as well;
- whether the question asks "why": a reason is more often interpretation than record.

A logistic regression over these features is fitted on the dataset's **val split** (the
bi-encoder never trained on it): val questions as asked are answerable; the same questions
with every passage holding their answer removed, and the dataset's own unanswerable
development questions when it has them, are not. Two thresholds on its probability, chosen
on cross-validated predictions, give three answers (``confident`` rises, when the dataset has
unanswerable development questions, until the wanted share of them falls under it):

- ``p >= confident``: answer (the reader's reply with its quoted evidence);
- ``refuse <= p < confident``: say the sources do not answer it directly, and quote the
  closest they come;
- ``p < refuse``: the no-source refusal, without generating anything.

The fitted model is plain numbers stored in ``retriever.json``; nothing is pickled.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from hcmqa.terms import STOPWORDS, content_words, tokenize
from hcmqa.text import fold, has_word, strip_diacritics

FEATURES = (
    "top_passage",
    "passage_gap",
    "top_sentence",
    "sentence_coverage",
    "passage_coverage",
    "unknown_terms",
    "max_missing_idf",
    "terms",
    "focus_in_sentences",
    "focus_in_passages",
    "unknown_names",
    "asked_names_missing",
    "unknown_words",
    "answer_missing",
    "sentence_gap",
    "asks_why",
)
# Raised whenever a feature keeps its name but changes what it measures, or the model or its
# thresholds are fitted another way, so that a stored model is refitted (2: the name features
# leave out the corpus's common words and the capitals of a question in capitals or title case,
# a nationality is found through its country, and ``refuse_threshold`` is no longer the plain
# sample quantile; 3: a country the corpus never names is no unknown name where the corpus names
# its nationality, "England" where it says "English" and "British", nor the other way round;
# 4: a name is found part by part in the corpus's terms, "Ho-Sainteny" where the corpus says
# "Sainteny", "Young Pioneers" where it says "Young Pioneer"; 5: the normalised question keeps
# a subject's name that it asks about as a name, "Why is he called Uncle Ho?"; 6: a country is
# not missing where the evidence names a city of it, "England" where it says "London"; "real",
# "actual", "true" and the like say what kind of answer is wanted, "What was his real name?"
# asks about a name, and a question's focus is read without the subject's names, not "Ho";
# 7: ``refuse_threshold`` reaches below the lowest answerable probability when too few were
# given to hold the quantile; 8: ``count_missing`` became ``answer_missing``, which also asks
# for a date, a name or a place where the question asks "when", "who" or "where"; 9: with a
# bi-encoder, the coverage features count a term the evidence lacks as written by how close
# in meaning the evidence's nearest word is, "dad" against "father", and the normalised question
# keeps a subject's name that something is named after).
MODEL_VERSION = 9
# the sentence the best one is compared with for ``sentence_gap`` (the fourth best)
GAP_RANK = 4
# Words that say what kind of answer is wanted rather than what it is about, and words that
# only qualify it ("his real name" asks for a name, "is it true that" for a fact); as stemmed
# retrieval terms.
_QUALIFYING_WORDS = "real actual true full original official precise exact exactly"
_QUALIFYING = frozenset(_QUALIFYING_WORDS.split())
_QUALIFYING_TERMS = frozenset(tokenize(_QUALIFYING_WORDS))
_ASKING_TERMS = frozenset(
    tokenize("name names year years many much long old date day days time times kind type place city country happen happened role called " + _QUALIFYING_WORDS)
)
_FOCUS_RE = re.compile(
    r"\b(?:how (?:many|much)|what|which|whose)\s+(?:(?:was|were|is|are|did|does|do|the|a|an|of|kind|sort|type|exact|exactly"
    r"|his|her|its|their|real|actual|true|full|original|official|precise)\s+)*([a-z][a-z'-]+)",
    re.I,
)
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# questions asking for a count or an amount, and the counts a sentence may give
_COUNT_QUESTION_RE = re.compile(r"\bhow (?:many|much|long|old|tall|far|often)\b|\bwhat (?:number|percentage|age|amount|sum|price|salary)\b", re.I)
_COUNT_RE = re.compile(
    r"\b\d[\d,.:]*\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    r"|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|dozen|several|few|many)\b",
    re.I,
)
_YEAR_RE = re.compile(r"1[5-9]\d\d|20\d\d")
# questions asking for a date (a day of the month where they ask "what day"), for someone's
# name, and for a place; "when" only as the question word ("How long ... when he returned" is
# no "when" question), "who" only asking for a person ("Who was his father?", "Who led it?";
# "Who was Nguyen Sinh Sac?" asks what he was, which no name answers)
_WHEN_QUESTION_RE = re.compile(r"^\W*(?:and\s+|so\s+|since\s+|until\s+)?when\b|\b(?:what|which)\s+(?:year|date|day|month)\b", re.I)
_DAY_QUESTION_RE = re.compile(r"\b(?:what|which|exact|precise)\s+(?:day|date)\b|\bexactly when\b", re.I)
_NAME_QUESTION_RE = re.compile(
    r"^\W*who(?:m|se)?\s+(?:(?:was|were|is|are)\s+(?:(?:the|his|her|their|a|an)\b|[^?]*['’]s\b)|(?!was\b|were\b|is\b|are\b)[a-z]+)"
    r"|\bwhose\b|\bnames? of\b|\bwhat (?:was|were|is|are) (?:the |his |her |their )?(?:real |full |original )?names?\b",
    re.I,
)
_PLACE_QUESTION_RE = re.compile(
    r"^\W*where\b|\b(?:what|which)\s+(?:city|country|countries|town|village|province|region|port|place|island|street|prison)\b", re.I
)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE_RE = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTHS})\b|\b(?:{_MONTHS}) \d{{1,2}}\b", re.I)
_RAW_RE = re.compile(r"[a-z]+")
_LOWER_WORD_RE = re.compile(r"(?<![A-Za-z'’-])[a-z]+(?![A-Za-z])")
# Nationalities and the countries or regions they belong to, both ways: evidence naming one
# does not lack the other. Words only (folded); a question's other names are matched as asked.
_NATIONALITIES = {
    "afghan": ("afghanistan",), "african": ("africa",), "albanian": ("albania",), "algerian": ("algeria",),
    "american": ("america", "united states", "usa"), "arab": ("arabia",), "argentine": ("argentina",),
    "asian": ("asia",), "australian": ("australia",), "austrian": ("austria",), "belgian": ("belgium",),
    "brazilian": ("brazil",), "british": ("britain", "england", "united kingdom", "uk"), "burmese": ("burma", "myanmar"),
    "cambodian": ("cambodia", "kampuchea"), "canadian": ("canada",), "chinese": ("china",), "cuban": ("cuba",),
    "czech": ("czechoslovakia", "czechia"), "danish": ("denmark",), "dutch": ("netherlands", "holland"),
    "egyptian": ("egypt",), "english": ("england", "britain"), "european": ("europe",), "filipino": ("philippines",),
    "finnish": ("finland",), "french": ("france",), "german": ("germany",), "greek": ("greece",),
    "hungarian": ("hungary",), "indian": ("india",), "indonesian": ("indonesia",), "iranian": ("iran", "persia"),
    "irish": ("ireland",), "israeli": ("israel",), "italian": ("italy",), "japanese": ("japan",),
    "khmer": ("cambodia", "kampuchea"), "korean": ("korea",), "lao": ("laos",), "laotian": ("laos",),
    "malaysian": ("malaysia", "malaya"), "mexican": ("mexico",), "mongolian": ("mongolia",), "norwegian": ("norway",),
    "pakistani": ("pakistan",), "polish": ("poland",), "portuguese": ("portugal",), "romanian": ("romania",),
    "russian": ("russia", "soviet union", "ussr"), "scottish": ("scotland",), "siamese": ("siam", "thailand"),
    "soviet": ("soviet union", "ussr", "russia"), "spanish": ("spain",), "swedish": ("sweden",), "swiss": ("switzerland",),
    "thai": ("thailand", "siam"), "turkish": ("turkey",), "ukrainian": ("ukraine",), "vietnamese": ("vietnam", "viet nam"),
    "welsh": ("wales",), "yugoslav": ("yugoslavia",),
}


def _both_ways(table: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Each nationality with its places, and each place with its nationalities."""
    related = dict(table)
    for nationality, places in table.items():
        for place in places:
            related[place] = (*related.get(place, ()), nationality)
    return related


# Cities and regions and the countries they lie in, one way only: evidence naming London does
# not lack England (nor Britain, nor "English"), but evidence naming England does lack London.
# The places a life abroad passes through; a place missing here is only matched as written.
_PLACES = {
    "england": ("london", "manchester", "liverpool", "oxford", "cambridge", "newhaven", "dover"),
    "france": ("paris", "marseille", "marseilles", "le havre", "tours", "fontainebleau", "lyon", "biarritz", "bordeaux", "toulon", "nice"),
    "russia": ("moscow", "leningrad", "petrograd", "saint petersburg", "st petersburg", "vladivostok"),
    "china": ("canton", "guangzhou", "shanghai", "beijing", "peking", "nanjing", "nanking", "kunming", "liuzhou", "guilin", "chongqing",
              "yan'an", "yenan", "guangxi", "yunnan", "nanning", "hong kong", "wuhan", "tianjin"),
    "united states": ("new york", "boston", "brooklyn", "san francisco", "washington", "chicago"),
    "vietnam": ("hanoi", "saigon", "hue", "vinh", "haiphong", "da nang", "danang", "nghe an", "kim lien", "pac bo", "cao bang", "tan trao",
                "tonkin", "annam", "cochinchina", "dien bien phu", "ba dinh"),
    "thailand": ("bangkok", "udon thani", "nakhon phanom", "sakon nakhon"),
    "switzerland": ("geneva", "zurich", "bern", "lausanne"),
    "germany": ("berlin", "hamburg", "munich"),
    "japan": ("tokyo", "osaka", "yokohama"),
    "algeria": ("algiers", "oran"),
    "senegal": ("dakar",),
    "czechoslovakia": ("prague",),
    "india": ("bombay", "mumbai", "calcutta", "kolkata", "delhi"),
    "egypt": ("cairo", "port said", "alexandria"),
}
_PLACES["britain"] = _PLACES["united kingdom"] = _PLACES["uk"] = _PLACES["england"]
_PLACES["soviet union"] = _PLACES["ussr"] = _PLACES["russia"]
_PLACES["america"] = _PLACES["usa"] = _PLACES["united states"]
_PLACES["viet nam"] = _PLACES["indochina"] = _PLACES["vietnam"]
_PLACES["siam"] = _PLACES["thailand"]


def _with_places(related: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Each name's related forms, with the places inside its country, or inside a country it is
    the nationality of ("british": London)."""
    out = dict(related)
    for name in set(related) | set(_PLACES):
        forms = (name, *related.get(name, ()))
        inside = tuple(dict.fromkeys(place for form in forms for place in _PLACES.get(form, ())))
        if inside:
            out[name] = (*related.get(name, ()), *inside)
    return out


_RELATED = _with_places(_both_ways(_NATIONALITIES))
_WHY_RE = re.compile(r"\bwhy\b", re.I)


class CorpusStats:
    """Document frequencies of stemmed terms and the raw words of a retriever's passages."""

    def __init__(self, passages):

        self.size = len(passages)
        self.df: dict[str, int] = {}
        words: set[str] = set()
        common: set[str] = set()
        for p in passages:
            text = f"{p.section} {p.text}"
            for term in set(tokenize(text)):
                self.df[term] = self.df.get(term, 0) + 1
            words.update(_RAW_RE.findall(fold(text)))
            common.update(_LOWER_WORD_RE.findall(strip_diacritics(p.text)))
        self.words = frozenset(words)
        # words the corpus writes in lower case somewhere: common words, not names
        self.common_words = frozenset(common)

    def idf(self, term: str) -> float:
        return math.log((self.size + 1) / (self.df.get(term, 0) + 0.5))


def features(
    question: str,
    query: str,
    hits,
    sentences,
    stats: CorpusStats,
    subject_words: frozenset[str] = frozenset(),
    subject_names: tuple[str, ...] = (),
    similar: Callable[[list[str], list[str]], list[float]] | None = None,
) -> list[float]:
    """The feature vector (in ``FEATURES`` order) of one question and its evidence.

    ``query`` is the normalised query (the subject's names removed), ``hits`` the top
    passages as retrieval ranked them, ``sentences`` their sentences, best first.
    ``subject_names`` are all the subject's names, those he bore in part of the documents
    only included ("Nguyen Tat Thanh"): a question that calls him by one asks about him, and
    passages that call him "he" do not lack that name, so it counts neither as an unknown
    name nor as an asked name missing from the evidence.

    ``similar(asked, evidence)`` gives, per asked word, the similarity of the evidence word
    closest to it in meaning (the retriever's bi-encoder): a content term the evidence lacks
    as written counts for that share in the coverage features ("dad" against "father",
    "passed away" against "died"). Without it a term counts only as written.
    """

    terms = list(dict.fromkeys(tokenize(query)))
    content = [t for t in terms if t not in _ASKING_TERMS] or [t for t in terms if t not in _QUALIFYING_TERMS] or terms
    best = " ".join(s.text for s in sentences[:2])
    in_sentences = set(tokenize(best))
    passages_text = " ".join(f"{h.passage.section} {h.passage.text}" for h in hits)
    in_passages = set(tokenize(passages_text))
    weights = [stats.idf(t) for t in content]
    sentence_coverage = _coverage(query, content, weights, in_sentences, best, similar)
    passage_coverage = _coverage(query, content, weights, in_passages, passages_text, similar)
    missing = [w for t, w in zip(content, weights) if t not in in_passages]
    # the question without the subject's names: "What was Ho Chi Minh's real name?" asks about a name, not "Ho"
    unnamed = _subject_name_re(tuple(subject_names)).sub(" ", strip_diacritics(question)) if subject_names else question
    focus_match = _FOCUS_RE.search(unnamed)
    focus = [t for t in tokenize(focus_match.group(1))] if focus_match else []
    words = _WORD_RE.findall(unnamed)
    # in a question written all in capitals or in title case, a capital marks no name
    cased = any(w[0].islower() for w in words)
    names = _names(words, stats, subject_words) if cased else []
    folded_passages = fold(passages_text)
    raw = [w for w in _RAW_RE.findall(fold(question)) if len(w) > 2 and w not in STOPWORDS and w not in subject_words and w not in _QUALIFYING]
    asked_counts = {m.group().lower() for m in _COUNT_RE.finditer(question)}
    counts = [m.group().lower() for m in _COUNT_RE.finditer(_DATE_RE.sub(" ", best))]  # a day of a date is no count
    count_missing = bool(_COUNT_QUESTION_RE.search(question)) and not any(c not in asked_counts and not _YEAR_RE.fullmatch(c) for c in counts)
    answer_missing = count_missing or _answer_type_missing(question, [s.text for s in sentences[:2]], stats, subject_words)
    top = hits[0].score if hits else 0.0
    second = hits[1].score if len(hits) > 1 else 0.0
    return [
        top,
        top - second,
        sentences[0].score if sentences else 0.0,
        sentence_coverage,
        passage_coverage,
        float(sum(1 for t in content if t not in stats.df)),
        max(missing) if missing else 0.0,
        float(len(content)),
        float(all(t in in_sentences for t in focus)) if focus else 1.0,
        float(all(t in in_passages for t in focus)) if focus else 1.0,
        float(sum(1 for n in names if not _named(n, stats.words.__contains__, stats.df, subject_words))),
        float(sum(1 for n in names if not _named(n, lambda form: has_word(folded_passages, form), in_passages, subject_words))),
        float(sum(1 for w in raw if w not in stats.words)),
        float(answer_missing),
        sentence_gap(sentences),
        float(bool(_WHY_RE.search(question))),
    ]


def _coverage(query: str, content: list[str], weights: list[float], found: set[str], evidence: str, similar) -> float:
    """The IDF-weighted share of the ``content`` terms in the evidence: a term ``found`` as
    written counts whole, another (when ``similar`` is given) as much as the evidence word
    closest to it in meaning is similar to the word the query used."""
    scores = [1.0 if t in found else 0.0 for t in content]
    missing = [i for i, score in enumerate(scores) if not score]
    if similar is not None and missing:
        asked = _surface_words(query)
        words = list(dict.fromkeys(content_words(evidence)))
        if words:
            for i, similarity in zip(missing, similar([asked.get(content[i], content[i]) for i in missing], words)):
                scores[i] = max(0.0, min(1.0, float(similarity)))
    return sum(w * score for w, score in zip(weights, scores)) / (sum(weights) or 1.0)


def _surface_words(query: str) -> dict[str, str]:
    """Each retrieval term of ``query`` with the first word it came from ("passed" for "pass")."""
    out: dict[str, str] = {}
    for word in content_words(query):
        for term in tokenize(word):
            out.setdefault(term, word)
    return out


def _names(words: list[str], stats: CorpusStats, subject_words: frozenset[str]) -> list[str]:
    """The folded names among a sentence's ``words``: capitalised words after the first, less the
    subject's own, stopwords, and words the corpus also writes in lower case."""
    names = [fold(w).replace("’", "'").removesuffix("'s").strip("'-") for i, w in enumerate(words) if i > 0 and w[0].isupper()]
    return [n for n in names if n and n not in subject_words and n not in STOPWORDS and n not in stats.common_words]


def _answer_type_missing(question: str, best: list[str], stats: CorpusStats, subject_words: frozenset[str]) -> bool:
    """Whether ``question`` asks "when", "who" or "where" and its ``best`` sentences give no date, name or place it does not name itself.

    A date is a year or a day of a month (a day where the question asks "what day"); a name or
    place is a capitalised word that is not a sentence's first, nor one of the subject's
    names, nor a word the corpus also writes in lower case. A nationality names a place
    ("Which country's experts ..." against "Soviet specialists"), not a person.
    """
    when, who, where = (bool(r.search(question)) for r in (_WHEN_QUESTION_RE, _NAME_QUESTION_RE, _PLACE_QUESTION_RE))
    if not (when or who or where):
        return False
    text = " ".join(best)
    if when:
        asked = {fold(m.group()) for m in _DATE_RE.finditer(question)} | set(_YEAR_RE.findall(question))
        dates = [d for d in (fold(m.group()) for m in _DATE_RE.finditer(text)) if d not in asked]
        years = [y for y in _YEAR_RE.findall(text) if y not in asked]
        if not (dates if _DAY_QUESTION_RE.search(question) else dates or years):
            return True
    if who or where:
        asked_words = set(_RAW_RE.findall(fold(question)))
        names = [n for sentence in best for n in _names(_WORD_RE.findall(sentence), stats, subject_words) if n not in asked_words]
        people = [n for n in names if n not in _NATIONALITIES]
        if (who and not people) or (where and not names):
            return True
    return False


def _name_terms(name: str, subject_words: frozenset[str]) -> list[str]:
    """The retrieval terms of a name's parts other than the subject's own ("ho-sainteny": "sainteni")."""
    return tokenize(" ".join(w for w in _RAW_RE.findall(name) if w not in subject_words))


def _named(name: str, has_form, terms, subject_words: frozenset[str]) -> bool:
    """Whether a (folded) name is found: as written or through its nationality or country
    (``has_form``), or part by part among retrieval ``terms`` ("Ho-Sainteny" where "Sainteny"
    is, "Young Pioneers" where the Young Pioneer Organization is)."""
    if any(has_form(form) for form in (name, *_RELATED.get(name, ()))):
        return True
    parts = _name_terms(name, subject_words)
    return bool(parts) and all(t in terms for t in parts)


@functools.lru_cache(maxsize=8)
def _subject_name_re(names: tuple[str, ...]) -> re.Pattern:
    """Any of ``names`` as whole words, with a possessive "'s", case and diacritics aside."""
    alternatives = "|".join(re.escape(strip_diacritics(n)) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w'’-])(?:{alternatives})(?:['’]s)?(?![\w'’-])", re.I)


def sentence_gap(sentences) -> float:
    """The best sentence's score less the ``GAP_RANK``-th best's (the last one's when there are fewer)."""
    if not sentences:
        return 0.0
    return sentences[0].score - sentences[min(GAP_RANK, len(sentences)) - 1].score


@dataclass(frozen=True)
class AnswerabilityModel:
    """A logistic regression on standardised features, with its two decision thresholds."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    refuse: float  # under this probability: the no-source refusal
    confident: float  # at or over this: a generated answer; in between: "closest the sources come"

    def probability(self, x: list[float]) -> float:
        z = self.intercept + sum(c * (v - m) / s for c, v, m, s in zip(self.coef, x, self.mean, self.scale))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def decide(self, p: float) -> str:
        """``answer``, ``closest`` or ``refuse`` for probability ``p``."""
        return "answer" if p >= self.confident else ("closest" if p >= self.refuse else "refuse")

    def to_dict(self) -> dict:
        return {
            "features": list(FEATURES),
            "version": MODEL_VERSION,
            "mean": [round(v, 6) for v in self.mean],
            "scale": [round(v, 6) for v in self.scale],
            "coef": [round(v, 6) for v in self.coef],
            "intercept": round(self.intercept, 6),
            "refuse": round(self.refuse, 6),
            "confident": round(self.confident, 6),
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> "AnswerabilityModel | None":
        """The stored model, or None when there is none or it was fitted on other features or another way."""
        if not fitted_as_today(data):
            return None
        return cls(tuple(data["mean"]), tuple(data["scale"]), tuple(data["coef"]), float(data["intercept"]), float(data["refuse"]), float(data["confident"]))


def refuse_threshold(probabilities, keep: float) -> float:
    """The probability over which ``keep`` of answerable questions lie: their ``1 - keep`` quantile.

    The lower of the plain sample quantile and the Harrell-Davis quantile, a weighted mean of
    all the order statistics. At ``keep`` 0.99 and a few hundred validation questions the
    plain quantile is the third or fourth lowest probability alone, and swings with it; the
    Harrell-Davis estimate is steadier but may refuse a little more than ``1 - keep`` of the
    questions it was estimated on when they bunch. Taking the lower never refuses more than
    the plain quantile would, and does not follow it up when its few points happen to lie
    high. On this project's val split (305 answerable questions) 30 bootstrap refits gave
    the plain quantile a standard deviation of 0.026 around a mean of 0.096, this threshold
    0.021 around 0.080.

    When fewer than ``1 / (1 - keep)`` probabilities are given (under 100 at ``keep`` 0.99),
    the quantile lies below the lowest of them, and both estimates above rest on that one
    point: a topic with 18 validation questions refused every question scoring under its
    lowest. There the threshold is at most the quantile of a normal distribution fitted to
    the probabilities' logits, which reaches below the sample as far as its spread says.
    """
    import numpy as np
    from scipy.stats import norm
    from scipy.stats.mstats import hdquantiles

    values = np.array([float(p) for p in probabilities])
    if not len(values):
        raise ValueError("refuse_threshold: no probabilities")
    if not 0.0 <= keep <= 1.0:
        raise ValueError(f"answer_keep: must be between 0 and 1, got {keep}")
    share = 1.0 - keep
    threshold = min(float(np.quantile(values, share)), float(hdquantiles(values, [share])[0]))
    if 0.0 < share and len(values) * share < 1.0 and len(values) > 1:
        p = np.clip(values, 1e-6, 1.0 - 1e-6)
        logits = np.log(p / (1.0 - p))
        tail = logits.mean() + norm.ppf(share) * logits.std(ddof=1)
        threshold = min(threshold, float(1.0 / (1.0 + np.exp(-tail))))
    return threshold


def fitted_as_today(data: dict | None) -> bool:
    """Whether a stored model was fitted on today's features, in name and in meaning, and today's way.

    A model stored before versions were recorded counts as version 1.
    """
    return bool(data) and tuple(data.get("features", ())) == FEATURES and data.get("version", 1) == MODEL_VERSION


def fit(
    positives: list[list[float]],
    negatives: list[list[float]],
    keep: float = 0.95,
    confident_keep: float = 0.85,
    seed: int = 13,
    unanswerable: list[list[float]] = (),
    decline: float = 0.0,
) -> tuple[AnswerabilityModel, dict]:
    """Fit on answerable (``positives``) and unanswerable (``negatives`` and ``unanswerable``) feature vectors.

    ``unanswerable`` are real questions the sources cannot answer (``negatives`` may be made
    ones, such as answerable questions with their answer removed). The two classes weigh the
    same whatever their sizes. The thresholds come from 5-fold cross-validated probabilities,
    so they are not set on the very examples the model fitted:

    - ``refuse`` keeps ``keep`` of the answerable questions (``refuse_threshold``);
    - ``confident`` answers ``confident_keep`` of them outright, or fewer: it is raised until
      at least ``decline`` of the ``unanswerable`` questions fall under it (declined: refused
      or answered with the closest the sources come).

    Returns the model and its cross-validated rates.
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    unanswerable = list(unanswerable)
    for name, rows in (("positives", positives), ("negatives", negatives), ("unanswerable", unanswerable)):
        for i, row in enumerate(rows):
            if len(row) != len(FEATURES):
                raise ValueError(f"{name} row {i}: {len(row)} features, expected {len(FEATURES)} ({', '.join(FEATURES)})")
    negatives = list(negatives) + unanswerable
    if len(positives) < 10 or len(negatives) < 10:
        raise ValueError(f"answerability needs at least 10 answerable and 10 unanswerable examples, got {len(positives)} and {len(negatives)}")
    if not 0.0 <= decline < 1.0:
        raise ValueError(f"decline_target: must be at least 0 and below 1, got {decline}")
    x = np.array(positives + negatives, dtype=float)
    y = np.r_[np.ones(len(positives)), np.zeros(len(negatives))]
    weights = np.r_[np.ones(len(positives)), np.full(len(negatives), len(positives) / len(negatives))]

    def model():
        return make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=2000))

    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    cv = np.zeros(len(y))
    for train, test in folds.split(x, y):
        fitted = model().fit(x[train], y[train], logisticregression__sample_weight=weights[train])
        cv[test] = fitted.predict_proba(x[test])[:, 1]
    pos, neg = cv[y == 1], cv[y == 0]
    refuse = refuse_threshold(pos, keep)
    confident = max(refuse, float(np.quantile(pos, 1 - confident_keep)))
    real = cv[len(y) - len(unanswerable) :]  # the real unanswerable questions come last
    if decline > 0 and len(real):
        # the lowest threshold (from the real unanswerable questions' own probabilities)
        # under which ``decline`` of them fall
        confident = max(confident, float(np.quantile(real, decline, method="higher")) + 1e-9)
    final = model().fit(x, y, logisticregression__sample_weight=weights)
    scaler, lr = final[0], final[-1]
    fitted = AnswerabilityModel(tuple(map(float, scaler.mean_)), tuple(float(s) if s > 0 else 1.0 for s in scaler.scale_), tuple(map(float, lr.coef_[0])), float(lr.intercept_[0]), refuse, confident)
    rates = {
        "answerable": len(positives),
        "unanswerable": len(negatives),
        "cv_answerable_answered": round(float((pos >= confident).mean()), 4),
        "cv_answerable_closest": round(float(((pos >= refuse) & (pos < confident)).mean()), 4),
        "cv_answerable_refused": round(float((pos < refuse).mean()), 4),
        "cv_unanswerable_answered": round(float((neg >= confident).mean()), 4),
        "cv_unanswerable_closest": round(float(((neg >= refuse) & (neg < confident)).mean()), 4),
        "cv_unanswerable_refused": round(float((neg < refuse).mean()), 4),
    }
    if len(real):
        rates["real_unanswerable"] = len(real)
        rates["cv_real_unanswerable_declined"] = round(float((real < confident).mean()), 4)
    return fitted, rates


@functools.lru_cache(maxsize=8)
def subject_words(names: tuple[str, ...]) -> frozenset[str]:
    """The folded words of the subject's names ("ho", "chi", "minh", "uncle", ...)."""
    return frozenset(w for n in names for w in _RAW_RE.findall(fold(n)))
