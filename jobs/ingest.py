"""Dataset uploads: a pending Dataset row and the ingest job that validates and builds it.

The web app saves an upload's files in a staging folder under ``<HCMQA_HOME>/uploads/`` and
calls :func:`submit_ingest`; everything that needs the library (the validators, the build) is
the worker's (``worker.ingest_job``), which leaves the dataset ``ready`` or ``failed`` with
its problems.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Optional

from sqlalchemy.orm import Session

from db.jobs import create_job, create_pending_dataset
from db.models import Dataset, Job, JobKind
from jobs.contract import payload

#: A pending upload's version until the worker has built it: name and version are unique
#: together, and the real version is a hash of the built inputs.
PENDING_VERSION_PREFIX = "upload-"


def submit_ingest(
    session: Session,
    name: str,
    *,
    staging: str,
    documents: Sequence[tuple[str, str]],
    qa_csv: str,
    max_attempts: int,
    topic: Optional[tuple[str, str]] = None,
    nearmiss: Optional[tuple[str, str]] = None,
) -> tuple[Dataset, Job]:
    """Store a pending dataset and its queued ingest job (committed).

    ``staging`` is the folder under ``uploads/`` holding the saved files, ``documents`` pairs
    each saved document name with its uploaded name, ``qa_csv`` is the QA file's uploaded name;
    ``topic`` and ``nearmiss``, when given, pair the saved topic profile and near-miss CSV
    with their uploaded names.
    """
    dataset = create_pending_dataset(session, name=name, version=PENDING_VERSION_PREFIX + secrets.token_hex(8))
    values = {"staging": staging, "documents": [list(pair) for pair in documents], "qa_csv": qa_csv,
              "topic": list(topic) if topic else None, "nearmiss": list(nearmiss) if nearmiss else None}
    job = create_job(session, JobKind.ingest, payload(JobKind.ingest, values), max_attempts=max_attempts,
                     commit=False)
    job.dataset_id = dataset.id
    session.commit()
    return dataset, job

