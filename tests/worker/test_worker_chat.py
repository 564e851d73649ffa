from pathlib import Path

from sqlalchemy import select

from db.migrate import upgrade
from db.models import FaqBatch, Job, JobStatus, User
from db.session import make_engine, make_session_factory
from jobs import conversation_turns, is_chat, new_conversation_id, submit_chat_turn
from worker.answer_job import chat_queries


def test_chat_turns_resolve_follow_ups_against_the_payload_history():
    history = [{"question": "When was Ho Chi Minh born?", "answer": "In 1890.", "related": True}]
    assert chat_queries(history, ["When did he die?"]) == ["When did Ho Chi Minh die?"]
    assert chat_queries([{"question": "Who won?", "answer": "Sorry", "related": False}], ["When did he die?"]) == ["When did he die?"]
    assert chat_queries(None, ["When did he die?"]) is None
    assert chat_queries("not a list", ["q"]) is None


def test_a_conversation_is_its_column_and_its_history_reaches_the_worker(tmp_path: Path):
    """Turns stored with their conversation id: the second turn's job carries the first, answered."""
    url = f"sqlite:///{tmp_path / 'chat.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            user = User(username="curator", password_hash="x", is_admin=True)
            session.add(user)
            session.commit()
            conversation = new_conversation_id()
            first, _ = submit_chat_turn(session, conversation, "When was Ho Chi Minh born?", trial_id=None,
                                        user_id=user.id, max_attempts=3)
            first.answers[0].answer, first.answers[0].related = "In 1890.", True
            first.status = JobStatus.succeeded  # what the answer worker leaves
            session.commit()
            other, _ = submit_chat_turn(session, new_conversation_id(), "Who was he?", trial_id=None,
                                        user_id=user.id, max_attempts=3)
            second, job = submit_chat_turn(session, conversation, "When did he die?", trial_id=None,
                                           user_id=user.id, max_attempts=3)
            turns = conversation_turns(session, conversation, user.id)
            assert [t.id for t in turns] == [first.id, second.id] and other.id not in {t.id for t in turns}
            assert {t.name for t in turns} == {"chat"} and all(is_chat(t) for t in turns)
            assert session.scalar(select(FaqBatch.conversation_id).where(FaqBatch.id == second.id)) == conversation
            payload = session.get(Job, job.id).payload
            assert chat_queries(payload["history"], ["When did he die?"]) == ["When did Ho Chi Minh die?"]
    finally:
        engine.dispose()
