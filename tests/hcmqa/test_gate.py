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
