"""Small helpers shared by the HTML views."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from flask import Response, abort, flash, g

from db.models import FaqBatch, Job
from jobs import Dispatch, batch_visible_to
from webadmin.broker import dispatch_job
from webadmin.database import get_session

M = TypeVar("M")


def get_or_404(model: type[M], ident: Any) -> M:
    row = get_session().get(model, ident)
    if row is None:
        abort(404)
    return row


def batch_or_404(batch_id: int) -> FaqBatch:
    """A FAQ batch the signed-in admin may see; another admin's chat turn is a 404, as if absent."""
    batch = get_or_404(FaqBatch, batch_id)
    if not batch_visible_to(batch, g.user.id):
        abort(404)
    return batch


def current_user_id() -> int:
    return g.user.id


def send_and_flash(jobs: Iterable[Job], success: str) -> list[Dispatch]:
    """Dispatch committed jobs; flash ``success`` or, per unsent job, the broker error."""
    results = [dispatch_job(get_session(), job) for job in jobs]
    failures = [r for r in results if not r.sent]
    for failure in failures:
        flash(failure.error or "The job could not be sent.", "error")
    if results and not failures:
        flash(success, "success")
    return results


def csv_response(text: str, filename: str) -> Response:
    """A CSV download (cells must already be neutralised with ``db.queries.safe_csv_cell``)."""
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
