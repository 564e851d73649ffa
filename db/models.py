"""SQLAlchemy models for HCM-QA persistence (users, datasets, trials, metrics, jobs, FAQ batches).

The schema is owned by the Alembic migrations in ``db/migrations``; these models must stay
in sync with them (a test compares both with ``alembic.autogenerate.compare_metadata``).
"""

from __future__ import annotations

import enum
from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Double,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, WriteOnlyMapped, mapped_column, relationship

__all__ = [
    "NAMING_CONVENTION",
    "TERMINAL_STATUSES",
    "Answer",
    "AnswerPath",
    "Base",
    "Dataset",
    "DatasetStatus",
    "FaqBatch",
    "Job",
    "JobKind",
    "JobStatus",
    "MetricPoint",
    "Trial",
    "TrialStatus",
    "UTCDateTime",
    "User",
    "utcnow",
]

#: Deterministic constraint names, so migrations can refer to (and later drop/alter) them by name.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Width of the short string columns holding enum values (room to add values without a migration).
ENUM_LENGTH = 16


def utcnow() -> datetime:
    """Current time as an aware UTC datetime (the only kind of datetime this package stores)."""
    return datetime.now(timezone.utc)


def _empty_dict() -> dict[str, Any]:
    """Fresh ``{}`` per row (a shared mutable default would leak between rows)."""
    return {}


class JobStatus(enum.StrEnum):
    """Lifecycle of a queued unit of work: jobs, and the trials and FAQ batches they serve."""

    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"


#: A trial's status is its train job's (``db.jobs.sync_owner_status`` copies one onto the
#: other), so it is the same enum; the name stays for readability at trial call sites. The
#: stored column (VARCHAR + CHECK of these five values) is unchanged.
TrialStatus = JobStatus


class JobKind(enum.StrEnum):
    """What a worker is asked to do."""

    train = "train"
    evaluate = "evaluate"
    answer = "answer"
    gate = "gate"
    ingest = "ingest"


class DatasetStatus(enum.StrEnum):
    """Where a dataset stands: an upload waits for its ingest job, then is built or refused."""

    pending = "pending"
    ready = "ready"
    failed = "failed"


class AnswerPath(enum.StrEnum):
    """Which path of the answering policy produced an answer (``hcmqa.answering.ANSWER_PATHS``)."""

    generated = "generated"
    extracted = "extracted"  # the supporting source sentence quoted with its citation
    refused_off_topic = "refused_off_topic"
    refused_no_source = "refused_no_source"


#: Statuses from which a job never moves again without an explicit requeue.
TERMINAL_STATUSES: frozenset[JobStatus] = frozenset(
    {JobStatus.succeeded, JobStatus.failed, JobStatus.cancelled}
)


def _enum_values(enum_cls: type[enum.Enum]) -> list[str]:
    """Persist enum *values* (not member names) so the stored text is the public vocabulary."""
    return [str(member.value) for member in enum_cls]


def _str_enum(enum_cls: type[enum.Enum], column: str, length: int = ENUM_LENGTH) -> Enum:
    """Short VARCHAR + CHECK constraint; avoids native PG enums, which are painful to migrate."""
    return Enum(
        enum_cls,
        name=column,  # becomes ck_<table>_<column> through the naming convention
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=_enum_values,
        validate_strings=True,
    )


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that always hands back aware UTC datetimes.

    SQLite has no timezone support and returns naive values; normalising here keeps
    application code identical on SQLite and PostgreSQL. Naive inputs are rejected because
    guessing their zone silently corrupts heartbeat/staleness comparisons.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware (UTC) datetime")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            # Stored as ISO text; all values in UTC keeps lexical order == time order.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(
        self, value: Optional[datetime], dialect: Dialect
    ) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    """Declarative base carrying the shared metadata and its naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    """An admin-app account; API tokens are stored hashed only."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    api_token_hash: Mapped[Optional[str]] = mapped_column(String(128), unique=True)
    # NULL: the token (if any) does not expire.
    api_token_expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A sign-in session is honoured only while it names this version; signing out and a
    # password reset increment it, which ends every session of the account.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, username={self.username!r}, is_admin={self.is_admin!r})"


class Dataset(Base):
    """A versioned, content-hashed QA dataset snapshot that trials train/evaluate on."""

    __tablename__ = "datasets"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(128))
    path: Mapped[str] = mapped_column(String(1024))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=_empty_dict)
    splits: Mapped[dict[str, Any]] = mapped_column(JSON, default=_empty_dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # An upload is pending until its ingest job built it (ready) or refused it (failed, with
    # its problems); datasets a worker builds itself are ready at once, as is every row
    # older than revision 0005.
    status: Mapped[DatasetStatus] = mapped_column(
        _str_enum(DatasetStatus, "status"),
        default=DatasetStatus.ready,
        server_default=DatasetStatus.ready.value,
    )
    # The ingest job's findings, one ``file:row: message`` sentence each, as uploaded names.
    problems: Mapped[Optional[list[str]]] = mapped_column(JSON(none_as_null=True))
    # The files it was built from with their SHA-256 (manifest.json's ``inputs``), stored by the
    # worker so the web app never reads the dataset folder; NULL for rows older than 0007.
    inputs: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON(none_as_null=True))

    @property
    def topic(self) -> Optional[dict[str, Any]]:
        """The topic profile it was built with (``subject``, ``description``, ``sha256``), from
        its recorded inputs; None for rows recorded before topics were data (the bundled one)."""
        topic = (self.inputs or {}).get("topic")
        return topic if isinstance(topic, dict) and topic.get("subject") else None

    def __repr__(self) -> str:
        return f"Dataset(id={self.id!r}, name={self.name!r}, version={self.version!r})"


class Trial(Base):
    """One fine-tuning run: its config, outcome and artifacts."""

    __tablename__ = "trials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=_empty_dict)
    mode: Mapped[str] = mapped_column(String(32))
    base_model: Mapped[str] = mapped_column(String(255))
    status: Mapped[JobStatus] = mapped_column(
        _str_enum(JobStatus, "status"), default=JobStatus.queued, index=True
    )
    summary_metrics: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON(none_as_null=True))
    artifact_path: Mapped[Optional[str]] = mapped_column(String(1024))
    error: Mapped[Optional[str]] = mapped_column(Text)
    # Datasets referenced by trials must not disappear under them: no ON DELETE action.
    dataset_id: Mapped[Optional[int]] = mapped_column(ForeignKey("datasets.id"))
    submitted_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    dataset: Mapped[Optional[Dataset]] = relationship(lazy="selectin")
    # Write-only: a trial can own many thousands of points; never load them implicitly.
    metric_points: WriteOnlyMapped[MetricPoint] = relationship(
        back_populates="trial", passive_deletes=True, order_by="MetricPoint.step"
    )

    def __repr__(self) -> str:
        return f"Trial(id={self.id!r}, name={self.name!r}, status={self.status!r})"


class MetricPoint(Base):
    """A scalar metric value at a training step for one split.

    Unique on (trial_id, split, name, step) so a resumed job can re-report points idempotently.
    """

    __tablename__ = "metric_points"
    __table_args__ = (
        UniqueConstraint("trial_id", "split", "name", "step"),
        Index("ix_metric_points_trial_id_name_step", "trial_id", "name", "step"),
        Index("ix_metric_points_name_split", "name", "split"),
    )

    # BIGINT on PostgreSQL; SQLite only auto-increments a column declared exactly INTEGER.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id", ondelete="CASCADE"))
    step: Mapped[int] = mapped_column(Integer)
    split: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))
    value: Mapped[float] = mapped_column(Double)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    trial: Mapped[Trial] = relationship(back_populates="metric_points")

    def __repr__(self) -> str:
        return (
            f"MetricPoint(trial_id={self.trial_id!r}, split={self.split!r}, "
            f"name={self.name!r}, step={self.step!r}, value={self.value!r})"
        )


class FaqBatch(Base):
    """FAQ questions answered in bulk by a trial's model (the base model when trial_id is NULL)."""

    __tablename__ = "faq_batches"
    __table_args__ = (
        CheckConstraint("total >= 0", name="total_non_negative"),
        CheckConstraint("done >= 0", name="done_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # No ON DELETE action: nulling it would silently re-attribute answers to the base model.
    trial_id: Mapped[Optional[int]] = mapped_column(ForeignKey("trials.id"))
    status: Mapped[JobStatus] = mapped_column(
        _str_enum(JobStatus, "status"), default=JobStatus.queued
    )
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    submitted_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    error: Mapped[Optional[str]] = mapped_column(Text)
    # Set on chat turns only: the turns of one conversation share it (NULL: a FAQ batch).
    conversation_id: Mapped[Optional[str]] = mapped_column(String(32), index=True)
    # The dataset (and so the topic) the base model answers from; NULL: the bundled default.
    # A trial's batches keep NULL and answer from the trial's own dataset. No ON DELETE action:
    # answers must not silently change their sources.
    dataset_id: Mapped[Optional[int]] = mapped_column(ForeignKey("datasets.id"))
    dataset: Mapped[Optional["Dataset"]] = relationship(lazy="selectin")

    answers: Mapped[list[Answer]] = relationship(
        back_populates="batch",
        order_by="Answer.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"FaqBatch(id={self.id!r}, name={self.name!r}, status={self.status!r})"


class Answer(Base):
    """One question of a FAQ batch and, once processed, its gate decision and answer."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("batch_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("faq_batches.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(Text)
    related: Mapped[Optional[bool]] = mapped_column(Boolean)
    gate_score: Mapped[Optional[float]] = mapped_column(Double)
    answer: Mapped[Optional[str]] = mapped_column(Text)
    sources: Mapped[Optional[list[Any]]] = mapped_column(JSON(none_as_null=True))
    latency_ms: Mapped[Optional[float]] = mapped_column(Double)
    # NULL until answered, and for answers stored before the path was recorded (revision 0002).
    answer_path: Mapped[Optional[AnswerPath]] = mapped_column(
        _str_enum(AnswerPath, "answer_path", length=32)
    )
    # The text the question was gated and retrieved with (a chat follow-up naming its subject,
    # initials written out), only where it differs from ``question``; NULL otherwise, until
    # answered, and for answers stored before it was recorded (revision 0009).
    resolved_question: Mapped[Optional[str]] = mapped_column(Text)

    batch: Mapped[FaqBatch] = relationship(back_populates="answers")

    def __repr__(self) -> str:
        return f"Answer(batch_id={self.batch_id!r}, position={self.position!r})"


class Job(Base):
    """A unit of work handed to a Celery worker; its row is the source of truth, not the broker.

    Ownership is (status == running, worker == <name>); heartbeats keep it, and a stale
    heartbeat lets another worker (or the reaper) take it over.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_status_kind", "status", "kind"),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress_range"),
        CheckConstraint("attempt >= 0", name="attempt_non_negative"),
        CheckConstraint("max_attempts >= 1", name="max_attempts_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[JobKind] = mapped_column(_str_enum(JobKind, "kind"))
    status: Mapped[JobStatus] = mapped_column(
        _str_enum(JobStatus, "status"), default=JobStatus.queued
    )
    # Jobs are meaningless without their trial/batch, so they go with it.
    trial_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("trials.id", ondelete="CASCADE"), index=True
    )
    batch_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("faq_batches.id", ondelete="CASCADE"), index=True
    )
    # The uploaded dataset an ingest job builds.
    dataset_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=_empty_dict)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    worker: Mapped[Optional[str]] = mapped_column(String(255))
    celery_task_id: Mapped[Optional[str]] = mapped_column(String(255))
    heartbeat_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)
    progress: Mapped[float] = mapped_column(Double, default=0.0)
    progress_detail: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON(none_as_null=True))
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    trial: Mapped[Optional[Trial]] = relationship()
    batch: Mapped[Optional[FaqBatch]] = relationship()

    def __repr__(self) -> str:
        return (
            f"Job(id={self.id!r}, kind={self.kind!r}, status={self.status!r}, "
            f"attempt={self.attempt!r}/{self.max_attempts!r}, worker={self.worker!r})"
        )
