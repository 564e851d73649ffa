"""The topic gate learns the topic, not the subject's name."""

from pathlib import Path

from hcmqa.data.qa import load_qa_csv
from hcmqa.retrieval import normalise_query
from hcmqa.text import fold

ROOT = Path(__file__).resolve().parents[2]


def test_training_questions_that_name_the_subject_are_also_learned_without_the_name(dataset_dir):
    from hcmqa.gate import gate_data_from_dataset

    pairs = load_qa_csv(dataset_dir / "qa.csv")
    data = gate_data_from_dataset(dataset_dir)
    trained = dict(zip(data.train_questions, data.train_labels))
    named = [p for p in pairs if p.split == "train" and "ho chi minh" in fold(p.question) and "ho chi minh city" not in fold(p.question)]
    assert named, "the bundled train split has questions naming the subject"
    for pair in named[:20]:
        unnamed = normalise_query(pair.question)
        assert "ho chi minh" not in unnamed and trained.get(unnamed) == 1, pair.question
    # held-out questions stay held out in either form, and nothing is added twice
    held = {normalise_query(p.question) for p in pairs if p.split.startswith("test")} - {normalise_query(p.question) for p in pairs if p.split in ("train", "val")}
    assert held and not held & set(data.train_questions)
    assert len(data.train_questions) == len({fold(q) for q in data.train_questions})
    # off-topic questions are never rewritten: the off-topic side is exactly the CSV's, minus the held-out ones
    from hcmqa.data.qa import load_offtopic_csv

    offtopic = load_offtopic_csv(dataset_dir / "offtopic.csv")
    off_train = [q for q, y in zip(data.train_questions, data.train_labels) if y == 0]
    off_held = [q for q, y in zip(data.heldout_questions, data.heldout_labels) if y == 0]
    assert sorted(off_train + off_held) == sorted(offtopic)


def test_the_gate_accepts_web_style_questions_that_do_not_name_him_and_still_refuses_held_out_off_topic_ones(dataset_dir, gate):
    from hcmqa.gate import gate_data_from_dataset

    web = [p.question for p in load_qa_csv(ROOT / "bench" / "quality" / "web_style.csv", require_key_facts=True)]
    refused = [d.question for d in gate.classify(web) if not d.related]
    # trained on the named forms alone, the gate refused 5 of these 90 (e.g. "pen name tran luc")
    assert len(refused) <= 2, refused
    data = gate_data_from_dataset(dataset_dir)
    report = gate.evaluate(data.heldout_questions, data.heldout_labels)
    assert report.related.recall >= 0.97 and report.unrelated.recall >= 0.97
    assert not gate.classify(["Is the Ho Chi Minh City metro open on Sundays?"])[0].related


def test_a_bare_question_about_one_of_the_topics_own_names_is_let_through(dataset_dir, gate):
    from hcmqa.gate import gate_data_from_dataset

    data = gate_data_from_dataset(dataset_dir)
    # names the documents use and no off-topic training question does
    assert {"pac bo", "hoang thi loan", "ba dinh square", "tan trao"} <= set(data.names)
    # a name stands with the other spellings the alias table accepts: "Guangzhou" with the
    # documents' "Canton", and neither "Phan Chau Trinh" nor "Phan Chu Trinh", which an
    # off-topic question uses
    assert {"canton", "guangzhou"} <= set(data.names)
    assert not {"phan chau trinh", "phan chu trinh"} & set(data.names)
    assert not {"lenin", "hue", "hanoi", "ho chi minh"} & set(data.names)
    # the model alone refuses these: "what is" and "who was" open most off-topic questions
    own = ["What is Pac Bo?", "Who was Hoang Thi Loan?", "what is ba dinh square", "What is Tan Trao?"]
    assert all(s < gate.threshold for s in gate.scores(own))
    assert all(d.related and d.by_name for d in gate.classify(own))
    assert gate.asks_about_own_name("Tell me about Tan Trao.") and gate.asks_about_own_name("Who was the Comintern?")
    # names off-topic questions use, names the documents lack, and longer questions are the model's to decide
    others = ["What is Hue?", "Who was Lenin?", "What is torque?", "Who was Napoleon?", "What is Pac Bo famous for among tourists?"]
    assert not any(d.by_name for d in gate.classify(others))
    assert not any(d.related for d in gate.classify(others[:4]))


def test_the_gates_own_names_survive_saving_and_loading(tmp_path):
    from hcmqa.gate import GateClassifier

    questions = ["When was he born?", "Where did he live?", "Best pho in town?", "Who won the cup?"]
    gate = GateClassifier.train(questions, [1, 1, 0, 0], names=["pac bo"])
    loaded = GateClassifier.load(gate.save(tmp_path / "gate"))
    assert loaded.names == {"pac bo"} and "names" not in loaded.metadata
    assert loaded.classify(["What is Pac Bo?"])[0].by_name
    # a gate saved without names lets nothing through by name
    bare = GateClassifier.load(GateClassifier.train(questions, [1, 1, 0, 0]).save(tmp_path / "bare"))
    assert not bare.classify(["What is Pac Bo?"])[0].by_name


def test_a_saved_gate_with_malformed_names_is_a_clear_error(tmp_path):
    import json

    import pytest

    from hcmqa.gate import GateClassifier

    folder = GateClassifier.train(["When was he born?", "Where did he live?", "Best pho?", "Who won the cup?"], [1, 1, 0, 0], names=["pac bo"]).save(tmp_path / "gate")
    meta = json.loads((folder / "gate.json").read_text())
    (folder / "gate.json").write_text(json.dumps(dict(meta, names="pac bo")))
    with pytest.raises(ValueError, match="names: must be a list of strings"):
        GateClassifier.load(folder)
