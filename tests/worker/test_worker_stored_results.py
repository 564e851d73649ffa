"""What the answer and training jobs write into the database, on SQLite and PostgreSQL.

The jobs run through ``run_job`` (claim, heartbeat, outcome) on a real migrated database.
No language model is loaded: the answer job gets a stand-in assistant that returns answers
with chosen paths, because what is under test is how the job stores them.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

import pytest
from sqlalchemy import select

from db.jobs import claim_job, create_job
from db.migrate import upgrade
from db.models import Answer, AnswerPath, FaqBatch, Job, JobKind, JobStatus, MetricPoint, Trial
from hcmqa.answering import ANSWER_PATHS
from hcmqa.answering import Answer as AssistantAnswer
from hcmqa.answering import resolve_followup
from worker import answer_job
from worker.context import JobContext
from worker.heartbeat import JobMonitor
from worker.lifecycle import run_job
from worker.runtime import session_factory_for
from worker.settings import WorkerSettings
from worker.train_job import TrainingReporter

QUESTIONS = {
    "When was Ho Chi Minh born?": "generated",
    "Where was the Declaration of Independence read?": "extracted",
    "Who won the 2018 World Cup?": "refused_off_topic",
    "What did Ho Chi Minh eat on 3 March 1931?": "refused_no_source",
}


class StandInAssistant:
    """Answers each question with the path ``paths`` gives it, as ``Assistant.answer_batch`` would.

    Like the real assistant, each answer carries the text its question was understood as: the
    job's ``queries`` (a chat turn's follow-ups resolved against the conversation) when given,
    else the question on its own with the subject's initials written out.
    """

    def __init__(self, paths: dict[str, str]):
        self.paths = paths

    def answer_batch(
        self, questions: list[str], progress: Any = None, queries: Optional[list[str]] = None
    ) -> list[AssistantAnswer]:
        answers = []
        queries = queries or [resolve_followup(q, []) for q in questions]
        for question, query in zip(questions, queries, strict=True):
            path = self.paths[question]
            related = path != "refused_off_topic"
            sources = [{"id": "p1", "title": "Ho Chi Minh", "text": "..."}] if path in ("generated", "extracted") else []
            answers.append(AssistantAnswer(question, related, f"answer via {path}", sources, 0.9 if related else 0.1, 12.0,
                                           path=path, resolved_question=query))
        if progress:
            progress(len(questions), len(questions))
        return answers


class StandInCache:
    def __init__(self, assistant: StandInAssistant):
        self.assistant = assistant
        self.engines: list[str] = []

    def get(self, run_dir: Optional[Path], home: Path, dataset_dir: Optional[Path] = None, engine: str = "transformers") -> StandInAssistant:
        self.engines.append(engine)
        return self.assistant


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WorkerSettings]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_server").create_database(uuid.uuid4().hex[:8])
    upgrade(url)
    home = tmp_path / "home"
    home.mkdir()
    settings = WorkerSettings(home=home, database_url=url, broker_url="memory://", heartbeat_s=0.2, stale_after_s=5.0)
    yield settings
    session_factory_for(settings).kw["bind"].dispose()


def _faq_batch_job(
    settings: WorkerSettings, questions: list[str], history: Optional[list[dict[str, Any]]] = None
) -> tuple[int, int]:
    """A FAQ batch of ``questions`` and its answer job; with ``history``, a chat turn's job."""
    with session_factory_for(settings)() as session:
        batch = FaqBatch(name="paths", total=len(questions))
        batch.answers = [Answer(position=i, question=q) for i, q in enumerate(questions)]
        session.add(batch)
        session.flush()
        payload: dict[str, Any] = {"batch_id": batch.id}
        if history is not None:
            payload["history"] = history
        job = create_job(session, JobKind.answer, payload, batch_id=batch.id, commit=False)
        session.commit()
        return batch.id, job.id


def _stored(settings: WorkerSettings, batch_id: int) -> list[tuple[Any, ...]]:
    with session_factory_for(settings)() as session:
        rows = session.execute(
            select(Answer.question, Answer.related, Answer.answer_path)
            .where(Answer.batch_id == batch_id)
            .order_by(Answer.position)
        )
        return [tuple(row) for row in rows]


def test_the_database_knows_every_answering_path() -> None:
    assert [path.value for path in AnswerPath] == list(ANSWER_PATHS)


def test_answer_job_stores_the_path_of_every_answer(settings: WorkerSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = StandInCache(StandInAssistant(QUESTIONS))
    monkeypatch.setattr(answer_job, "assistant_cache", lambda size: cache)
    settings = dataclasses.replace(settings, engine="openvino")
    batch_id, job_id = _faq_batch_job(settings, list(QUESTIONS))

    result = run_job(settings, "test", job_id, JobKind.answer, answer_job.answer_batch)

    assert result["status"] == "succeeded", result
    assert cache.engines == ["openvino"]  # the worker's HCMQA_ENGINE reaches the assistant
    stored = _stored(settings, batch_id)
    assert [(q, path) for q, _, path in stored] == [(q, AnswerPath(p)) for q, p in QUESTIONS.items()]
    assert [related for _, related, _ in stored] == [True, True, False, True]
    with session_factory_for(settings)() as session:
        batch = session.get(FaqBatch, batch_id)
        assert (batch.status, batch.done) == (JobStatus.succeeded, 4)
        # each question was understood as asked: nothing is stored twice
        assert [a.resolved_question for a in batch.answers] == [None] * 4


def _stored_resolved(settings: WorkerSettings, batch_id: int) -> list[tuple[str, Optional[str]]]:
    with session_factory_for(settings)() as session:
        rows = session.execute(
            select(Answer.question, Answer.resolved_question).where(Answer.batch_id == batch_id).order_by(Answer.position)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_answer_job_stores_what_initials_were_understood_as(
    settings: WorkerSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = {"HCM birthday?": "generated", "When was Ho Chi Minh born?": "generated"}
    monkeypatch.setattr(answer_job, "assistant_cache", lambda size: StandInCache(StandInAssistant(paths)))
    batch_id, job_id = _faq_batch_job(settings, list(paths))

    result = run_job(settings, "test", job_id, JobKind.answer, answer_job.answer_batch)

    assert result["status"] == "succeeded", result
    assert _stored_resolved(settings, batch_id) == [
        ("HCM birthday?", "Ho Chi Minh birthday?"),
        ("When was Ho Chi Minh born?", None),
    ]


def test_answer_job_stores_what_a_chat_follow_up_was_understood_as(
    settings: WorkerSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = {"When did he die?": "generated"}
    monkeypatch.setattr(answer_job, "assistant_cache", lambda size: StandInCache(StandInAssistant(paths)))
    history = [{"question": "When was Ho Chi Minh born?", "answer": "In 1890.", "related": True}]
    batch_id, job_id = _faq_batch_job(settings, list(paths), history=history)

    result = run_job(settings, "test", job_id, JobKind.answer, answer_job.answer_batch)

    assert result["status"] == "succeeded", result
    assert _stored_resolved(settings, batch_id) == [("When did he die?", "When did Ho Chi Minh die?")]


def test_resolved_question_is_stored_only_where_it_differs() -> None:
    assert answer_job.resolved_or_none("When did he die?", "When did Ho Chi Minh die?") == "When did Ho Chi Minh die?"
    assert answer_job.resolved_or_none("When was Ho Chi Minh born?", "When was Ho Chi Minh born?") is None
    assert answer_job.resolved_or_none(" When was Ho Chi Minh born? ", "When was Ho Chi Minh born?") is None
    assert answer_job.resolved_or_none("When was Ho Chi Minh born?", "") is None
    assert answer_job.resolved_or_none("When was Ho Chi Minh born?", None) is None


def test_answer_with_an_unknown_path_fails_the_job_and_stores_nothing(
    settings: WorkerSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = {"When was Ho Chi Minh born?": "guessed"}
    monkeypatch.setattr(answer_job, "assistant_cache", lambda size: StandInCache(StandInAssistant(paths)))
    batch_id, job_id = _faq_batch_job(settings, list(paths))

    result = run_job(settings, "test", job_id, JobKind.answer, answer_job.answer_batch)

    assert result["status"] == "failed"
    with session_factory_for(settings)() as session:
        error = session.get(Job, job_id).error
    assert "guessed" in error, error
    assert _stored(settings, batch_id) == [("When was Ho Chi Minh born?", None, None)]


def _claimed_train_job(settings: WorkerSettings):
    """A grounded trial with its train job claimed by worker "w": the context a train job runs in."""
    factory = session_factory_for(settings)
    with factory() as session:
        trial = Trial(name="t", config={}, mode="grounded", base_model="smollm2-135m")
        session.add(trial)
        session.flush()
        job = create_job(session, JobKind.train, {"trial_id": trial.id}, trial_id=trial.id, commit=False)
        session.commit()
        trial_id, job_id = trial.id, job.id
        attempt = claim_job(session, job_id, "w").attempt
    monitor = JobMonitor(factory, job_id, "w", attempt, interval_s=0.1, trial_id=trial_id)
    ctx = JobContext(settings, factory, job_id, JobKind.train, attempt, "w", {}, trial_id, None, monitor)
    return factory, monitor, ctx, trial_id, job_id


def test_training_progress_stores_metric_points_of_any_name(settings: WorkerSettings) -> None:
    """Whatever the training evaluation reports (retrieval_recall included) becomes a row."""
    from hcmqa.training import MetricPoint as TrainingPoint
    from hcmqa.training import TrainProgress

    factory, monitor, ctx, trial_id, job_id = _claimed_train_job(settings)
    evaluation = [
        TrainingPoint(10, "val", "eval_loss", 1.9),
        TrainingPoint(10, "val", "key_fact_accuracy", 0.5),
        TrainingPoint(10, "val", "retrieval_recall", 0.8),
        TrainingPoint(10, "val", "token_f1", 0.4),
        TrainingPoint(10, "val", "a_metric_added_later", 0.1),
    ]

    TrainingReporter(ctx, None)(TrainProgress(10, 20, 1.5, evaluation))
    monitor.flush()

    with factory() as session:
        stored = session.execute(
            select(MetricPoint.step, MetricPoint.split, MetricPoint.name, MetricPoint.value)
            .where(MetricPoint.trial_id == trial_id)
            .order_by(MetricPoint.name)
        ).all()
    assert [tuple(row) for row in stored] == sorted(
        [(p.step, p.split, p.name, p.value) for p in evaluation], key=lambda row: row[2]
    )


def test_a_note_before_training_is_the_jobs_stage(settings: WorkerSettings) -> None:
    """A grounded trial training its dataset's retriever says so on the job before step 1."""
    from webadmin.formatting import progress_text

    factory, monitor, ctx, trial_id, job_id = _claimed_train_job(settings)

    TrainingReporter(ctx, None).note("retriever: step 10/100, epoch 0.20, loss 1.2000, 160 s")
    monitor.flush()

    with factory() as session:
        detail = session.get(Job, job_id).progress_detail
    assert detail["stage"] == "retriever: step 10/100, epoch 0.20, loss 1.2000, 160 s" and detail["step"] == 0
    assert progress_text(0.0, detail).endswith("retriever: step 10/100, epoch 0.20, loss 1.2000, 160 s")
