"""QA CSV validation: every problem is named by file and row, and nothing is written."""

import csv
import shutil

import pytest

from hcmqa.data.build import build_dataset
from hcmqa.data.qa import ValidationError, assign_splits, leakage_problems, load_qa_csv


def write(tmp_path, text, name="qa.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def problems_of(path, **kw):
    with pytest.raises(ValidationError) as info:
        load_qa_csv(path, **kw)
    return info.value.problems


def test_good_csv_loads(fixtures_dir):
    pairs = load_qa_csv(fixtures_dir / "qa_good.csv")
    assert len(pairs) == 8
    assert pairs[3].key_facts == ("Nam Dan", "Nghe An")
    assert pairs[0].row == 2


def test_missing_columns(tmp_path):
    problems = problems_of(write(tmp_path, "question,reply\nq?,a\n"))
    assert problems == [f"{tmp_path / 'qa.csv'}:1: missing required column(s) answer; found question, reply"]


def test_empty_question_duplicate_and_field_count_are_reported_by_row(tmp_path):
    text = (
        "question,answer\n"
        "When was he born?,1890\n"
        ",an answer without a question\n"
        "when was he BORN,again\n"
        "Where?,Hanoi,extra\n"
        "What?,\n"
    )
    problems = problems_of(write(tmp_path, text))
    path = tmp_path / "qa.csv"
    assert problems == [
        f"{path}:3: empty question",
        f"{path}:4: duplicate question (same as row 2)",
        f"{path}:5: expected 2 fields, found 3",
        f"{path}:6: empty answer",
    ]


def test_bad_encoding_names_the_line(tmp_path):
    path = write(tmp_path, b"question,answer\nWhen?,1890\nWhere?,Ngh\xe9 An\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:3: not valid UTF-8")


def test_required_key_facts_and_unknown_split(tmp_path):
    text = "question,answer,key_facts,split\nA?,a,,train\nB?,b,x,training\n"
    problems = problems_of(write(tmp_path, text), require_key_facts=True)
    assert any(p.endswith(":2: empty key_facts") for p in problems)
    assert any(":3: unknown split 'training'" in p for p in problems)


def test_leakage_between_given_splits_is_reported(tmp_path):
    text = (
        "question,answer,fact_id,split\n"
        "When was he born?,1890,birth,train\n"
        "In which year was he born?,1890,birth,test_unseen\n"
        "When did he die?,1969,death,test_paraphrase\n"
        "When did he die ?,1969,death,train\n"
    )
    problems = problems_of(write(tmp_path, text))
    assert any(":3: fact 'birth' is in test_unseen but also has train/val questions" in p for p in problems)
    assert any(":5: duplicate question (same as row 4)" in p for p in problems)


def test_assigned_splits_are_deterministic_and_leak_free(fixtures_dir):
    pairs = load_qa_csv(fixtures_dir / "qa_good.csv")
    first = assign_splits(pairs, unseen_fraction=0.34, seed="s")
    second = assign_splits(list(reversed(pairs)), unseen_fraction=0.34, seed="s")
    assert sorted((p.question, p.split) for p in first) == sorted((p.question, p.split) for p in second)
    assert leakage_problems(first) == []
    by_fact = {}
    for p in first:
        by_fact.setdefault(p.fact_id, set()).add(p.split)
    for splits in by_fact.values():
        assert splits == {"test_unseen"} or "test_unseen" not in splits


def test_failed_build_writes_nothing(tmp_path, fixtures_dir):
    bad = write(tmp_path, "question,answer\n,missing question\n", name="bad.csv")
    out = tmp_path / "datasets"
    with pytest.raises(ValidationError, match=r"bad.csv:2: empty question"):
        build_dataset(docs_dir=fixtures_dir / "docs", qa_csv=bad, offtopic_csv=None, out_root=out)
    assert not out.exists() or list(out.iterdir()) == []


def test_a_passage_length_under_one_word_is_refused_before_anything_is_written(tmp_path, fixtures_dir):
    out = tmp_path / "datasets"
    with pytest.raises(ValidationError, match=r"max_words: must be a whole number of at least 1, got 0"):
        build_dataset(docs_dir=fixtures_dir / "docs", qa_csv=fixtures_dir / "qa_good.csv", offtopic_csv=None, out_root=out, max_words=0)
    assert not out.exists() or list(out.iterdir()) == []


def test_build_is_versioned_and_reused(tmp_path, fixtures_dir, monkeypatch):
    out = tmp_path / "datasets"
    first = build_dataset(docs_dir=fixtures_dir / "docs", qa_csv=fixtures_dir / "qa_good.csv", offtopic_csv=None, out_root=out, name="fx")
    assert not first.reused
    manifest = first.manifest
    assert manifest["counts"]["qa_pairs"] == 8 and manifest["counts"]["documents"] == 3
    assert sum(manifest["splits"].values()) == 8
    assert set(manifest["files"]) == {"passages.jsonl", "qa.csv", "offtopic.csv", "topic.json"}
    again = build_dataset(docs_dir=fixtures_dir / "docs", qa_csv=fixtures_dir / "qa_good.csv", offtopic_csv=None, out_root=out, name="fx")
    assert again.reused and again.path == first.path
    # a changed input gives a new version
    changed = tmp_path / "qa2.csv"
    shutil.copy(fixtures_dir / "qa_good.csv", changed)
    with changed.open("a", newline="") as fh:
        csv.writer(fh).writerow(["Who guides visitors at Kim Lien?", "Mr. Nguyen.", "Nguyen", "site.guide"])
    third = build_dataset(docs_dir=fixtures_dir / "docs", qa_csv=changed, offtopic_csv=None, out_root=out, name="fx")
    assert third.path != first.path
    # so does a new way of turning the same inputs into a dataset (the format version): a
    # dataset cut the old way is never reused under the new code
    import hcmqa.data.build as build

    monkeypatch.setattr(build, "FORMAT_VERSION", build.FORMAT_VERSION + 1)
    fourth = build_dataset(docs_dir=fixtures_dir / "docs", qa_csv=fixtures_dir / "qa_good.csv", offtopic_csv=None, out_root=out, name="fx")
    assert not fourth.reused and fourth.path != first.path
    assert fourth.manifest["settings"]["format"] == first.manifest["settings"]["format"] + 1


def test_a_huge_header_is_refused_and_duplicates_are_found_in_one_pass(tmp_path):
    # 200,000 columns: a check that counts each column against the whole header would take minutes
    path = tmp_path / "wide.csv"
    path.write_text(",".join(["question", "answer"] + [f"c{i}" for i in range(200_000)]) + "\nq?,a\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_qa_csv(path)
    assert f"{path}:1: 200002 columns; at most 200" in str(err.value)
    path.write_text(",".join(["question", "answer"] + [f"c{i}" for i in range(150)] + ["c7"]) + "\nq?,a\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_qa_csv(path)
    assert "duplicate column(s) c7" in str(err.value)


def test_a_nul_byte_is_reported_by_row_and_column(tmp_path):
    problems = problems_of(write(tmp_path, "question,answer\nWhen?,In 1890.\nWho\x00?,Him.\n"))
    assert problems == [f"{tmp_path / 'qa.csv'}:3: NUL byte in column(s) question"]
