"""Every page in headless Chromium, on seeded data: it renders under the strict CSP with no
console errors, the live-update JavaScript really updates, and a screenshot of each page is
written to /tmp/screens for a human look. The data is seeded; only dataset uploads need a
worker, a real ``cpu`` one, which checks and builds them."""

from __future__ import annotations

import io
import math
import time
from datetime import timedelta
from pathlib import Path

import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from db.models import Answer, Dataset, DatasetStatus, FaqBatch, Job, JobKind, JobStatus, Trial, TrialStatus, User, utcnow
from jobs import send_job, submit_ingest
from web_support import ADMIN, SCREENSHOT_DIR, browser_errors, browser_login, screenshot, seed_trial
from webadmin.broker import celery_client
from webadmin.database import db_handle
from webadmin.dataset_uploads import stage_dataset
from webadmin.security import create_admin
from worker_support import start_cpu_worker, wait_for_dataset

pytestmark = pytest.mark.browser


def _curves(final_loss: float, steps: int = 150) -> list[tuple[int, str, str, float]]:
    points = []
    for step in range(10, steps + 1, 10):
        points.append((step, "train", "loss", final_loss + 1.9 * math.exp(-step / 45) + 0.05 * math.sin(step)))
        points.append((step, "train", "learning_rate", 5e-4 * 0.5 * (1 + math.cos(math.pi * step / steps))))
    for i, step in enumerate(s for s in (50, 100, 150) if s <= steps):
        points.append((step, "val", "eval_loss", final_loss + 0.2 + 1.2 * math.exp(-step / 60)))
        points.append((step, "val", "key_fact_accuracy", 0.75 - final_loss / 3 + 0.12 * i))
        points.append((step, "val", "token_f1", 0.7 - final_loss / 4 + 0.08 * i))
    return points


SAMPLES = [
    {"question": "When was Ho Chi Minh born?", "base_answer": "Ho Chi Minh was born in 1900 in Hanoi.",
     "tuned_answer": "He was born on 19 May 1890 in Kim Lien, Nghe An province.",
     "sources": [{"id": "hcm-3", "title": "Ho Chi Minh", "section": "Early life", "text": "Born 19 May 1890 in Kim Lien."}]},
    {"question": "Where did he read the Declaration of Independence?", "base_answer": "In Saigon.",
     "tuned_answer": "At Ba Dinh Square in Hanoi, on 2 September 1945.",
     "sources": [{"id": "hcm-9", "title": "Ho Chi Minh", "section": "August Revolution"}]},
]


def _seed(app, fixtures_dir: Path) -> dict[str, int]:
    with db_handle(app).sessions() as session:
        create_admin(session, *ADMIN)
        admin_id = session.scalar(select(User.id))
        # An upload as the web app stores it; the worker builds it.
        with (fixtures_dir / "qa_good.csv").open("rb") as qa:
            docs = [FileStorage(io.BytesIO(p.read_bytes()), filename=p.name) for p in sorted((fixtures_dir / "docs").iterdir())]
            staged = stage_dataset(Path(app.config["HCMQA_HOME"]) / "uploads", "museum-2025", docs,
                                   FileStorage(qa, filename="qa.csv"))
        dataset, ingest = submit_ingest(session, staged.name, staging=staged.folder.name, documents=staged.documents,
                                        qa_csv=staged.qa_csv, max_attempts=3)
        send_job(celery_client(app), session, ingest.id, JobKind.ingest, retries=0)
        ids = {"dataset": dataset.id}
        ids["good"] = seed_trial(session, "smollm-r16-grounded", points=_curves(0.9),
                                 summary={"key_fact_accuracy": 0.61, "token_f1": 0.56, "eval_loss": 1.24, "samples": SAMPLES})
        ids["other"] = seed_trial(session, "smollm-r8-closed-book", points=_curves(1.3), config={"lora_r": 8, "mode": "closed_book"},
                                  summary={"key_fact_accuracy": 0.44, "token_f1": 0.49})
        ids["failed"] = seed_trial(session, "falcon-7b-academic", status="failed", config={"base_model": "falcon-7b-instruct"},
                                   error="RuntimeError: optimizer paged_adamw_32bit needs a CUDA GPU; this worker has none.\n"
                                         "Pick adamw_torch or run the trial on a gpu worker.")
        ids["running"] = seed_trial(session, "smollm-r32", status="running", job_status="succeeded",
                                    points=_curves(1.1, steps=60))
        now = utcnow()
        job = Job(kind=JobKind.train, status=JobStatus.running, trial_id=ids["running"], worker="gpu-1@lab",
                  attempt=1, progress=0.4, progress_detail={"step": 60, "total": 150, "phase": "training", "eta_s": 420},
                  started_at=now - timedelta(minutes=5), heartbeat_at=now)
        session.add(job)
        queued = Job(kind=JobKind.evaluate, status=JobStatus.queued, trial_id=ids["good"], payload={"trial_id": ids["good"]})
        session.add(queued)
        batch = FaqBatch(name="Visitor FAQ - May", trial_id=ids["good"], status=JobStatus.succeeded, total=3, done=3,
                         submitted_by=admin_id, finished_at=now)
        batch.answers = [
            Answer(position=0, question="When was Ho Chi Minh born?", related=True, gate_score=0.97,
                   answer="He was born on 19 May 1890 in Kim Lien.", latency_ms=640.0, sources=SAMPLES[0]["sources"]),
            Answer(position=1, question="What is the best pho in Saigon?", related=False, gate_score=0.03,
                   answer="I can only answer questions about Ho Chi Minh's life.", latency_ms=2.0, sources=[]),
            Answer(position=2, question="Where is his mausoleum?", related=True, gate_score=0.91,
                   answer="In Ba Dinh Square, Hanoi.", latency_ms=702.0, sources=SAMPLES[1]["sources"]),
        ]
        session.add(batch)
        chat = FaqBatch(name="chat", conversation_id="c" * 32, trial_id=ids["good"], status=JobStatus.succeeded,
                        total=1, done=1, submitted_by=admin_id)
        chat.answers = [Answer(position=0, question="Who was Ho Chi Minh?", related=True, gate_score=0.99,
                               answer="A Vietnamese revolutionary leader, president of North Vietnam.",
                               sources=[{"title": "Ho Chi Minh", "section": "Introduction"}])]
        session.add(chat)
        session.commit()
        ids.update(job=job.id, batch=batch.id)
    return ids


def _wait(driver, condition, timeout: float = 15):
    """Wait for ``condition``; elements going stale mid-check (the page reloading) are retried."""
    ignored = (StaleElementReferenceException, NoSuchElementException)
    return WebDriverWait(driver, timeout, poll_frequency=0.2, ignored_exceptions=ignored).until(condition)


@pytest.fixture
def app(make_app, tmp_path):
    return make_app(BROKER_URL=f"sqla+sqlite:///{tmp_path / 'broker.db'}", DASHBOARD_POLL_MS=700)


@pytest.fixture
def worker(app, tmp_path):
    worker = start_cpu_worker(app, tmp_path / "cpu-worker.log")
    yield worker
    worker.stop()


def test_every_page_renders_and_live_updates_work(app, worker, live_server_for, chromium, fixtures_dir, tmp_path):
    ids = _seed(app, fixtures_dir)
    assert wait_for_dataset(app, worker, ids["dataset"]).status is DatasetStatus.ready, worker.log()
    base = live_server_for(app).url
    driver = chromium

    driver.get(f"{base}/login")
    screenshot(driver, "01-login")
    browser_login(driver, base, *ADMIN)
    _wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR, "table[data-jobs-url]")))
    screenshot(driver, "02-dashboard")

    # The dashboard's poll re-renders the job table from JSON: move the job and watch it change.
    with db_handle(app).sessions() as session:
        job = session.get(Job, ids["job"])
        job.progress, job.progress_detail, job.heartbeat_at = 0.8, {"step": 120, "total": 150, "eta_s": 75}, utcnow()
        session.commit()
    _wait(driver, lambda d: "step 120/150" in d.find_element(By.CSS_SELECTOR, f"tr[data-job-id='{ids['job']}']").text)
    assert "Live" in driver.find_element(By.CSS_SELECTOR, "[data-live-status]").text

    pages = [
        ("03-trials", "/trials/"),
        ("04-new-trial", "/trials/new"),
        ("05-new-trial-preset", "/trials/new?preset=falcon-7b-academic"),
        ("06-trial-detail", f"/trials/{ids['good']}"),
        ("07-trial-failed", f"/trials/{ids['failed']}"),
        ("09-compare", f"/compare/?ids={ids['good']}&ids={ids['other']}&ids={ids['running']}"),
        ("10-datasets", "/datasets/"),
        ("11-dataset-detail", f"/datasets/{ids['dataset']}"),
        ("13-faq", "/faq/"),
        ("14-faq-detail", f"/faq/{ids['batch']}"),
        ("15-chat", "/chat/"),
        ("16-chat-conversation", "/chat/" + "c" * 32),
    ]
    for name, path in pages:
        driver.get(base + path)
        assert driver.find_element(By.TAG_NAME, "h1").text, path
        screenshot(driver, name)
    assert browser_errors(driver) == []
    driver.get(f"{base}/trials/99999")
    assert "nothing at this address" in driver.find_element(By.CSS_SELECTOR, "[data-error-message]").text
    screenshot(driver, "17-not-found")
    browser_errors(driver)  # drain: the 404 itself is logged as a failed load
    # Charts are inline SVG with polylines and legends.
    driver.get(f"{base}/trials/{ids['good']}")
    assert len(driver.find_elements(By.CSS_SELECTOR, "figure.chart svg polyline")) >= 5
    assert driver.find_elements(By.CSS_SELECTOR, "figure.chart ul.legend li")
    for index, figure in enumerate(driver.find_elements(By.CSS_SELECTOR, "figure.chart")):
        figure.screenshot(str(SCREENSHOT_DIR / f"06-chart-{index + 1}.png"))  # full-size, for a close look

    # Form errors shown next to their fields, in the browser.
    driver.get(f"{base}/trials/new")
    field = driver.find_element(By.ID, "lora_r")
    field.clear()
    field.send_keys("abc")
    rate = driver.find_element(By.ID, "learning_rate")
    rate.clear()
    rate.send_keys("-1")
    driver.find_element(By.CSS_SELECTOR, "form[action='/trials/new'][method='post'] button[type=submit]").click()
    error = _wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR, "#field-lora_r [data-error-for=lora_r]")))
    assert "whole number" in error.text
    assert "above 0" in driver.find_element(By.CSS_SELECTOR, "#field-learning_rate .error").text
    screenshot(driver, "08-new-trial-errors")
    browser_errors(driver)  # drain: the re-rendered form is a 400, which Chromium logs

    # A bad QA CSV uploaded through the file inputs: the page follows the worker to the row-numbered report.
    bad_csv = tmp_path / "qa-draft.csv"
    bad_csv.write_text("question,answer\nWho?,Him.\n,No question.\nWho?,Again.\n", encoding="utf-8")
    driver.get(f"{base}/datasets/")
    driver.find_element(By.ID, "name").send_keys("draft")
    driver.find_element(By.ID, "documents").send_keys(str(fixtures_dir / "docs" / "notes.md"))
    driver.find_element(By.ID, "qa_csv").send_keys(str(bad_csv))
    driver.find_element(By.CSS_SELECTOR, "form[enctype] button[type=submit]").click()
    report = _wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR, "[data-problems]")), timeout=120)
    assert "qa-draft.csv:3: empty question" in report.text
    assert "qa-draft.csv:4: duplicate question (same as row 2)" in report.text
    assert driver.find_element(By.CSS_SELECTOR, "[data-dataset-state] .badge").text == "failed"
    screenshot(driver, "12-dataset-errors")
    assert browser_errors(driver) == []

    # The trial page reloads itself when its status changes.
    driver.get(f"{base}/trials/{ids['running']}")
    assert "running" in driver.find_element(By.CSS_SELECTOR, "h1 + .badge, .row .badge").text
    with db_handle(app).sessions() as session:
        session.get(Job, ids["job"]).status = JobStatus.succeeded
        trial = session.get(Trial, ids["running"])
        trial.status, trial.finished_at = TrialStatus.succeeded, utcnow()
        session.commit()
    _wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, ".row .badge").text == "succeeded", timeout=20)
    time.sleep(0.2)
    assert browser_errors(driver) == []


def test_a_new_topic_is_set_up_from_the_web_admin_alone(app, worker, live_server_for, chromium, tmp_path):
    """The bundled Marie Curie pack uploaded through the form's file inputs, then its gate trained from the gate page."""
    from hcmqa.data.build import TOPICS_DIR
    from hcmqa.home import GATE_FILE

    pack = TOPICS_DIR / "marie-curie"
    with db_handle(app).sessions() as session:
        create_admin(session, *ADMIN)
    base = live_server_for(app).url
    driver = chromium
    browser_login(driver, base, *ADMIN)
    driver.get(f"{base}/datasets/")
    driver.find_element(By.ID, "name").send_keys("curie")
    driver.find_element(By.ID, "documents").send_keys("\n".join(str(p) for p in sorted((pack / "docs").iterdir())))
    driver.find_element(By.ID, "qa_csv").send_keys(str(pack / "qa.csv"))
    driver.find_element(By.ID, "nearmiss").send_keys(str(pack / "nearmiss.csv"))
    driver.find_element(By.ID, "topic").send_keys(str(pack / "topic.yaml"))
    driver.find_element(By.CSS_SELECTOR, "form[enctype] button[type=submit]").click()
    topic = _wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR, "[data-topic]")), timeout=180)
    assert topic.text == "Topic: the life of Marie Curie (subject: Marie Curie).", worker.log()
    assert "topic.yaml (topic profile)" in driver.find_element(By.CSS_SELECTOR, "[data-inputs]").text
    screenshot(driver, "18-dataset-new-topic")
    with db_handle(app).sessions() as session:
        (dataset,) = session.scalars(select(Dataset).where(Dataset.name == "curie")).all()
        dataset_id, built, counts = dataset.id, Path(dataset.path), dict(dataset.counts)
    assert counts["nearmiss"] == 40

    from selenium.webdriver.support.ui import Select

    driver.get(f"{base}/gate/")
    choice = Select(driver.find_element(By.ID, "dataset_id"))
    choice.select_by_value(str(dataset_id))
    assert "the life of Marie Curie" in choice.first_selected_option.text
    driver.find_element(By.CSS_SELECTOR, "form[action='/gate/'] button[type=submit]").click()
    _wait(driver, lambda d: (built / "gate" / GATE_FILE).is_file(), timeout=180)
    # the job row turns succeeded once the worker has stored its outcome (just after the save)
    assert _wait(driver, lambda d: d.get(f"{base}/gate/") or "succeeded" in d.find_element(By.CSS_SELECTOR, "tr[data-gate-job]").text, timeout=60)
    # the new topic's gate lives with its dataset; the bundled topic's is untouched
    assert not (Path(app.config["HCMQA_HOME"]) / "gate" / GATE_FILE).exists()
    assert browser_errors(driver) == []
