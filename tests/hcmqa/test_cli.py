"""The command line: clear errors with exit status 2, JSON outputs, FAQ answering end to end."""

import csv
import json
import os
from types import SimpleNamespace

import pytest

from hcmqa.cli import main
from hcmqa.cli.evaluate import dataset_of
from hcmqa.home import Home


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_data_build_reports_bad_rows_and_writes_nothing(tmp_path, capsys, fixtures_dir):
    bad = tmp_path / "qa.csv"
    bad.write_text("question,answer\nWhen?,1890\n,no question\nWhen?,again\n")
    code, out, err = run(capsys, "--home", str(tmp_path / "home"), "data", "build", "--docs", str(fixtures_dir / "docs"), "--qa", str(bad), "--no-offtopic")
    assert code == 2
    assert f"{bad}:3: empty question" in err and f"{bad}:4: duplicate question (same as row 2)" in err
    assert not (tmp_path / "home" / "datasets").exists() or not any((tmp_path / "home" / "datasets").iterdir())


def test_gate_train_eval_and_classify_json(tmp_path, capsys, monkeypatch, dataset_dir, hcmqa_home):
    home = str(tmp_path / "h")
    code, out, _ = run(capsys, "--home", home, "gate", "train", "--dataset", str(dataset_dir))
    assert code == 0 and "related" in out and "unrelated" in out
    code, out, _ = run(capsys, "--home", home, "gate", "eval", "--dataset", str(dataset_dir), "--json")
    report = json.loads(out)
    assert report["related"]["f1"] >= 0.97 and report["unrelated"]["f1"] >= 0.97
    questions = tmp_path / "q.txt"
    questions.write_text("When was Ho Chi Minh born?\n\nWho won the 2018 World Cup?\nWhat is Pac Bo?\n")
    code, out, _ = run(capsys, "--home", home, "gate", "classify", "--json", str(questions))
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(r["question"], r["related"]) for r in lines] == [("When was Ho Chi Minh born?", True), ("Who won the 2018 World Cup?", False), ("What is Pac Bo?", True)]
    assert all(0.0 <= r["score"] <= 1.0 for r in lines)
    # the trained gate was saved with the topic's own names: a bare question about one is let through by it
    assert [r["by_name"] for r in lines] == [False, False, True]


def test_unknown_model_and_bad_config_are_one_line_errors(tmp_path, capsys, dataset_dir):
    code, _, err = run(capsys, "--home", str(tmp_path), "ask", "--base-model", "no-such-model", "--dataset", str(dataset_dir), "hello?")
    assert code == 2 and "unknown model 'no-such-model'" in err
    cfg = tmp_path / "t.yaml"
    cfg.write_text("lora_r: -1\nlearning_rate: abc\n")
    code, _, err = run(capsys, "--home", str(tmp_path), "train", "--config", str(cfg), "--out", str(tmp_path / "run"))
    assert code == 2 and "lora_r: must be between 1 and 512" in err and "learning_rate: expected a number" in err
    assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_answer_faq_csv_and_ask_json(tmp_path, capsys, hcmqa_home, model_dir, dataset_dir):
    faq = tmp_path / "faq.csv"
    with faq.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["question"])
        w.writerows([["When was Ho Chi Minh born?"], ["Where is the museum cafe?"]])
    out_csv = tmp_path / "out" / "answers.csv"
    code, _, err = run(capsys, "--home", str(hcmqa_home), "answer", "--in", str(faq), "--out", str(out_csv), "--dataset", str(dataset_dir), "--dtype", "float32")
    assert code == 0, err
    rows = list(csv.DictReader(out_csv.open()))
    assert list(rows[0]) == ["question", "related", "answer", "path", "sources", "score", "latency_ms"]
    assert [r["related"] for r in rows] == ["true", "false"]
    assert rows[1]["path"] == "refused_off_topic" and rows[0]["path"] in ("generated", "extracted")
    assert rows[0]["sources"]
    assert "I can only answer questions about the life of Ho Chi Minh" in rows[1]["answer"] and rows[1]["sources"] == ""
    assert list((tmp_path / "out").iterdir()) == [out_csv]  # no temporary file left behind

    code, out, _ = run(capsys, "--home", str(hcmqa_home), "ask", "--json", "--dataset", str(dataset_dir), "Where did Ho Chi Minh read the Declaration of Independence?")
    answer = json.loads(out)
    assert set(answer) == {"question", "related", "answer", "path", "sources", "score", "answerable"}
    assert answer["related"] and answer["sources"] and "Ba Dinh" in " ".join(s["text"] for s in answer["sources"])


def test_answer_rejects_bad_input_before_loading_a_model(tmp_path, capsys):
    bad = tmp_path / "faq.csv"
    bad.write_text("query\nwhen?\n")
    code, _, err = run(capsys, "--home", str(tmp_path), "answer", "--in", str(bad), "--out", str(tmp_path / "a.csv"))
    assert code == 2 and "missing required column(s) question" in err
    assert not (tmp_path / "a.csv").exists()


def _fake_dataset(path, mtime):
    """A directory that passes for a built dataset where only its manifest is read."""
    path.mkdir(parents=True)
    (path / "manifest.json").write_text(json.dumps({"name": "default", "version": path.name}))
    os.utime(path / "manifest.json", (mtime, mtime))
    return path


def _fake_run(run_dir, dataset):
    run_dir.mkdir(parents=True)
    (run_dir / "manifest.json").write_text(json.dumps({"config": {}, "dataset": {"path": str(dataset)}}))
    return run_dir


def test_eval_uses_the_trials_own_dataset_not_the_latest(tmp_path):
    home = tmp_path / "home"
    own = _fake_dataset(home / "datasets" / "default-20250101-aaaa", mtime=1_000_000)
    latest = _fake_dataset(home / "datasets" / "default-20250301-bbbb", mtime=2_000_000)
    run_dir = _fake_run(tmp_path / "run", own)
    assert dataset_of(run_dir, Home(home)) == own
    assert dataset_of(None, Home(home)) == latest  # the base model has no dataset of its own


def test_eval_of_a_trial_whose_dataset_is_gone_says_so(tmp_path, capsys):
    home = tmp_path / "home"
    _fake_dataset(home / "datasets" / "default-20250301-bbbb", mtime=2_000_000)
    run_dir = _fake_run(tmp_path / "run", tmp_path / "deleted-dataset")
    code, _, err = run(capsys, "--home", str(home), "eval", "--run", str(run_dir))
    assert code == 2
    assert f"the trial's dataset {tmp_path / 'deleted-dataset'} no longer exists" in err
    assert "pass --dataset DIR" in err


def test_eval_of_a_trial_scores_its_own_datasets_test_splits(tmp_path, capsys, monkeypatch):
    """`eval --run` reads the test splits and retrieves from the trial's dataset, not the latest."""
    import hcmqa.answering
    import hcmqa.evaluation

    home = tmp_path / "home"
    own = _fake_dataset(home / "datasets" / "default-20250101-aaaa", mtime=1_000_000)
    latest = _fake_dataset(home / "datasets" / "default-20250301-bbbb", mtime=2_000_000)
    for dataset, word in ((own, "own"), (latest, "latest")):
        (dataset / "qa.csv").write_text(f"question,answer,split\nWhich {word} paraphrase?,A.,test_paraphrase\nWhich {word} unseen?,B.,test_unseen\n")
    run_dir = _fake_run(tmp_path / "run", own)
    retrieved_from, scored = [], []

    def load_assistant(run, home, dataset_dir=None, **options):
        retrieved_from.append(dataset_dir)
        return SimpleNamespace(description="fake", mode="grounded")

    def evaluate(assistant, pairs, progress=None):
        scored.extend(p.question for p in pairs)
        aggregate = {"count": len(pairs), "exact_match": 0.0, "token_f1": 0.0, "key_fact_accuracy": None, "bleu": 0.0, "rouge_l": 0.0,
                     "refused": 0, "paths": {"extracted": 0.0}, "closest": 0.0, "unsupported_answers": 0}
        return SimpleNamespace(aggregate=aggregate, bleu_signature="", rows=[])

    monkeypatch.setattr(hcmqa.answering, "load_assistant", load_assistant)
    monkeypatch.setattr(hcmqa.evaluation, "evaluate", evaluate)
    code, _, err = run(capsys, "--home", str(home), "eval", "--run", str(run_dir), "--out", str(tmp_path / "report.json"))
    assert code == 0, err
    assert retrieved_from == [own]
    assert scored == ["Which own paraphrase?", "Which own unseen?"]
    assert set(json.loads((tmp_path / "report.json").read_text())["splits"]) == {"test_paraphrase", "test_unseen"}


def test_answer_refuses_duplicate_questions_naming_their_rows(tmp_path, capsys):
    faq = tmp_path / "faq.csv"
    faq.write_text("question,notes\nWhen was Ho Chi Minh born?,\nWhere is the cafe?,x\nwhen was ho chi minh born,\n")
    code, _, err = run(capsys, "--home", str(tmp_path), "answer", "--in", str(faq), "--out", str(tmp_path / "a.csv"))
    assert code == 2 and f"{faq}:4: duplicate question (same as row 2)" in err
    assert not (tmp_path / "a.csv").exists()


def test_gate_classify_reads_question_lists_by_the_same_rules(tmp_path, capsys):
    from hcmqa.gate import GateClassifier

    related = ["When was Ho Chi Minh born?", "Where did Ho Chi Minh live?", "Who were Ho Chi Minh's parents?"]
    other = ["Who won the World Cup?", "What is the best pho?", "How tall is Mount Everest?"]
    GateClassifier.train(related + other, [1, 1, 1, 0, 0, 0]).save(Home(tmp_path).gate_dir)  # the default --gate
    listed = tmp_path / "q.csv"
    listed.write_text('id,question\n1,"Where, exactly, did Ho Chi Minh live?"\n\n2,How tall is Mount Everest?\n')
    code, out, err = run(capsys, "--home", str(tmp_path), "gate", "classify", "--json", str(listed))
    assert code == 0, err
    assert [json.loads(line)["question"] for line in out.splitlines()] == ["Where, exactly, did Ho Chi Minh live?", "How tall is Mount Everest?"]
    repeated = tmp_path / "q.txt"
    repeated.write_text("Where did he live?\nWHERE did he live\n")
    code, _, err = run(capsys, "--home", str(tmp_path), "gate", "classify", str(repeated))
    assert code == 2 and f"{repeated}:2: duplicate question (same as row 1)" in err


def test_home_is_the_option_else_the_environment(tmp_path, monkeypatch):
    from hcmqa.cli.common import home_of

    monkeypatch.setenv("HCMQA_HOME", str(tmp_path / "env"))
    assert home_of(SimpleNamespace(home=None)) == Home(tmp_path / "env")
    assert home_of(SimpleNamespace(home=str(tmp_path / "option"))) == Home(tmp_path / "option")
