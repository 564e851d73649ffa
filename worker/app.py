"""The Celery application: queues, routing, reliability settings and the reaper schedule.

``celery -A worker.app worker`` (or ``hcmqa worker``) uses the module-level :data:`app`,
built from the environment by :class:`~worker.settings.WorkerSettings`. Tests and the CLI
build their own with :func:`create_celery_app`. Task names and queues are the job contract's
(:mod:`jobs.contract`).

Why these settings:

- ``task_acks_late`` + ``task_reject_on_worker_lost``: a message is acknowledged only after
  its task returns, so a worker that dies mid-training leaves the message to be delivered
  again. That is safe because every task claims its job row atomically first: a duplicate
  is a no-op, and the attempt cap (``max_attempts``) stops a job that kills its worker
  every time.
- ``worker_prefetch_multiplier=1``: a long training task must not hold other messages
  hostage in a busy worker's buffer.
- ``visibility_timeout`` (Redis) longer than any time limit: a live task's message is never
  redelivered; a dead worker's is, after that timeout. The periodic reaper
  (``hcmqa.reap_stale_jobs``) is the second, broker-independent net: kombu's SQLAlchemy
  transport keeps unacknowledged messages in worker memory, so on the embedded default the
  reaper is what recovers a killed worker's job.
- No result backend: the database is the source of truth and nothing ever waits on a result.
"""

from __future__ import annotations

from typing import Any, Optional

from celery import Celery
from kombu import Queue

from jobs.contract import CPU_QUEUE, QUEUES, REAP_STALE_JOBS, TASK_QUEUES, TRAIN_TRIAL
from worker.settings import WorkerSettings

_SETTINGS_ATTR = "hcmqa_settings"


def _transport_options(settings: WorkerSettings) -> dict[str, Any]:
    """Broker options for the transport named by the broker URL."""
    url = settings.broker_url
    if url.startswith(("redis://", "rediss://", "redis+socket://")):
        timeout = settings.effective_visibility_timeout_s
        return {
            "visibility_timeout": timeout,
            # Fail fast when Redis is down instead of hanging on a black-holed address.
            "socket_connect_timeout": settings.broker_connect_timeout_s,
            # Look for messages of dead workers more often than kombu's 10 s default when
            # the visibility timeout is short (tests); never more often than once a second.
            "unacked_restore_interval": max(1.0, min(10.0, timeout / 4)),
        }
    if url.startswith("sqla+"):
        # kombu passes every option of this transport to create_engine (so no
        # visibility_timeout or polling_interval here). A generous SQLite busy timeout lets
        # the web app and several workers share the broker file without "database is locked".
        return {"connect_args": {"timeout": 30}} if url.startswith("sqla+sqlite") else {}
    return {"visibility_timeout": settings.effective_visibility_timeout_s}


def create_celery_app(settings: WorkerSettings, *, main: str = "hcmqa") -> Celery:
    """A Celery app configured from ``settings``; the settings ride along on the app."""
    app = Celery(main, broker=settings.broker_url, include=["worker.tasks"])
    setattr(app, _SETTINGS_ATTR, settings)
    train_soft = settings.soft_limit(settings.train_time_limit_s)
    other_soft = settings.soft_limit(settings.task_time_limit_s)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        event_serializer="json",
        result_backend=None,
        task_ignore_result=True,
        task_store_errors_even_if_ignored=False,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_queues=tuple(Queue(name) for name in QUEUES),
        task_default_queue=CPU_QUEUE,
        task_routes={name: {"queue": queue} for name, queue in TASK_QUEUES.items()},
        task_time_limit=settings.task_time_limit_s,
        task_soft_time_limit=other_soft,
        task_annotations={
            TRAIN_TRIAL: {
                "time_limit": settings.train_time_limit_s,
                "soft_time_limit": train_soft,
            }
        },
        broker_transport_options=_transport_options(settings),
        broker_connection_timeout=settings.broker_connect_timeout_s,
        broker_connection_retry_on_startup=True,
        # A Redis blip must not abort hours of training: the task keeps running and its
        # (possibly redelivered) duplicate message is dropped by the atomic claim.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        # Keep processes (and their warm assistants) alive between tasks.
        worker_max_tasks_per_child=None,
        beat_schedule={
            "reap-stale-jobs": {
                "task": REAP_STALE_JOBS,
                "schedule": settings.reap_interval_s,
                # A reap nobody ran in time is superseded by the next one.
                "options": {"queue": CPU_QUEUE, "expires": settings.reap_interval_s},
            }
        },
        enable_utc=True,
    )
    return app


def settings_of(app: Celery) -> WorkerSettings:
    """The settings an app was created with (tasks reach them through ``self.app``)."""
    settings: Optional[WorkerSettings] = getattr(app, _SETTINGS_ATTR, None)
    if settings is None:
        raise RuntimeError(
            "this Celery app was not created by worker.app.create_celery_app; "
            "start workers with: celery -A worker.app worker"
        )
    return settings


def __getattr__(name: str) -> Celery:
    """``worker.app.app``, built from the environment on first use (``celery -A worker.app``).

    Lazy so that importing this module (for :func:`create_celery_app`)
    neither reads the environment nor fails on a bad variable before it is needed.
    """
    if name == "app":
        global app
        app = create_celery_app(WorkerSettings.from_env())
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
