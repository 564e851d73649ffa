"""Question lists: the one reader behind ``hcmqa answer``, ``hcmqa gate classify`` and the web
app's FAQ upload, so a list accepted by one is accepted by all.

The rules:

- A file whose name ends in ``.csv`` is a CSV with a header row holding a ``question`` column;
  other columns are ignored. A CSV without that header is refused at row 1, naming the columns
  it found: a list of bare questions belongs in a text file. (Taking the first column instead
  would turn a misspelt header such as ``query`` into a question.)
- Any other name is text: one question per line.
- Files are UTF-8 (a byte-order mark is fine). Questions are stripped; blank lines and CSV
  rows with no values are skipped.
- A CSV row with other values but no question, a question over ``MAX_QUESTION_CHARS``
  characters, a NUL byte, a duplicate (the same question ignoring case, accents and
  punctuation; the first one's row is named), an empty list and a list over ``max_count``
  questions are refused.

Every problem is reported at once in one :class:`~hcmqa.data.qa.ValidationError` (a
``ValueError``) whose ``problems`` read ``file:row: message``. Plain on purpose (the standard
library and the text rules of ``hcmqa``): the web app imports it.
"""

from __future__ import annotations

from pathlib import Path

from hcmqa.data.qa import MAX_QUESTION_CHARS, ValidationError, parse_csv_rows
from hcmqa.text import question_key

QUESTION_COLUMN = "question"


def read_questions(path: Path | str, max_count: int | None = None) -> list[str]:
    """The questions of the file at ``path`` (see the module docstring for the rules)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found")
    return parse_questions(path.read_bytes(), str(path), max_count=max_count)


def parse_questions(data: bytes, source: str, max_count: int | None = None) -> list[str]:
    """The questions in ``data``, read from a file named ``source`` (its suffix picks CSV or
    text; problems are named ``source:row``). ``max_count``: the most questions accepted."""
    rows = _csv_rows(data, source) if Path(source).suffix.lower() == ".csv" else _text_rows(data, source)
    return _checked(source, rows, max_count)


def _csv_rows(data: bytes, source: str) -> list[tuple[int, str]]:
    parsed = parse_csv_rows(data, source, (QUESTION_COLUMN,))
    if parsed.problems:
        # The rows of a file with a broken structure are not worth checking one by one.
        raise ValidationError(parsed.problems)
    return [(line, row.get(QUESTION_COLUMN, "")) for line, row in parsed.rows]


def _text_rows(data: bytes, source: str) -> list[tuple[int, str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationError([f"{source}:{line}: not valid UTF-8 (byte {exc.start}); save the file as UTF-8"]) from None
    return [(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]


def _checked(source: str, rows: list[tuple[int, str]], max_count: int | None) -> list[str]:
    problems: list[str] = []
    first_seen: dict[str, int] = {}
    for line, question in rows:
        if not question:
            problems.append(f"{source}:{line}: empty question")
        elif "\x00" in question:
            problems.append(f"{source}:{line}: NUL byte in the question")
        elif len(question) > MAX_QUESTION_CHARS:
            problems.append(f"{source}:{line}: question longer than {MAX_QUESTION_CHARS} characters")
        else:
            key = question_key(question)
            if key in first_seen:
                problems.append(f"{source}:{line}: duplicate question (same as row {first_seen[key]})")
            else:
                first_seen[key] = line
    if not rows:
        problems.append(f"{source}: no questions found")
    if max_count is not None and len(rows) > max_count:
        problems.append(f"{source}: {len(rows)} questions; at most {max_count} per batch, split the file")
    if problems:
        raise ValidationError(problems)
    return [question for _, question in rows]
