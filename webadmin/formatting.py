"""Presentation helpers shared by templates (as filters) and JSON endpoints.

The same function formats an ETA on the server-rendered page and in the polled JSON, so the
page does not change wording when the first poll replaces the text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from flask import Flask, url_for

from db.models import AnswerPath, utcnow
from db.queries import DashboardJob
from jobs.formatting import duration, training_step
from webadmin.charts import format_number


def iso(value: Optional[datetime]) -> str:
    """ISO 8601 UTC timestamp (now when ``value`` is None)."""
    return (value or utcnow()).isoformat(timespec="seconds")


def iso_or_none(value: Optional[datetime]) -> Optional[str]:
    return value.isoformat(timespec="seconds") if value else None


def when(value: Optional[datetime]) -> str:
    """Human timestamp for tables: ``2025-05-19 14:03 UTC``."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "\u2014"


def percent(progress: Optional[float]) -> str:
    return f"{100 * (progress or 0.0):.0f}%"


def metric_value(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "\u2014" if value is None else str(value)
    if isinstance(value, (int, float)):
        return format_number(float(value))
    return str(value)


def progress_text(progress: float, detail: Optional[dict[str, Any]]) -> str:
    """``42% - step 120/300`` from the keys workers write in a job's progress detail: training's
    ``step``/``total``, evaluation's ``split`` with ``done``/``total``, answering's
    ``done``/``total``, and the gate's ``stage`` or an ingest's ``phase``."""
    parts = [percent(progress)]
    detail = detail or {}
    step = training_step(detail)
    if step:
        parts.append(step)
    elif detail.get("done") is not None and detail.get("total"):
        split = detail.get("split")
        counted = f"{detail['done']}/{detail['total']}"
        parts.append(f"{split} {counted}" if isinstance(split, str) else f"{counted} answered")
    for key in ("phase", "stage"):
        if isinstance(detail.get(key), str) and detail[key]:
            parts.append(detail[key][:120])
    return " \u00b7 ".join(parts)


def job_target(job: DashboardJob, conversation_id: Optional[str]) -> Optional[str]:
    """URL of the page a job belongs to (trial, FAQ batch, chat conversation or dataset)."""
    if job.trial_id is not None:
        return url_for("trials.detail", trial_id=job.trial_id)
    if job.batch_id is not None:
        if conversation_id:
            return url_for("chat.conversation", conversation_id=conversation_id)
        return url_for("faq.detail", batch_id=job.batch_id)
    if job.dataset_id is not None:
        return url_for("datasets.detail", dataset_id=job.dataset_id)
    return None


def describe_job(
    job: DashboardJob,
    trial_names: dict[int, str],
    batch_names: dict[int, str],
    private_batches: frozenset[int] = frozenset(),
    conversations: Optional[dict[int, str]] = None,
) -> dict[str, Any]:
    """A dashboard job as plain JSON-ready values (also used to render the first page).

    ``conversations`` maps a chat turn's batch to its conversation; a job of a batch in
    ``private_batches`` (another admin's chat turn) gets no link.
    """
    batch_name = batch_names.get(job.batch_id) if job.batch_id else None
    conversation_id = (conversations or {}).get(job.batch_id) if job.batch_id else None
    if job.trial_id is not None:
        label = f"trial #{job.trial_id} {trial_names.get(job.trial_id, '')}".strip()
    elif conversation_id:
        label = f"chat turn (batch #{job.batch_id})"
    elif job.batch_id is not None:
        label = f"FAQ batch #{job.batch_id} {batch_name or ''}".strip()
    elif job.dataset_id is not None:
        label = f"dataset #{job.dataset_id} upload"
    else:
        label = f"job #{job.id}"
    return {
        "id": job.id,
        "kind": job.kind.value,
        "status": job.status.value,
        "label": label,
        "url": None if job.batch_id in private_batches else job_target(job, conversation_id),
        "worker": job.worker,
        "attempt": job.attempt,
        "max_attempts": job.max_attempts,
        "progress": job.progress,
        "progress_text": progress_text(job.progress, job.progress_detail),
        "eta_s": job.eta_s,
        "eta": duration(job.eta_s) if job.status.value == "running" else "\u2014",
        "cancel_requested": job.cancel_requested,
        "created_at": iso_or_none(job.created_at),
        "heartbeat_at": iso_or_none(job.heartbeat_at),
    }


def source_label(source: Any) -> str:
    """One answer source as text, whatever shape the worker stored (dict, list or string)."""
    if isinstance(source, dict):
        title = source.get("title") or source.get("doc") or source.get("id") or ""
        section = source.get("section")
        label = f"{title} \u203a {section}" if section and section != title else str(title)
        if not label and source.get("text"):
            label = str(source["text"])[:80]
        return label or str(source)
    return str(source)


def source_excerpt(source: Any) -> str:
    if isinstance(source, dict) and isinstance(source.get("text"), str):
        text = source["text"]
        return text if len(text) <= 300 else text[:297] + "\u2026"
    return ""


#: Badge text per answer path, worded for curators rather than engineers.
ANSWER_PATH_LABELS: dict[AnswerPath, str] = {
    AnswerPath.generated: "generated",
    AnswerPath.extracted: "quoted from source",
    AnswerPath.refused_off_topic: "refused: off topic",
    AnswerPath.refused_no_source: "refused: not in sources",
}


def answer_path_of(answer: Any) -> Optional[AnswerPath]:
    """The path that produced a stored answer row; None while it is unanswered.

    Rows answered before the path was recorded have ``answer_path`` NULL: only an off-topic
    refusal can still be told from them (the gate's ``related`` is false).
    """
    if answer is None:
        return None
    if answer.answer_path is not None:
        return AnswerPath(answer.answer_path)
    if answer.related is False:
        return AnswerPath.refused_off_topic
    return None


def is_refusal(path: Optional[AnswerPath]) -> bool:
    return path in (AnswerPath.refused_off_topic, AnswerPath.refused_no_source)


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        when=when,
        duration=duration,
        percent=percent,
        metric=metric_value,
        source_label=source_label,
        source_excerpt=source_excerpt,
        iso=iso_or_none,
    )
    app.jinja_env.globals.update(
        answer_path_of=answer_path_of, answer_path_labels=ANSWER_PATH_LABELS, is_refusal=is_refusal
    )
