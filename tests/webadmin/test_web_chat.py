"""Chat blueprint: each turn is a one-question answer job carrying the conversation so far."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import Answer, AnswerPath, FaqBatch, Job, JobStatus, User
from web_support import ADMIN, OTHER, html, login, post_form, seed_trial


def start_conversation(client, trial_id: str = "base") -> str:
    response = post_form(client, "/chat/new", {"trial_id": trial_id}, token_from="/chat/")
    assert response.status_code == 302
    return response.headers["Location"].split("/chat/")[1].split("?")[0]


def _answer_last_turn(db_session, answer: str, related: bool = True) -> None:
    """What a worker does when it finishes a chat turn."""
    batch = db_session.scalar(select(FaqBatch).order_by(FaqBatch.id.desc()))
    batch.answers[0].answer = answer
    batch.answers[0].related = related
    batch.answers[0].sources = [{"title": "Ho Chi Minh", "section": "Early life"}] if related else []
    batch.status, batch.done = JobStatus.succeeded, 1
    job = db_session.scalar(select(Job).where(Job.batch_id == batch.id))
    job.status = JobStatus.succeeded
    db_session.commit()


@pytest.mark.services
def test_turns_carry_the_conversation_history(signed_in, db_session, redis_queues):
    trial_id = seed_trial(db_session, "tuned")
    conversation = start_conversation(signed_in, str(trial_id))
    page = html(signed_in.get(f"/chat/{conversation}?trial_id={trial_id}"))
    assert "trial #%d tuned" % trial_id in page.h1.get_text()

    post_form(signed_in, f"/chat/{conversation}", {"question": "When was he born?", "trial_id": str(trial_id)},
              token_from=f"/chat/{conversation}?trial_id={trial_id}")
    first = db_session.scalar(select(Job).order_by(Job.id.desc()))
    assert first.payload == {"history": []}
    assert (first.batch.name, first.batch.conversation_id) == ("chat", conversation)
    page = html(signed_in.get(f"/chat/{conversation}"))
    assert page.find(attrs={"data-pending": True}) is not None
    assert page.find(attrs={"data-watch-url": True}) is not None  # the page polls for the answer
    assert signed_in.get(f"/chat/{conversation}/status.json").get_json()["status"] == "queued"

    _answer_last_turn(db_session, "On 19 May 1890.")
    page = html(signed_in.get(f"/chat/{conversation}"))
    assert "On 19 May 1890." in page.find(attrs={"data-answer": True}).get_text()
    assert "Early life" in page.find(attrs={"data-answer": True}).get_text()  # sources shown

    post_form(signed_in, f"/chat/{conversation}", {"question": "Where?", "trial_id": str(trial_id)},
              token_from=f"/chat/{conversation}")
    second = db_session.scalar(select(Job).order_by(Job.id.desc()))
    assert second.payload["history"] == [{"question": "When was he born?", "answer": "On 19 May 1890.", "related": True}]
    turns = db_session.scalars(select(FaqBatch).where(FaqBatch.conversation_id == conversation)).all()
    assert [t.trial_id for t in turns] == [trial_id, trial_id] and all(t.total == 1 for t in turns)
    assert [(m["task"], m["args"]) for m in redis_queues.messages("gpu")] == [
        ("hcmqa.answer_batch", [first.id]), ("hcmqa.answer_batch", [second.id])]
    assert "When was he born?" in signed_in.get("/chat/").get_data(as_text=True)


@pytest.mark.services
def test_one_question_at_a_time_and_no_model_switch(signed_in, db_session, redis_queues):
    trial_id = seed_trial(db_session, "tuned")
    conversation = start_conversation(signed_in)
    post_form(signed_in, f"/chat/{conversation}", {"question": "Who was Ho Chi Minh?", "trial_id": "base"})
    response = post_form(signed_in, f"/chat/{conversation}", {"question": "And then?", "trial_id": "base"},
                         follow_redirects=True)
    assert "wait for the answer to your previous question" in response.get_data(as_text=True).lower()
    _answer_last_turn(db_session, "A Vietnamese revolutionary.")
    response = post_form(signed_in, f"/chat/{conversation}", {"question": "More?", "trial_id": str(trial_id)},
                         follow_redirects=True)
    assert "a conversation keeps its model" in response.get_data(as_text=True).lower()
    assert len(redis_queues.messages("gpu")) == 1


def test_refused_turn_is_marked(signed_in, db_session):
    conversation = "a" * 32
    batch = FaqBatch(name="chat", conversation_id=conversation, total=1, done=1, status=JobStatus.succeeded,
                     submitted_by=db_session.scalar(select(User.id).where(User.username == ADMIN[0])))
    batch.answers = [Answer(position=0, question="Best pho in town?", related=False, answer="I only know about Ho Chi Minh.")]
    db_session.add(batch)
    db_session.commit()
    answer = html(signed_in.get(f"/chat/{conversation}")).find(attrs={"data-answer": True})
    assert "refused: off topic" in answer.get_text()


def test_each_turn_shows_the_path_of_its_answer(signed_in, db_session):
    conversation = "b" * 32
    user_id = db_session.scalar(select(User.id).where(User.username == ADMIN[0]))
    turns = [
        ("When was Ho Chi Minh born?", True, "In 1890.", AnswerPath.generated),
        ("Where did he read the Declaration?", True, "\u201cAt Ba Dinh Square\u201d [1]", AnswerPath.extracted),
        ("What did he eat in 1931?", True, "The sources do not say.", AnswerPath.refused_no_source),
        ("Best pho in town?", False, "I only know about Ho Chi Minh.", AnswerPath.refused_off_topic),
    ]
    for question, related, text, path in turns:
        batch = FaqBatch(name="chat", conversation_id=conversation, total=1, done=1, status=JobStatus.succeeded,
                         submitted_by=user_id)
        sources = [{"title": "Ho Chi Minh", "section": "Independence"}] if path is AnswerPath.extracted else []
        batch.answers = [Answer(position=0, question=question, related=related, answer=text, sources=sources,
                                answer_path=path)]
        db_session.add(batch)
    db_session.commit()
    bubbles = html(signed_in.get(f"/chat/{conversation}")).find_all(attrs={"data-answer": True})
    assert [b.find(attrs={"data-answer-path": True}).get_text() for b in bubbles] == [
        "generated", "quoted from source", "refused: not in sources", "refused: off topic"]
    assert ["refused" in b["class"] for b in bubbles] == [False, False, True, True]
    assert "Ho Chi Minh \u203a Independence" in bubbles[1].get_text()


def test_a_follow_up_shows_what_it_was_understood_as(signed_in, db_session):
    conversation = "c" * 32
    user_id = db_session.scalar(select(User.id).where(User.username == ADMIN[0]))
    turns = [("When was Ho Chi Minh born?", None, "In 1890."),  # understood as asked: stored NULL
             ("When did he die?", "When did Ho Chi Minh die?", "In 1969.")]
    for question, resolved, text in turns:
        batch = FaqBatch(name="chat", conversation_id=conversation, total=1, done=1, status=JobStatus.succeeded,
                         submitted_by=user_id)
        batch.answers = [Answer(position=0, question=question, related=True, answer=text,
                                answer_path=AnswerPath.generated, resolved_question=resolved)]
        db_session.add(batch)
    db_session.commit()
    questions = html(signed_in.get(f"/chat/{conversation}")).select(".bubble.user")
    assert [q.get_text(" ", strip=True) for q in questions] == [
        "When was Ho Chi Minh born?", "When did he die? understood as: When did Ho Chi Minh die?"]
    understood = questions[1].find(attrs={"data-resolved-question": True})
    assert understood is not None and "muted" in understood["class"]
    assert questions[0].find(attrs={"data-resolved-question": True}) is None


def test_empty_question_is_refused(signed_in, db_session):
    conversation = start_conversation(signed_in)
    response = post_form(signed_in, f"/chat/{conversation}", {"question": "  ", "trial_id": "base"}, follow_redirects=True)
    assert "Empty question." in response.get_data(as_text=True)
    assert db_session.scalar(select(FaqBatch)) is None


def test_malformed_conversation_id_is_404(signed_in):
    assert signed_in.get("/chat/not-a-conversation").status_code == 404
    assert signed_in.get("/chat/" + "0" * 32 + "/status.json").status_code == 404


@pytest.mark.services
def test_another_user_cannot_read_a_conversation(app, signed_in, other_user, redis_queues):
    conversation = start_conversation(signed_in)
    post_form(signed_in, f"/chat/{conversation}", {"question": "Who was Ho Chi Minh?", "trial_id": "base"})
    stranger = app.test_client()
    login(stranger, *OTHER)
    assert stranger.get(f"/chat/{conversation}/status.json").status_code == 404
    assert "Who was Ho Chi Minh?" not in stranger.get(f"/chat/{conversation}").get_data(as_text=True)
    assert "Who was Ho Chi Minh?" not in stranger.get("/chat/").get_data(as_text=True)


@pytest.mark.services
def test_a_conversation_keeps_the_dataset_chosen_for_the_base_model(signed_in, db_session, redis_queues):
    from db.models import Dataset, DatasetStatus

    dataset = Dataset(name="curie", version="v1", path="/elsewhere/curie-v1", counts={}, splits={}, content_hash="h",
                      status=DatasetStatus.ready,
                      inputs={"topic": {"path": "topic.yaml", "sha256": "ab" * 32, "subject": "Marie Curie",
                                        "description": "the life of Marie Curie"}})
    db_session.add(dataset)
    db_session.commit()
    response = post_form(signed_in, "/chat/new", {"trial_id": "base", "dataset_id": str(dataset.id)}, token_from="/chat/")
    location = response.headers["Location"]
    conversation_id = location.split("/chat/")[1].split("?")[0]
    page = html(signed_in.get(location))
    assert page.find(attrs={"data-chat-topic": True}).get_text(strip=True) == "Topic: the life of Marie Curie"
    hidden = page.find("input", attrs={"name": "dataset_id"})["value"]
    sent = post_form(signed_in, f"/chat/{conversation_id}", {"trial_id": "base", "dataset_id": hidden, "question": "Where was she born?"},
                     token_from=location)
    assert sent.status_code == 302
    turn = db_session.scalar(select(FaqBatch).where(FaqBatch.conversation_id == conversation_id))
    assert turn.dataset_id == dataset.id
    _answer_last_turn(db_session, "In Warsaw.")
    # the conversation keeps its dataset: a turn naming another one is refused
    post_form(signed_in, f"/chat/{conversation_id}", {"trial_id": "base", "dataset_id": "", "question": "When did she die?"},
              token_from=location)
    assert len(db_session.scalars(select(FaqBatch).where(FaqBatch.conversation_id == conversation_id)).all()) == 1
    # without turns the page says the bundled topic
    fresh = post_form(signed_in, "/chat/new", {"trial_id": "base", "dataset_id": ""}, token_from="/chat/").headers["Location"]
    assert html(signed_in.get(fresh)).find(attrs={"data-chat-topic": True}).get_text(strip=True) == "Topic: the bundled topic"
