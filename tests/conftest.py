"""Shared fixtures: one prepared model, one built dataset and one gate per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def hcmqa_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hcmqa-home")


@pytest.fixture(scope="session")
def model_dir(hcmqa_home) -> Path:
    """The embedded default model, converted once per session (about 20 s on a CPU)."""
    from hcmqa.models import prepare_model
    from hcmqa.registry import DEFAULT_MODEL

    return prepare_model(DEFAULT_MODEL, hcmqa_home)


@pytest.fixture(scope="session")
def dataset_dir(hcmqa_home) -> Path:
    """The bundled corpus and QA data built into a dataset directory."""
    from hcmqa.data.build import build_dataset

    return build_dataset(out_root=hcmqa_home / "datasets").path


@pytest.fixture(scope="session")
def gate(dataset_dir):
    from hcmqa.gate import GateClassifier, gate_data_from_dataset

    data = gate_data_from_dataset(dataset_dir)
    return GateClassifier.fit(data)


@pytest.fixture(scope="session")
def trained_dataset_dir(dataset_dir) -> Path:
    """The bundled dataset with its retriever (bi-encoder + reranker) trained on its train split.

    Trained once per session from all-MiniLM-L6-v2 on a sample of 240 train questions (a few
    minutes on a CPU; the product's retriever, measured in bench/retrieval, starts from
    all-mpnet-base-v2 and trains on all of them); answering and trials on this dataset reuse it.
    """
    from hcmqa.retriever_training import RetrieverSettings, ensure_retriever

    ensure_retriever(dataset_dir, RetrieverSettings(base_encoder="minilm", train_dtype="float32", max_questions=240, calibration_questions=120))
    return dataset_dir
