"""The job contract: what can be submitted, how it is stored, and how its message is sent.

One package for every door -- the web admin, the command line and the workers' reaper --
so task names, queues, payloads, limits and the attempt cap are defined once
(:mod:`jobs.contract`, :mod:`jobs.submit`, :mod:`jobs.chat`, :mod:`jobs.send`). It depends
on ``db``, Celery's client and ``hcmqa``'s light configuration modules only: never on the
web app, the worker code or torch.
"""

from jobs.chat import (
    CHAT_HISTORY_TURNS,
    batch_visible_to,
    chat_history,
    conversation_turns,
    is_chat,
    new_conversation_id,
    submit_chat_turn,
    valid_conversation_id,
)
from jobs.contract import (
    CPU_QUEUE,
    GPU_QUEUE,
    QUEUES,
    REAP_STALE_JOBS,
    TASK_QUEUES,
    TASKS,
    Task,
    payload,
    task_for,
)
from jobs.ingest import submit_ingest
from jobs.send import (
    BrokerUnavailableError,
    Dispatch,
    SubmissionNotSentError,
    dispatch,
    send_job,
    send_submitted,
)
from jobs.submit import (
    CHAT_PREFIX,
    DEFAULT_MAX_ATTEMPTS,
    MAX_ATTEMPTS_ENV,
    MAX_BATCH_QUESTIONS,
    ModelPolicy,
    Outcome,
    SubmissionError,
    answering_trial_problem,
    batch_name_problem,
    cancel_batch,
    cancel_trial,
    max_attempts_from_env,
    question_problems,
    queued_jobs_to_resend,
    resume_trial,
    submit_eval,
    submit_faq_batch,
    submit_gate,
    submit_trial,
    trial_jobs,
)

__all__ = [
    "CHAT_HISTORY_TURNS",
    "CHAT_PREFIX",
    "CPU_QUEUE",
    "DEFAULT_MAX_ATTEMPTS",
    "GPU_QUEUE",
    "MAX_ATTEMPTS_ENV",
    "MAX_BATCH_QUESTIONS",
    "QUEUES",
    "REAP_STALE_JOBS",
    "TASKS",
    "TASK_QUEUES",
    "BrokerUnavailableError",
    "Dispatch",
    "ModelPolicy",
    "Outcome",
    "SubmissionError",
    "SubmissionNotSentError",
    "Task",
    "answering_trial_problem",
    "batch_name_problem",
    "batch_visible_to",
    "cancel_batch",
    "cancel_trial",
    "chat_history",
    "conversation_turns",
    "dispatch",
    "is_chat",
    "max_attempts_from_env",
    "new_conversation_id",
    "payload",
    "question_problems",
    "queued_jobs_to_resend",
    "resume_trial",
    "send_job",
    "send_submitted",
    "submit_chat_turn",
    "submit_eval",
    "submit_faq_batch",
    "submit_gate",
    "submit_ingest",
    "submit_trial",
    "task_for",
    "trial_jobs",
    "valid_conversation_id",
]
