"""Dashboard blueprint: the job queue with progress and ETA, workers online, recent trials."""

from __future__ import annotations

from datetime import timedelta

from db.models import FaqBatch, Job, JobKind, JobStatus, utcnow
from web_support import html, seed_trial


def _running_job(db_session, trial_id: int) -> Job:
    now = utcnow()
    job = Job(kind=JobKind.train, status=JobStatus.running, trial_id=trial_id, worker="gpu-worker-1@host",
              attempt=1, progress=0.25, progress_detail={"step": 25, "total": 100, "eta_s": 150, "phase": "training"},
              started_at=now - timedelta(seconds=50), heartbeat_at=now)
    db_session.add(job)
    db_session.commit()
    return job


def test_dashboard_lists_active_jobs_workers_and_recent_trials(signed_in, db_session):
    trial_id = seed_trial(db_session, "busy-trial", status="running", job_status="succeeded")
    job = _running_job(db_session, trial_id)
    batch = FaqBatch(name="Visitor FAQ", total=3)
    db_session.add(batch)
    db_session.flush()
    db_session.add(Job(kind=JobKind.answer, status=JobStatus.queued, batch_id=batch.id, payload={"batch_id": batch.id}))
    db_session.commit()
    page = html(signed_in.get("/"))
    table = page.find("table", attrs={"data-jobs-url": "/dashboard/jobs.json"})
    rows = table.tbody.find_all("tr")
    assert rows[0]["data-job-id"] == str(job.id)  # running first
    first = rows[0].get_text(" ")
    assert "busy-trial" in first and "step 25/100" in first and "training" in first
    assert rows[0].find("progress")["value"] == "0.25"
    assert rows[0].find("td", class_="eta").get_text().endswith(" s")
    assert "FAQ batch" in rows[1].get_text() and rows[1].a["href"] == f"/faq/{batch.id}"
    assert page.find(attrs={"data-workers": True}).get_text() == "gpu-worker-1@host"
    assert "busy-trial" in page.find("h2", string="Recent trials").find_next("table").get_text()
    assert page.find("script", src="/static/app.js") is not None


def test_jobs_json_has_progress_and_eta(signed_in, db_session):
    trial_id = seed_trial(db_session, "busy", status="running", job_status="succeeded")
    job = _running_job(db_session, trial_id)
    data = signed_in.get("/dashboard/jobs.json").get_json()
    [entry] = data["jobs"]
    assert entry["id"] == job.id and entry["status"] == "running" and entry["progress"] == 0.25
    assert 140 <= entry["eta_s"] <= 150 and entry["eta"].startswith("2 min")
    assert entry["url"] == f"/trials/{trial_id}"
    assert data["workers"] == ["gpu-worker-1@host"]


def test_empty_dashboard_says_so(signed_in):
    page = html(signed_in.get("/"))
    assert "No queued or running jobs." in page.get_text()
    assert "none seen in the last minute" in page.get_text()


def test_static_assets_are_served_without_a_session(client, admin_user):
    """The login page needs its stylesheet before anyone is signed in."""
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/app.js").status_code == 200


def test_progress_text_reads_what_each_worker_reports():
    from webadmin.formatting import progress_text

    assert progress_text(0.4, {"step": 40, "total": 100, "loss": 1.2}) == "40% \u00b7 step 40/100"
    assert progress_text(0.5, {"split": "test_unseen", "done": 125, "total": 250}) == "50% \u00b7 test_unseen 125/250"
    assert progress_text(0.25, {"done": 5, "total": 20}) == "25% \u00b7 5/20 answered"
    assert progress_text(0.1, {"stage": "training", "dataset": "/x"}) == "10% \u00b7 training"
    assert progress_text(0.3, {"phase": "checking documents", "step": 2, "total": 4}) == "30% \u00b7 step 2/4 \u00b7 checking documents"
    assert progress_text(0.0, None) == "0%"
