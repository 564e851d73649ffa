"""Shared set-up of the retrieval trials: a built dataset's retriever, its evaluation splits, the key-fact check."""

from __future__ import annotations

import argparse
from pathlib import Path

WEB_STYLE = Path(__file__).resolve().parents[1] / "quality" / "web_style.csv"


def arguments(doc: str) -> argparse.ArgumentParser:
    """A trial's command line: its docstring's first line, and the built dataset to measure (``--dataset``)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="a built dataset directory with a trained retriever")
    return parser


def load(dataset: str):
    """(retriever, {split: pairs with key facts}) for ``dataset``: val, both test splits and the web-style questions."""
    from hcmqa.data.qa import load_qa_csv, read_split
    from hcmqa.retrieval import RETRIEVER_DIR, Retriever

    if not (Path(dataset) / RETRIEVER_DIR / "retriever.json").is_file():
        raise SystemExit(f"--dataset: {dataset} is not a built dataset with a trained retriever (build one with 'hcmqa data build')")
    retriever = Retriever.from_dataset(Path(dataset))
    splits = {s: [p for p in read_split(Path(dataset), s) if p.key_facts] for s in ("val", "test_paraphrase", "test_unseen")}
    splits["web_style"] = load_qa_csv(WEB_STYLE, require_key_facts=True)
    return retriever, splits


def holds(texts: list[str], facts) -> bool:
    """Whether ``texts`` together hold every key fact."""
    from hcmqa.text import contains_fact

    joined = " ".join(texts)
    return all(contains_fact(joined, f) for f in facts)
