"""Which dataset a job uses, and its ``datasets`` row.

A trial is pinned to one dataset the first time a worker runs it (``trials.dataset_id``),
so a redelivered job resumes on the same data even if a newer dataset was built meanwhile.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Dataset, Trial, utcnow
from hcmqa.home import Home
from worker.sql import upsert_ignore

log = logging.getLogger(__name__)


def default_dataset(home: Path) -> Path:
    """The latest ``default`` dataset under ``home``; the bundled one is built if none is.

    Building is deterministic (the directory name is a hash of the inputs), so two workers
    doing it at once end with the same directory.
    """
    from hcmqa.data.build import build_dataset

    layout = Home(home)
    try:
        return layout.latest_dataset()
    except FileNotFoundError:
        log.info("no dataset under %s; building the bundled default", layout.datasets_dir)
        return build_dataset(out_root=layout.datasets_dir).path


def register_dataset(session: Session, path: Path) -> Dataset:
    """Get or create the row for a built dataset directory (caller commits)."""
    from hcmqa.data.build import load_manifest

    manifest = load_manifest(path)
    name, version = str(manifest["name"]), str(manifest["version"])
    stmt = select(Dataset).where(Dataset.name == name, Dataset.version == version)
    existing = session.scalars(stmt).first()
    if existing is not None:
        if existing.inputs is None and manifest.get("inputs"):
            existing.inputs = dict(manifest["inputs"])  # a row from before the column existed
        return existing
    values = {
        "name": name,
        "version": version,
        "content_hash": hashlib.sha256(
            json.dumps(manifest.get("files", {}), sort_keys=True).encode()
        ).hexdigest(),
        "path": str(path.resolve()),
        "counts": dict(manifest.get("counts", {})),
        "splits": dict(manifest.get("splits", {})),
        "inputs": dict(manifest["inputs"]) if manifest.get("inputs") else None,
        "created_at": utcnow(),
    }
    # ON CONFLICT DO NOTHING: another worker may register the same dataset concurrently.
    session.execute(upsert_ignore(session, Dataset).values(**values))
    return session.scalars(stmt).one()


def dataset_dir_of(dataset: Dataset) -> Path:
    """A dataset row's directory, checked to exist on this worker."""
    path = Path(dataset.path)
    if not (path / "manifest.json").is_file():
        raise FileNotFoundError(
            f"dataset {dataset.name} {dataset.version} is not at {path} on this worker; "
            "workers must share the HCMQA_HOME volume where it was built"
        )
    return path


def pin_trial_dataset(session: Session, trial: Trial, home: Path) -> Path:
    """The trial's dataset directory, pinning the current default on first use."""
    if trial.dataset is not None:
        return dataset_dir_of(trial.dataset)
    path = default_dataset(home)
    dataset = register_dataset(session, path)
    trial.dataset_id = dataset.id
    return path


def optional_dataset_dir(session: Session, trial_id: Optional[int]) -> Optional[Path]:
    """Dataset of a trial when it has one pinned, else None (callers use the default)."""
    if trial_id is None:
        return None
    trial = session.get(Trial, trial_id)
    if trial is None or trial.dataset is None:
        return None
    return dataset_dir_of(trial.dataset)
