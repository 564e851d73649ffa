"""Worker settings: the only module of ``worker`` that reads environment variables.

Everything else receives a :class:`WorkerSettings`, so tests build one explicitly and never
depend on the environment of the machine running them.

Environment variables (all optional):

``HCMQA_HOME``
    Data folder: prepared models, datasets, the gate, run directories and, by default, the
    SQLite files. Default: the user cache directory (``~/.cache/hcmqa`` on Linux), the same
    default as the ``hcmqa`` command and the web app.
``DATABASE_URL``
    SQLAlchemy URL. Default ``sqlite:///<HCMQA_HOME>/hcmqa.db``.
``BROKER_URL``
    Celery broker URL. Default ``sqla+sqlite:///<HCMQA_HOME>/broker.db`` (kombu's SQLAlchemy
    transport: no server needed); production uses ``redis://...``.
``HCMQA_HEARTBEAT_S`` (15)
    How often a running job refreshes its heartbeat, progress and metric points.
``HCMQA_STALE_AFTER_S`` (300)
    A running job whose heartbeat is older than this is presumed dead and may be taken over.
``HCMQA_REAP_INTERVAL_S`` (60)
    How often the periodic reaper looks for dead and unsent jobs.
``HCMQA_UNSENT_GRACE_S`` (60)
    A queued job whose message was never sent (broker down at submission) is sent again by
    the reaper once it is older than this.
``HCMQA_MAX_ATTEMPTS`` (3, the job contract's ``jobs.DEFAULT_MAX_ATTEMPTS``)
    Attempts a job gets before a worker death ends it ``failed``.
``HCMQA_TRAIN_TIME_LIMIT_S`` (43200), ``HCMQA_TASK_TIME_LIMIT_S`` (7200)
    Hard time limits of training and of every other task; the soft limit, which lets the
    task record a clean failure, is ``HCMQA_SOFT_LIMIT_MARGIN_S`` (120) earlier.
``HCMQA_VISIBILITY_TIMEOUT_S``
    Redis: seconds before an unacknowledged message (its worker died) is delivered again.
    Default: the longest time limit plus one hour, so a live task is never redelivered.
``HCMQA_BROKER_CONNECT_TIMEOUT_S`` (3)
    Connect timeout used when sending a job, so an unreachable broker fails in seconds.
``HCMQA_SEND_RETRIES`` (2)
    Extra attempts at sending a message before the submission reports the broker down.
``HCMQA_ASSISTANT_CACHE_SIZE`` (1)
    Loaded assistants (model + adapter) kept warm per worker process between answer jobs.
``HCMQA_ENGINE`` (``transformers``)
    What generates answers: ``transformers``, or ``openvino`` (OpenVINO GenAI, faster on a
    CPU; each model is exported on first use, which needs ``make install-openvino``).
``HCMQA_ALLOW_HUB_MODELS`` (off)
    ``1`` lets a trial's base model be a Hugging Face hub id (``org/name``), downloaded where
    the worker has a network. Off: registry names and local model directories only.
``HCMQA_MODELS_ROOT`` (``<HCMQA_HOME>/models``)
    The folder a trial's local model directory must lie in (after following symbolic links).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

from hcmqa.config import ENGINES
from hcmqa.home import Home
from jobs.submit import DEFAULT_MAX_ATTEMPTS, MAX_ATTEMPTS_ENV

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """One or more environment variables hold unusable values; the message names each."""


@dataclass(frozen=True)
class WorkerSettings:
    """Everything a worker, the reaper and the submission helpers need to know."""

    home: Path
    database_url: str
    broker_url: str
    #: Seconds between heartbeats of a running job.
    heartbeat_s: float = 15.0
    #: A running job silent for longer than this is presumed dead.
    stale_after_s: float = 300.0
    #: Seconds between runs of the periodic reaper.
    reap_interval_s: float = 60.0
    #: Age after which a queued job whose message was never sent is sent again.
    unsent_grace_s: float = 60.0
    #: Attempts per job before a worker death ends it failed.
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    #: Hard time limit of a training task.
    train_time_limit_s: float = 12 * 3600.0
    #: Hard time limit of every other task.
    task_time_limit_s: float = 2 * 3600.0
    #: The soft limit (a clean, recorded failure) comes this much before the hard one.
    soft_limit_margin_s: float = 120.0
    #: Redis redelivery delay for messages of dead workers; None: longest limit + 1 h.
    visibility_timeout_s: Optional[float] = None
    #: Connect timeout for sending a message.
    broker_connect_timeout_s: float = 3.0
    #: Extra send attempts before reporting the broker unreachable.
    send_retries: int = 2
    #: Assistants kept loaded per worker process.
    assistant_cache_size: int = 1
    #: What generates answers (``hcmqa.answering.load_assistant``'s ``engine``).
    engine: str = "transformers"
    #: A trial may name a hub id as its base model.
    allow_hub_models: bool = False
    #: Local base-model directories must lie inside it; None: ``<home>/models``.
    models_root: Optional[Path] = None

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise SettingsError(
                "invalid worker settings:\n" + "\n".join(f"  {p}" for p in problems)
            )

    @property
    def effective_visibility_timeout_s(self) -> float:
        """Redelivery delay actually used: explicit, or longer than any task may run."""
        if self.visibility_timeout_s is not None:
            return self.visibility_timeout_s
        return max(self.train_time_limit_s, self.task_time_limit_s) + 3600.0

    def soft_limit(self, hard_limit_s: float) -> float:
        """Soft time limit for a task with ``hard_limit_s``; never below half the hard one."""
        return max(hard_limit_s / 2, hard_limit_s - self.soft_limit_margin_s)

    @property
    def runs_dir(self) -> Path:
        return Home(self.home).runs_dir

    def run_dir(self, trial_id: int) -> Path:
        """Deterministic per trial, so a redelivered job finds its checkpoints."""
        return self.runs_dir / f"trial-{trial_id}"

    def base_model_problem(self, base_model: str) -> Optional[str]:
        """Why a trial may not use ``base_model`` (the web admin's own check), or None."""
        from hcmqa.registry import check_allowed_model

        return check_allowed_model(base_model, self.home, allow_hub=self.allow_hub_models,
                                   models_root=self.models_root or Home(self.home).models_dir)

    def problems(self) -> list[str]:
        """Every inconsistent value, one sentence each (all reported at once)."""
        found = []
        positive = {
            "HCMQA_HEARTBEAT_S": self.heartbeat_s,
            "HCMQA_STALE_AFTER_S": self.stale_after_s,
            "HCMQA_REAP_INTERVAL_S": self.reap_interval_s,
            "HCMQA_TRAIN_TIME_LIMIT_S": self.train_time_limit_s,
            "HCMQA_TASK_TIME_LIMIT_S": self.task_time_limit_s,
            "HCMQA_BROKER_CONNECT_TIMEOUT_S": self.broker_connect_timeout_s,
        }
        for name, value in positive.items():
            if not value > 0:
                found.append(f"{name}={value}: must be above 0")
        if self.heartbeat_s > 0 and self.stale_after_s < 2 * self.heartbeat_s:
            found.append(
                f"HCMQA_STALE_AFTER_S={self.stale_after_s} must be at least twice "
                f"HCMQA_HEARTBEAT_S={self.heartbeat_s}, or live jobs would be taken for dead"
            )
        if self.unsent_grace_s < 0:
            found.append(f"HCMQA_UNSENT_GRACE_S={self.unsent_grace_s}: must be 0 or more")
        if self.soft_limit_margin_s < 0:
            found.append(f"HCMQA_SOFT_LIMIT_MARGIN_S={self.soft_limit_margin_s}: must be 0 or more")
        if self.max_attempts < 1:
            found.append(f"{MAX_ATTEMPTS_ENV}={self.max_attempts}: must be at least 1")
        if self.send_retries < 0:
            found.append(f"HCMQA_SEND_RETRIES={self.send_retries}: must be 0 or more")
        if self.assistant_cache_size < 1:
            found.append(
                f"HCMQA_ASSISTANT_CACHE_SIZE={self.assistant_cache_size}: must be at least 1"
            )
        if self.engine not in ENGINES:
            found.append(f"HCMQA_ENGINE={self.engine!r}: expected one of {', '.join(ENGINES)}")
        if (
            self.visibility_timeout_s is not None
            and self.visibility_timeout_s <= self.stale_after_s
        ):
            found.append(
                f"HCMQA_VISIBILITY_TIMEOUT_S={self.visibility_timeout_s} must exceed "
                f"HCMQA_STALE_AFTER_S={self.stale_after_s}: a message redelivered before its "
                "job looks dead is dropped as a duplicate"
            )
        return found

    def with_home(self, home: Path) -> "WorkerSettings":
        """Same settings for another home; URLs that defaulted under the old home follow it."""
        changes: dict[str, object] = {"home": home}
        old, new = Home(self.home), Home(home)
        if self.database_url == old.database_url:
            changes["database_url"] = new.database_url
        if self.broker_url == old.broker_url:
            changes["broker_url"] = new.broker_url
        return replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "WorkerSettings":
        """Settings from environment variables (see the module docstring for each)."""
        env = os.environ if environ is None else environ
        reader = _EnvReader(env)
        home = Home.from_env(env)
        settings_kwargs = dict(
            home=home.root,
            database_url=env.get("DATABASE_URL") or home.database_url,
            broker_url=env.get("BROKER_URL") or home.broker_url,
            heartbeat_s=reader.number("HCMQA_HEARTBEAT_S", cls.heartbeat_s),
            stale_after_s=reader.number("HCMQA_STALE_AFTER_S", cls.stale_after_s),
            reap_interval_s=reader.number("HCMQA_REAP_INTERVAL_S", cls.reap_interval_s),
            unsent_grace_s=reader.number("HCMQA_UNSENT_GRACE_S", cls.unsent_grace_s),
            max_attempts=reader.whole(MAX_ATTEMPTS_ENV, cls.max_attempts),
            train_time_limit_s=reader.number("HCMQA_TRAIN_TIME_LIMIT_S", cls.train_time_limit_s),
            task_time_limit_s=reader.number("HCMQA_TASK_TIME_LIMIT_S", cls.task_time_limit_s),
            soft_limit_margin_s=reader.number("HCMQA_SOFT_LIMIT_MARGIN_S", cls.soft_limit_margin_s),
            visibility_timeout_s=reader.number("HCMQA_VISIBILITY_TIMEOUT_S", None),
            broker_connect_timeout_s=reader.number(
                "HCMQA_BROKER_CONNECT_TIMEOUT_S", cls.broker_connect_timeout_s
            ),
            send_retries=reader.whole("HCMQA_SEND_RETRIES", cls.send_retries),
            assistant_cache_size=reader.whole(
                "HCMQA_ASSISTANT_CACHE_SIZE", cls.assistant_cache_size
            ),
            engine=(env.get("HCMQA_ENGINE") or cls.engine).strip(),
            allow_hub_models=reader.flag("HCMQA_ALLOW_HUB_MODELS", False),
            models_root=Path(env["HCMQA_MODELS_ROOT"]).expanduser() if env.get("HCMQA_MODELS_ROOT") else None,
        )
        if reader.problems:
            raise SettingsError(
                "invalid worker settings:\n" + "\n".join(f"  {p}" for p in reader.problems)
            )
        return cls(**settings_kwargs)  # type: ignore[arg-type]


class _EnvReader:
    """Parses typed values and collects every problem, so all are reported in one error."""

    def __init__(self, env: Mapping[str, str]):
        self.env = env
        self.problems: list[str] = []

    def _raw(self, name: str) -> Optional[str]:
        raw = self.env.get(name)
        return raw.strip() if raw is not None and raw.strip() else None

    def number(self, name: str, default: Optional[float]) -> Optional[float]:
        raw = self._raw(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            self.problems.append(f"{name}={raw!r}: expected a number of seconds")
            return default
        if value != value or value in (float("inf"), float("-inf")):
            self.problems.append(f"{name}={raw!r}: expected a finite number")
            return default
        return value

    def whole(self, name: str, default: int) -> int:
        raw = self._raw(name)
        if raw is None:
            return default
        try:
            return int(raw)
        except ValueError:
            self.problems.append(f"{name}={raw!r}: expected a whole number")
            return default

    def flag(self, name: str, default: bool) -> bool:
        raw = self.env.get(name)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        self.problems.append(f"{name}={raw!r}: expected 1/true/yes/on or 0/false/no/off")
        return default
