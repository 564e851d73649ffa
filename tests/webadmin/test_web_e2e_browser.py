"""End to end, as an admin would do it: headless Chromium against the live web app, with a real
Celery worker process (``celery -A worker.app worker -Q gpu,cpu``) on the embedded defaults
(SQLite database, kombu's SQLAlchemy broker, the bundled SmolLM2 model on the CPU).

Sign in, submit a tiny trial through the form, watch the page follow it to "succeeded", open
its curves, upload a FAQ list answered by that trial, download the answers as CSV.
Minutes on a CPU (model preparation, two training steps, generation): marked slow.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from db.migrate import upgrade
from web_support import ADMIN, browser_login, screenshot
from worker_support import WorkerProcess
from webadmin.database import db_handle
from webadmin.security import create_admin

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]

#: The smallest trial that still logs, evaluates with generation and checkpoints on a CPU
#: (the same shape the worker's own tests use).
TINY_TRIAL = {
    "name": "e2e-tiny", "mode": "closed_book", "max_steps": "2", "eval_steps": "2", "logging_steps": "1",
    "batch_size": "1", "max_seq_length": "48", "eval_generate_samples": "2", "max_new_tokens": "4",
    "val_limit": "2", "load_in_4bit": "false", "lora_r": "2", "lora_alpha": "4", "target_modules": "q_proj, v_proj",
    "early_stopping_patience": "0", "save_total_limit": "3", "optimizer": "adamw_torch", "compute_dtype": "float32",
}
TRAIN_TIMEOUT_S = 900
ANSWER_TIMEOUT_S = 600


@pytest.fixture
def stack(tmp_path: Path, web_home: Path, make_app, live_server_for) -> Any:
    """Web app (live server) and a worker sharing one HCMQA_HOME, database and broker."""
    if not (REPO / "worker" / "app.py").is_file():
        pytest.fail("the end-to-end test needs the worker package (worker/app.py)", pytrace=False)
    home = web_home
    database_url = f"sqlite:///{home / 'hcmqa.db'}"
    broker_url = f"sqla+sqlite:///{home / 'broker.db'}"
    upgrade(database_url)
    app = make_app(HCMQA_HOME=str(home), DATABASE_URL=database_url, BROKER_URL=broker_url)
    with db_handle(app).sessions() as session:
        create_admin(session, *ADMIN)
    env = {**os.environ, "HCMQA_HOME": str(home), "DATABASE_URL": database_url, "BROKER_URL": broker_url,
           "HCMQA_HEARTBEAT_S": "2", "HCMQA_STALE_AFTER_S": "120", "PYTHONUNBUFFERED": "1"}
    argv = [sys.executable, "-m", "celery", "-A", "worker.app", "worker", "-Q", "gpu,cpu", "--concurrency", "1",
            "--hostname", "e2e@%h", "--loglevel", "INFO", "--without-gossip", "--without-mingle"]
    worker = WorkerProcess(argv, env, tmp_path / "worker.log")
    try:
        worker.wait_ready(timeout=120)
        yield {"app": app, "url": live_server_for(app).url, "worker": worker, "home": home}
    finally:
        worker.stop()


def _badge(driver) -> str:
    return driver.find_element(By.CSS_SELECTOR, "main .row .badge").text


def _wait_for_status(driver, worker: WorkerProcess, timeout: float, what: str) -> str:
    """Wait until the page (which reloads itself) shows a final status; return it."""
    ignored = (StaleElementReferenceException, NoSuchElementException)
    try:
        WebDriverWait(driver, timeout, poll_frequency=1, ignored_exceptions=ignored).until(
            lambda d: _badge(d) in ("succeeded", "failed", "cancelled"))
    except Exception:
        pytest.fail(f"{what} did not finish in {timeout} s (page shows {_badge(driver)!r}).\nWorker log:\n{worker.log()}",
                    pytrace=False)
    return _badge(driver)


def test_admin_trains_a_tiny_trial_and_answers_a_faq_list(stack, chromium, tmp_path):
    driver, base, worker = chromium, stack["url"], stack["worker"]
    browser_login(driver, base, *ADMIN)

    # 1. Submit a tiny trial through the generated form (starting from the CPU preset).
    driver.get(f"{base}/trials/new?preset=cpu-default")
    for name, value in TINY_TRIAL.items():
        element = driver.find_element(By.ID, name)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        else:
            element.clear()
            element.send_keys(value)
    driver.find_element(By.CSS_SELECTOR, "form[action='/trials/new'][method='post'] button[type=submit]").click()
    WebDriverWait(driver, 30).until(lambda d: "/trials/" in d.current_url and "/new" not in d.current_url)
    trial_url = driver.current_url
    assert "queued for training" in driver.find_element(By.CSS_SELECTOR, ".flashes").text
    screenshot(driver, "e2e-01-trial-submitted")

    # 2. Watch it finish: the page polls and reloads itself on every status change.
    status = _wait_for_status(driver, worker, TRAIN_TIMEOUT_S, "the trial")
    if status != "succeeded":
        error = driver.find_elements(By.CSS_SELECTOR, "[data-trial-error]")
        pytest.fail(f"the trial ended {status}: {error[0].text if error else '(no error shown)'}\n{worker.log()}",
                    pytrace=False)

    # 3. Its curves: the loss was logged every step.
    driver.get(trial_url)
    captions = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "figure.chart figcaption")]
    assert "Loss (train and validation)" in captions
    assert driver.find_elements(By.CSS_SELECTOR, "figure.chart svg polyline, figure.chart svg circle")
    screenshot(driver, "e2e-02-trial-succeeded")
    trial_id = trial_url.rstrip("/").rsplit("/", 1)[1]

    # 4. Upload a FAQ list answered by this trial, and follow it to the end.
    questions = tmp_path / "visitor-faq.txt"
    questions.write_text("When was Ho Chi Minh born?\nWhat is the best pizza in Naples?\n", encoding="utf-8")
    driver.get(f"{base}/faq/")
    driver.find_element(By.ID, "name").send_keys("E2E visitor FAQ")
    Select(driver.find_element(By.ID, "trial_id")).select_by_value(trial_id)
    driver.find_element(By.ID, "questions").send_keys(str(questions))
    driver.find_element(By.CSS_SELECTOR, "form[action='/faq/'] button[type=submit]").click()
    WebDriverWait(driver, 30).until(lambda d: "/faq/" in d.current_url and d.current_url.rstrip("/")[-1].isdigit())
    status = _wait_for_status(driver, worker, ANSWER_TIMEOUT_S, "the FAQ batch")
    assert status == "succeeded", worker.log()
    rows = driver.find_elements(By.CSS_SELECTOR, "table[data-answers] tbody tr")
    assert len(rows) == 2
    screenshot(driver, "e2e-03-faq-answered")

    # 5. Download the answers as CSV, as a browser download.
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.find_element(By.CSS_SELECTOR, "[data-download-csv]").click()
    WebDriverWait(driver, 30).until(lambda d: [p for p in downloads.glob("*.csv")])
    [downloaded] = list(downloads.glob("*.csv"))
    table = list(csv.DictReader(io.StringIO(downloaded.read_text(encoding="utf-8"))))
    assert [r["question"] for r in table] == ["When was Ho Chi Minh born?", "What is the best pizza in Naples?"]
    assert all(r["answer"] and r["related"] in ("True", "False") for r in table)

    # 6. A chat turn with the same trial: the page polls until the worker's answer is in.
    driver.get(f"{base}/chat/")
    Select(driver.find_element(By.ID, "trial_id")).select_by_value(trial_id)
    driver.find_element(By.CSS_SELECTOR, "form[action='/chat/new'] button[type=submit]").click()
    WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.ID, "question"))
    driver.find_element(By.ID, "question").send_keys("Where was Ho Chi Minh born?")
    driver.find_element(By.CSS_SELECTOR, "form.card button[type=submit]").click()
    ignored = (StaleElementReferenceException, NoSuchElementException)
    WebDriverWait(driver, ANSWER_TIMEOUT_S, poll_frequency=1, ignored_exceptions=ignored).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "[data-answer]") or d.find_elements(By.CSS_SELECTOR, ".bubble.refused"))
    assert not driver.find_elements(By.CSS_SELECTOR, "[data-pending]")
    screenshot(driver, "e2e-04-chat")

    driver.get(f"{base}/")
    screenshot(driver, "e2e-05-dashboard-after")
