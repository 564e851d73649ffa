"""FAQ blueprint: question-list uploads, the answer job on the real broker, the answers table and CSV."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from db.models import Answer, AnswerPath, FaqBatch, Job, JobKind, JobStatus
from web_support import html, post_form, seed_trial


def _submit(client, content: bytes, filename: str, *, name="Visitor FAQ", trial_id="base"):
    data = {"name": name, "trial_id": trial_id, "questions": (io.BytesIO(content), filename)}
    return post_form(client, "/faq/", data, token_from="/faq/", content_type="multipart/form-data")


def _problems(response) -> list[str]:
    return [li.get_text() for li in html(response).find(attrs={"data-problems": True}).find_all("li")]


@pytest.mark.services
def test_csv_question_list_becomes_a_queued_batch(signed_in, db_session, redis_queues):
    trial_id = seed_trial(db_session, "tuned")
    content = b"question,notes\nWhen was Ho Chi Minh born?,x\nWhere is Kim Lien?,\n"
    response = _submit(signed_in, content, "faq.csv", trial_id=str(trial_id))
    assert response.status_code == 302, response.get_data(as_text=True)
    batch = db_session.scalar(select(FaqBatch))
    assert response.headers["Location"] == f"/faq/{batch.id}"
    assert (batch.name, batch.trial_id, batch.total, batch.status) == ("Visitor FAQ", trial_id, 2, JobStatus.queued)
    assert [a.question for a in batch.answers] == ["When was Ho Chi Minh born?", "Where is Kim Lien?"]
    job = db_session.scalar(select(Job).where(Job.kind == JobKind.answer))
    assert job.batch_id == batch.id and job.payload == {}  # the worker reads the batch row
    assert [(m["task"], m["args"]) for m in redis_queues.messages("gpu")] == [("hcmqa.answer_batch", [job.id])]


@pytest.mark.services
def test_txt_question_list_for_the_base_model(signed_in, db_session, redis_queues):
    response = _submit(signed_in, "\ufeffWho was Ho Chi Minh?\n\n  What is pho?  \r\n".encode(), "list.txt")
    assert response.status_code == 302
    batch = db_session.scalar(select(FaqBatch))
    assert batch.trial_id is None
    assert [a.question for a in batch.answers] == ["Who was Ho Chi Minh?", "What is pho?"]
    job = db_session.scalar(select(Job))
    assert job.payload == {}  # the worker answers with its own base model
    assert len(redis_queues.messages("gpu")) == 1


def test_bad_csv_is_reported_by_row_and_nothing_is_stored(signed_in, db_session):
    content = b"question,category\nWhen was he born?,a\n,b\nWHEN was he born\xc2\xa0?,c\n" + b"Q" * 501 + b",d\n"
    response = _submit(signed_in, content, "faq.csv")
    assert response.status_code == 400
    assert _problems(response) == [
        "faq.csv:3: empty question",
        "faq.csv:4: duplicate question (same as row 2)",
        "faq.csv:5: question longer than 500 characters",
    ]
    assert db_session.scalar(select(func.count()).select_from(FaqBatch)) == 0
    assert db_session.scalar(select(func.count()).select_from(Job)) == 0


def test_csv_without_question_column(signed_in):
    response = _submit(signed_in, b"q\nWho?\n", "faq.csv")
    assert _problems(response) == ["faq.csv:1: missing required column(s) question; found q"]


def test_csv_with_ragged_rows_and_bad_encoding(signed_in):
    assert _problems(_submit(signed_in, b"question,a\nWho?,x,extra\n", "faq.csv")) == ["faq.csv:2: expected 2 fields, found 3"]
    assert "not valid UTF-8" in _problems(_submit(signed_in, b"Who?\n\xff\n", "faq.txt"))[0]


def test_wrong_file_type_empty_file_and_missing_name(signed_in):
    assert "unsupported file type '.xlsx'" in _problems(_submit(signed_in, b"x", "faq.xlsx"))[0]
    assert _problems(_submit(signed_in, b"\n \n", "empty.txt")) == ["empty.txt: no questions found"]
    assert _problems(_submit(signed_in, b"Who?\n", "a.txt", name=" ")) == ["name: give the batch a name"]
    reserved = _problems(_submit(signed_in, b"Who?\n", "a.txt", name="chat:abc"))
    assert reserved == ["name: names starting with 'chat:' are reserved for chat conversations"]


def test_unfinished_trial_cannot_answer(signed_in, db_session):
    trial_id = seed_trial(db_session, "still training", status="running")
    response = _submit(signed_in, b"Who?\n", "a.txt", trial_id=str(trial_id))
    assert response.status_code == 400
    assert f"trial_id: trial #{trial_id} is running; pick a trial that finished training" in _problems(response)[0]


def _answered_batch(db_session) -> int:
    """One answer per path, and one answered before paths were recorded (``answer_path`` NULL).

    One question was understood other than as asked (``resolved_question``); the rest as asked (NULL).
    """
    batch = FaqBatch(name="done", status=JobStatus.succeeded, total=5, done=5)
    batch.answers = [
        Answer(position=0, question="When was Ho Chi Minh born?", related=True, gate_score=0.93,
               answer="He was born on 19 May 1890.", latency_ms=812.0, answer_path=AnswerPath.generated,
               sources=[{"id": "p1", "title": "Ho Chi Minh", "section": "Early life", "text": "Born 1890."}]),
        Answer(position=1, question="=HYPERLINK(\"http://evil\",\"click\")", related=False, gate_score=0.04,
               answer="I can only answer questions about Ho Chi Minh's life.", latency_ms=3.0, sources=[],
               answer_path=AnswerPath.refused_off_topic),
        Answer(position=2, question="Where is the house?", related=True, gate_score=0.88,
               answer="-in Kim Lien", latency_ms=640.0, sources=["@doc-2"], answer_path=AnswerPath.extracted),
        Answer(position=3, question="What did he eat on 3 March 1931?", related=True, gate_score=0.81,
               answer="The sources do not say.", latency_ms=20.0, sources=[], answer_path=AnswerPath.refused_no_source,
               resolved_question="What did Ho Chi Minh eat on 3 March 1931?"),
        Answer(position=4, question="Best pho in town?", related=False, gate_score=0.02,
               answer="I can only answer questions about Ho Chi Minh's life.", latency_ms=2.0, sources=[]),
    ]
    db_session.add(batch)
    db_session.commit()
    return batch.id


def test_answers_table_shows_each_answers_path_and_lists_sources(signed_in, db_session):
    batch_id = _answered_batch(db_session)
    page = html(signed_in.get(f"/faq/{batch_id}"))
    rows = page.find("table", attrs={"data-answers": True}).tbody.find_all("tr")
    assert "19 May 1890" in rows[0].get_text() and "Ho Chi Minh \u203a Early life" in rows[0].get_text()
    badges = [row.find(attrs={"data-answer-path": True}) for row in rows]
    assert [(b["data-answer-path"], b.get_text()) for b in badges] == [
        ("generated", "generated"),
        ("refused_off_topic", "refused: off topic"),
        ("extracted", "quoted from source"),
        ("refused_no_source", "refused: not in sources"),
        ("refused_off_topic", "refused: off topic"),  # NULL path: told from the gate's decision
    ]
    assert ["refused" in row.get("class", []) for row in rows] == [False, True, False, True, True]
    assert "refused" not in rows[0].get_text() and "refused" not in rows[2].get_text()
    assert page.find(attrs={"data-watch-url": True}) is None  # finished: no polling
    # what a question was understood as, under it, only where it differs from the question asked
    understood = [row.find(attrs={"data-resolved-question": True}) for row in rows]
    assert [u.get_text() if u else None for u in understood] == [
        None, None, None, "understood as: What did Ho Chi Minh eat on 3 March 1931?", None]
    assert "muted" in understood[3]["class"]
    assert "understood as" not in page.find("table", attrs={"data-answers": True}).thead.get_text()


def test_initials_show_what_the_question_was_understood_as_on_the_page_and_in_the_csv(signed_in, db_session):
    batch = FaqBatch(name="initials", status=JobStatus.succeeded, total=2, done=2)
    batch.answers = [
        Answer(position=0, question="HCM birthday?", related=True, answer="19 May 1890.",
               answer_path=AnswerPath.generated, resolved_question="Ho Chi Minh birthday?"),
        # the same text as the question (the worker stores NULL then): shown and exported as nothing
        Answer(position=1, question="When was Ho Chi Minh born?", related=True, answer="In 1890.",
               answer_path=AnswerPath.generated, resolved_question="When was Ho Chi Minh born?"),
    ]
    db_session.add(batch)
    db_session.commit()
    rows = html(signed_in.get(f"/faq/{batch.id}")).find("table", attrs={"data-answers": True}).tbody.find_all("tr")
    first = rows[0].find_all("td")[1]
    assert first.get_text(" ", strip=True) == "HCM birthday? understood as: Ho Chi Minh birthday?"
    assert rows[1].find(attrs={"data-resolved-question": True}) is None
    table = list(csv.DictReader(io.StringIO(signed_in.get(f"/faq/{batch.id}/answers.csv").get_data(as_text=True))))
    assert [(r["question"], r["resolved_question"]) for r in table] == [
        ("HCM birthday?", "Ho Chi Minh birthday?"), ("When was Ho Chi Minh born?", "")]


def test_unanswered_and_unrecorded_paths_have_no_badge(signed_in, db_session):
    batch = FaqBatch(name="half", status=JobStatus.running, total=2, done=1)
    batch.answers = [Answer(position=0, question="Who was Ho Chi Minh?", related=True, answer="A revolutionary."),
                     Answer(position=1, question="Where is Kim Lien?")]
    db_session.add(batch)
    db_session.commit()
    rows = html(signed_in.get(f"/faq/{batch.id}")).find("table", attrs={"data-answers": True}).tbody.find_all("tr")
    assert [row.find(attrs={"data-answer-path": True}) for row in rows] == [None, None]
    assert "waiting" in rows[1].get_text()


def test_answers_csv_has_the_path_and_neutralises_formula_cells(signed_in, db_session):
    batch_id = _answered_batch(db_session)
    response = signed_in.get(f"/faq/{batch_id}/answers.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["position", "question", "related", "gate_score", "answer", "path", "sources", "latency_ms",
                       "resolved_question"]
    assert [row[8] for row in rows[1:]] == ["", "", "", "What did Ho Chi Minh eat on 3 March 1931?", ""]
    assert [row[5] for row in rows[1:]] == ["generated", "refused_off_topic", "extracted", "refused_no_source", ""]
    assert rows[1][:3] == ["1", "When was Ho Chi Minh born?", "True"] and rows[1][6] == "Ho Chi Minh \u203a Early life"
    assert rows[2][1] == "'=HYPERLINK(\"http://evil\",\"click\")" and rows[2][2] == "False"
    assert rows[3][4] == "'-in Kim Lien" and rows[3][6] == "'@doc-2"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_status_json_and_cancel_of_a_queued_batch(signed_in, db_session):
    batch = FaqBatch(name="waiting", status=JobStatus.queued, total=4, done=1)
    db_session.add(batch)
    db_session.flush()
    db_session.add(Job(kind=JobKind.answer, status=JobStatus.queued, batch_id=batch.id, payload={"batch_id": batch.id}))
    db_session.commit()
    data = signed_in.get(f"/faq/{batch.id}/status.json").get_json()
    assert (data["status"], data["done"], data["total"], data["progress"]) == ("queued", 1, 4, 0.25)
    response = post_form(signed_in, f"/faq/{batch.id}/cancel", token_from=f"/faq/{batch.id}", follow_redirects=True)
    assert "cancelled before it started" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(FaqBatch, batch.id).status is JobStatus.cancelled


def test_faq_list_hides_chat_turns(signed_in, db_session):
    db_session.add_all([FaqBatch(name="Visible batch", total=0),
                        FaqBatch(name="Hidden chat turn", conversation_id="0" * 32, total=0)])
    db_session.commit()
    text = signed_in.get("/faq/").get_data(as_text=True)
    assert "Visible batch" in text and "Hidden chat turn" not in text


@pytest.mark.parametrize("name, header, problem", [
    ("faq.csv", b"question\n", "faq.csv:3: NUL byte in column(s) question"),
    ("faq.txt", b"", "faq.txt:2: NUL byte in the question"),
])
def test_a_nul_byte_in_a_question_is_reported_by_row(signed_in, db_session, name, header, problem):
    response = _submit(signed_in, header + b"When was he born?\nWho\x00?\n", name)
    assert response.status_code == 400
    assert _problems(response) == [problem]
    assert db_session.scalar(select(func.count()).select_from(FaqBatch)) == 0


def _curie_dataset(db_session, status=None, path="/elsewhere/curie-v1", version="v1"):
    from db.models import Dataset, DatasetStatus

    dataset = Dataset(name="curie", version=version, path=str(path), counts={}, splits={}, content_hash="h",
                      status=status or DatasetStatus.ready,
                      inputs={"topic": {"path": "topic.yaml", "sha256": "ab" * 32, "subject": "Marie Curie",
                                        "description": "the life of Marie Curie"}})
    db_session.add(dataset)
    db_session.commit()
    return dataset.id


@pytest.mark.services
def test_the_base_model_answers_from_a_chosen_dataset_and_the_batch_says_which_topic(signed_in, db_session, redis_queues,
                                                                                     tmp_path):
    from worker.answer_job import batch_dataset_dir

    (tmp_path / "manifest.json").write_text("{}")  # a built dataset, as far as the worker's check goes
    dataset_id = _curie_dataset(db_session, path=tmp_path)
    options = html(signed_in.get("/faq/")).find("select", attrs={"name": "dataset_id"}).find_all("option")
    assert [o.get_text() for o in options] == ["the bundled default", f"#{dataset_id} curie: the life of Marie Curie"]
    data = {"name": "Curie FAQ", "trial_id": "base", "dataset_id": str(dataset_id),
            "questions": (io.BytesIO(b"Where was Marie Curie born?\n"), "q.txt")}
    response = post_form(signed_in, "/faq/", data, token_from="/faq/", content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    batch = db_session.scalar(select(FaqBatch))
    assert batch.dataset_id == dataset_id and batch.trial_id is None
    assert batch_dataset_dir(db_session, batch) == tmp_path
    assert f"on #{dataset_id} curie" in html(signed_in.get("/faq/")).get_text()


def test_a_dataset_is_for_the_base_model_only_and_must_be_ready(signed_in, db_session):
    from db.models import DatasetStatus

    trial_id = seed_trial(db_session, "tuned")
    ready = _curie_dataset(db_session)
    data = {"name": "x", "trial_id": str(trial_id), "dataset_id": str(ready), "questions": (io.BytesIO(b"Who?\n"), "q.txt")}
    response = post_form(signed_in, "/faq/", data, token_from="/faq/", content_type="multipart/form-data")
    assert response.status_code == 400
    assert "dataset_id: a trial answers from the dataset it was trained on; choose a dataset for the base model only" in _problems(response)
    pending = _curie_dataset(db_session, DatasetStatus.pending, version="v2")
    data = {"name": "x", "trial_id": "base", "dataset_id": str(pending), "questions": (io.BytesIO(b"Who?\n"), "q.txt")}
    response = post_form(signed_in, "/faq/", data, token_from="/faq/", content_type="multipart/form-data")
    assert f"dataset_id: dataset #{pending} is not ready (it is still being built); pick one from the list" in _problems(response)
    assert db_session.scalar(select(func.count()).select_from(FaqBatch)) == 0
