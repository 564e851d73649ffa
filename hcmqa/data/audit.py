"""Audit of a QA set against its corpus: do the key facts fit the questions, and does the corpus agree with itself?

Every finding names its check, its file and (for QA rows) its row. The checks:

- ``key-not-in-answer``: a key fact that the row's own answer does not contain;
- ``key-not-in-corpus``: a key fact that no document contains;
- ``time-without-date``: a question asking when (or what year, date, month, how long, how old)
  whose keys hold no date, year, month, weekday, clock time or duration;
- ``unasked-year``: a question that does not ask about time but requires a year it does not
  mention (a decade in the question, "the 1950s", counts as mentioning its years);
- ``weak-key``: a key that a wrong answer would meet too: one the question itself already
  contains (only for questions that are not yes/no questions), one met by the answers of many
  unrelated facts, or one that is a very common word or a bare small number outside a "how
  many"/"how old" question;
- ``number-conflict``: a heuristic for the same fact stated with different numbers in different
  files. It compares sentences from different documents that share at least four uncommon
  content words and both state a quantity in the same unit (a duration in months or years, or
  a count of jails, poems, members, names, ...) with different values. It sees only numbers
  followed by their unit ("13 months", "about a year", "nearly thirty jails"), not dates;
- ``split-duplicate``: a test question whose wording is nearly that of a train or val question
  of another fact (a word-sequence similarity of 0.75 or more, the forms of address the topic profile lists
  counted as one) and whose key facts that other row's answer already holds, in the
  deterministic splits a build would assign: training on the one teaches the other;
- ``allow-list-unused``: an allow-list entry that no longer matches any finding.

Findings listed in the allow-list (``check,subject,key,reason``; ``subject`` is the question,
or for corpus findings the subject the finding prints) are reported as allowed, with their
reason, and do not make the audit unclean.
"""

from __future__ import annotations

import bisect
import functools
import difflib
import itertools
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from hcmqa.data.documents import Document, load_documents
from hcmqa.data.qa import QAPair, assign_splits, load_qa_csv, read_csv_rows
from hcmqa.text import AliasTable, bundled_aliases, canonical_text, contains_fact, find_fact, fold, question_key

DEFAULT_ALLOW = Path(__file__).resolve().parent.parent / "resources" / "qa" / "audit-allow.csv"

CHECKS = {
    "key-not-in-answer": "a key fact that the row's own answer does not contain",
    "key-not-in-corpus": "a key fact that no document contains",
    "time-without-date": "a time question whose key facts hold no date, year, month, weekday, clock time or duration",
    "unasked-year": "a question that does not ask about time but requires a year it does not mention",
    "weak-key": "a key a wrong answer would meet too (repeats the question, met by many unrelated answers, or a very common word or small number)",
    "number-conflict": "heuristic: sentences of different documents about the same thing (4+ shared uncommon words) giving different quantities in the same unit",
    "split-duplicate": "a test question worded nearly like a train/val question of another fact whose answer holds its key facts",
    "allow-list-unused": "an allow-list entry that matches no finding",
}

_YEAR_RE = re.compile(r"(?<![0-9])(1[789]\d\d|20\d\d)(s?)(?![0-9])")
_MONTH_RE = re.compile(r"\b(january|february|march|april|may|june|july|august|september|october|november|december)\b")
_WEEKDAY_RE = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b")
_CLOCK_RE = re.compile(r"\b\d{1,2}:\d{2}\b")
_DURATION_RE = re.compile(r"\b(\d+|a|an|one|few|several) (day|week|month|year|decade|centur)")
_TIME_QUESTION_RE = re.compile(
    r"^(when|since when|until when)\b|\b(and|or) when\b|^(where|who|what) and when\b|,\s*when\b"
    r"|\b(what|which|in what|in which|roughly what|around what|between which|during which) (year|years|date|dates|day|days|month|decade)\b"
    r"|\byear and month\b|\bmonth and year\b|\bbirth year\b|\bdeath years\b|\bdate of\b|\bbirth date\b|\bfounding date\b|\bexact date\b"
    r"|\bwhat time\b|^how long\b|\bfor how long\b|\bhow many (years|months|days)\b|\bfor how many years\b|^how old\b|\bat what age\b"
    r"|^from when\b"
)
# Questions that name time themselves: a year in their key is asked for, not imposed.
_ASKS_TIME_RE = re.compile(r"\b(when|year|years|date|dates|decade|month|day|days|century|time|tet|new year)\b")
_YES_NO_RE = re.compile(r"^(did|was|were|is|are|does|do|has|have|had|can|could|would|will)\b")
_COUNT_QUESTION_RE = re.compile(r"\b(how many|how much|how old|how young|how long|age)\b")
_WORD_RE = re.compile(r"[0-9a-z]+")


@functools.lru_cache(maxsize=1)
def _subject_res() -> tuple[re.Pattern, re.Pattern]:
    """Every name of the bundled topic's subject, and its forms of address (its aliases and
    other names) unless the name itself is asked about ("what does <alias> mean")."""
    from hcmqa.topic import default_topic

    topic = default_topic()

    def alternatives(names) -> str:
        return "|".join(re.escape(canonical_text(n)) for n in sorted(names, key=len, reverse=True))

    every = re.compile(rf"\b({alternatives(topic.all_names)})\b")
    forms = re.compile(rf"\b({alternatives(topic.aliases + topic.other_names)})\b(?! mean| meant| translat| signif)")
    return every, forms
_STOPWORDS = frozenset(
    """a about above after again against all also an and any are as at be because been before being below between both but
    by can could did do does doing down during each few for from further had has have having he her here hers him his how i
    if in into is it its itself just me more most my no nor not now of off on once only or other our out over own same she
    should so some such than that the their them then there these they this those through to too under until up very was we
    were will with would you your us one first later still known called many much most year years day date name named""".split()
)
# Single-word keys so common that almost any answer could contain them.
_COMMON_KEYS = frozenset(
    """north south east west centre center people country war party year years day time man men women children one two three
    four five six seven eight nine ten first second third yes no not never always many city village house home fish water
    family""".split()
)
_UNIT_WORDS = {
    "day": ("duration", 1 / 30), "week": ("duration", 7 / 30), "month": ("duration", 1.0), "year": ("duration", 12.0),
}
_QUANTITY_RE = re.compile(r"(?<![0-9a-z])(\d+(?:\.\d+)?|a|an) ([a-z]+)")


@dataclass(frozen=True)
class Finding:
    check: str
    file: str
    row: int
    message: str
    subject: str = ""
    key: str = ""
    allowed: str = ""

    def line(self) -> str:
        where = f"{self.file}:{self.row}" if self.row else self.file
        reason = f"  [allowed: {self.allowed}]" if self.allowed else ""
        return f"{where}: {self.check}: {self.message}{reason}"


@dataclass
class AuditReport:
    qa: str
    docs: str
    rows: int
    documents: int
    findings: list[Finding] = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    @property
    def open_findings(self) -> list[Finding]:
        return [f for f in self.findings if not f.allowed]

    @property
    def clean(self) -> bool:
        return not self.open_findings

    def counts(self) -> dict[str, dict[str, int]]:
        out = {name: {"open": 0, "allowed": 0} for name in CHECKS}
        for f in self.findings:
            out[f.check]["allowed" if f.allowed else "open"] += 1
        return out

    def to_dict(self) -> dict:
        return {
            "qa": self.qa,
            "docs": self.docs,
            "rows": self.rows,
            "documents": self.documents,
            "clean": self.clean,
            "checks": CHECKS,
            "counts": self.counts(),
            "stats": self.stats,
            "findings": [asdict(f) for f in self.findings],
        }

    def format_text(self, show_allowed: bool = False, limit: int | None = None) -> str:
        lines = [f"audit of {self.qa} ({self.rows} rows) against {self.docs} ({self.documents} documents)"]
        for name, c in self.counts().items():
            lines.append(f"  {name:18s} {c['open']:4d} open {c['allowed']:4d} allowed   ({CHECKS[name]})")
        for k, v in self.stats.items():
            lines.append(f"  {k}: {v}")
        shown = [f for f in self.findings if show_allowed or not f.allowed]
        for f in shown[:limit] if limit is not None else shown:
            lines.append(f.line())
        if limit is not None and len(shown) > limit:
            lines.append(f"... and {len(shown) - limit} more (run: hcmqa data audit)")
        n_open, n_allowed = len(self.open_findings), len(self.findings) - len(self.open_findings)
        lines.append("clean" if self.clean else f"{n_open} finding(s) to fix")
        if n_allowed:
            lines.append(f"{n_allowed} allow-listed finding(s), each with its reason in the allow-list")
        return "\n".join(lines)


# --- question and key classification ---------------------------------------------------


def is_time_question(question: str) -> bool:
    """Whether the question asks when (a "why" question never does, even about a date)."""
    text = fold(question)
    return not text.startswith("why") and _TIME_QUESTION_RE.search(text) is not None


def is_date_key(key: str) -> bool:
    text = canonical_text(key)
    return bool(
        _YEAR_RE.search(text) or _MONTH_RE.search(text) or _WEEKDAY_RE.search(text) or _CLOCK_RE.search(text) or _DURATION_RE.search(text)
    )


def lacks_date_key(pair: QAPair) -> bool:
    """A time question whose keys hold no date (for "how old"/"how many" a bare number will do)."""
    if not pair.key_facts or not is_time_question(pair.question):
        return False
    if _COUNT_QUESTION_RE.search(fold(pair.question)) and any(canonical_text(k).isdigit() for k in pair.key_facts):
        return False
    return not any(is_date_key(k) for k in pair.key_facts)


def years_in(text: str) -> set[int]:
    """Years a text names; a decade ("1950s") names all ten of its years."""
    years: set[int] = set()
    for match in _YEAR_RE.finditer(canonical_text(text)):
        year = int(match.group(1))
        years.update(range(year, year + 10) if match.group(2) else (year,))
    return years


def content_words(text: str) -> set[str]:
    """Words that carry a question's meaning: question words and numbers kept, the subject's names as one."""
    words = _WORD_RE.findall(_subject_res()[0].sub(" thesubject ", canonical_text(text)))
    return {w for w in words if w not in _STOPWORDS}


# --- the audit -------------------------------------------------------------------------


def corpus_text(docs: list[Document]) -> str:
    return "\n".join(p for d in docs for s in d.sections for p in [s.title, *s.paragraphs])


def facts_found_in_corpus(pairs: list[QAPair], corpus: str, aliases: AliasTable | None = None) -> set[str]:
    """Fact ids with at least one question whose key facts all occur in the corpus."""
    return {p.fact_id for p in pairs if p.fact_id and p.key_facts and all(contains_fact(corpus, f, aliases=aliases) for f in p.key_facts)}


def audit_dataset(
    docs_dir: Path,
    qa_csv: Path,
    allow_csv: Path | None = DEFAULT_ALLOW,
    aliases: AliasTable | None = None,
    unseen_fraction: float = 0.15,
    seed: str = "hcmqa-v1",
) -> AuditReport:
    """Load and audit a corpus folder and a QA CSV (raises the loaders' errors on malformed input)."""
    docs = load_documents(docs_dir)
    pairs = load_qa_csv(qa_csv)
    return audit_pairs(pairs, docs, str(qa_csv), str(docs_dir), allow_csv, aliases, unseen_fraction, seed)


def audit_pairs(
    pairs: list[QAPair],
    docs: list[Document],
    qa_name: str = "qa.csv",
    docs_name: str = "corpus",
    allow_csv: Path | None = DEFAULT_ALLOW,
    aliases: AliasTable | None = None,
    unseen_fraction: float = 0.15,
    seed: str = "hcmqa-v1",
) -> AuditReport:
    aliases = bundled_aliases() if aliases is None else aliases
    corpus = corpus_text(docs)
    findings = _row_findings(pairs, corpus, qa_name, aliases)
    findings += _number_conflicts(docs)
    findings += _split_duplicates(pairs, corpus, qa_name, aliases, unseen_fraction, seed)
    allow = load_allow_list(allow_csv) if allow_csv is not None and Path(allow_csv).is_file() else {}
    findings = _apply_allow_list(findings, allow, str(allow_csv))
    time_rows = [p for p in pairs if is_time_question(p.question)]
    stats = {
        "time questions": len(time_rows),
        "time questions without a date key": sum(1 for p in time_rows if lacks_date_key(p)),
        "non-time questions requiring an unasked year": len({f.row for f in findings if f.check == "unasked-year"}),
        "rows without key facts": sum(1 for p in pairs if not p.key_facts),
        "corpus words": sum(d.word_count for d in docs),
    }
    return AuditReport(qa_name, docs_name, len(pairs), len(docs), findings, stats)


def _row_findings(pairs: list[QAPair], corpus: str, qa_name: str, aliases: AliasTable) -> list[Finding]:
    findings: list[Finding] = []
    by_fact: dict[str, set[str]] = defaultdict(set)
    for p in pairs:
        by_fact[p.fact_id or f"q:{question_key(p.question)}"].add(p.answer)
    # All answers in one text, so that "which facts' answers meet this key" is one search per key.
    facts, starts, parts, offset = [], [], [], 0
    for fact_id, answers in by_fact.items():
        text = canonical_text(" | ".join(sorted(answers))) + " \n "
        facts.append(fact_id)
        starts.append(offset)
        parts.append(text)
        offset += len(text)
    all_answers = "".join(parts)
    n_facts = len(facts)
    frequent_cache: dict[str, set[str]] = {}

    def facts_meeting(key: str) -> set[str]:
        if key not in frequent_cache:
            found = find_fact(all_answers, key, aliases)
            frequent_cache[key] = {facts[bisect.bisect_right(starts, start) - 1] for start in found}
        return frequent_cache[key]

    for p in pairs:
        q = p.question
        fact = p.fact_id or f"q:{question_key(q)}"

        def add(check: str, message: str, key: str = "") -> None:
            findings.append(Finding(check, qa_name, p.row, message, q, key))

        time_q = is_time_question(q)
        for key in p.key_facts:
            if not contains_fact(p.answer, key, aliases=aliases):
                add("key-not-in-answer", f"key {key!r} is not in the row's answer: {q!r}", key)
            if not contains_fact(corpus, key, aliases=aliases):
                add("key-not-in-corpus", f"key {key!r} occurs in no document: {q!r}", key)
            missing = years_in(key) - years_in(q)
            if not time_q and missing and not _ASKS_TIME_RE.search(fold(q)):
                add("unasked-year", f"key {key!r} requires a year the question does not ask for: {q!r}", key)
            if not _YES_NO_RE.search(fold(q)) and contains_fact(q, key, aliases=aliases):
                add("weak-key", f"key {key!r} is already in the question, so an answer that repeats the question meets it: {q!r}", key)
            others = facts_meeting(key) - {fact}
            if len(others) > max(5, n_facts // 20) and not (time_q and is_date_key(key)):
                add("weak-key", f"key {key!r} is met by the answers of {len(others)} other facts: {q!r}", key)
            folded = canonical_text(key)
            if folded in _COMMON_KEYS or (folded.isdigit() and int(folded) < 100 and not _COUNT_QUESTION_RE.search(fold(q))):
                add("weak-key", f"key {key!r} is a very common word or small number: {q!r}", key)
        if lacks_date_key(p):
            add("time-without-date", f"time question without a date key ({'|'.join(p.key_facts)}): {q!r}")
    return findings


def _sentences(docs: list[Document]):
    for d in docs:
        name = Path(d.path).name
        for s in d.sections:
            for para in s.paragraphs:
                for sent in re.split(r"(?<=[.;:!?])\s+(?=[A-Z\"(])", para):
                    yield name, s.title, sent


def _quantities(sentence: str) -> set[tuple[str, float]]:
    text = canonical_text(sentence)
    out = set()
    for match in _QUANTITY_RE.finditer(text):
        number, unit = match.groups()
        value = 1.0 if number in ("a", "an") else float(number)
        if unit.endswith("s") and not unit.endswith("ss"):
            unit = unit[:-1]
        if 1700 <= value <= 2100 or _MONTH_RE.fullmatch(unit) or unit in ("st", "nd", "rd", "th"):
            continue
        if unit in _UNIT_WORDS:
            kind, factor = _UNIT_WORDS[unit]
            out.add((kind, round(value * factor, 2)))
        elif number not in ("a", "an") and unit not in _STOPWORDS:
            out.add((unit, value))
    return out


def _number_conflicts(docs: list[Document]) -> list[Finding]:
    sentences = [(name, title, sent, content_words(sent), _quantities(sent)) for name, title, sent in _sentences(docs)]
    df = Counter(w for *_, words, _ in sentences for w in words)
    rare_limit = max(3, len(sentences) // 25)
    findings, seen = [], set()
    by_unit: dict[str, list[int]] = defaultdict(list)
    for i, (*_, quantities) in enumerate(sentences):
        for unit, _ in quantities:
            by_unit[unit].append(i)
    for unit, idx in by_unit.items():
        for i, j in itertools.combinations(sorted(set(idx)), 2):
            a, b = sentences[i], sentences[j]
            if a[0] == b[0]:
                continue
            shared = {w for w in a[3] & b[3] if df[w] <= rare_limit}
            if len(shared) < 4:
                continue
            va = {v for u, v in a[4] if u == unit}
            vb = {v for u, v in b[4] if u == unit}
            if va & vb or not va or not vb:
                continue
            subject = f"{a[0]}|{b[0]}:{unit}:{'/'.join(sorted(map(_num, va)))}~{'/'.join(sorted(map(_num, vb)))}"
            if subject in seen:
                continue
            seen.add(subject)
            message = (
                f"{unit} {sorted(map(_num, va))} in {a[0]} ({a[1]}) but {sorted(map(_num, vb))} in {b[0]} ({b[1]}); "
                f"shared words: {', '.join(sorted(shared)[:6])}: {a[2][:90]!r} / {b[2][:90]!r} [subject {subject}]"
            )
            findings.append(Finding("number-conflict", a[0], 0, message, subject))
    return findings


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _split_duplicates(pairs, corpus, qa_name, aliases, unseen_fraction, seed) -> list[Finding]:
    eligible = facts_found_in_corpus(pairs, corpus, aliases)
    split_pairs = assign_splits(pairs, unseen_fraction=unseen_fraction, seed=seed, eligible_unseen=eligible)
    trained = [p for p in split_pairs if p.split in ("train", "val")]
    tokens = [_question_tokens(p.question) for p in trained]
    index: dict[str, list[int]] = defaultdict(list)
    for i, toks in enumerate(tokens):
        for w in set(toks):
            index[w].append(i)
    findings = []
    for p in split_pairs:
        if p.split not in ("test_paraphrase", "test_unseen"):
            continue
        mine = _question_tokens(p.question)
        if not mine:
            continue
        candidates = Counter(i for w in set(mine) for i in index.get(w, ()))
        for i, shared in candidates.items():
            other = trained[i]
            if other.fact_id == p.fact_id or shared < 0.6 * len(set(mine)):
                continue
            if difflib.SequenceMatcher(None, mine, tokens[i]).ratio() < 0.75:
                continue
            # Similar wording is a leak only when training on the other row teaches this answer.
            if p.key_facts and all(contains_fact(other.answer, k, aliases=aliases) for k in p.key_facts):
                findings.append(
                    Finding(
                        "split-duplicate",
                        qa_name,
                        p.row,
                        f"{p.split} question {p.question!r} ({p.fact_id}) is nearly the same as {other.split} row {other.row} "
                        f"{other.question!r} ({other.fact_id}), whose answer already holds this row's key facts",
                        p.question,
                    )
                )
    return findings


_FILLER = frozenset("a an the did does do was were is are of to in on at his her its".split())


def _question_tokens(question: str) -> list[str]:
    """A question's words without fillers, with forms of address for the subject made its name (not when the name itself is asked about)."""
    text = _subject_res()[1].sub(canonical_text(default_subject()), canonical_text(question))
    return [w for w in _WORD_RE.findall(text) if w not in _FILLER]


def default_subject() -> str:
    from hcmqa.topic import default_topic

    return default_topic().subject


# --- allow-list ------------------------------------------------------------------------


def load_allow_list(path: Path) -> dict[tuple[str, str, str], tuple[str, int]]:
    """``(check, subject key, folded key) -> (reason, line)``; every entry needs a reason."""
    data = read_csv_rows(Path(path), ("check", "subject", "reason"), ("key",))
    problems = list(data.problems)
    out = {}
    for line, row in data.rows:
        if row.get("check") not in CHECKS:
            problems.append(f"{path}:{line}: unknown check {row.get('check')!r} (use one of {', '.join(CHECKS)})")
        elif not row.get("reason"):
            problems.append(f"{path}:{line}: an allow-list entry needs a reason")
        else:
            out[(row["check"], question_key(row["subject"]), fold(row.get("key", "")))] = (row["reason"], line)
    if problems:
        raise ValueError("\n".join(problems))
    return out


def _apply_allow_list(findings: list[Finding], allow: dict, allow_name: str) -> list[Finding]:
    used = set()
    out = []
    for f in findings:
        entry = (f.check, question_key(f.subject), fold(f.key))
        hit = allow.get(entry) or allow.get((f.check, question_key(f.subject), ""))
        if hit:
            used.add(entry if entry in allow else (f.check, question_key(f.subject), ""))
            f = Finding(f.check, f.file, f.row, f.message, f.subject, f.key, hit[0])
        out.append(f)
    for entry, (reason, line) in allow.items():
        if entry not in used:
            out.append(Finding("allow-list-unused", allow_name, line, f"entry for {entry[0]} {entry[1]!r} matches no finding; remove it", entry[1]))
    return out
