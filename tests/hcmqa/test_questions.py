"""Question lists: one set of rules for text and CSV, every problem named by file and row."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hcmqa.data.qa import MAX_QUESTION_CHARS, ValidationError
from hcmqa.questions import parse_questions, read_questions


def problems(data: bytes, source: str, **options) -> list[str]:
    with pytest.raises(ValidationError) as info:
        parse_questions(data, source, **options)
    assert isinstance(info.value, ValueError)
    return info.value.problems


def test_text_is_one_question_per_line_stripped_without_blanks():
    data = "\ufeffWhen was he born?\r\n\n   \n  Where did he live?  \n".encode()
    assert parse_questions(data, "list.txt") == ["When was he born?", "Where did he live?"]
    assert parse_questions(b"Who?\n", "<stdin>") == ["Who?"]  # any name but .csv is text


def test_csv_takes_the_question_column_and_skips_blank_rows():
    data = b'id,Question ,notes\n1,"Who, exactly?",x\n\n,,\n2,  Why?  ,\n'
    assert parse_questions(data, "faq.CSV") == ["Who, exactly?", "Why?"]


def test_a_csv_without_a_question_header_is_refused_at_row_one():
    assert problems(b"When was he born?\nWhere?\n", "bare.csv") == ["bare.csv:1: missing required column(s) question; found when was he born?"]
    assert problems(b"", "empty.csv") == ["empty.csv: file is empty; expected a header with columns question"]


def test_row_problems_are_all_reported_with_their_rows():
    long = "Q" * (MAX_QUESTION_CHARS + 1)
    data = f"question,category\nWhen was he born?,a\n,b\nWHEN was he born\u00a0?,c\n{long},d\n".encode()
    assert problems(data, "faq.csv") == [
        "faq.csv:3: empty question",
        "faq.csv:4: duplicate question (same as row 2)",
        f"faq.csv:5: question longer than {MAX_QUESTION_CHARS} characters",
    ]
    assert problems(b"Who?\n\nwho\nWho\x00?\n", "faq.txt") == [
        "faq.txt:3: duplicate question (same as row 1)",
        "faq.txt:4: NUL byte in the question",
    ]


def test_broken_files_name_the_row():
    assert problems(b"Who?\n\xff\n", "faq.txt") == ["faq.txt:2: not valid UTF-8 (byte 5); save the file as UTF-8"]
    assert problems(b"question,a\nWho?,x,extra\n", "faq.csv") == ["faq.csv:2: expected 2 fields, found 3"]
    assert problems(b"question\nWho\x00?\n", "faq.csv") == ["faq.csv:2: NUL byte in column(s) question"]


def test_empty_and_overlong_lists_are_refused():
    assert problems(b"\n \n", "empty.txt") == ["empty.txt: no questions found"]
    assert problems(b"question\n", "header-only.csv") == ["header-only.csv: no questions found"]
    assert parse_questions(b"A?\nB?\n", "two.txt", max_count=2) == ["A?", "B?"]
    assert problems(b"A?\nB?\nC?\n", "three.txt", max_count=2) == ["three.txt: 3 questions; at most 2 per batch, split the file"]


def test_read_questions_from_a_path(tmp_path):
    listed = tmp_path / "q.csv"
    listed.write_text("question\nWho?\n", encoding="utf-8")
    assert read_questions(listed) == read_questions(str(listed)) == ["Who?"]
    with pytest.raises(FileNotFoundError, match="missing.txt: file not found"):
        read_questions(tmp_path / "missing.txt")
    listed.write_text("question\nWho?\nwho\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        read_questions(listed)
    assert info.value.problems == [f"{listed}:3: duplicate question (same as row 2)"]


def test_the_reader_imports_nothing_heavy():
    """The web app parses uploads with it: no ML stack may come along."""
    code = (
        "import sys, hcmqa.questions; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers', 'sklearn', 'numpy', 'nltk')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
