"""Gate work: train the topic gate on a dataset and save it where its topic's gate lives.

That is ``<home>/gate`` for the bundled topic and ``<dataset>/gate`` for any other
(``hcmqa.gate.gate_dir_for``).

CPU-only and quick, so it runs on the ``cpu`` queue. The held-out report is left in the
job's ``progress_detail`` (jobs have no result column; the gate's own ``gate.json`` keeps
it too). Answer jobs pick the new gate up because the warm-assistant cache is keyed by the
gate file's modification time.

Job payload (all optional): ``dataset`` (a built dataset directory; default the latest),
``threshold`` (decision threshold, default ``hcmqa.config.DEFAULT_GATE_THRESHOLD``).
"""

from __future__ import annotations

from pathlib import Path

from db.models import JobStatus
from hcmqa.config import DEFAULT_GATE_THRESHOLD
from worker.context import JobContext, Outcome
from worker.datasets import default_dataset


def train_gate(ctx: JobContext) -> Outcome:
    """Train, evaluate on held-out questions, save atomically."""
    from hcmqa.data.build import load_manifest
    from hcmqa.gate import GateClassifier, gate_data_from_dataset, gate_dir_for

    dataset = (
        Path(ctx.payload["dataset"]) if ctx.payload.get("dataset") else default_dataset(ctx.home)
    )
    load_manifest(dataset)  # a clear error if it is not a built dataset
    threshold = float(ctx.payload.get("threshold", DEFAULT_GATE_THRESHOLD))
    ctx.report(progress=0.1, detail={"stage": "training", "dataset": str(dataset)})
    data = gate_data_from_dataset(dataset)
    gate = GateClassifier.fit(data, threshold=threshold)
    ctx.check_stop()
    report = gate.evaluate(data.heldout_questions, data.heldout_labels)
    summary = report.to_dict()
    summary.pop("errors", None)
    gate.metadata.update(
        {"dataset": str(dataset), "heldout": summary | {"errors": len(report.errors)}}
    )
    out = gate.save(gate_dir_for(ctx.home, dataset))
    ctx.report(
        progress=1.0,
        detail={"stage": "saved", "dataset": str(dataset), "gate": str(out), "report": summary},
    )
    return Outcome(JobStatus.succeeded, summary={"gate": str(out)})
