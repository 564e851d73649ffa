"""The job contract: one table of tasks and payloads, one set of submission rules, one sender.

On a real (SQLite) database, without a worker; the send tests use Celery's in-memory
transport and an address nothing listens on.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from db.jobs import create_trial
from db.migrate import upgrade
from db.models import FaqBatch, Job, JobKind, JobStatus, Trial
from db.session import make_engine, make_session_factory
from hcmqa.config import TrialConfig
from jobs import (
    MAX_BATCH_QUESTIONS,
    REAP_STALE_JOBS,
    TASK_QUEUES,
    TASKS,
    BrokerUnavailableError,
    ModelPolicy,
    SubmissionError,
    dispatch,
    max_attempts_from_env,
    payload,
    send_job,
    submit_chat_turn,
    submit_eval,
    submit_faq_batch,
    submit_gate,
    submit_trial,
)

REPO = Path(__file__).resolve().parents[2]

#: The worker module that runs each kind of job (and so reads its payload).
WORK_MODULES = {
    JobKind.train: "worker/train_job.py",
    JobKind.evaluate: "worker/evaluate_job.py",
    JobKind.answer: "worker/answer_job.py",
    JobKind.gate: "worker/gate_job.py",
    JobKind.ingest: "worker/ingest_job.py",
}


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'contract.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()


def _succeeded_trial(session: Session) -> int:
    trial = create_trial(session, name="done", config={}, mode="grounded", base_model="smollm2-135m")
    session.execute(update(Trial).where(Trial.id == trial.id).values(status=JobStatus.succeeded))
    session.commit()
    return trial.id


def test_every_kind_of_job_has_one_task_and_queue() -> None:
    assert set(TASKS) == set(JobKind)
    names = [task.name for task in TASKS.values()] + [REAP_STALE_JOBS]
    assert len(set(names)) == len(names)
    assert set(TASK_QUEUES) == set(names) and set(TASK_QUEUES.values()) == {"gpu", "cpu"}


def test_payload_keys_are_exactly_the_ones_the_workers_read() -> None:
    read = re.compile(r"""payload(?:\.get\(|\[)["'](\w+)["']""")
    for kind, module in WORK_MODULES.items():
        keys = set(read.findall((REPO / module).read_text(encoding="utf-8")))
        assert TASKS[kind].payload_keys == keys, f"{kind.value}: {module} reads {sorted(keys)}"


def test_a_payload_key_no_worker_reads_is_refused() -> None:
    with pytest.raises(ValueError, match="has no key"):
        payload(JobKind.answer, {"batch_id": 1})
    assert payload(JobKind.evaluate, {"splits": None, "limit": 2}) == {"limit": 2}


def test_workers_register_and_route_every_task_by_the_contract(tmp_path: Path) -> None:
    import worker.tasks  # noqa: F401 - registers the tasks
    from worker.app import create_celery_app
    from worker.settings import WorkerSettings

    app = create_celery_app(WorkerSettings.from_env({"HCMQA_HOME": str(tmp_path)}))
    app.finalize(auto=True)
    assert set(TASK_QUEUES) <= set(app.tasks)
    assert {name: route["queue"] for name, route in app.conf.task_routes.items()} == TASK_QUEUES


def test_submissions_store_only_the_keys_their_worker_reads(factory: sessionmaker[Session], tmp_path: Path) -> None:
    with factory() as session:
        trial_id = _succeeded_trial(session)
        _, train = submit_trial(session, TrialConfig(), models=ModelPolicy(tmp_path), max_attempts=3)
        _, answer = submit_faq_batch(session, "faq", ["Who?"], trial_id=None, max_attempts=3)
        _, chat = submit_chat_turn(session, "a" * 32, "Who?", trial_id=None, user_id=None, max_attempts=3)
        evaluate = submit_eval(session, trial_id, splits=["test_unseen"], limit=2, max_attempts=3)
        gate = submit_gate(session, threshold=0.4, max_attempts=3)
        assert [train.payload, answer.payload, chat.payload, evaluate.payload, gate.payload] == [
            {}, {}, {"history": []}, {"splits": ["test_unseen"], "limit": 2}, {"threshold": 0.4}]
        for job in (train, answer, chat, evaluate, gate):
            assert set(job.payload) <= TASKS[job.kind].payload_keys
            assert job.status is JobStatus.queued and job.celery_task_id is None


def test_every_submission_takes_the_one_attempt_cap(factory: sessionmaker[Session], tmp_path: Path) -> None:
    with factory() as session:
        trial_id = _succeeded_trial(session)
        jobs = [
            submit_trial(session, TrialConfig(), models=ModelPolicy(tmp_path), max_attempts=7)[1],
            submit_faq_batch(session, "faq", ["Who?"], trial_id=trial_id, max_attempts=7)[1],
            submit_eval(session, trial_id, max_attempts=7),
            submit_gate(session, max_attempts=7),
        ]
        assert [job.max_attempts for job in jobs] == [7, 7, 7, 7]
    assert max_attempts_from_env({}) == 3
    assert max_attempts_from_env({"HCMQA_MAX_ATTEMPTS": " 5 "}) == 5
    for bad in ("0", "2.5", "many"):
        with pytest.raises(ValueError, match=f"HCMQA_MAX_ATTEMPTS='{bad}': must be a whole number"):
            max_attempts_from_env({"HCMQA_MAX_ATTEMPTS": bad})


def test_one_batch_limit_and_nothing_stored_past_it(factory: sessionmaker[Session]) -> None:
    questions = [f"Question {i}?" for i in range(MAX_BATCH_QUESTIONS + 1)]
    with factory() as session:
        with pytest.raises(SubmissionError) as info:
            submit_faq_batch(session, "big", questions, trial_id=None, max_attempts=3)
        assert info.value.errors == {
            "questions": f"at most {MAX_BATCH_QUESTIONS} questions per batch, got {MAX_BATCH_QUESTIONS + 1}; split the list"
        }
        assert session.scalar(select(func.count()).select_from(FaqBatch)) == 0
        batch, _ = submit_faq_batch(session, "big", questions[:-1], trial_id=None, max_attempts=3)
        assert batch.total == MAX_BATCH_QUESTIONS


def test_invalid_requests_report_every_field(factory: sessionmaker[Session], tmp_path: Path) -> None:
    with factory() as session:
        with pytest.raises(SubmissionError) as info:
            submit_eval(session, 99, splits=["nope"], limit=0, max_attempts=3)
        assert info.value.errors == {
            "trial": "there is no trial #99",
            "splits": "unknown split(s) nope; use train, val, test_paraphrase, test_unseen",
            "limit": "must be at least 1, got 0",
        }
        with pytest.raises(SubmissionError, match="threshold: must be between 0 and 1"):
            submit_gate(session, threshold=1.5, max_attempts=3)
        with pytest.raises(SubmissionError) as named:
            submit_faq_batch(session, "chat:x", ["Who?"], trial_id=None, max_attempts=3)
        assert set(named.value.errors) == {"name"}
        with pytest.raises(SubmissionError) as model:
            submit_trial(session, TrialConfig(base_model="/etc"), models=ModelPolicy(tmp_path), max_attempts=3)
        assert set(model.value.errors) == {"base_model"}
        assert session.scalar(select(func.count()).select_from(Job)) == 0


def _client(broker: str) -> Celery:
    client = Celery("contract-test", broker=broker, set_as_current=False)
    client.conf.update(broker_connection_timeout=1.0, broker_connection_retry_on_startup=False)
    return client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_sent_job_records_its_task_id(factory: sessionmaker[Session]) -> None:
    with factory() as session:
        job = submit_gate(session, max_attempts=3)
        task_id = send_job(_client("memory://"), session, job.id, job.kind, retries=0)
        assert session.get(Job, job.id).celery_task_id == task_id


def test_a_job_the_broker_never_got_stays_queued_and_unsent(factory: sessionmaker[Session]) -> None:
    broker = f"redis://127.0.0.1:{_free_port()}/0"
    with factory() as session:
        job = submit_gate(session, max_attempts=3)
        with pytest.raises(BrokerUnavailableError, match=f"could not reach the job broker at {broker}: "):
            send_job(_client(broker), session, job.id, job.kind, retries=0)
        outcome = dispatch(_client(broker), session, job, retries=0)
        assert not outcome.sent and outcome.error.startswith(
            f"Job #{job.id} is saved and queued, but the task queue (broker) is unreachable (")
        assert "Nothing was lost" in outcome.error
        row = session.get(Job, job.id)
        assert (row.status, row.celery_task_id) == (JobStatus.queued, None)


def test_the_contract_imports_no_web_app_worker_or_torch() -> None:
    code = (
        "import sys, jobs\n"
        "bad = sorted({m.split('.')[0] for m in sys.modules} & {'webadmin', 'worker', 'flask', 'torch', 'transformers'})\n"
        "print(bad)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
