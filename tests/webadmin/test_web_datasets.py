"""Datasets blueprint: uploads validated by the library's validators, stored atomically."""

from __future__ import annotations

import io
import json
from pathlib import Path

from sqlalchemy import func, select

from db.models import Dataset
from web_support import html, new_trial_form, post_form

BAD_QA = (
    "question,answer,key_facts,fact_id\n"
    "When was the house restored?,In the 1950s.,1950s,site.restored\n"
    ",An answer without a question.,x,a\n"
    "Where is it?,,Nam Dan,site.district\n"
    "When was the house restored?,Duplicate.,1950s,site.restored\n"
)


def _docs(fixtures_dir: Path) -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(p.read_bytes()), p.name) for p in sorted((fixtures_dir / "docs").iterdir())]


def _upload(client, fixtures_dir, *, name="museum", qa=None, docs=None):
    qa = qa if qa is not None else (io.BytesIO((fixtures_dir / "qa_good.csv").read_bytes()), "qa_good.csv")
    data = {"name": name, "documents": docs if docs is not None else _docs(fixtures_dir), "qa_csv": qa}
    return post_form(client, "/datasets/", data, token_from="/datasets/", content_type="multipart/form-data")


def _uploads(app) -> list[str]:
    root = Path(app.config["HCMQA_HOME"]) / "uploads"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def test_good_upload_is_stored_with_counts_and_splits(app, signed_in, db_session, fixtures_dir):
    response = _upload(signed_in, fixtures_dir)
    assert response.status_code == 302, response.get_data(as_text=True)
    dataset = db_session.scalar(select(Dataset))
    assert response.headers["Location"] == f"/datasets/{dataset.id}"
    assert dataset.name == "museum" and len(dataset.version) == 12
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
    assert {"passages.jsonl", "qa.csv", "offtopic.csv"} <= {p.name for p in built.iterdir()}
    # passages name their document as uploaded, not by the staging folder the build ran in
    docs_named = {json.loads(line)["doc"] for line in (built / "passages.jsonl").read_text().splitlines()}
    assert docs_named == {"garden.txt", "notes.md", "wiki-article.html"}
    assert _uploads(app) == [str(dataset.id)]  # no staging folder left behind
    assert sorted(p.name for p in folder.iterdir()) == ["documents", built.name, "qa.csv"]
    page = html(signed_in.get(response.headers["Location"]))
    assert "qa pairs" in page.find(attrs={"data-counts": True}).get_text()
    assert "train" in page.find(attrs={"data-splits": True}).get_text()
    assert "notes.md" in page.find(attrs={"data-inputs": True}).get_text()
    # where it is stored, relative to HCMQA_HOME: the host's own paths stay off the page
    text = page.get_text()
    assert f"HCMQA_HOME/uploads/{dataset.id}/{built.name}" in text
    assert str(Path(app.config["HCMQA_HOME"]).resolve()) not in text and str(app.config["HCMQA_HOME"]) not in text


def test_same_files_twice_are_refused(app, signed_in, db_session, fixtures_dir):
    assert _upload(signed_in, fixtures_dir).status_code == 302
    response = _upload(signed_in, fixtures_dir)
    assert response.status_code == 400
    assert "already uploaded as dataset" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Dataset)) == 1
    assert len(_uploads(app)) == 1


def test_bad_csv_reports_every_problem_with_file_and_row(app, signed_in, db_session, fixtures_dir):
    response = _upload(signed_in, fixtures_dir, qa=(io.BytesIO(BAD_QA.encode()), "faq-draft.csv"))
    assert response.status_code == 400
    problems = [li.get_text() for li in html(response).find(attrs={"data-problems": True}).find_all("li")]
    assert problems == [
        "faq-draft.csv:3: empty question",
        "faq-draft.csv:4: empty answer",
        "faq-draft.csv:5: duplicate question (same as row 2)",
    ]
    assert db_session.scalar(select(func.count()).select_from(Dataset)) == 0
    assert _uploads(app) == []  # staging removed: nothing half-written


def test_bad_documents_and_missing_columns_are_reported_together(app, signed_in, db_session, fixtures_dir):
    docs = [(io.BytesIO(b"\xff\xfe not utf-8"), "latin.txt"), (io.BytesIO(b"x"), "slides.pdf"),
            (io.BytesIO(b"<html><body><script>x</script></body></html>"), "empty.html")]
    qa = (io.BytesIO(b"q,a\nWho?,Him.\n"), "qa.csv")
    response = _upload(signed_in, fixtures_dir, docs=docs, qa=qa)
    assert response.status_code == 400
    text = " | ".join(li.get_text() for li in html(response).find(attrs={"data-problems": True}).find_all("li"))
    assert "slides.pdf: unsupported document type '.pdf'" in text
    assert "latin.txt: not valid UTF-8" in text
    assert "empty.html: no readable text found" in text
    assert "qa.csv:1: missing required column(s) question, answer" in text
    assert str(app.config["HCMQA_HOME"]) not in text  # server paths never leak into messages
    assert _uploads(app) == []


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


def test_new_trial_link_preselects_the_dataset(signed_in, db_session, fixtures_dir):
    location = _upload(signed_in, fixtures_dir).headers["Location"]
    dataset_id = int(location.rsplit("/", 1)[1])
    link = html(signed_in.get(location)).find("a", string="New trial on this dataset")["href"]
    select_box = html(signed_in.get(link)).find("select", attrs={"name": "dataset_id"})
    assert select_box.find("option", selected=True)["value"] == str(dataset_id)


def test_trial_on_an_uploaded_dataset_records_it(signed_in, db_session, fixtures_dir, redis_queues):
    from db.models import Trial
    dataset_id = int(_upload(signed_in, fixtures_dir).headers["Location"].rsplit("/", 1)[1])
    data = new_trial_form(signed_in, f"/trials/new?dataset_id={dataset_id}")
    assert data["dataset_id"] == str(dataset_id)
    assert post_form(signed_in, "/trials/new", {**data, "name": "on-upload"}).status_code == 302
    assert db_session.scalar(select(Trial.dataset_id)) == dataset_id
    assert len(redis_queues.messages("gpu")) == 1


def test_a_document_named_in_non_latin_letters_is_kept_under_a_safe_name(app, signed_in, db_session, fixtures_dir):
    docs = _docs(fixtures_dir)
    content, _ = docs[1]
    docs[1] = (content, "\u0633\u064a\u0631\u0629.md")  # an Arabic name: secure_filename keeps only "md"
    response = _upload(signed_in, fixtures_dir, docs=docs)
    assert response.status_code == 302, response.get_data(as_text=True)
    dataset = db_session.scalar(select(Dataset))
    folder = Path(app.config["HCMQA_HOME"]) / "uploads" / str(dataset.id) / "documents"
    assert sorted(p.name for p in folder.iterdir()) == ["document-2.md", "garden.txt", "wiki-article.html"]
    assert dataset.counts["documents"] == 3
