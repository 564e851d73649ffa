"""Uploaded question lists -> questions, and the error every rejected upload raises.

Every problem of an upload is reported at once, one ``file:row: message`` sentence each,
naming the file as the user uploaded it. Dataset uploads are saved by
:mod:`webadmin.dataset_uploads` and validated and built by a worker (``worker.ingest_job``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from werkzeug.datastructures import FileStorage

from hcmqa.data.qa import ValidationError
from hcmqa.questions import parse_questions
from webadmin.submissions import MAX_FAQ_QUESTIONS

QUESTION_LIST_SUFFIXES = (".csv", ".txt")


class UploadRejected(ValueError):
    """The upload is invalid; ``problems`` lists one ``file:row: message`` sentence per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the upload")


def parse_question_list(storage: Optional[FileStorage]) -> list[str]:
    """Questions from an uploaded ``.csv`` (a ``question`` column) or ``.txt`` (one per line).

    The rules are :mod:`hcmqa.questions`' (the CLI's too); raises :class:`UploadRejected`
    naming the file and row of every problem, and refuses more than ``MAX_FAQ_QUESTIONS``.
    """
    if storage is None or not storage.filename:
        raise UploadRejected(["questions: choose a .csv file with a 'question' column or a .txt file with one question per line"])
    original = storage.filename
    suffix = Path(original).suffix.lower()
    if suffix not in QUESTION_LIST_SUFFIXES:
        raise UploadRejected([f"{original}: unsupported file type {suffix or '(none)'!r}; upload a .csv or .txt file"])
    try:
        return parse_questions(storage.read(), original, max_count=MAX_FAQ_QUESTIONS)
    except ValidationError as exc:
        raise UploadRejected(exc.problems) from None
