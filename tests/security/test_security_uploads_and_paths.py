"""Uploads and server paths: a document named in non-Latin letters keeps its type, built
passages name their document inside the dataset (not the staging folder the web app saved the
upload in before a worker built it), and the dataset page never shows the host's absolute paths.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import Dataset, DatasetStatus
from hcmqa.data.passages import read_passages
from web_support import html, post_form
from worker_support import cpu_worker, wait_for_dataset, worker_broker_url  # noqa: F401 - fixtures


@pytest.fixture
def app(make_app, worker_broker_url):
    """The test app on a Redis database of its own, where its ``cpu`` worker builds the uploads."""
    return make_app(BROKER_URL=worker_broker_url)


def _upload(client, fixtures_dir: Path, docs: list[tuple[io.BytesIO, str]]):
    qa = (io.BytesIO((fixtures_dir / "qa_good.csv").read_bytes()), "qa_good.csv")
    data = {"name": "museum", "documents": docs, "qa_csv": qa}
    return post_form(client, "/datasets/", data, token_from="/datasets/", content_type="multipart/form-data")


def _fixture_docs(fixtures_dir: Path) -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(p.read_bytes()), p.name) for p in sorted((fixtures_dir / "docs").iterdir())]


def test_arabic_file_name_is_accepted_by_its_extension_and_paths_stay_inside_the_dataset(
        app, signed_in, db_session, fixtures_dir, cpu_worker):
    docs = _fixture_docs(fixtures_dir)
    garden = next(i for i, (_, name) in enumerate(docs) if name.endswith(".txt"))
    docs[garden] = (docs[garden][0], "\u062a\u0627\u0631\u064a\u062e.txt")  # تاريخ.txt
    response = _upload(signed_in, fixtures_dir, docs)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "(none)" not in response.get_data(as_text=True)
    dataset = wait_for_dataset(app, cpu_worker, db_session.scalar(select(Dataset.id)))
    assert dataset.status is DatasetStatus.ready and dataset.counts["documents"] == 3
    home = Path(app.config["HCMQA_HOME"])
    built = Path(dataset.path)

    # passages name each document by its path inside the documents folder
    named = {p.doc for p in read_passages(built / "passages.jsonl")}
    assert all(not Path(doc).is_absolute() and ".staging" not in doc and str(home) not in doc for doc in named)
    stored = {p.name for p in (home / "uploads" / str(dataset.id) / "documents").iterdir()}
    assert named == stored and any(name.endswith(".txt") for name in named)

    # the dataset page shows where it is stored relative to HCMQA_HOME only
    text = html(signed_in.get(f"/datasets/{dataset.id}")).get_text()
    assert str(home) not in text and str(home.resolve()) not in text and str(built) not in text
    assert f"HCMQA_HOME/uploads/{dataset.id}/{built.name}" in text


def test_passages_written_before_keep_loading(tmp_path):
    """A passages.jsonl from before names documents by absolute (staging) paths: still readable."""
    old = {"id": "garden/intro/0", "doc": "/srv/hcmqa/uploads/.staging-x/documents/garden.txt",
           "title": "Garden", "section": "Intro", "text": "The garden has a lotus pond."}
    path = tmp_path / "passages.jsonl"
    path.write_text(json.dumps(old) + "\n", encoding="utf-8")
    [passage] = read_passages(path)
    assert passage.doc == old["doc"] and passage.text == old["text"]
