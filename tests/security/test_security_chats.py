"""Chats are private to the admin who started them: other admins get 404 on every way in.

FAQ batches stay shared between admins by design; a chat turn is stored as a one-question
batch with its ``conversation_id``, so each batch route must tell the two apart.
"""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from db.models import FaqBatch, Job, JobStatus
from web_support import OTHER, login, post_form

pytestmark = pytest.mark.services


def _chat_turn(client, question: str) -> str:
    """Start a conversation and send one question as the signed-in admin; returns its id."""
    response = post_form(client, "/chat/new", {"trial_id": "base"}, token_from="/chat/")
    conversation = response.headers["Location"].split("/chat/")[1].split("?")[0]
    response = post_form(client, f"/chat/{conversation}", {"question": question, "trial_id": ""},
                         token_from=f"/chat/{conversation}")
    assert response.status_code == 302
    return conversation


@pytest.fixture
def other_admin(app, other_user):
    client = app.test_client()
    assert login(client, *OTHER).status_code == 302
    return client


def _answer(db_session, batch: FaqBatch, answer: str) -> None:
    batch.answers[0].answer, batch.answers[0].related = answer, True
    batch.status, batch.done = JobStatus.succeeded, 1
    db_session.commit()


def test_another_admins_chat_turn_is_404_on_page_csv_status_and_api(signed_in, other_admin, db_session,
                                                                     redis_queues):
    conversation = _chat_turn(signed_in, "=HYPERLINK(\"http://x\") private question")
    batch = db_session.scalar(select(FaqBatch).where(FaqBatch.conversation_id == conversation))
    _answer(db_session, batch, "A private answer.")
    reads = [f"/faq/{batch.id}", f"/faq/{batch.id}/answers.csv", f"/faq/{batch.id}/status.json",
             f"/api/faq-batches/{batch.id}"]
    for path in reads:
        assert signed_in.get(path).status_code == 200, path  # the owner still reads it
        response = other_admin.get(path)
        assert response.status_code == 404, path
        assert "private" not in response.get_data(as_text=True)
    # the same answer as for a batch that does not exist
    assert other_admin.get(f"/api/faq-batches/{batch.id}").get_json() == other_admin.get(
        "/api/faq-batches/999999").get_json() | {"error": f"there is no FAQ batch #{batch.id}"}
    for action in ("cancel", "resend"):
        response = post_form(other_admin, f"/faq/{batch.id}/{action}", token_from="/faq/")
        assert response.status_code == 404, action
    # nor is the chat listed to the other admin, in the FAQ list or as a link on the dashboard
    assert "private question" not in other_admin.get("/faq/").get_data(as_text=True)
    assert "private question" not in other_admin.get("/chat/").get_data(as_text=True)
    jobs = other_admin.get("/dashboard/jobs.json").get_json()["jobs"]
    assert [(j["label"], j["url"]) for j in jobs] == [(f"chat turn (batch #{batch.id})", None)]
    own = signed_in.get("/dashboard/jobs.json").get_json()["jobs"]
    assert [j["url"] for j in own] == [f"/chat/{conversation}"]


def test_the_owner_downloads_the_chat_csv_and_faq_batches_stay_shared(signed_in, other_admin, db_session,
                                                                       redis_queues):
    conversation = _chat_turn(signed_in, "Where was he born?")
    batch = db_session.scalar(select(FaqBatch).where(FaqBatch.conversation_id == conversation))
    _answer(db_session, batch, "In Kim Lien.")
    rows = list(csv.reader(io.StringIO(signed_in.get(f"/faq/{batch.id}/answers.csv").get_data(as_text=True))))
    assert rows[1][1:2] == ["Where was he born?"] and rows[1][4] == "In Kim Lien."
    response = post_form(signed_in, "/faq/", {"name": "Visitor FAQ", "trial_id": "base",
                                              "questions": (io.BytesIO(b"When was he born?\n"), "faq.txt")},
                         token_from="/faq/", content_type="multipart/form-data")
    assert response.status_code == 302
    shared = db_session.scalar(select(FaqBatch).where(FaqBatch.name == "Visitor FAQ"))
    for path in (f"/faq/{shared.id}", f"/faq/{shared.id}/answers.csv", f"/api/faq-batches/{shared.id}"):
        assert other_admin.get(path).status_code == 200, path
    assert db_session.scalar(select(Job).where(Job.batch_id == batch.id)) is not None
