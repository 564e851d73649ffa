"""CSV exports: a formula after any field separator is neutralised and its cell quoted.

``harmless ;=1+2`` is one harmless cell where ``,`` separates fields, but two cells -- the
second a formula -- where a spreadsheet splits on ``;`` (many European locales). The checks
read the raw download, as a spreadsheet would, not just a parsed row.
"""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from db.jobs import record_metric_points
from db.models import Answer, FaqBatch, JobStatus
from web_support import csrf_token, post_form

FORMULAS_AFTER_A_SEPARATOR = ["harmless ;=1+2", "a,=b", "x\t=y", "see| @SUM(A1)", "1990; +49 30 1234"]


def _quoted_and_neutralised(text: str, cell: str) -> bool:
    return '"' + "'" + cell + '"' in text


@pytest.mark.services
def test_faq_answers_csv_quotes_and_neutralises_formulas_after_a_separator(signed_in, db_session, redis_queues):
    upload = "question\n" + "".join(f'"{q}"\n' for q in FORMULAS_AFTER_A_SEPARATOR if "\t" not in q)
    response = post_form(signed_in, "/faq/", {"name": "Probe", "trial_id": "base",
                                              "questions": (io.BytesIO(upload.encode()), "probe.csv")},
                         token_from="/faq/", content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    batch = db_session.scalar(select(FaqBatch).where(FaqBatch.name == "Probe"))
    # what a worker stores: an answer holding a tab-separated formula, sources with a formula
    for answer in batch.answers:
        answer.answer, answer.related, answer.sources = "x\t=y", True, ["a;=cmd|' /C calc'!A0"]
    batch.status, batch.done = JobStatus.succeeded, batch.total
    db_session.commit()

    text = signed_in.get(f"/faq/{batch.id}/answers.csv").get_data(as_text=True)
    for cell in FORMULAS_AFTER_A_SEPARATOR:
        assert _quoted_and_neutralised(text, cell), cell
    assert _quoted_and_neutralised(text, "a;=cmd|' /C calc'!A0")
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[1] for row in rows[1:]] == ["'" + q for q in FORMULAS_AFTER_A_SEPARATOR if "\t" not in q]
    # only the download is neutralised: the page shows each question as it was asked
    assert "'harmless" not in signed_in.get(f"/faq/{batch.id}").get_data(as_text=True)


@pytest.mark.services
def test_metrics_csv_quotes_and_neutralises_a_trial_named_with_a_formula(signed_in, db_session, redis_queues):
    response = signed_in.post("/api/trials", json={"config": {"name": "harmless ;=1+2"}},
                              headers={"X-CSRFToken": csrf_token(signed_in, "/")})
    assert response.status_code == 201, response.get_data(as_text=True)
    trial_id = response.get_json()["trial_id"]
    record_metric_points(db_session, trial_id, [(1, "val", "a,=b", 0.5)])
    for path in (f"/trials/{trial_id}/metrics.csv", f"/compare/metrics.csv?ids={trial_id}"):
        text = signed_in.get(path).get_data(as_text=True)
        assert _quoted_and_neutralised(text, "harmless ;=1+2"), path
        assert _quoted_and_neutralised(text, "a,=b"), path
        assert text.splitlines()[1].endswith(",1,0.5")  # numbers stay plain numbers


def test_cells_starting_with_a_formula_prefix_stay_neutralised(signed_in, db_session):
    batch = FaqBatch(name="starts", status=JobStatus.succeeded, total=1, done=1)
    batch.answers = [Answer(position=0, question="=1+2", answer="+cmd", related=True, sources=["-x", "@y"])]
    db_session.add(batch)
    db_session.commit()
    text = signed_in.get(f"/faq/{batch.id}/answers.csv").get_data(as_text=True)
    assert _quoted_and_neutralised(text, "=1+2") and _quoted_and_neutralised(text, "+cmd")
    assert _quoted_and_neutralised(text, "-x; @y")
