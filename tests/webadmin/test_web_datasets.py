"""Datasets blueprint: the web app saves an upload and queues it; a real ``cpu`` worker validates it
with the library's validators and builds it; the dataset's page follows the job to its report."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from db.models import Dataset, DatasetStatus, Job, JobKind, JobStatus
from web_support import DEAD_BROKER_URL, RedisQueues, html, new_trial_form, post_form
from worker_support import cpu_worker, wait_for_dataset, worker_broker_url  # noqa: F401 - fixtures

BAD_QA = (
    "question,answer,key_facts,fact_id\n"
    "When was the house restored?,In the 1950s.,1950s,site.restored\n"
    ",An answer without a question.,x,a\n"
    "Where is it?,,Nam Dan,site.district\n"
    "When was the house restored?,Duplicate.,1950s,site.restored\n"
)


@pytest.fixture
def app(make_app, request):
    """The test app; with a worker or a look at the queues, on a Redis database of its own,
    where the ``cpu`` worker may take every message (the others need no Redis at all)."""
    if {"cpu_worker", "redis_queues"} & set(request.fixturenames):
        return make_app(BROKER_URL=request.getfixturevalue("worker_broker_url"))
    return make_app()


@pytest.fixture
def redis_queues(worker_broker_url):
    connection = redis.Redis.from_url(worker_broker_url)
    yield RedisQueues(connection)
    connection.close()


def _docs(fixtures_dir: Path) -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(p.read_bytes()), p.name) for p in sorted((fixtures_dir / "docs").iterdir())]


def _upload(client, fixtures_dir, *, name="museum", qa=None, docs=None, **extra):
    qa = qa if qa is not None else (io.BytesIO((fixtures_dir / "qa_good.csv").read_bytes()), "qa_good.csv")
    data = {"name": name, "documents": docs if docs is not None else _docs(fixtures_dir), "qa_csv": qa, **extra}
    return post_form(client, "/datasets/", data, token_from="/datasets/", content_type="multipart/form-data")


def _dataset_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _uploads(app) -> list[str]:
    root = Path(app.config["HCMQA_HOME"]) / "uploads"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def _problems(response) -> list[str]:
    return [li.get_text() for li in html(response).find(attrs={"data-problems": True}).find_all("li")]


def _page_problems(client, dataset_id: int) -> list[str]:
    return [li.get_text() for li in html(client.get(f"/datasets/{dataset_id}")).find(attrs={"data-problems": True})
            .find_all("li")]


def test_an_upload_is_saved_and_queued_on_the_cpu_queue(app, signed_in, db_session, fixtures_dir, redis_queues):
    """The web app's whole part: the files saved, a pending row, an ingest job sent to the cpu queue."""
    dataset_id = _dataset_id(_upload(signed_in, fixtures_dir))
    dataset = db_session.get(Dataset, dataset_id)
    assert dataset.status is DatasetStatus.pending and dataset.name == "museum" and dataset.path == ""
    job = db_session.scalar(select(Job))
    assert (job.kind, job.status, job.dataset_id) == (JobKind.ingest, JobStatus.queued, dataset_id)
    assert [(m["task"], m["args"]) for m in redis_queues.messages("cpu")] == [("hcmqa.ingest_dataset", [job.id])]
    [staging] = _uploads(app)
    assert staging.startswith(".staging-") and job.payload["staging"] == staging
    folder = Path(app.config["HCMQA_HOME"]) / "uploads" / staging
    assert sorted(p.name for p in (folder / "documents").iterdir()) == ["garden.txt", "notes.md", "wiki-article.html"]
    assert (folder / "qa.csv").read_bytes() == (fixtures_dir / "qa_good.csv").read_bytes()
    assert job.payload["qa_csv"] == "qa_good.csv" and ["notes.md", "notes.md"] in job.payload["documents"]
    # the page follows the job; the list shows the dataset's state; trials cannot use it yet
    page = html(signed_in.get(f"/datasets/{dataset_id}"))
    assert page.find(attrs={"data-watch-url": True})["data-watch-url"] == f"/datasets/{dataset_id}/status.json"
    assert page.find(attrs={"data-counts": True}) is None
    assert signed_in.get(f"/datasets/{dataset_id}/status.json").get_json()["state"] == "queued"
    assert html(signed_in.get("/datasets/")).find(attrs={"data-state": True})["data-state"] == "queued"
    options = html(signed_in.get("/trials/new")).find("select", attrs={"name": "dataset_id"}).find_all("option")
    assert [o["value"] for o in options] == [""]
    # the dashboard lists the job by its dataset, with a link to the dataset's page
    jobs = signed_in.get("/dashboard/jobs.json").get_json()["jobs"]
    assert [(j["kind"], j["label"], j["url"]) for j in jobs] == [
        ("ingest", f"dataset #{dataset_id} upload", f"/datasets/{dataset_id}")]


def test_good_upload_becomes_ready_with_counts_and_splits(app, signed_in, db_session, fixtures_dir, cpu_worker):
    dataset_id = _dataset_id(_upload(signed_in, fixtures_dir))
    dataset = wait_for_dataset(app, cpu_worker, dataset_id)
    assert dataset.status is DatasetStatus.ready, (dataset.problems, cpu_worker.log())
    assert dataset.name == "museum" and len(dataset.version) == 12 and dataset.problems == []
    assert dataset.counts["documents"] == 3 and dataset.counts["qa_pairs"] == 8 and dataset.counts["passages"] > 0
    assert dataset.counts["offtopic"] > 0  # the bundled negatives for the gate
    assert sum(dataset.splits.values()) == 8 and set(dataset.splits) >= {"train", "val"}
    folder = Path(app.config["HCMQA_HOME"]) / "uploads" / str(dataset.id)
    assert sorted(p.name for p in (folder / "documents").iterdir()) == ["garden.txt", "notes.md", "wiki-article.html"]
    assert (folder / "qa.csv").read_bytes() == (fixtures_dir / "qa_good.csv").read_bytes()
    # Dataset.path is a built dataset directory, the kind the workers train on.
    built = Path(dataset.path)
    assert built.parent == folder.resolve() and built.name == f"museum-{dataset.version}"
    manifest = json.loads((built / "manifest.json").read_text())
    assert manifest["version"] == dataset.version and manifest["counts"] == dataset.counts
    assert dataset.inputs == manifest["inputs"]  # what the page lists, from the database
    assert {"passages.jsonl", "qa.csv", "offtopic.csv"} <= {p.name for p in built.iterdir()}
    # passages name their document as uploaded, not by the staging folder the files came in
    docs_named = {json.loads(line)["doc"] for line in (built / "passages.jsonl").read_text().splitlines()}
    assert docs_named == {"garden.txt", "notes.md", "wiki-article.html"}
    assert _uploads(app) == [str(dataset.id)]  # no staging folder left behind
    assert sorted(p.name for p in folder.iterdir()) == ["documents", built.name, "qa.csv"]
    job = db_session.scalar(select(Job).where(Job.dataset_id == dataset_id))
    assert job.status is JobStatus.succeeded and job.progress == 1.0 and job.progress_detail["phase"] == "stored"
    page = html(signed_in.get(f"/datasets/{dataset_id}"))
    assert page.find(attrs={"data-watch-url": True}) is None
    assert page.find(attrs={"data-dataset-state": True}).get_text(strip=True) == "ready"
    assert "qa pairs" in page.find(attrs={"data-counts": True}).get_text()
    assert "train" in page.find(attrs={"data-splits": True}).get_text()
    assert "notes.md" in page.find(attrs={"data-inputs": True}).get_text()
    assert "No findings" in page.find(attrs={"data-audit": True}).get_text()  # the fixture data audits clean
    # an upload without a topic profile gets the bundled one, and the page says which
    assert manifest["topic"]["subject"] in page.find(attrs={"data-topic": True}).get_text()
    # where it is stored, relative to HCMQA_HOME: the host's own paths stay off the page
    text = page.get_text()
    assert f"HCMQA_HOME/uploads/{dataset.id}/{built.name}" in text
    assert str(Path(app.config["HCMQA_HOME"]).resolve()) not in text and str(app.config["HCMQA_HOME"]) not in text
    assert signed_in.get(f"/datasets/{dataset_id}/status.json").get_json()["state"] == "ready"
    assert html(signed_in.get("/datasets/")).find(attrs={"data-state": True})["data-state"] == "ready"


def test_same_files_twice_are_refused(app, signed_in, db_session, fixtures_dir, cpu_worker):
    first = _dataset_id(_upload(signed_in, fixtures_dir))
    assert wait_for_dataset(app, cpu_worker, first).status is DatasetStatus.ready
    second = _dataset_id(_upload(signed_in, fixtures_dir))
    assert wait_for_dataset(app, cpu_worker, second).status is DatasetStatus.failed
    version = db_session.get(Dataset, first).version
    assert _page_problems(signed_in, second) == [
        f"these exact files were already uploaded as dataset #{first} (museum version {version})"]
    assert _uploads(app) == [str(first)]
    assert db_session.scalar(select(func.count()).select_from(Dataset).where(Dataset.status == DatasetStatus.ready)) == 1


def test_bad_csv_reports_every_problem_with_file_and_row(app, signed_in, db_session, fixtures_dir, cpu_worker):
    dataset_id = _dataset_id(_upload(signed_in, fixtures_dir, qa=(io.BytesIO(BAD_QA.encode()), "faq-draft.csv")))
    dataset = wait_for_dataset(app, cpu_worker, dataset_id)
    expected = [
        "faq-draft.csv:3: empty question",
        "faq-draft.csv:4: empty answer",
        "faq-draft.csv:5: duplicate question (same as row 2)",
    ]
    assert dataset.status is DatasetStatus.failed and dataset.problems == expected
    assert _page_problems(signed_in, dataset_id) == expected
    page = html(signed_in.get(f"/datasets/{dataset_id}"))
    assert page.find(attrs={"data-dataset-state": True}).get_text(strip=True) == "failed"
    assert page.find(attrs={"data-counts": True}) is None and page.find(attrs={"data-watch-url": True}) is None
    assert _uploads(app) == []  # nothing half-written: no uploaded files, no built folder
    job = db_session.scalar(select(Job).where(Job.dataset_id == dataset_id))
    assert job.status is JobStatus.failed and "3 problem(s)" in job.error
    assert html(signed_in.get("/datasets/")).find(attrs={"data-state": True})["data-state"] == "failed"
    # a refused upload is not offered to trials
    options = html(signed_in.get("/trials/new")).find("select", attrs={"name": "dataset_id"}).find_all("option")
    assert [o["value"] for o in options] == [""]


def test_bad_documents_and_missing_columns_are_reported_together(app, signed_in, db_session, fixtures_dir,
                                                                 cpu_worker):
    docs = [(io.BytesIO(b"\xff\xfe not utf-8"), "latin.txt"),
            (io.BytesIO(b"<html><body><script>x</script></body></html>"), "empty.html")]
    qa = (io.BytesIO(b"q,a\nWho?,Him.\n"), "qa.csv")
    dataset_id = _dataset_id(_upload(signed_in, fixtures_dir, docs=docs, qa=qa))
    assert wait_for_dataset(app, cpu_worker, dataset_id).status is DatasetStatus.failed
    text = " | ".join(_page_problems(signed_in, dataset_id))
    assert "latin.txt: not valid UTF-8" in text
    assert "empty.html: no readable text found" in text
    assert "qa.csv:1: missing required column(s) question, answer" in text
    assert str(app.config["HCMQA_HOME"]) not in text  # server paths never leak into messages
    assert _uploads(app) == []


def test_unsupported_types_are_refused_at_once(app, signed_in, db_session, fixtures_dir, redis_queues):
    """What needs no library code is checked by the web app, before anything is stored or queued."""
    docs = [(io.BytesIO(b"x"), "slides.pdf"), (io.BytesIO(b"Some text."), "notes.txt")]
    response = _upload(signed_in, fixtures_dir, docs=docs, qa=(io.BytesIO(b"question,answer\n"), "qa.xlsx"))
    assert response.status_code == 400
    text = " | ".join(li.get_text() for li in html(response).find(attrs={"data-problems": True}).find_all("li"))
    assert "slides.pdf: unsupported document type '.pdf'" in text
    assert "qa.xlsx: the QA file must be a .csv file" in text
    assert db_session.scalar(select(func.count()).select_from(Dataset)) == 0
    assert db_session.scalar(select(func.count()).select_from(Job)) == 0
    assert _uploads(app) == [] and redis_queues.messages("cpu") == []


def test_the_web_app_knows_the_librarys_document_types():
    from hcmqa.data.documents import SUPPORTED_SUFFIXES
    from webadmin.dataset_uploads import DOCUMENT_SUFFIXES

    assert DOCUMENT_SUFFIXES == set(SUPPORTED_SUFFIXES)


def test_missing_files_and_bad_name(signed_in, db_session):
    response = post_form(signed_in, "/datasets/", {"name": "../etc"}, token_from="/datasets/",
                         content_type="multipart/form-data")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "name: use 1 to 100 letters" in text
    assert "documents: choose at least one" in text
    assert "qa_csv: choose the QA CSV file" in text


def test_oversized_upload_gets_the_413_page(app, signed_in, db_session, fixtures_dir):
    big = io.BytesIO(b"a" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    response = _upload(signed_in, fixtures_dir, docs=[(big, "huge.txt")])
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "larger than the limit of 2 MB" in text and "MAX_UPLOAD_MB" in text
    assert db_session.scalar(select(func.count()).select_from(Dataset)) == 0
    assert _uploads(app) == []


def test_upload_without_csrf_token_is_rejected(signed_in, db_session, fixtures_dir):
    response = signed_in.post("/datasets/", data={"name": "x", "documents": _docs(fixtures_dir)},
                              content_type="multipart/form-data")
    assert response.status_code == 400
    assert db_session.scalar(select(func.count()).select_from(Dataset)) == 0


def test_new_trial_link_preselects_the_dataset(app, signed_in, db_session, fixtures_dir, cpu_worker):
    dataset_id = _dataset_id(_upload(signed_in, fixtures_dir))
    wait_for_dataset(app, cpu_worker, dataset_id)
    link = html(signed_in.get(f"/datasets/{dataset_id}")).find("a", string="New trial on this dataset")["href"]
    select_box = html(signed_in.get(link)).find("select", attrs={"name": "dataset_id"})
    assert select_box.find("option", selected=True)["value"] == str(dataset_id)


def test_trial_on_an_uploaded_dataset_records_it(app, signed_in, db_session, fixtures_dir, cpu_worker, redis_queues):
    from db.models import Trial
    dataset_id = _dataset_id(_upload(signed_in, fixtures_dir))
    wait_for_dataset(app, cpu_worker, dataset_id)
    data = new_trial_form(signed_in, f"/trials/new?dataset_id={dataset_id}")
    assert data["dataset_id"] == str(dataset_id)
    assert post_form(signed_in, "/trials/new", {**data, "name": "on-upload"}).status_code == 302
    assert db_session.scalar(select(Trial.dataset_id)) == dataset_id
    assert len(redis_queues.messages("gpu")) == 1


def test_a_trial_cannot_use_a_dataset_that_is_not_ready(signed_in, db_session, fixtures_dir, redis_queues):
    from db.models import Trial
    dataset_id = _dataset_id(_upload(signed_in, fixtures_dir))  # no worker: it stays pending
    data = new_trial_form(signed_in)
    response = post_form(signed_in, "/trials/new", {**data, "name": "too-early", "dataset_id": str(dataset_id)})
    assert response.status_code == 400
    assert "not ready" in html(response).find(attrs={"data-error-for": "dataset_id"}).get_text()
    assert db_session.scalar(select(func.count()).select_from(Trial)) == 0


def test_an_ingest_job_that_ended_without_a_report_fails_its_dataset(signed_in, db_session, fixtures_dir,
                                                                      redis_queues):
    """A job given up after its workers died (the reaper's doing) wrote no report: the page says why."""
    dataset_id = _dataset_id(_upload(signed_in, fixtures_dir))
    job = db_session.scalar(select(Job).where(Job.dataset_id == dataset_id))
    job.status, job.error = JobStatus.failed, "gave up after 3 attempts: the worker running it died each time"
    db_session.commit()
    assert _page_problems(signed_in, dataset_id) == [job.error]
    page = html(signed_in.get(f"/datasets/{dataset_id}"))
    assert page.find(attrs={"data-dataset-state": True}).get_text(strip=True) == "failed"
    assert page.find(attrs={"data-watch-url": True}) is None
    assert signed_in.get(f"/datasets/{dataset_id}/status.json").get_json()["state"] == "failed"


def test_a_document_named_in_non_latin_letters_is_kept_under_a_safe_name(app, signed_in, db_session, fixtures_dir,
                                                                          cpu_worker):
    docs = _docs(fixtures_dir)
    content, _ = docs[1]
    docs[1] = (content, "\u0633\u064a\u0631\u0629.md")  # an Arabic name: secure_filename keeps only "md"
    dataset_id = _dataset_id(_upload(signed_in, fixtures_dir, docs=docs))
    dataset = wait_for_dataset(app, cpu_worker, dataset_id)
    folder = Path(app.config["HCMQA_HOME"]) / "uploads" / str(dataset.id) / "documents"
    assert sorted(p.name for p in folder.iterdir()) == ["document-2.md", "garden.txt", "wiki-article.html"]
    assert dataset.counts["documents"] == 3


def test_the_web_process_never_loads_the_dataset_builder(tmp_path, fixtures_dir):
    """An upload request in a fresh process: validators and the builder stay the worker's."""
    script = textwrap.dedent(f"""
        import io, sys
        from pathlib import Path
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from db.migrate import upgrade
        from webadmin.app import create_app
        from webadmin.database import db_handle
        from webadmin.security import create_admin
        from web_support import ADMIN, login, post_form

        home = Path({str(tmp_path)!r})
        url = f"sqlite:///{{home / 'web.sqlite3'}}"
        upgrade(url)
        app = create_app({{"TESTING": True, "HCMQA_HOME": str(home), "DATABASE_URL": url,
                          "BROKER_URL": {DEAD_BROKER_URL!r}, "SECRET_KEY": "k" * 40, "BROKER_SEND_RETRIES": 0,
                          "BROKER_CONNECT_TIMEOUT_S": 1.0}})
        with db_handle(app).sessions() as session:
            create_admin(session, *ADMIN)
        client = app.test_client()
        assert login(client, *ADMIN).status_code == 302
        docs = [(io.BytesIO(p.read_bytes()), p.name) for p in sorted(Path({str(fixtures_dir)!r}, "docs").iterdir())]
        qa = (io.BytesIO(Path({str(fixtures_dir)!r}, "qa_good.csv").read_bytes()), "qa.csv")
        response = post_form(client, "/datasets/", {{"name": "museum", "documents": docs, "qa_csv": qa}},
                             token_from="/datasets/", content_type="multipart/form-data")
        assert response.status_code == 302, response.status_code
        assert client.get(response.headers["Location"]).status_code == 200
        print(" ".join(sorted(m for m in sys.modules if m.startswith(("hcmqa", "nltk")))))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 0, proc.stderr
    loaded = set(proc.stdout.split())
    assert "hcmqa.config" in loaded  # the check looks at the right process
    assert not loaded & {"hcmqa.data.build", "hcmqa.data.documents", "hcmqa.data.passages", "nltk"}, loaded


def test_the_page_lists_the_input_files_from_the_database_alone(signed_in, db_session):
    """The web app never reads a dataset's folder: its inputs show though the folder is elsewhere."""
    dataset = Dataset(name="elsewhere", version="v1", path="/on/another/host/elsewhere-v1", counts={}, splits={},
                      content_hash="h", status=DatasetStatus.ready,
                      inputs={"documents": [{"path": "letters.md", "sha256": "ab" * 32}],
                              "qa": {"path": "qa.csv", "sha256": "cd" * 32},
                              "topic": {"path": "topic.yaml", "sha256": "ef" * 32, "subject": "Marie Curie", "description": "the life of Marie Curie"}})
    db_session.add(dataset)
    db_session.commit()
    page = html(signed_in.get(f"/datasets/{dataset.id}"))
    listed = page.find(attrs={"data-inputs": True}).get_text()
    assert "letters.md" in listed and "abababababababab" in listed and "qa.csv (QA)" in listed
    assert "topic.yaml (topic profile)" in listed and "efefefefefefefef" in listed
    assert page.find(attrs={"data-topic": True}).get_text(strip=True) == "Topic: the life of Marie Curie (subject: Marie Curie)."


def test_the_form_writes_a_topic_profile_and_the_gate_learns_the_near_misses(app, signed_in, db_session, fixtures_dir,
                                                                              cpu_worker):
    nearmiss = (io.BytesIO(b"question\nHow do I grow roses on a balcony?\n"), "close-but-not.csv")
    response = _upload(signed_in, fixtures_dir, name="curie", subject="Marie Curie", aliases="Madame Curie, Marie Sklodowska-Curie",
                       pronouns="she", nearmiss=nearmiss)
    dataset = wait_for_dataset(app, cpu_worker, _dataset_id(response))
    assert dataset.status is DatasetStatus.ready, (dataset.problems, cpu_worker.log())
    built = Path(dataset.path)
    profile = json.loads((built / "topic.json").read_text())
    assert profile["subject"] == "Marie Curie" and profile["aliases"] == ["Madame Curie", "Marie Sklodowska-Curie"]
    assert profile["pronouns"] == {"subject": "she", "object": "her", "possessive": "her", "reflexive": "herself"}
    assert profile["refusal_off_topic"] == "I'm sorry, I can only answer questions about the life of Marie Curie."
    assert dataset.inputs["topic"]["subject"] == "Marie Curie" and dataset.inputs["nearmiss"]["path"] == "nearmiss.csv"
    assert dataset.counts["nearmiss"] == 1 and "How do I grow roses on a balcony?" in (built / "offtopic.csv").read_text()
    page = html(signed_in.get(f"/datasets/{dataset.id}"))
    assert page.find(attrs={"data-topic": True}).get_text(strip=True) == "Topic: the life of Marie Curie (subject: Marie Curie)."


def test_a_bad_uploaded_profile_is_reported_by_field_under_its_uploaded_name(app, signed_in, db_session, fixtures_dir,
                                                                             cpu_worker):
    bad = (io.BytesIO(b"subject: Marie Curie\npronouns: {subject: she}\ncolour: red\n"), "my-topic.yaml")
    dataset = wait_for_dataset(app, cpu_worker, _dataset_id(_upload(signed_in, fixtures_dir, name="bad-topic", topic=bad)))
    assert dataset.status is DatasetStatus.failed
    problems = _page_problems(signed_in, dataset.id)
    assert any(p.startswith("my-topic.yaml: colour: unknown field") for p in problems), problems
    assert any(p.startswith("my-topic.yaml: pronouns.object: must be one word") for p in problems), problems
    assert any(p.startswith("my-topic.yaml: system_grounded: required") for p in problems), problems
    assert _uploads(app) == []  # a refused upload leaves no files behind


def test_topic_fields_are_checked_before_anything_is_saved(app, signed_in, db_session, fixtures_dir):
    both = _upload(signed_in, fixtures_dir, name="both", subject="Marie Curie", pronouns="she",
                   topic=(io.BytesIO(b"subject: x\n"), "topic.yaml"))
    assert both.status_code == 400
    assert "subject: upload a topic profile file or fill in the subject's name, not both" in _problems(both)
    unnamed = _upload(signed_in, fixtures_dir, name="unnamed", aliases="Madame Curie", pronouns="she",
                      nearmiss=(io.BytesIO(b"question\nx\n"), "near.txt"))
    problems = _problems(unnamed)
    assert unnamed.status_code == 400
    assert "subject: give the subject's name (or upload a topic profile file)" in problems
    assert "near.txt: the near-miss questions must be a .csv file with a question column" in problems
    assert _uploads(app) == [] and db_session.scalar(select(func.count()).select_from(Dataset)) == 0


AUDITED_QA = (
    "question,answer,key_facts,fact_id\n"
    "When was the Kim Lien house restored?,It was restored in the 1950s.,1950s,site.restored\n"
    "In which decade was the Kim Lien house restored?,The house was restored in the 1950s.,1950s,site.restored\n"
    "What decade saw the restoration of the Kim Lien house?,In the 1950s.,1950s,site.restored\n"
    "Who guards the Kim Lien gate?,A keeper named Lan.,Lan Keeper,site.keeper\n"
    "Who is the keeper of the Kim Lien gate?,Lan.,Lan Keeper,site.keeper\n"
)


def test_the_data_audit_is_shown_under_the_uploaded_names(app, signed_in, db_session, fixtures_dir, cpu_worker):
    qa = (io.BytesIO(AUDITED_QA.encode()), "my-questions.csv")
    dataset = wait_for_dataset(app, cpu_worker, _dataset_id(_upload(signed_in, fixtures_dir, name="audited", qa=qa)))
    assert dataset.status is DatasetStatus.ready, (dataset.problems, cpu_worker.log())  # findings are warnings
    audit = html(signed_in.get(f"/datasets/{dataset.id}")).find(attrs={"data-audit": True})
    lines = [li.get_text() for li in audit.find_all("li")]
    assert "4 finding(s), warnings only" in audit.get_text()
    assert "my-questions.csv:5: key-not-in-corpus: key 'Lan Keeper' occurs in no document: 'Who guards the Kim Lien gate?'" in lines
    assert not any(str(app.config["HCMQA_HOME"]) in line or "uploads" in line for line in lines)
