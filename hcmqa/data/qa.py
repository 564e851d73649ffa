"""QA CSV loading, validation and deterministic splits.

A QA CSV has the columns ``question`` and ``answer`` and, optionally, ``key_facts``
(``|``-separated strings a correct answer must contain), ``fact_id`` (which fact a question
asks about: several differently worded questions share one) and ``split``.

Every problem is reported with its file and row, all at once, and nothing is written when
there is one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from hcmqa.text import question_key, split_key_facts

SPLITS = ("train", "val", "test_paraphrase", "test_unseen")
REQUIRED_QA_COLUMNS = ("question", "answer")
OPTIONAL_QA_COLUMNS = ("key_facts", "fact_id", "split")
MAX_QUESTION_CHARS = 500
# a CSV header with more columns than this is refused before any other check
MAX_COLUMNS = 200
MAX_ANSWER_CHARS = 2000


class ValidationError(ValueError):
    """Input data is malformed. ``problems`` lists one ``file:row: message`` line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:50]
        more = f"\n... and {len(problems) - 50} more problems" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) found:\n" + "\n".join(shown) + more)


@dataclass(frozen=True)
class QAPair:
    question: str
    answer: str
    key_facts: tuple[str, ...] = ()
    fact_id: str = ""
    split: str = ""
    row: int = 0

    def as_row(self) -> dict[str, str]:
        return {
            "question": self.question,
            "answer": self.answer,
            "key_facts": "|".join(self.key_facts),
            "fact_id": self.fact_id,
            "split": self.split,
        }


@dataclass
class CsvRows:
    """Rows of a CSV with their 1-based line numbers, or the problems met reading it."""

    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_csv_rows(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> CsvRows:
    """Read a UTF-8 CSV strictly: encoding, header and field counts are all checked."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return CsvRows(problems=[f"{path}: cannot read file ({exc.strerror})"])
    return parse_csv_rows(raw, str(path), required, optional)


def parse_csv_rows(raw: bytes, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> CsvRows:
    """:func:`read_csv_rows` for bytes already read (an upload); ``path`` names them in problems."""
    out = CsvRows()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        out.problems.append(f"{path}:{line}: not valid UTF-8 (byte {exc.start}); save the file as UTF-8")
        return out
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        out.problems.append(f"{path}:1: unreadable header ({exc})")
        return out
    if not header:
        out.problems.append(f"{path}: file is empty; expected a header with columns {', '.join(required)}")
        return out
    if len(header) > MAX_COLUMNS:
        out.problems.append(f"{path}:1: {len(header)} columns; at most {MAX_COLUMNS} (expected {', '.join(required)})")
        return out
    header = [h.strip().lower() for h in header]
    out.header = header
    missing = [c for c in required if c not in header]
    if missing:
        out.problems.append(f"{path}:1: missing required column(s) {', '.join(missing)}; found {', '.join(header) or 'none'}")
        return out
    dupes = sorted(h for h, n in Counter(header).items() if n > 1)  # one pass: headers can be huge
    if dupes:
        out.problems.append(f"{path}:1: duplicate column(s) {', '.join(dupes)}")
        return out
    known = set(required) | set(optional)
    line = reader.line_num
    while True:
        start = line + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            out.problems.append(f"{path}:{start}: malformed CSV ({exc})")
            break
        line = reader.line_num
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) != len(header):
            out.problems.append(f"{path}:{start}: expected {len(header)} fields, found {len(values)}")
            continue
        with_nul = [h for h, v in zip(header, values) if "\x00" in v]
        if with_nul:
            out.problems.append(f"{path}:{start}: NUL byte in column(s) {', '.join(with_nul)}")
            continue
        row = {h: v.strip() for h, v in zip(header, values) if h in known}
        out.rows.append((start, row))
    return out


def load_qa_csv(path: Path, require_key_facts: bool = False) -> list[QAPair]:
    """Load and validate a QA CSV; raises :class:`ValidationError` listing every problem."""
    required = REQUIRED_QA_COLUMNS + (("key_facts",) if require_key_facts else ())
    data = read_csv_rows(path, required, OPTIONAL_QA_COLUMNS)
    problems = list(data.problems)
    pairs: list[QAPair] = []
    first_seen: dict[str, int] = {}
    for line, row in data.rows:
        question, answer = row.get("question", ""), row.get("answer", "")
        row_problems = []
        if not question:
            row_problems.append("empty question")
        elif len(question) > MAX_QUESTION_CHARS:
            row_problems.append(f"question longer than {MAX_QUESTION_CHARS} characters")
        if not answer:
            row_problems.append("empty answer")
        elif len(answer) > MAX_ANSWER_CHARS:
            row_problems.append(f"answer longer than {MAX_ANSWER_CHARS} characters")
        facts = tuple(split_key_facts(row.get("key_facts")))
        if require_key_facts and not facts:
            row_problems.append("empty key_facts")
        split = row.get("split", "")
        if split and split not in SPLITS:
            row_problems.append(f"unknown split {split!r} (use one of {', '.join(SPLITS)})")
        if question:
            key = question_key(question)
            if key in first_seen:
                row_problems.append(f"duplicate question (same as row {first_seen[key]})")
            else:
                first_seen[key] = line
        problems.extend(f"{path}:{line}: {p}" for p in row_problems)
        if not row_problems:
            pairs.append(QAPair(question, answer, facts, row.get("fact_id", ""), split, line))
    if not pairs and not problems:
        problems.append(f"{path}: no QA rows found")
    if any(p.split for p in pairs):
        problems.extend(leakage_problems(pairs, str(path)))
    if problems:
        raise ValidationError(sorted(problems, key=_row_of))
    return pairs


def _row_of(problem: str) -> int:
    """Row number inside a ``file:row: message`` problem (0 when it names no row)."""
    match = re.search(r":(\d+): ", problem)
    return int(match.group(1)) if match else 0


def leakage_problems(pairs: list[QAPair], source: str = "dataset") -> list[str]:
    """Problems that make a test split leak into training.

    - the same question (case/accents/punctuation ignored) in two splits;
    - a fact of ``test_unseen`` that also has a question in ``train`` or ``val``.
    """
    problems = []
    where: dict[str, QAPair] = {}
    for pair in pairs:
        key = question_key(pair.question)
        other = where.get(key)
        if other is not None and other.split != pair.split:
            problems.append(f"{source}:{pair.row}: question also in split {other.split!r} (row {other.row}): leakage between splits")
        where.setdefault(key, pair)
    trained = {p.fact_id for p in pairs if p.split in ("train", "val") and p.fact_id}
    for pair in pairs:
        if pair.split == "test_unseen" and pair.fact_id in trained:
            problems.append(f"{source}:{pair.row}: fact {pair.fact_id!r} is in test_unseen but also has train/val questions")
    return problems


def unit_hash(*parts: str) -> float:
    """A deterministic number in [0, 1) from strings: the basis of every reproducible split."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign_splits(
    pairs: list[QAPair],
    unseen_fraction: float = 0.15,
    seed: str = "hcmqa-v1",
    eligible_unseen: set[str] | None = None,
) -> list[QAPair]:
    """Deterministic splits that depend only on the data and ``seed``.

    Facts (by ``fact_id``; a question without one is its own fact) are held out whole for
    ``test_unseen`` with probability ``unseen_fraction``, restricted to ``eligible_unseen`` when
    given (facts the corpus can answer). For every other fact, its questions ordered by hash go
    one to ``test_paraphrase`` (if the fact has 3+ questions), one to ``val`` (if 4+), the rest
    to ``train``: paraphrase tests ask about facts seen in training, in new words.
    Rows that already carry a split keep it.
    """
    if any(p.split for p in pairs):
        return pairs
    by_fact: dict[str, list[QAPair]] = defaultdict(list)
    for pair in pairs:
        by_fact[pair.fact_id or f"q:{question_key(pair.question)}"].append(pair)
    result: list[QAPair] = []
    for fact, group in sorted(by_fact.items()):
        ordered = sorted(group, key=lambda p: unit_hash(seed, "q", p.question))
        unseen_ok = eligible_unseen is None or fact in eligible_unseen
        if unseen_ok and len(group) >= 2 and unit_hash(seed, "fact", fact) < unseen_fraction:
            result.extend(replace(p, split="test_unseen") for p in ordered)
            continue
        for i, pair in enumerate(ordered):
            if i == 0 and len(group) >= 3:
                split = "test_paraphrase"
            elif i == 1 and len(group) >= 4:
                split = "val"
            else:
                split = "train"
            result.append(replace(pair, split=split))
    result.sort(key=lambda p: p.row)
    problems = leakage_problems(result)
    if problems:  # cannot happen by construction; fail loudly if it ever does
        raise ValidationError(problems)
    return result


def write_qa_csv(pairs: list[QAPair], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["question", "answer", "key_facts", "fact_id", "split"])
        writer.writeheader()
        for pair in pairs:
            writer.writerow(pair.as_row())


def read_split(dataset_dir: Path, split: str) -> list[QAPair]:
    """Pairs of one split from a built dataset directory."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; use one of {', '.join(SPLITS)}")
    return [p for p in load_qa_csv(dataset_dir / "qa.csv") if p.split == split]


UNANSWERABLE_FILE = "unanswerable-dev.csv"


def load_unanswerable_csv(path: Path) -> list[str]:
    """On-topic questions the documents cannot answer (column ``question``, optional ``kind``
    and ``note``), validated like QA rows; they teach the answer path when to decline."""
    return load_offtopic_csv(path, optional=("kind", "note"))


def read_unanswerable(dataset_dir: Path) -> list[str]:
    """The unanswerable development questions of a built dataset (none when it has no file)."""
    path = Path(dataset_dir) / UNANSWERABLE_FILE
    return load_unanswerable_csv(path) if path.is_file() else []


def load_offtopic_csv(path: Path, optional: tuple[str, ...] = ("category",)) -> list[str]:
    """Off-topic questions (column ``question``, optional ``category``), validated like QA rows."""
    data = read_csv_rows(path, ("question",), optional)
    problems = list(data.problems)
    questions, first_seen = [], {}
    for line, row in data.rows:
        question = row.get("question", "")
        if not question:
            problems.append(f"{path}:{line}: empty question")
            continue
        key = question_key(question)
        if key in first_seen:
            problems.append(f"{path}:{line}: duplicate question (same as row {first_seen[key]})")
            continue
        first_seen[key] = line
        questions.append(question)
    if problems:
        raise ValidationError(problems)
    return questions
